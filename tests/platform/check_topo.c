/* Placement planning on recorded topologies (same assertions on any machine), and binding on
 * this one. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "team.h"
#include "testmain.h"
#include "testutil.h"
#include "topo.h"

static tb_topo tp;
static tb_plan plan;

/* Loads the recorded two-socket machine: 4 cores a socket, SMT siblings P#i and P#i+8. */
static void load_two_sockets(void)
{
    ck_assert_int_eq(tb_topo_load(&tp, tb_test_fixture("topology/2socket-4core-smt2.xml")), 0);
}

/* Plans `req` on the loaded topology, asserting it succeeds with want_n threads (-1: any number). */
static void plan_ok(tb_place_req req, int want_n)
{
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    if (want_n >= 0)
        ck_assert_int_eq(plan.n, want_n);
}

typedef struct {
    int slot;
    int os_pu;
} placed;

static void expect_placed(const placed *want, size_t n)
{
    for (size_t k = 0; k < n; k++)
        tb_expect(plan.slot[want[k].slot].os_pu == want[k].os_pu, "slot %d on P#%d, not P#%d", want[k].slot,
                  plan.slot[want[k].slot].os_pu, want[k].os_pu);
}

typedef struct {
    tb_place_req req;
    int status; /* of tb_topo_plan */
    const char *what;
} plan_case;

static void expect_plan_status(const plan_case *cases, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        tb_place_req req = cases[k].req;
        int st = tb_topo_plan(&tp, &req, &plan);
        tb_expect(st == cases[k].status, "%s: status %d, not %d", cases[k].what, st, cases[k].status);
    }
}

START_TEST(two_sockets_default_is_one_thread_per_core_socket_by_socket)
{
    load_two_sockets();
    plan_ok((tb_place_req){0, NULL, 0}, 8);
    for (int i = 0; i < 8; i++) {
        /* siblings are numbered P#i and P#i+8: the default never takes P#8..15 */
        const tb_slot *sl = &plan.slot[i];
        tb_expect(sl->os_pu == i, "slot %d on P#%d", i, sl->os_pu);
        tb_expect(sl->core_logical == i, "slot %d on core %d", i, sl->core_logical);
        tb_expect(sl->numa_os == (i < 4 ? 0 : 1), "slot %d on NUMA node %d", i, sl->numa_os);
        tb_expect(sl->package_os == (i < 4 ? 0 : 1), "slot %d on package %d", i, sl->package_os);
    }
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(smt_takes_siblings_core_by_core)
{
    load_two_sockets();
    plan_ok((tb_place_req){0, NULL, 1}, 16);
    static const placed want[] = {{0, 0}, {1, 8}, {2, 1}, {15, 15}};
    expect_placed(want, sizeof want / sizeof *want);
    ck_assert_int_eq(plan.slot[0].core_logical, plan.slot[1].core_logical);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(threads_fill_first_numa_node_first)
{
    load_two_sockets();
    plan_ok((tb_place_req){5, NULL, 0}, 5);
    for (int i = 0; i < 4; i++)
        tb_expect(plan.slot[i].numa_os == 0, "slot %d on NUMA node %d", i, plan.slot[i].numa_os);
    ck_assert_int_eq(plan.slot[4].numa_os, 1);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(mapping_is_distinct)
{
    load_two_sockets();
    plan_ok((tb_place_req){0, NULL, 1}, -1);
    for (int i = 0; i < plan.n; i++)
        for (int j = i + 1; j < plan.n; j++)
            tb_expect(plan.slot[i].os_pu != plan.slot[j].os_pu, "slots %d and %d both on P#%d", i, j,
                      plan.slot[i].os_pu);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(cores_list_is_used_as_given)
{
    load_two_sockets();
    plan_ok((tb_place_req){0, "2,5-6", 0}, 3);
    static const placed want[] = {{0, 2}, {1, 5}, {2, 6}};
    expect_placed(want, sizeof want / sizeof *want);
    ck_assert_int_eq(plan.slot[1].numa_os, 1);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(refusals)
{
    load_two_sockets();
    static const plan_case cases[] = {
        {{9, NULL, 0}, 2, "too many"},
        {{17, NULL, 1}, 2, "too many with SMT"},
        {{0, "3,40", 0}, 2, "no such CPU"},
        {{0, "0,8", 0}, 2, "siblings"},
        {{0, "0,8", 1}, 0, "siblings with SMT"},
        {{0, "1-", 0}, 2, "malformed"},
        {{3, "0-1", 0}, 2, "more than listed"},
    };
    expect_plan_status(cases, sizeof cases / sizeof *cases);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(allowed_set_is_respected)
{
    /* As under taskset -c 0-2,12 or a cgroup cpuset. */
    load_two_sockets();
    ck_assert_int_eq(tb_topo_restrict(&tp, "0-2,12"), 0);
    ck_assert_int_eq(tb_topo_allowed_cores(&tp), 4);
    plan_ok((tb_place_req){0, NULL, 0}, 4);
    /* core 4 is reachable only through its sibling P#12 */
    ck_assert_int_eq(plan.slot[3].os_pu, 12);
    static const plan_case cases[] = {
        {{0, "3", 0}, 2, "outside the allowed set"},
        {{5, NULL, 0}, 2, "more than allowed"},
    };
    expect_plan_status(cases, sizeof cases / sizeof *cases);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(cpulist_parser)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    ck_assert_int_eq(tb_cpulist_parse("0-3,8,10-11", set), 0);
    ck_assert_int_eq(hwloc_bitmap_weight(set), 7);
    ck_assert(hwloc_bitmap_isset(set, 8));
    ck_assert(!hwloc_bitmap_isset(set, 9));
    const char *bad[] = {"", "a", "1,", ",1", "3-1", "1--2", "-1", "1 2", "0x1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(tb_cpulist_parse(bad[i], set) == -1, "accepted '%s'", bad[i]);
    hwloc_bitmap_free(set);
}
END_TEST

START_TEST(missing_fixture_is_a_usage_error)
{
    ck_assert_int_eq(tb_topo_load(&tp, "/nonexistent/topology.xml"), 2);
}
END_TEST

static void count_member(void *arg, int tid, int n)
{
    int *hits = arg;
    (void)n;
    __atomic_fetch_add(&hits[tid], 1, __ATOMIC_RELAXED);
}

START_TEST(team_binds_every_member_where_planned)
{
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    tb_place_req req = {0, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    tb_team *tm;
    ck_assert_int_eq(tb_team_create(&tm, &tp, &plan), 0);
    int n = tb_team_size(tm);
    ck_assert_int_eq(n, plan.n);
    int *hits = calloc((size_t)n, sizeof *hits);
    for (int r = 0; r < 100; r++)
        tb_team_run(tm, count_member, hits);
    for (int i = 0; i < n; i++)
        ck_assert_int_eq(hits[i], 100);
    json_t *pl = tb_team_placement_json(tm);
    ck_assert_int_eq((int)json_array_size(pl), n);
    for (int i = 0; i < n; i++) {
        json_t *e = json_array_get(pl, (size_t)i);
        ck_assert(json_is_true(json_object_get(e, "bound")));
        ck_assert_int_eq(json_integer_value(json_object_get(e, "seen_cpu")), plan.slot[i].os_pu);
        for (int j = 0; j < i; j++)
            ck_assert_int_ne(json_integer_value(json_object_get(e, "tid")),
                             json_integer_value(json_object_get(json_array_get(pl, (size_t)j), "tid")));
    }
    json_decref(pl);
    free(hits);
    tb_team_destroy(tm);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(split_covers_everything_once)
{
    for (int nt = 1; nt <= 7; nt++)
        for (size_t n = 0; n < 300; n += 37) {
            size_t expect = 0;
            for (int t = 0; t < nt; t++) {
                size_t b, e;
                tb_team_split(n, 8, t, nt, &b, &e);
                ck_assert_uint_eq(b, expect);
                ck_assert(e >= b);
                expect = e;
            }
            ck_assert_uint_eq(expect, n);
        }
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("topology");
    const TTest *const plan[] = {two_sockets_default_is_one_thread_per_core_socket_by_socket,
                                 smt_takes_siblings_core_by_core, threads_fill_first_numa_node_first,
                                 mapping_is_distinct, cores_list_is_used_as_given, refusals, allowed_set_is_respected,
                                 cpulist_parser, missing_fixture_is_a_usage_error, split_covers_everything_once, NULL};
    tb_test_add_tcase(s, "plan", 0, plan);
    const TTest *const bind[] = {team_binds_every_member_where_planned, NULL};
    tb_test_add_tcase(s, "bind", 30, bind);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
