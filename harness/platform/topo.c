/* Topology loading and thread placement planning (hwloc). */
#include "topo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int tb_topo_load(tb_topo *tp, const char *xml_path)
{
    memset(tp, 0, sizeof *tp);
    if (hwloc_topology_init(&tp->topo) != 0)
        return tb_fail(TB_EXIT_RUNTIME, "hwloc: cannot initialise a topology");
    if (xml_path && hwloc_topology_set_xml(tp->topo, xml_path) != 0) {
        hwloc_topology_destroy(tp->topo);
        return tb_fail(TB_EXIT_USAGE, "%s: not a readable hwloc XML topology", xml_path);
    }
    if (hwloc_topology_load(tp->topo) != 0) {
        hwloc_topology_destroy(tp->topo);
        return tb_fail(TB_EXIT_RUNTIME, "hwloc: cannot load the topology%s%s", xml_path ? " from " : "",
                       xml_path ? xml_path : "");
    }
    tp->this_system = hwloc_topology_is_thissystem(tp->topo);
    tp->allowed = hwloc_bitmap_dup(hwloc_topology_get_allowed_cpuset(tp->topo));
    if (tp->this_system) {
        /* hwloc's allowed set reflects cgroups; taskset shows up only in our own affinity mask,
         * which must be read before any thread of ours is bound. */
        hwloc_bitmap_t mine = hwloc_bitmap_alloc();
        if (hwloc_get_cpubind(tp->topo, mine, HWLOC_CPUBIND_THREAD) == 0)
            hwloc_bitmap_and(tp->allowed, tp->allowed, mine);
        hwloc_bitmap_free(mine);
    }
    return 0;
}

void tb_topo_destroy(tb_topo *tp)
{
    if (tp->allowed)
        hwloc_bitmap_free(tp->allowed);
    if (tp->topo)
        hwloc_topology_destroy(tp->topo);
    memset(tp, 0, sizeof *tp);
}

/* Not hwloc_bitmap_list_sscanf: it takes "3-" as every CPU from 3 on, "1,,2", "0-3x" (stopping
 * at the x), " 1", "5-2" (as nothing) and "" (as nothing), where --cores must refuse each with
 * exit 2 as taskset does. */
int tb_cpulist_parse(const char *s, hwloc_bitmap_t set)
{
    hwloc_bitmap_zero(set);
    if (!s || !*s)
        return -1;
    const char *p = s;
    for (;;) {
        char *end;
        if (*p < '0' || *p > '9')
            return -1;
        long a = strtol(p, &end, 10), b = a;
        p = end;
        if (*p == '-') {
            p++;
            if (*p < '0' || *p > '9')
                return -1;
            b = strtol(p, &end, 10);
            p = end;
        }
        if (a < 0 || b < a || b >= 1 << 20)
            return -1;
        hwloc_bitmap_set_range(set, (unsigned)a, (int)b);
        if (*p == '\0')
            return 0;
        if (*p != ',')
            return -1;
        p++;
    }
}

int tb_topo_restrict(tb_topo *tp, const char *cpulist)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    int rc = tb_cpulist_parse(cpulist, set);
    if (rc == 0)
        hwloc_bitmap_and(tp->allowed, hwloc_topology_get_topology_cpuset(tp->topo), set);
    hwloc_bitmap_free(set);
    return rc;
}

static int os_index_of_ancestor(hwloc_topology_t t, hwloc_obj_t pu, hwloc_obj_type_t type)
{
    hwloc_obj_t a = hwloc_get_ancestor_obj_by_type(t, type, pu);
    return a ? (int)a->os_index : -1;
}

int tb_topo_slot_of_pu(const tb_topo *tp, int os_pu, tb_slot *slot)
{
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(tp->topo, (unsigned)os_pu);
    if (!pu)
        return -1;
    hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(tp->topo, HWLOC_OBJ_CORE, pu);
    slot->os_pu = os_pu;
    /* Without core objects (some VMs) every PU counts as its own core. */
    slot->core_logical = core ? (int)core->logical_index : (int)pu->logical_index;
    slot->core_os = core ? (int)core->os_index : os_pu;
    slot->package_os = os_index_of_ancestor(tp->topo, pu, HWLOC_OBJ_PACKAGE);
    slot->numa_os = -1;
    hwloc_obj_t node = NULL;
    while ((node = hwloc_get_next_obj_by_type(tp->topo, HWLOC_OBJ_NUMANODE, node)))
        if (hwloc_bitmap_isset(node->cpuset, (unsigned)os_pu)) {
            slot->numa_os = (int)node->os_index;
            break;
        }
    return 0;
}

/* The unit of "one physical core": a core object, or a PU where the topology has no cores. */
static hwloc_obj_type_t core_type(const tb_topo *tp)
{
    return hwloc_get_nbobjs_by_type(tp->topo, HWLOC_OBJ_CORE) > 0 ? HWLOC_OBJ_CORE : HWLOC_OBJ_PU;
}

int tb_topo_allowed_cores(const tb_topo *tp)
{
    int count = 0;
    hwloc_obj_t c = NULL;
    while ((c = hwloc_get_next_obj_by_type(tp->topo, core_type(tp), c)))
        count += hwloc_bitmap_intersects(c->cpuset, tp->allowed);
    return count;
}

static int add_slot(const tb_topo *tp, tb_plan *plan, int os_pu)
{
    if (plan->n >= TB_MAX_THREADS)
        return tb_fail(TB_EXIT_USAGE, "--threads: more than %d threads are not supported", TB_MAX_THREADS);
    return tb_topo_slot_of_pu(tp, os_pu, &plan->slot[plan->n++]) == 0 ? 0 : TB_EXIT_RUNTIME;
}

static int plan_from_list(const tb_topo *tp, const tb_place_req *req, tb_plan *plan)
{
    hwloc_bitmap_t want = hwloc_bitmap_alloc(), cores_seen = hwloc_bitmap_alloc();
    char allowed[256];
    hwloc_bitmap_list_snprintf(allowed, sizeof allowed, tp->allowed);
    int rc = 0;
    if (tb_cpulist_parse(req->cores, want) != 0) {
        rc = tb_fail(TB_EXIT_USAGE, "--cores '%s': not a CPU list (expected taskset syntax such as 0-3,8)",
                     req->cores);
        goto out;
    }
    int cpu;
    hwloc_bitmap_foreach_begin(cpu, want) {
        tb_slot s;
        if (tb_topo_slot_of_pu(tp, cpu, &s) != 0) {
            rc = tb_fail(TB_EXIT_USAGE, "--cores: CPU %d does not exist on this machine (allowed: %s)", cpu,
                         allowed);
            break;
        }
        if (!hwloc_bitmap_isset(tp->allowed, (unsigned)cpu)) {
            rc = tb_fail(TB_EXIT_USAGE, "--cores: CPU %d is outside this process's allowed CPU set (%s)", cpu,
                         allowed);
            break;
        }
        if (!req->smt && hwloc_bitmap_isset(cores_seen, (unsigned)s.core_logical)) {
            rc = tb_fail(TB_EXIT_USAGE,
                         "--cores: CPU %d is an SMT sibling of a CPU already listed (core %d); add --smt to use both",
                         cpu, s.core_os);
            break;
        }
        hwloc_bitmap_set(cores_seen, (unsigned)s.core_logical);
        if ((rc = add_slot(tp, plan, cpu)) != 0)
            break;
    }
    hwloc_bitmap_foreach_end();
    if (rc == 0 && req->threads > plan->n)
        rc = tb_fail(TB_EXIT_USAGE, "--threads %d: --cores lists only %d CPU%s", req->threads, plan->n,
                     plan->n == 1 ? "" : "s");
out:
    hwloc_bitmap_free(want);
    hwloc_bitmap_free(cores_seen);
    return rc;
}

static int plan_default(const tb_topo *tp, const tb_place_req *req, tb_plan *plan)
{
    hwloc_obj_t c = NULL;
    hwloc_bitmap_t pus = hwloc_bitmap_alloc();
    int rc = 0;
    while (rc == 0 && (c = hwloc_get_next_obj_by_type(tp->topo, core_type(tp), c))) {
        hwloc_bitmap_and(pus, c->cpuset, tp->allowed);
        if (hwloc_bitmap_iszero(pus))
            continue;
        if (!req->smt) {
            rc = add_slot(tp, plan, hwloc_bitmap_first(pus));
            continue;
        }
        int pu;
        hwloc_bitmap_foreach_begin(pu, pus) {
            if ((rc = add_slot(tp, plan, pu)) != 0)
                break;
        }
        hwloc_bitmap_foreach_end();
    }
    hwloc_bitmap_free(pus);
    if (rc == 0 && req->threads > plan->n) {
        int cores = tb_topo_allowed_cores(tp);
        int pus_n = hwloc_bitmap_weight(tp->allowed);
        if (!req->smt && pus_n > cores)
            rc = tb_fail(TB_EXIT_USAGE,
                         "--threads %d: only %d physical core%s allowed (%d with SMT siblings: add --smt)",
                         req->threads, cores, cores == 1 ? " is" : "s are", pus_n);
        else
            rc = tb_fail(TB_EXIT_USAGE, "--threads %d: only %d %s allowed for this process", req->threads,
                         plan->n, req->smt ? "PUs are" : (plan->n == 1 ? "physical core is" : "physical cores are"));
    }
    return rc;
}

int tb_topo_plan(const tb_topo *tp, const tb_place_req *req, tb_plan *plan)
{
    plan->n = 0;
    if (req->threads < 0)
        return tb_fail(TB_EXIT_USAGE, "--threads %d: must be at least 1", req->threads);
    int rc = req->cores ? plan_from_list(tp, req, plan) : plan_default(tp, req, plan);
    if (rc)
        return rc;
    if (plan->n == 0)
        return tb_fail(TB_EXIT_USAGE, "no allowed CPU to run on");
    if (req->threads > 0)
        plan->n = req->threads;
    return 0;
}
