/* The last-level cache that cold working sets are sized from. Cloud VMs misreport it (the host's
 * whole L3 passed through, a socket's L3 where one CCD's is used, nothing in sysfs at all), so
 * three figures are kept: what the topology reports for the team's CPUs, what a read-bandwidth
 * sweep on the pinned team measures, and the one used, with where it came from. */
#ifndef TB_LLC_H
#define TB_LLC_H

#include <stdint.h>

#include <jansson.h>

#include "team.h"
#include "topo.h"

/* A reported size above this per allowed core under it is taken as misreported and measured. */
#define TB_LLC_PLAUSIBLE_PER_CORE (64ull << 20)
/* The sweep's largest working set, and its sizes (doubling from the team's L2). */
#define TB_LLC_SWEEP_MAX_BYTES (1ull << 30)
#define TB_LLC_SWEEP_MAX_POINTS 24
#define TB_LLC_SWEEP_ROUNDS 9
/* A size is served partly from cache while its best read rate is this many times the DRAM
 * plateau's: sets 4x the knee then read at the plateau's rate. */
#define TB_LLC_KNEE_RATIO 1.25

typedef enum { TB_LLC_REPORTED, TB_LLC_MEASURED, TB_LLC_OVERRIDE } tb_llc_source;

typedef struct tb_llc_sweep {
    int n;
    uint64_t bytes[TB_LLC_SWEEP_MAX_POINTS]; /* working set of the whole team, ascending */
    double gbps[TB_LLC_SWEEP_MAX_POINTS];    /* best read rate of the rounds */
    int rounds;
} tb_llc_sweep;

typedef struct tb_llc {
    char cpus[128];          /* the team's CPUs, taskset syntax */
    uint64_t reported_bytes; /* the distinct caches above those CPUs, summed; 0 when none is reported */
    int reported_cores;      /* allowed cores under those caches */
    uint64_t measured_bytes; /* the sweep's knee; 0 when there is none */
    int measured_cached;     /* the knee came from the per-machine cache file */
    char measured_at[40];    /* UTC time of the sweep */
    const char *why_measured; /* why the sweep ran or was read; NULL when it was not */
    uint64_t override_bytes; /* --llc-bytes / TOKBENCH_LLC_BYTES; 0 when not given */
    uint64_t used_bytes;
    tb_llc_source source;
    tb_llc_sweep sweep; /* n = 0 when no sweep is known */
} tb_llc;

typedef struct tb_llc_req {
    uint64_t override_bytes; /* --llc-bytes / TOKBENCH_LLC_BYTES; 0 when not given */
    int force_measure;       /* --measure-llc: sweep again even when a cached knee exists */
    const char *fingerprint; /* the machine's, keying the cache file; NULL: no cache */
    int quiet;
} tb_llc_req;

/* The deepest level of cache above the PUs in cpus (L3, else L2), each distinct cache counted
 * once: a team on one socket of two gets that socket's L3, a team across both gets both. *cores
 * gets the allowed cores under those caches. 0 when the topology lists no such cache. */
uint64_t tb_llc_reported(const tb_topo *tp, hwloc_const_bitmap_t cpus, int *cores);

/* Whether a reported size must be measured: missing, or above TB_LLC_PLAUSIBLE_PER_CORE per core. */
int tb_llc_implausible(uint64_t reported_bytes, int cores);

/* Fills l->used_bytes and l->source from the reported, measured and override figures already in l:
 * the override when given; else the measured knee when the reported size is missing, implausible,
 * or more than 2x off it; else the reported size. Returns 1 when the measured knee replaced a
 * reported size (the caller warns), else 0. */
int tb_llc_decide(tb_llc *l);

/* The knee of a sweep: the size before the first one (from the smallest) whose best rate is below
 * TB_LLC_KNEE_RATIO times the DRAM plateau (the best rate of the three largest sizes); the
 * smallest size when even that one is below. 0 for an empty sweep. */
uint64_t tb_llc_knee(const tb_llc_sweep *s);

/* Read-bandwidth sweep on the team: working sets doubling from start_bytes to at most max_bytes,
 * each timed in every round (sizes interleaved), the best of the rounds kept. Every pass's sum is
 * checked (it reads ones). Returns 0 or an exit code after one error line. */
int tb_llc_sweep_run(tb_team *team, uint64_t start_bytes, uint64_t max_bytes, int rounds, tb_llc_sweep *out);

/* The whole rule for one team: reported size, then the cached or freshly measured knee when the
 * reported size is missing or implausible or req->force_measure, then the override, then the
 * decision. Returns 0 or an exit code after one error line. */
int tb_llc_resolve(const tb_topo *tp, tb_team *team, const tb_llc_req *req, tb_llc *l);

/* tb_llc_resolve for a record: the request keyed by machine's fingerprint, and the result set as
 * machine's cpu.caches.llc (SPEC.md). */
int tb_llc_resolve_machine(const tb_topo *tp, tb_team *team, uint64_t override_bytes, int force_measure, int quiet,
                           json_t *machine, tb_llc *l);

/* SPEC.md `cpu.caches.llc`: reported_bytes, measured_bytes (or null), used_bytes, source, and
 * how the knee was found. */
json_t *tb_llc_json(const tb_llc *l);

const char *tb_llc_source_name(tb_llc_source s);

#endif
