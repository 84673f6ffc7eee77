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

static void load(const char *fixture)
{
    ck_assert_int_eq(tb_topo_load(&tp, tb_test_fixture(fixture)), 0);
}

START_TEST(two_sockets_default_is_one_thread_per_core_socket_by_socket)
{
    load("topology/2socket-4core-smt2.xml");
    tb_place_req req = {0, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    ck_assert_int_eq(plan.n, 8);
    for (int i = 0; i < 8; i++) {
        /* siblings are numbered P#i and P#i+8: the default never takes P#8..15 */
        ck_assert_int_eq(plan.slot[i].os_pu, i);
        ck_assert_int_eq(plan.slot[i].core_logical, i);
        ck_assert_int_eq(plan.slot[i].numa_os, i < 4 ? 0 : 1);
        ck_assert_int_eq(plan.slot[i].package_os, i < 4 ? 0 : 1);
    }
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(smt_takes_siblings_core_by_core)
{
    load("topology/2socket-4core-smt2.xml");
    tb_place_req req = {0, NULL, 1};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    ck_assert_int_eq(plan.n, 16);
    ck_assert_int_eq(plan.slot[0].os_pu, 0);
    ck_assert_int_eq(plan.slot[1].os_pu, 8);
    ck_assert_int_eq(plan.slot[0].core_logical, plan.slot[1].core_logical);
    ck_assert_int_eq(plan.slot[2].os_pu, 1);
    ck_assert_int_eq(plan.slot[15].os_pu, 15);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(threads_fill_first_numa_node_first)
{
    load("topology/2socket-4core-smt2.xml");
    tb_place_req req = {5, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    ck_assert_int_eq(plan.n, 5);
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(plan.slot[i].numa_os, 0);
    ck_assert_int_eq(plan.slot[4].numa_os, 1);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(mapping_is_distinct)
{
    load("topology/2socket-4core-smt2.xml");
    tb_place_req req = {0, NULL, 1};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    for (int i = 0; i < plan.n; i++)
        for (int j = i + 1; j < plan.n; j++)
            ck_assert_int_ne(plan.slot[i].os_pu, plan.slot[j].os_pu);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(cores_list_is_used_as_given)
{
    load("topology/2socket-4core-smt2.xml");
    tb_place_req req = {0, "2,5-6", 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    ck_assert_int_eq(plan.n, 3);
    ck_assert_int_eq(plan.slot[0].os_pu, 2);
    ck_assert_int_eq(plan.slot[1].os_pu, 5);
    ck_assert_int_eq(plan.slot[2].os_pu, 6);
    ck_assert_int_eq(plan.slot[1].numa_os, 1);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(refusals)
{
    load("topology/2socket-4core-smt2.xml");
    tb_place_req too_many = {9, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &too_many, &plan), 2);
    tb_place_req too_many_smt = {17, NULL, 1};
    ck_assert_int_eq(tb_topo_plan(&tp, &too_many_smt, &plan), 2);
    tb_place_req no_such_cpu = {0, "3,40", 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &no_such_cpu, &plan), 2);
    tb_place_req siblings = {0, "0,8", 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &siblings, &plan), 2);
    tb_place_req siblings_smt = {0, "0,8", 1};
    ck_assert_int_eq(tb_topo_plan(&tp, &siblings_smt, &plan), 0);
    tb_place_req malformed = {0, "1-", 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &malformed, &plan), 2);
    tb_place_req more_than_listed = {3, "0-1", 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &more_than_listed, &plan), 2);
    tb_topo_destroy(&tp);
}
END_TEST

START_TEST(allowed_set_is_respected)
{
    /* As under taskset -c 0-2,12 or a cgroup cpuset. */
    load("topology/2socket-4core-smt2.xml");
    ck_assert_int_eq(tb_topo_restrict(&tp, "0-2,12"), 0);
    ck_assert_int_eq(tb_topo_allowed_cores(&tp), 4);
    tb_place_req req = {0, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    ck_assert_int_eq(plan.n, 4);
    /* core 4 is reachable only through its sibling P#12 */
    ck_assert_int_eq(plan.slot[3].os_pu, 12);
    tb_place_req outside = {0, "3", 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &outside, &plan), 2);
    tb_place_req five = {5, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &five, &plan), 2);
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
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, two_sockets_default_is_one_thread_per_core_socket_by_socket);
    tcase_add_test(tc, smt_takes_siblings_core_by_core);
    tcase_add_test(tc, threads_fill_first_numa_node_first);
    tcase_add_test(tc, mapping_is_distinct);
    tcase_add_test(tc, cores_list_is_used_as_given);
    tcase_add_test(tc, refusals);
    tcase_add_test(tc, allowed_set_is_respected);
    tcase_add_test(tc, cpulist_parser);
    tcase_add_test(tc, missing_fixture_is_a_usage_error);
    tcase_add_test(tc, split_covers_everything_once);
    suite_add_tcase(s, tc);
    TCase *tb = tcase_create("bind");
    tcase_set_timeout(tb, 30);
    tcase_add_test(tb, team_binds_every_member_where_planned);
    suite_add_tcase(s, tb);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
