/* The last-level cache: reported, measured, overridden, decided. */
#include "llc.h"

#include <stdio.h>
#include <string.h>

#include "llc_cache.h"
#include "sysinfo.h"
#include "timer.h"
#include "util.h"

static hwloc_obj_type_t llc_type(const tb_topo *tp)
{
    return hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_L3CACHE) > 0 ? HWLOC_OBJ_L3CACHE : HWLOC_OBJ_L2CACHE;
}

uint64_t tb_llc_reported(const tb_topo *tp, hwloc_const_bitmap_t cpus, int *cores)
{
    hwloc_obj_type_t type = llc_type(tp);
    hwloc_obj_type_t core = hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
    uint64_t total = 0;
    int n = 0;
    /* A cache counts once however many of the team's PUs sit under it: summing per PU would count
     * a shared L3 once per core, and summing the machine's would count caches the team never uses. */
    for (hwloc_obj_t c = NULL; (c = hwloc_get_next_obj_by_type(tp->topo, type, c));) {
        if (!c->cpuset || !hwloc_bitmap_intersects(c->cpuset, cpus))
            continue;
        total += c->attr->cache.size;
        for (hwloc_obj_t k = NULL; (k = hwloc_get_next_obj_inside_cpuset_by_type(tp->topo, c->cpuset, core, k));)
            n += hwloc_bitmap_intersects(k->cpuset, tp->allowed);
    }
    *cores = n;
    return total;
}

int tb_llc_implausible(uint64_t reported_bytes, int cores)
{
    return reported_bytes == 0 || reported_bytes > TB_LLC_PLAUSIBLE_PER_CORE * (uint64_t)(cores > 0 ? cores : 1);
}

int tb_llc_decide(tb_llc *l)
{
    uint64_t r = l->reported_bytes, m = l->measured_bytes;
    int off = m && r && (m > 2 * r || r > 2 * m);
    if (l->override_bytes) {
        l->used_bytes = l->override_bytes;
        l->source = TB_LLC_OVERRIDE;
        return 0;
    }
    if (m && (off || tb_llc_implausible(r, l->reported_cores))) {
        l->used_bytes = m;
        l->source = TB_LLC_MEASURED;
        return r != 0 && r != m;
    }
    l->used_bytes = r;
    l->source = TB_LLC_REPORTED;
    return 0;
}

uint64_t tb_llc_knee(const tb_llc_sweep *s)
{
    if (s->n <= 0)
        return 0;
    /* The plateau is the best rate of the three largest sizes: on a shared machine noise only ever
     * lowers a rate, and a neighbour's burst during one of them must not sink it. */
    double plateau = 0;
    for (int i = s->n - 1; i >= 0 && i >= s->n - 3; i--)
        plateau = s->gbps[i] > plateau ? s->gbps[i] : plateau;
    /* Walking up from the smallest size, the knee is the last size before the first that reads at
     * DRAM rate: a noisy point on the plateau cannot move it up. */
    for (int i = 0; i < s->n; i++)
        if (s->gbps[i] < TB_LLC_KNEE_RATIO * plateau)
            return s->bytes[i > 0 ? i - 1 : 0];
    return s->bytes[s->n - 1];
}

const char *tb_llc_source_name(tb_llc_source s)
{
    return s == TB_LLC_MEASURED ? "measured" : s == TB_LLC_OVERRIDE ? "override" : "reported";
}

/* The sweep starts at the team's private L2s together: below that the knee cannot be an LLC. */
static uint64_t sweep_start(const tb_topo *tp, int cores)
{
    hwloc_obj_t l2 = hwloc_get_next_obj_by_type(tp->topo, HWLOC_OBJ_L2CACHE, NULL);
    uint64_t per = l2 && l2->attr ? l2->attr->cache.size : 0;
    uint64_t s = per ? per * (uint64_t)(cores > 0 ? cores : 1) : 1ull << 20;
    uint64_t p = 256ull << 10;
    while (p < s)
        p <<= 1;
    return p;
}

static int measure(const tb_topo *tp, tb_team *team, const tb_llc_req *req, tb_llc *l)
{
    uint64_t avail = tb_meminfo_bytes("MemAvailable"), max = TB_LLC_SWEEP_MAX_BYTES;
    while (avail && max > avail / 4 && max > (64ull << 20))
        max >>= 1;
    if (!req->quiet)
        fprintf(stderr, "tokbench: measuring the last-level cache of CPUs %s (%s; cached for this machine)\n",
                l->cpus, l->why_measured);
    int rc = tb_llc_sweep_run(team, sweep_start(tp, tb_team_cores(team)), max, TB_LLC_SWEEP_ROUNDS, &l->sweep);
    if (rc)
        return rc;
    l->measured_bytes = tb_llc_knee(&l->sweep);
    l->measured_cached = 0;
    tb_utc_iso8601(l->measured_at, (int)sizeof l->measured_at);
    if (req->fingerprint)
        tb_llc_cache_store(req->fingerprint, l);
    return 0;
}

int tb_llc_resolve(const tb_topo *tp, tb_team *team, const tb_llc_req *req, tb_llc *l)
{
    memset(l, 0, sizeof *l);
    hwloc_bitmap_t cpus = hwloc_bitmap_alloc();
    if (!cpus)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    const tb_plan *plan = tb_team_plan(team);
    for (int i = 0; i < plan->n; i++)
        hwloc_bitmap_set(cpus, (unsigned)plan->slot[i].os_pu);
    hwloc_bitmap_list_snprintf(l->cpus, sizeof l->cpus, cpus);
    l->reported_bytes = tb_llc_reported(tp, cpus, &l->reported_cores);
    hwloc_bitmap_free(cpus);

    l->override_bytes = req->override_bytes;
    int implausible = tb_llc_implausible(l->reported_bytes, l->reported_cores);
    int cached = req->fingerprint && !req->force_measure && tb_llc_cache_load(req->fingerprint, l) == 0;
    if (cached)
        l->why_measured = "read from the cache of an earlier sweep";
    else if (req->force_measure || (implausible && !l->override_bytes)) {
        l->why_measured = req->force_measure     ? "asked for (--measure-llc)"
                          : l->reported_bytes == 0 ? "the topology reports no last-level cache"
                                                   : "the reported size is implausible for the cores under it";
        int rc = measure(tp, team, req, l);
        if (rc)
            return rc;
    }
    if (tb_llc_decide(l) && !req->quiet) {
        char r[32], m[32];
        tb_format_bytes((double)l->reported_bytes, r, sizeof r);
        tb_format_bytes((double)l->measured_bytes, m, sizeof m);
        tb_warn("CPUs %s: the topology reports a %s last-level cache, a read-bandwidth sweep finds %s: working sets "
                "are sized from %s (--llc-bytes overrides)",
                l->cpus, r, m, m);
    }
    if (l->used_bytes == 0)
        return tb_fail(TB_EXIT_RUNTIME, "CPUs %s: no last-level cache is reported and none was measured: give --llc-bytes",
                       l->cpus);
    return 0;
}

json_t *tb_llc_json(const tb_llc *l)
{
    json_t *j = json_pack("{s:I, s:o, s:I, s:s, s:s, s:i}", "reported_bytes", (json_int_t)l->reported_bytes,
                          "measured_bytes", l->measured_bytes ? json_integer((json_int_t)l->measured_bytes) : json_null(),
                          "used_bytes", (json_int_t)l->used_bytes, "source", tb_llc_source_name(l->source), "cpus",
                          l->cpus, "reported_cores", l->reported_cores);
    if (!j)
        return NULL;
    if (l->override_bytes)
        json_object_set_new(j, "override_bytes", json_integer((json_int_t)l->override_bytes));
    if (!l->measured_bytes) {
        json_object_set_new(j, "measurement", json_null());
        return j;
    }
    json_t *pts = json_array();
    for (int i = 0; i < l->sweep.n; i++)
        json_array_append_new(pts, json_pack("{s:I, s:f}", "bytes", (json_int_t)l->sweep.bytes[i], "gbps",
                                             l->sweep.gbps[i]));
    json_object_set_new(j, "measurement",
                        json_pack("{s:s, s:b, s:s, s:f, s:i, s:o}", "why", l->why_measured ? l->why_measured : "",
                                  "from_cache", l->measured_cached, "measured_at", l->measured_at, "knee_ratio",
                                  TB_LLC_KNEE_RATIO, "rounds", l->sweep.rounds, "sweep", pts));
    return j;
}

int tb_llc_resolve_machine(const tb_topo *tp, tb_team *team, uint64_t override_bytes, int force_measure, int quiet,
                           json_t *machine, tb_llc *l)
{
    tb_llc_req req = {override_bytes, force_measure, json_string_value(json_object_get(machine, "fingerprint")), quiet};
    int rc = tb_llc_resolve(tp, team, &req, l);
    if (rc)
        return rc;
    json_t *caches = json_object_get(json_object_get(machine, "cpu"), "caches");
    json_t *j = tb_llc_json(l);
    if (!caches || !j) {
        json_decref(j);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory describing the last-level cache");
    }
    json_object_set_new(caches, "llc", j);
    return 0;
}
