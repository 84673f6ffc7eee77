/* What machine this is: CPU (libcpuid, /proc/cpuinfo), caches and topology (hwloc), memory, OS,
 * hypervisor and cloud instance (DMI). The JSON object is the `machine` of every record. */
#ifndef TB_SYSINFO_H
#define TB_SYSINFO_H

#include <jansson.h>

#include "topo.h"

/* Builds the sysinfo object (SPEC.md: cpu.*, topology.*, memory.*, os.*, instance), the instance
 * from DMI files under dmi_dir (NULL: /sys/class/dmi/id; tests pass recorded ones). NULL on OOM. */
json_t *tb_sysinfo_json(const tb_topo *tp, const char *dmi_dir);

/* Sets si's "fingerprint": a hash of the fields that identify the hardware and never drift (vendor,
 * brand, family/model/stepping, packages, NUMA nodes, cores, PUs, reported L2/L3, memory in GiB,
 * ISA list); available memory, clocks and load do not enter it. */
void tb_sysinfo_fingerprint(json_t *si);

/* The cloud instance from DMI files under dmi_dir (normally /sys/class/dmi/id; tests give
 * recorded ones, through --dmi-dir's TOKBENCH_DMI_DIR): {"provider", "type", ...} or json_null(). */
json_t *tb_instance_from_dmi(const char *dmi_dir);

/* Bytes from /proc/meminfo ("MemAvailable", "MemTotal"); 0 when unreadable. */
unsigned long long tb_meminfo_bytes(const char *key);

/* Prints the object as aligned text. */
void tb_sysinfo_print_text(const json_t *si);

#endif
