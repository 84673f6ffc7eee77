/* The machine's topology (hwloc) and the placement plan: which processing units (PUs) the
 * worker threads get. Planning is separate from binding so that it can be tested on recorded
 * topologies (hwloc XML fixtures) of machines we do not have. */
#ifndef TB_TOPO_H
#define TB_TOPO_H

#include <hwloc.h>

#define TB_MAX_THREADS 1024

typedef struct tb_slot {
    int os_pu;        /* OS CPU id, as in taskset and /proc/cpuinfo */
    int core_logical; /* hwloc logical index of the core */
    int core_os;      /* OS core id (may repeat across packages) */
    int numa_os;      /* OS NUMA node id, -1 if unknown */
    int package_os;   /* OS package (socket) id, -1 if unknown */
} tb_slot;

typedef struct tb_topo {
    hwloc_topology_t topo;
    hwloc_bitmap_t allowed; /* PUs this process may run on: cgroup set ∩ affinity mask at load */
    int this_system;        /* 0 when loaded from XML: nothing may be bound then */
} tb_topo;

typedef struct tb_place_req {
    int threads;       /* 0 = default: one per allowed physical core (per PU with smt) */
    const char *cores; /* taskset-style OS CPU list, or NULL for all allowed */
    int smt;           /* allow SMT siblings of one core */
} tb_place_req;

typedef struct tb_plan {
    int n;
    tb_slot slot[TB_MAX_THREADS];
} tb_plan;

/* Loads this machine's topology (xml_path NULL) or a recorded one. Returns 0 or an exit code. */
int tb_topo_load(tb_topo *tp, const char *xml_path);
void tb_topo_destroy(tb_topo *tp);

/* Replaces the allowed set (tests: emulate taskset/cgroups on a fixture). -1 on a bad list. */
int tb_topo_restrict(tb_topo *tp, const char *cpulist);

/* Number of physical cores with at least one allowed PU. */
int tb_topo_allowed_cores(const tb_topo *tp);

/* Fills plan per req: cores in topology order (one NUMA node, then the next), first allowed PU
 * of each core, all of a core's allowed PUs with smt. Returns 0, or TB_EXIT_USAGE after one
 * error line naming the flag (--threads, --cores, --smt). */
int tb_topo_plan(const tb_topo *tp, const tb_place_req *req, tb_plan *plan);

/* Describes PU os_pu as a slot; -1 when the PU is not in the topology. */
int tb_topo_slot_of_pu(const tb_topo *tp, int os_pu, tb_slot *slot);

/* Parses a taskset-style list ("0-3,8,10-11") into set; -1 when malformed. */
int tb_cpulist_parse(const char *s, hwloc_bitmap_t set);

#endif
