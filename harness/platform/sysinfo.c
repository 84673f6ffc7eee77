/* Machine description for sysinfo and for every record's `machine` field. */
#include "sysinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "json_path.h"
#include "tb_config.h"
#include "util.h"

#if TB_HAVE_LIBCPUID
#include <libcpuid.h>
#endif

unsigned long long tb_meminfo_bytes(const char *key)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return 0;
    char line[256];
    size_t klen = strlen(key);
    unsigned long long kib = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            kib = strtoull(line + klen + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kib * 1024ull;
}

/* The ISA extensions tokbench cares about, by their Linux /proc/cpuinfo names, and the names we
 * report (SPEC.md's "avx2", "fma", "avx512f", ...). */
static const struct {
    const char *linux_name, *name;
} isa_names[] = {
    {"sse4_2", "sse4_2"},         {"avx", "avx"},
    {"avx2", "avx2"},             {"fma", "fma"},
    {"f16c", "f16c"},             {"avx512f", "avx512f"},
    {"avx512dq", "avx512dq"},     {"avx512cd", "avx512cd"},
    {"avx512bw", "avx512bw"},     {"avx512vl", "avx512vl"},
    {"avx512_vnni", "avx512vnni"}, {"avx512_bf16", "avx512bf16"},
    {"avx512_fp16", "avx512fp16"}, {"avx_vnni", "avxvnni"},
    {"amx_tile", "amx_tile"},     {"amx_bf16", "amx_bf16"},
    {"amx_int8", "amx_int8"},     {"asimd", "neon"},
    {"asimdhp", "fp16"},          {"asimddp", "dotprod"},
    {"i8mm", "i8mm"},             {"bf16", "bf16"},
    {"sve", "sve"},               {"sve2", "sve2"},
};

/* The flags line of /proc/cpuinfo ("flags" on x86, "Features" on arm64), space-padded. */
static char *cpuinfo_flags(char *model_name, size_t cap)
{
    model_name[0] = '\0'; /* also when /proc/cpuinfo cannot be read: the caller reads it */
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return NULL;
    char *line = NULL, *flags = NULL;
    size_t len = 0;
    while (getline(&line, &len, f) > 0) {
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        if (!model_name[0] && strncmp(line, "model name", 10) == 0)
            snprintf(model_name, cap, "%s", colon + 2);
        if (!flags && (strncmp(line, "flags", 5) == 0 || strncmp(line, "Features", 8) == 0)) {
            size_t n = strlen(colon);
            flags = malloc(n + 2);
            if (flags)
                snprintf(flags, n + 2, "%s ", colon + 1);
        }
        if (flags && model_name[0])
            break;
    }
    free(line);
    fclose(f);
    size_t ml = strlen(model_name);
    if (ml && model_name[ml - 1] == '\n')
        model_name[ml - 1] = '\0';
    if (flags)
        for (char *p = flags; *p; p++)
            if (*p == '\n' || *p == '\t')
                *p = ' ';
    return flags;
}

static int has_flag(const char *flags, const char *name)
{
    if (!flags)
        return 0;
    char pat[64];
    snprintf(pat, sizeof pat, " %s ", name);
    return strstr(flags, pat) != NULL;
}

#if defined(__aarch64__)
/* arm64's /proc/cpuinfo has no model name: the core is named from "CPU implementer" and "CPU part"
 * of the first CPU, as lscpu does (ids from Linux's asm/cputype.h). 0 when they are absent (as
 * under qemu-user, which shows the build machine's file). */
static int arm_cpu_id(json_t *cpu)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return 0;
    static const char *const keys[] = {"CPU implementer", "CPU part", "CPU architecture", "CPU revision"};
    long v[4] = {-1, -1, -1, -1};
    char line[256];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        for (int i = 0; colon && i < 4; i++)
            if (v[i] < 0 && strncmp(line, keys[i], strlen(keys[i])) == 0)
                v[i] = strtol(colon + 1, NULL, 0);
    }
    fclose(f);
    if (v[0] < 0 || v[1] < 0)
        return 0;
    static const struct {
        long id;
        const char *name;
    } vendors[] = {{0x41, "ARM"},       {0x42, "Broadcom"}, {0x43, "Cavium"},    {0x46, "Fujitsu"},
                   {0x48, "HiSilicon"}, {0x4e, "NVIDIA"},   {0x51, "Qualcomm"}, {0x61, "Apple"},
                   {0x6d, "Microsoft"}, {0xc0, "Ampere"}};
    static const struct {
        long impl, part;
        const char *name;
    } parts[] = {{0x41, 0xd03, "Cortex-A53"},  {0x41, 0xd07, "Cortex-A57"},  {0x41, 0xd08, "Cortex-A72"},
                 {0x41, 0xd0b, "Cortex-A76"},  {0x41, 0xd0c, "Neoverse-N1"}, {0x41, 0xd40, "Neoverse-V1"},
                 {0x41, 0xd49, "Neoverse-N2"}, {0x41, 0xd4f, "Neoverse-V2"}, {0xc0, 0xac3, "AmpereOne"}};
    char vendor[32], brand[64];
    snprintf(vendor, sizeof vendor, "0x%02lx", v[0]);
    snprintf(brand, sizeof brand, "part 0x%03lx", v[1]);
    for (size_t i = 0; i < sizeof vendors / sizeof *vendors; i++)
        if (vendors[i].id == v[0])
            snprintf(vendor, sizeof vendor, "%s", vendors[i].name);
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (parts[i].impl == v[0] && parts[i].part == v[1])
            snprintf(brand, sizeof brand, "%s", parts[i].name);
    json_object_set_new(cpu, "vendor", json_string(vendor));
    json_object_set_new(cpu, "brand", json_string(brand));
    json_object_set_new(cpu, "family", json_integer(v[2] < 0 ? 0 : v[2])); /* the architecture, 8 */
    json_object_set_new(cpu, "model", json_integer(v[1]));
    json_object_set_new(cpu, "stepping", json_integer(v[3] < 0 ? 0 : v[3]));
    json_object_set_new(cpu, "source", json_string("/proc/cpuinfo"));
    return 1;
}
#endif

static json_t *cpu_json(int *hypervisor_present, char *hv_vendor, size_t hv_cap)
{
    char model_name[256];
    char *flags = cpuinfo_flags(model_name, sizeof model_name);
    json_t *cpu = json_object();
    json_t *isa = json_array();
    *hypervisor_present = has_flag(flags, "hypervisor");
    snprintf(hv_vendor, hv_cap, "%s", *hypervisor_present ? "unknown" : "none");

#if TB_HAVE_LIBCPUID
    struct cpu_raw_data_t raw;
    struct cpu_id_t id;
    if (cpuid_get_raw_data(&raw) == 0 && cpu_identify(&raw, &id) == 0) {
        json_object_set_new(cpu, "vendor", json_string(id.vendor_str));
        json_object_set_new(cpu, "brand", json_string(id.brand_str));
        /* family/model as /proc/cpuinfo shows them (the extended, display values: Zen 3 is 25). */
        json_object_set_new(cpu, "family", json_integer(id.ext_family));
        json_object_set_new(cpu, "model", json_integer(id.ext_model));
        json_object_set_new(cpu, "stepping", json_integer(id.stepping));
        json_object_set_new(cpu, "base_family", json_integer(id.family));
        json_object_set_new(cpu, "base_model", json_integer(id.model));
        json_object_set_new(cpu, "codename", json_string(id.cpu_codename));
        json_object_set_new(cpu, "source", json_string("libcpuid"));
        static const char *hv[] = {"none", "bhyve", "hyperv", "kvm", "parallels", "qemu", "virtualbox", "vmware", "xen"};
        hypervisor_vendor_t h = cpuid_get_hypervisor(&raw, &id);
        if (h != HYPERVISOR_NONE) {
            *hypervisor_present = 1;
            snprintf(hv_vendor, hv_cap, "%s", (unsigned)h < sizeof hv / sizeof *hv ? hv[h] : "unknown");
        }
        /* libcpuid 0.6 predates AVX-512 BF16/FP16 and AMX: those come from /proc/cpuinfo below. */
        static const struct {
            cpu_feature_t f;
            const char *name;
        } known[] = {{CPU_FEATURE_SSE4_2, "sse4_2"},     {CPU_FEATURE_AVX, "avx"},          {CPU_FEATURE_AVX2, "avx2"},
                     {CPU_FEATURE_FMA3, "fma"},          {CPU_FEATURE_F16C, "f16c"},        {CPU_FEATURE_AVX512F, "avx512f"},
                     {CPU_FEATURE_AVX512DQ, "avx512dq"}, {CPU_FEATURE_AVX512CD, "avx512cd"}, {CPU_FEATURE_AVX512BW, "avx512bw"},
                     {CPU_FEATURE_AVX512VL, "avx512vl"}, {CPU_FEATURE_AVX512VNNI, "avx512vnni"}};
        for (size_t i = 0; i < sizeof known / sizeof *known; i++)
            if (id.flags[known[i].f])
                json_array_append_new(isa, json_string(known[i].name));
    }
#endif
#if defined(__aarch64__)
    if (!json_object_get(cpu, "vendor") && !model_name[0])
        arm_cpu_id(cpu);
#endif
    if (!json_object_get(cpu, "vendor")) {
        json_object_set_new(cpu, "vendor", json_string(TB_HOST_CPU));
        json_object_set_new(cpu, "brand", json_string(model_name[0] ? model_name : "unknown"));
        json_object_set_new(cpu, "source", json_string("/proc/cpuinfo"));
    }
    for (size_t i = 0; i < sizeof isa_names / sizeof *isa_names; i++) {
        if (!has_flag(flags, isa_names[i].linux_name))
            continue;
        int dup = 0;
        size_t j;
        json_t *v;
        json_array_foreach(isa, j, v) dup |= strcmp(json_string_value(v), isa_names[i].name) == 0;
        if (!dup)
            json_array_append_new(isa, json_string(isa_names[i].name));
    }
    free(flags);
    json_object_set_new(cpu, "isa", isa);
    json_object_set_new(cpu, "arch", json_string(TB_HOST_CPU));
    return cpu;
}

static unsigned long long cache_bytes(const tb_topo *tp, hwloc_obj_type_t type)
{
    hwloc_obj_t o = hwloc_get_next_obj_by_type(tp->topo, type, NULL);
    return o && o->attr ? (unsigned long long)o->attr->cache.size : 0;
}

static json_t *topology_json(const tb_topo *tp)
{
    char allowed[256];
    hwloc_bitmap_list_snprintf(allowed, sizeof allowed, tp->allowed);
    int cores = hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_CORE);
    int pus = hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_PU);
    return json_pack("{s:i, s:i, s:i, s:i, s:s, s:i, s:b}", "packages",
                     hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_PACKAGE), "numa_nodes",
                     hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_NUMANODE), "cores", cores > 0 ? cores : pus, "pus",
                     pus, "allowed_cpus", allowed, "allowed_cores", tb_topo_allowed_cores(tp), "smt",
                     cores > 0 && pus > cores);
}

/* The bracketed choice of a sysfs multiple-choice file ("always [madvise] never" -> "madvise"). */
static json_t *sysfs_choice(const char *path)
{
    char buf[256];
    if (tb_read_small_file(path, buf, sizeof buf) != 0)
        return json_null();
    char *l = strchr(buf, '['), *r = l ? strchr(l, ']') : NULL;
    if (l && r) {
        *r = '\0';
        return json_string(l + 1);
    }
    return json_string(buf);
}

static json_t *boost_json(void)
{
    char buf[32];
    if (tb_read_small_file("/sys/devices/system/cpu/cpufreq/boost", buf, sizeof buf) == 0)
        return json_boolean(buf[0] == '1');
    if (tb_read_small_file("/sys/devices/system/cpu/intel_pstate/no_turbo", buf, sizeof buf) == 0)
        return json_boolean(buf[0] == '0');
    return json_null();
}

static json_t *os_json(int hv_present, const char *hv_vendor)
{
    struct utsname u;
    json_t *os = json_object();
    if (uname(&u) == 0) {
        json_object_set_new(os, "kernel", json_string(u.release));
        json_object_set_new(os, "name", json_string(u.sysname));
        json_object_set_new(os, "version", json_string(u.version));
        json_object_set_new(os, "machine", json_string(u.machine));
        json_object_set_new(os, "hostname", json_string(u.nodename));
    } else {
        json_object_set_new(os, "kernel", json_string("unknown"));
    }
    json_object_set_new(os, "governor", sysfs_choice("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"));
    json_object_set_new(os, "boost", boost_json());
    json_object_set_new(os, "transparent_hugepages", sysfs_choice("/sys/kernel/mm/transparent_hugepage/enabled"));
    json_object_set_new(os, "hypervisor", json_pack("{s:b, s:s}", "present", hv_present, "vendor", hv_vendor));
    return os;
}

static void read_dmi(const char *dir, const char *name, char *buf, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (tb_read_small_file(path, buf, cap) != 0)
        buf[0] = '\0';
}

json_t *tb_instance_from_dmi(const char *dmi_dir)
{
    char vendor[128], product[128], asset[128], bios[128];
    read_dmi(dmi_dir, "sys_vendor", vendor, sizeof vendor);
    read_dmi(dmi_dir, "product_name", product, sizeof product);
    read_dmi(dmi_dir, "chassis_asset_tag", asset, sizeof asset);
    read_dmi(dmi_dir, "bios_vendor", bios, sizeof bios);
    const char *provider = NULL;
    json_t *type = json_null();
    if (strcmp(vendor, "Amazon EC2") == 0 || strcmp(bios, "Amazon EC2") == 0) {
        provider = "aws";
        /* Nitro instances put the instance type ("m7i.large") in the product name. */
        if (strchr(product, '.') && !strchr(product, ' '))
            type = json_string(product);
    } else if (strcmp(vendor, "Google") == 0 && strcmp(product, "Google Compute Engine") == 0) {
        provider = "gcp"; /* the machine type is only in the metadata server, not in DMI */
    } else if (strcmp(vendor, "Microsoft Corporation") == 0 && strcmp(product, "Virtual Machine") == 0 &&
               strcmp(asset, "7783-7084-3265-9085-8269-3286-77") == 0) {
        provider = "azure"; /* Azure's fixed chassis asset tag; the VM size is not in DMI */
    }
    if (!provider) {
        json_decref(type);
        return json_null();
    }
    return json_pack("{s:s, s:o, s:s, s:s, s:s}", "provider", provider, "type", type, "source", "dmi", "sys_vendor",
                     vendor, "product_name", product);
}

/* FNV-1a over the fields that identify the hardware and never drift (no MHz, no load). */
void tb_sysinfo_fingerprint(json_t *si)
{
    char buf[2048];
    json_t *cpu = json_object_get(si, "cpu"), *topo = json_object_get(si, "topology");
    char *isa = json_dumps(json_object_get(cpu, "isa"), JSON_COMPACT);
    snprintf(buf, sizeof buf, "%s|%s|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%lld|%s",
             json_string_value(json_object_get(cpu, "vendor")), json_string_value(json_object_get(cpu, "brand")),
             json_integer_value(json_object_get(cpu, "family")), json_integer_value(json_object_get(cpu, "model")),
             json_integer_value(json_object_get(cpu, "stepping")), json_integer_value(json_object_get(topo, "packages")),
             json_integer_value(json_object_get(topo, "numa_nodes")), json_integer_value(json_object_get(topo, "cores")),
             json_integer_value(json_object_get(topo, "pus")),
             json_integer_value(json_object_get(json_object_get(cpu, "caches"), "l2_bytes")),
             json_integer_value(json_object_get(json_object_get(cpu, "caches"), "l3_bytes")),
             json_integer_value(json_object_get(json_object_get(si, "memory"), "total_gib")), isa ? isa : "");
    free(isa);
    unsigned long long h = 1469598103934665603ull;
    for (const char *p = buf; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", h);
    json_object_set_new(si, "fingerprint", json_string(hex));
}

json_t *tb_sysinfo_json(const tb_topo *tp, const char *dmi_dir)
{
    int hv = 0;
    char hv_vendor[32];
    json_t *cpu = cpu_json(&hv, hv_vendor, sizeof hv_vendor);
    unsigned long long l1 = 0;
    for (hwloc_obj_t o = NULL; (o = hwloc_get_next_obj_by_type(tp->topo, HWLOC_OBJ_L1CACHE, o));)
        if (o->attr->cache.type != HWLOC_OBJ_CACHE_INSTRUCTION) {
            l1 = o->attr->cache.size;
            break;
        }
    json_object_set_new(cpu, "caches",
                        json_pack("{s:I, s:I, s:I, s:s}", "l1d_bytes", (json_int_t)l1, "l2_bytes",
                                  (json_int_t)cache_bytes(tp, HWLOC_OBJ_L2CACHE), "l3_bytes",
                                  (json_int_t)cache_bytes(tp, HWLOC_OBJ_L3CACHE), "source", "hwloc"));
    unsigned long long total = tb_meminfo_bytes("MemTotal");
    /* hwloc's node memory can lag memory hot-added after boot: record both, guard on MemAvailable. */
    json_t *mem = json_pack("{s:I, s:I, s:I, s:I}", "total_bytes", (json_int_t)total, "available_bytes",
                            (json_int_t)tb_meminfo_bytes("MemAvailable"), "hwloc_bytes",
                            (json_int_t)hwloc_get_root_obj(tp->topo)->total_memory, "total_gib",
                            (json_int_t)((total + (1ull << 29)) >> 30));
    json_t *si = json_pack("{s:o, s:o, s:o, s:o, s:o}", "cpu", cpu, "topology", topology_json(tp), "memory", mem, "os",
                           os_json(hv, hv_vendor), "instance", tb_instance_from_dmi(dmi_dir ? dmi_dir : "/sys/class/dmi/id"));
    if (si)
        tb_sysinfo_fingerprint(si);
    return si;
}

void tb_sysinfo_print_text(const json_t *si)
{
    const json_t *cpu = json_object_get(si, "cpu"), *topo = json_object_get(si, "topology");
    const json_t *mem = json_object_get(si, "memory"), *os = json_object_get(si, "os");
    const json_t *caches = json_object_get(cpu, "caches"), *inst = json_object_get(si, "instance");
    char b1[32], b2[32], b3[32];
    printf("%-12s %s\n", "cpu", tb_json_str_or(cpu, "brand", "?"));
    printf("%-12s %s, family %lld model %lld stepping %lld, %s\n", "", tb_json_str_or(cpu, "vendor", "?"),
           json_integer_value(json_object_get(cpu, "family")), json_integer_value(json_object_get(cpu, "model")),
           json_integer_value(json_object_get(cpu, "stepping")), tb_json_str_or(cpu, "codename", "codename unknown"));
    printf("%-12s", "isa");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(cpu, "isa"), i, v) printf(" %s", json_string_value(v));
    printf("\n");
    tb_format_bytes((double)json_integer_value(json_object_get(caches, "l1d_bytes")), b1, sizeof b1);
    tb_format_bytes((double)json_integer_value(json_object_get(caches, "l2_bytes")), b2, sizeof b2);
    tb_format_bytes((double)json_integer_value(json_object_get(caches, "l3_bytes")), b3, sizeof b3);
    printf("%-12s L1d %s, L2 %s, L3 %s (per instance)\n", "caches", b1, b2, b3);
    const json_t *llc = json_object_get(caches, "llc");
    if (json_is_object(llc)) {
        /* reported, measured and used side by side: a misreported cache is visible at a glance */
        const json_t *m = json_object_get(llc, "measured_bytes");
        tb_format_bytes((double)json_integer_value(json_object_get(llc, "used_bytes")), b1, sizeof b1);
        tb_format_bytes((double)json_integer_value(json_object_get(llc, "reported_bytes")), b2, sizeof b2);
        if (json_is_integer(m))
            tb_format_bytes((double)json_integer_value(m), b3, sizeof b3);
        printf("%-12s %s used (%s) for CPUs %s: reported %s, measured %s%s\n", "llc", b1,
               tb_json_str_or(llc, "source", "?"), tb_json_str_or(llc, "cpus", "?"), b2, json_is_integer(m) ? b3 : "not run",
               json_is_true(json_object_get(json_object_get(llc, "measurement"), "from_cache")) ? " (cached sweep)" : "");
    }
    printf("%-12s %lld package(s), %lld NUMA node(s), %lld core(s), %lld PU(s); allowed CPUs %s\n", "topology",
           json_integer_value(json_object_get(topo, "packages")), json_integer_value(json_object_get(topo, "numa_nodes")),
           json_integer_value(json_object_get(topo, "cores")), json_integer_value(json_object_get(topo, "pus")),
           tb_json_str_or(topo, "allowed_cpus", "?"));
    tb_format_bytes((double)json_integer_value(json_object_get(mem, "total_bytes")), b1, sizeof b1);
    tb_format_bytes((double)json_integer_value(json_object_get(mem, "available_bytes")), b2, sizeof b2);
    tb_format_bytes((double)json_integer_value(json_object_get(mem, "hwloc_bytes")), b3, sizeof b3);
    printf("%-12s %s total, %s available (hwloc sees %s)\n", "memory", b1, b2, b3);
    const json_t *hv = json_object_get(os, "hypervisor");
    printf("%-12s Linux %s, governor %s, boost %s, THP %s, hypervisor %s\n", "os", tb_json_str_or(os, "kernel", "?"),
           tb_json_str_or(os, "governor", "n/a"),
           json_is_boolean(json_object_get(os, "boost")) ? (json_is_true(json_object_get(os, "boost")) ? "on" : "off") : "n/a",
           tb_json_str_or(os, "transparent_hugepages", "n/a"),
           json_is_true(json_object_get(hv, "present")) ? tb_json_str_or(hv, "vendor", "yes") : "none");
    if (json_is_object(inst))
        printf("%-12s %s %s\n", "instance", tb_json_str_or(inst, "provider", "?"), tb_json_str_or(inst, "type", "(type not in DMI)"));
    else
        printf("%-12s not detected\n", "instance");
    printf("%-12s %s\n", "fingerprint", tb_json_str_or(si, "fingerprint", "?"));
}
