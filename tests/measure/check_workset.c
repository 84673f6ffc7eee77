/* Working sets: the LLC read from recorded topologies (the same answer on any machine), the knee
 * of recorded sweeps, the rule that picks the LLC used, the cold-copy planner against a memory
 * budget, the one-pass fill, and the per-machine cache of measured knees. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "llc.h"
#include "llc_cache.h"
#include "team.h"
#include "testmain.h"
#include "testutil.h"
#include "topo.h"
#include "util.h"
#include "workset.h"

#define MiB (1ull << 20)

static uint64_t reported_on(const char *fixture, const char *cpus, int *cores)
{
    tb_topo tp;
    ck_assert_int_eq(tb_topo_load(&tp, tb_test_fixture(fixture)), 0);
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    ck_assert_int_eq(tb_cpulist_parse(cpus, set), 0);
    uint64_t r = tb_llc_reported(&tp, set, cores);
    hwloc_bitmap_free(set);
    tb_topo_destroy(&tp);
    return r;
}

START_TEST(zen5_vm_reports_an_implausible_llc)
{
    /* lstopo of the 2-vCPU Zen 5 VM: one 508 MiB L3 per vCPU, no sysfs cache entries */
    int cores;
    uint64_t both = reported_on("topology/zen5-vm-2core.xml", "0-1", &cores);
    ck_assert_uint_eq(both, 2 * 508 * MiB);
    ck_assert_int_eq(cores, 2);
    ck_assert(tb_llc_implausible(both, cores));
    uint64_t one = reported_on("topology/zen5-vm-2core.xml", "1", &cores);
    ck_assert_uint_eq(one, 508 * MiB);
    ck_assert_int_eq(cores, 1);
    ck_assert(tb_llc_implausible(one, cores));
}
END_TEST

START_TEST(two_sockets_count_only_the_teams_caches)
{
    int cores;
    /* P#0-3 and their SMT siblings P#8-11 sit under socket 0's L3 (32 MB); P#4-7 under socket 1's */
    ck_assert_uint_eq(reported_on("topology/2socket-4core-smt2.xml", "0-3", &cores), 32000000);
    ck_assert_int_eq(cores, 4);
    ck_assert_uint_eq(reported_on("topology/2socket-4core-smt2.xml", "0,8", &cores), 32000000);
    ck_assert_uint_eq(reported_on("topology/2socket-4core-smt2.xml", "0-7", &cores), 64000000);
    ck_assert_int_eq(cores, 8);
    ck_assert_uint_eq(reported_on("topology/2socket-4core-smt2.xml", "3-4", &cores), 64000000);
    ck_assert(!tb_llc_implausible(64000000, 8));
}
END_TEST

static tb_llc_sweep sweep_of(const double *gbps, int n, uint64_t start)
{
    tb_llc_sweep s;
    memset(&s, 0, sizeof s);
    for (int i = 0; i < n; i++) {
        s.bytes[i] = start << i;
        s.gbps[i] = gbps[i];
    }
    s.n = n;
    return s;
}

START_TEST(knee_is_the_last_size_served_from_cache)
{
    /* a 32 MiB L3: fast to 32 MiB, DRAM from 64 MiB on */
    const double zen3[] = {150, 120, 100, 100, 100, 90, 17, 15, 15, 15, 15};
    tb_llc_sweep s = sweep_of(zen3, 11, 1 * MiB);
    ck_assert_uint_eq(tb_llc_knee(&s), 32 * MiB);
    /* a point on the plateau read while the neighbours were idle moves nothing */
    const double noisy[] = {150, 120, 100, 100, 100, 90, 17, 15, 20, 15, 15};
    s = sweep_of(noisy, 11, 1 * MiB);
    ck_assert_uint_eq(tb_llc_knee(&s), 32 * MiB);
    /* nor does one read in a burst (the largest size low) */
    const double burst[] = {150, 120, 100, 100, 100, 90, 17, 15, 15, 15, 9};
    s = sweep_of(burst, 11, 1 * MiB);
    ck_assert_uint_eq(tb_llc_knee(&s), 32 * MiB);
    /* the Zen 5 VM (hwloc: 508 MiB per vCPU), 2 MiB to 1 GiB, 2 threads: quiet, then while another
     * process streamed memory (a lower plateau, so the partly cached 64 MiB counts as cache) */
    const double zen5[] = {254, 198, 168, 158, 133, 100, 81, 78, 79, 81};
    s = sweep_of(zen5, 10, 2 * MiB);
    ck_assert_uint_eq(tb_llc_knee(&s), 32 * MiB);
    const double zen5_busy[] = {225, 210, 167, 168, 106, 52, 36, 29, 38, 30};
    s = sweep_of(zen5_busy, 10, 2 * MiB);
    ck_assert_uint_eq(tb_llc_knee(&s), 64 * MiB);
    /* no cache beyond the start: the first size */
    const double flat[] = {40, 41, 39, 40, 40};
    s = sweep_of(flat, 5, 2 * MiB);
    ck_assert_uint_eq(tb_llc_knee(&s), 2 * MiB);
    s.n = 0;
    ck_assert_uint_eq(tb_llc_knee(&s), 0);
}
END_TEST

START_TEST(decide_prefers_override_then_a_misreport_measured)
{
    tb_llc l;
    memset(&l, 0, sizeof l);
    /* plausible and close to the knee: the reported size */
    l.reported_bytes = 32 * MiB;
    l.reported_cores = 2;
    l.measured_bytes = 16 * MiB;
    ck_assert_int_eq(tb_llc_decide(&l), 0);
    ck_assert_uint_eq(l.used_bytes, 32 * MiB);
    ck_assert_int_eq(l.source, TB_LLC_REPORTED);
    /* plausible but more than 2x off the knee: the knee, and the caller warns */
    l.measured_bytes = 8 * MiB;
    ck_assert_int_eq(tb_llc_decide(&l), 1);
    ck_assert_uint_eq(l.used_bytes, 8 * MiB);
    ck_assert_int_eq(l.source, TB_LLC_MEASURED);
    /* implausible (508 MiB over one core) even within 2x: the knee */
    l.reported_bytes = 508 * MiB;
    l.reported_cores = 1;
    l.measured_bytes = 300 * MiB;
    ck_assert_int_eq(tb_llc_decide(&l), 1);
    ck_assert_uint_eq(l.used_bytes, 300 * MiB);
    /* missing: the knee, with nothing to warn about */
    l.reported_bytes = 0;
    ck_assert_int_eq(tb_llc_decide(&l), 0);
    ck_assert_int_eq(l.source, TB_LLC_MEASURED);
    /* an override beats everything */
    l.override_bytes = 1 * MiB;
    ck_assert_int_eq(tb_llc_decide(&l), 0);
    ck_assert_uint_eq(l.used_bytes, 1 * MiB);
    ck_assert_int_eq(l.source, TB_LLC_OVERRIDE);
}
END_TEST

START_TEST(planner_covers_the_llc_and_caps_what_it_must)
{
    tb_workset_budget b = {32 * MiB, 0};
    ck_assert_uint_eq(tb_workset_copies_for(32 * MiB, 64 * MiB), 2);
    ck_assert_uint_eq(tb_workset_copies_for(32 * MiB, 3 * MiB), 43);
    ck_assert_uint_eq(tb_workset_copies_for(32 * MiB, 256 * MiB), 1);
    tb_workset_item it[] = {{"cold", 3 * MiB, 1, 2, 0, 0}, {"warm", 3 * MiB, 0, 1, 0, 0}, {"unused", 3 * MiB, 1, 0, 0, 0}};
    ck_assert_int_eq(tb_workset_plan(&b, 0, it, 3, "test"), 0);
    ck_assert_int_eq(it[0].copies, 43);
    ck_assert_int_eq(it[0].capped, 0);
    ck_assert_int_eq(it[1].copies, 1);
    ck_assert_int_eq(it[2].copies, 0);
    ck_assert(tb_workset_bytes(it, 3) == (2.0 * 43 + 1) * 3 * MiB);

    /* a tiny matrix: the count cap binds, not the cache */
    tb_workset_item tiny = {"tiny", 14208, 1, 1, 0, 0};
    ck_assert_int_eq(tb_workset_plan(&b, 0, &tiny, 1, "test"), 0);
    ck_assert_int_eq(tiny.copies, TB_WORKSET_MAX_COPIES);
    ck_assert_int_eq(tiny.capped, 1);

    /* 1 GiB free: the copies of all sets of the invocation together stay within half of it */
    tb_workset_budget small = {512 * MiB, 1024 * MiB};
    tb_workset_item two[] = {{"a", 64 * MiB, 1, 1, 0, 0}, {"b", 16 * MiB, 1, 2, 0, 0}};
    ck_assert_int_eq(tb_workset_plan(&small, 0, two, 2, "test"), 0);
    ck_assert(tb_workset_bytes(two, 2) <= TB_WORKSET_COPIES_SHARE * 1024.0 * MiB);
    ck_assert(two[0].capped && two[1].capped);
    ck_assert(two[0].copies >= 1 && two[0].copies < 32);
    ck_assert(two[1].copies >= 1 && two[1].copies < 128);

    /* not even one copy of each fits: refused before anything is allocated */
    tb_workset_item huge = {"huge", 900 * MiB, 1, 1, 0, 0};
    ck_assert_int_eq(tb_workset_plan(&small, 0, &huge, 1, "test"), 1);
}
END_TEST

START_TEST(fill_writes_every_copy_in_one_pass)
{
    tb_topo tp;
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    static tb_plan plan;
    tb_place_req req = {1, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    tb_team *team = NULL;
    ck_assert_int_eq(tb_team_create(&team, &tp, &plan), 0);
    const size_t bytes = 1000, copies = 7;
    unsigned char *src = malloc(bytes), *dst = tb_workset_alloc(bytes, (int)copies, "test");
    ck_assert_ptr_nonnull(dst);
    for (size_t i = 0; i < bytes; i++)
        src[i] = (unsigned char)(i * 7 + 1);
    tb_workset_fill(team, dst, bytes, (int)copies, src);
    for (size_t c = 0; c < copies; c++)
        ck_assert_int_eq(memcmp(dst + c * bytes, src, bytes), 0);
    /* copy 0 as the source: the others become copies of it, and it stays as it is */
    memset(dst + bytes, 0, bytes * (copies - 1));
    tb_workset_fill(team, dst, bytes, (int)copies, dst);
    for (size_t c = 0; c < copies; c++)
        ck_assert_int_eq(memcmp(dst + c * bytes, src, bytes), 0);
    free(src);
    tb_free(dst);
    tb_team_destroy(team);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(cache_round_trips_and_refuses_a_bad_entry)
{
    char *dir = tb_test_tmpdir();
    setenv("TOKBENCH_CACHE_DIR", dir, 1);
    tb_llc l;
    memset(&l, 0, sizeof l);
    snprintf(l.cpus, sizeof l.cpus, "0-1");
    ck_assert_int_eq(tb_llc_cache_load("feedc0de", &l), -1);
    const double g[] = {200, 150, 35, 30, 31, 30};
    l.sweep = sweep_of(g, 6, 8 * MiB);
    l.sweep.rounds = 5;
    l.measured_bytes = tb_llc_knee(&l.sweep);
    snprintf(l.measured_at, sizeof l.measured_at, "2026-12-07T10:00:00Z");
    tb_llc_cache_store("feedc0de", &l);

    tb_llc back;
    memset(&back, 0, sizeof back);
    snprintf(back.cpus, sizeof back.cpus, "0-1");
    ck_assert_int_eq(tb_llc_cache_load("feedc0de", &back), 0);
    ck_assert_uint_eq(back.measured_bytes, 16 * MiB);
    ck_assert_int_eq(back.measured_cached, 1);
    ck_assert_int_eq(back.sweep.n, 6);
    ck_assert_uint_eq(back.sweep.bytes[3], 64 * MiB);
    ck_assert(back.sweep.gbps[1] == 150);
    ck_assert_str_eq(back.measured_at, "2026-12-07T10:00:00Z");
    /* another CPU set of the same machine is another entry */
    snprintf(back.cpus, sizeof back.cpus, "0");
    ck_assert_int_eq(tb_llc_cache_load("feedc0de", &back), -1);

    /* a truncated entry is not trusted */
    char path[4200];
    snprintf(path, sizeof path, "%s/llc-feedc0de-cpus0-1.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"schema\": \"tokbench.llc-cache/1\", \"measured_bytes\": 16", f);
    fclose(f);
    snprintf(back.cpus, sizeof back.cpus, "0-1");
    back.measured_bytes = 0;
    ck_assert_int_eq(tb_llc_cache_load("feedc0de", &back), -1);
    ck_assert_uint_eq(back.measured_bytes, 0);
    unlink(path);
    rmdir(dir);
    free(dir);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("workset");
    const TTest *const core[] = {zen5_vm_reports_an_implausible_llc, two_sockets_count_only_the_teams_caches,
                                 knee_is_the_last_size_served_from_cache,
                                 decide_prefers_override_then_a_misreport_measured,
                                 planner_covers_the_llc_and_caps_what_it_must, fill_writes_every_copy_in_one_pass,
                                 cache_round_trips_and_refuses_a_bad_entry, NULL};
    tb_test_add_tcase(s, "core", 0, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
