/* Nightly tracking through compare: @history inputs resolved from the history database, per
 * benchmark thresholds by glob, and price changes told apart from performance changes, on the
 * synthetic records of tests/fixtures/tracking (make_fixtures.py), whose answers are known by
 * construction, and on the step3 pair of tests/fixtures/compare. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"
#include "testutil.h"

/* A results folder holding the fixture series and its history.sqlite, built by `history import`
 * (the database is made from the committed JSON records, never committed itself). */
static char *series_dir(void)
{
    char *dir = tb_test_tmpdir(), cmd[8400];
    snprintf(cmd, sizeof cmd, "cp -R '%s/.' '%s'", tb_test_fixture("tracking/series"), dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "history import '%s' --results-dir '%s' --quiet", dir, dir);
    tb_test_expect_printed(NULL, cmd, 0, (const char *const[]){"imported 11 records", NULL}, NULL);
    return dir;
}

/* Removes a scratch folder the test made (tb_test_tmpdir) and frees its name. */
static void drop(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

static json_t *compare_in(const char *dir, const char *base, const char *cand, const char *flags, int status)
{
    char args[8400];
    snprintf(args, sizeof args, "compare '%s' '%s' --results-dir '%s' --format json --quiet %s", base, cand, dir, flags);
    return tb_test_run_json(NULL, args, status);
}

static json_t *bench(json_t *doc, size_t i) { return json_array_get(json_object_get(doc, "benchmarks"), i); }

static const char *str_at(json_t *j, const char *path) { return json_string_value(tb_test_path(j, path)); }

static long long int_at(json_t *j, const char *path) { return json_integer_value(tb_test_path(j, path)); }

START_TEST(rolling_baseline_flags_the_step)
{
    char *dir = series_dir();
    /* 7 nights before the 10th against the 10th, this machine: m=8 regressed 20%, m=1 unchanged */
    json_t *doc = compare_in(dir, "@history:until=2026-12-10,last=7,machine=c0ffee", "@history:since=2026-12-10", "", 4);
    ck_assert(json_is_true(json_object_get(doc, "comparable")));
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "benchmarks")), 2);
    ck_assert_str_eq(str_at(bench(doc, 0), "verdict"), "unchanged");
    ck_assert_str_eq(str_at(bench(doc, 1), "verdict"), "regressed");
    /* last=7 per benchmark: 7 nights of 10 samples; night 2's record is read for its gemv case only */
    ck_assert_int_eq(int_at(bench(doc, 1), "n_base"), 70);
    ck_assert_int_eq(int_at(bench(doc, 1), "n_candidate"), 10);
    ck_assert_str_eq(str_at(json_array_get(json_object_get(doc, "unmatched"), 0), "benchmark"),
                     "bench gemv portable f32 n=2048,k=2048 threads=2 warm");
    json_decref(doc);
    /* the same by commit, and a benchmark glob holding a shape's commas: only m=8 */
    doc = compare_in(dir, "@history:commit=aaaa,machine=c0ffee,benchmark=bench/gemm/*/m=8,n=4096*,last=3",
                     "@history:commit=bbbb", "", 4);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "benchmarks")), 1);
    ck_assert_int_eq(int_at(bench(doc, 0), "n_base"), 30);
    json_decref(doc);
    /* without machine=, the other machine's record joins the base: not comparable */
    doc = compare_in(dir, "@history:until=2026-12-10", "@history:since=2026-12-10", "", 5);
    ck_assert_str_eq(str_at(json_array_get(json_object_get(doc, "differences"), 0), "field"), "machine.fingerprint");
    json_decref(doc);
    /* night 10 started at 02:00:00.271: a bound of that second, Z or not, splits there */
    doc = compare_in(dir, "@history:until=2026-12-10T02:00:00Z,last=7,machine=c0ffee", "@history:since=2026-12-10T02:00:00",
                     "", 4);
    ck_assert_int_eq(int_at(bench(doc, 1), "n_candidate"), 10);
    json_decref(doc);
    /* two quiet nights: nothing regressed */
    doc = compare_in(dir, "@history:since=2026-12-03,until=2026-12-04", "@history:since=2026-12-04T00:00:00Z,until=2026-12-05",
                     "", 0);
    ck_assert_int_eq(int_at(doc, "summary.regressed"), 0);
    json_decref(doc);
    drop(dir);
}
END_TEST

START_TEST(report_reads_history)
{
    char *dir = series_dir(), args[8400];
    snprintf(args, sizeof args, "report @history:machine=c0ffee,since=2026-12-08 -o '%s/r.html' --results-dir '%s'", dir,
             dir);
    tb_test_expect_printed(NULL, args, 0, NULL, (const char *const[]){"a report of 3 records", NULL});
    drop(dir);
}
END_TEST

START_TEST(bad_history_queries_exit_2)
{
    char *dir = series_dir(), args[8400];
    static const char *bad[][2] = {
        {"@history:foo=1", "unknown filter 'foo'"},
        {"@history:since=2026-13-01", "since=2026-13-01"},
        {"@history:since=2026-12-00", "since=2026-12-00"},
        {"@history:since=2026-12-10T24:00", "since=2026-12-10T24:00"},
        {"@history:until=2026-12-10T23:60:00Z", "until=2026-12-10T23:60:00Z"},
        {"@history:until=2026-12-10T23:59:60", "until=2026-12-10T23:59:60"},
        {"@history:until=yesterday", "until=yesterday"},
        {"@history:last=0", "last=0"},
        {"@history:last=x", "last=x"},
        {"@history:benchmark=bench/[gemm", "benchmark=bench/[gemm"},
        {"@history:machine=", "machine="},
        {"@history:since", "'since' without a value"},
        {"@history:commit=a,commit=b", "commit given twice"},
        {"@history:since=2030-01-01", "no record"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(args, sizeof args, "compare '%s' @history --results-dir '%s'", bad[i][0], dir);
        tb_test_expect_usage_error(NULL, args, bad[i][1]);
        tb_test_expect_usage_error(NULL, args, bad[i][0]);
    }
    char *empty = tb_test_tmpdir(); /* no database: never created by a query */
    snprintf(args, sizeof args, "compare @history @history --results-dir '%s'", empty);
    tb_test_expect_usage_error(NULL, args, "no history at");
    snprintf(args, sizeof args, "report @history -o '%s/r.html' --results-dir '%s'", empty, empty);
    tb_test_expect_usage_error(NULL, args, "@history: no history at");
    ck_assert_int_eq(tb_test_count_entries(empty), 0);
    drop(empty);
    drop(dir);
}
END_TEST

START_TEST(threshold_for_first_match_wins)
{
    char args[4096];
    const char *b = tb_test_fixture("compare/step3/base.json"), *c = tb_test_fixture("compare/step3/candidate.json");
    /* a real 3% step: over a 1% rule for m=8 only, under the 5% default for the others */
    json_t *doc = compare_in(".", b, c, "--threshold-for '*m=8,*=1' --threshold-for '*m=8*=50'", 4);
    for (size_t i = 0; i < 3; i++) {
        int m8 = strstr(str_at(bench(doc, i), "benchmark"), " m=8,") != NULL;
        ck_assert_str_eq(str_at(bench(doc, i), "verdict"), m8 ? "regressed" : "unchanged");
        ck_assert_double_eq(json_real_value(json_object_get(bench(doc, i), "threshold_pct")), m8 ? 1 : 5);
        ck_assert_str_eq(str_at(bench(doc, i), "threshold_from"), m8 ? "--threshold-for *m=8,*=1" : "default (kernel)");
    }
    ck_assert_uint_eq(json_array_size(tb_test_path(doc, "summary.threshold_rules")), 2);
    json_decref(doc);
    /* --threshold for the rest */
    doc = compare_in(".", b, c, "--threshold-for '*m=64*=10' --threshold 1", 4);
    ck_assert_str_eq(str_at(bench(doc, 2), "verdict"), "unchanged");
    ck_assert_str_eq(str_at(bench(doc, 0), "threshold_from"), "--threshold");
    json_decref(doc);
    snprintf(args, sizeof args, "compare '%s' '%s' --threshold-for '*m=8*=1' --quiet", b, c);
    tb_test_expect_printed(NULL, args, 4,
                           (const char *const[]){"thr %", "first --threshold-for glob matches: *m=8*=1", NULL}, NULL);
    static const char *bad[] = {"'[m=8*=1'", "'*=fast'", "'*=-2'", "'*'", "'=3'"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(args, sizeof args, "compare '%s' '%s' --threshold-for %s", b, c, bad[i]);
        tb_test_expect_usage_error(NULL, args, "--threshold-for");
    }
}
END_TEST

START_TEST(price_change_is_not_a_verdict)
{
    const char *b = tb_test_fixture("tracking/prices/base.json"), *c = tb_test_fixture("tracking/prices/candidate.json");
    json_t *doc = compare_in(".", b, c, "", 0);
    json_t *pc = json_array_get(json_object_get(doc, "price_changes"), 0);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "price_changes")), 1);
    ck_assert_str_eq(str_at(pc, "instance"), "c7a.xlarge");
    ck_assert_double_eq(json_real_value(tb_test_path(pc, "base.price_per_hour")), 0.1632);
    ck_assert_double_eq(json_real_value(tb_test_path(pc, "candidate.price_per_hour")), 0.17);
    ck_assert_str_eq(str_at(pc, "candidate.price_date"), "2026-12-01");
    for (size_t i = 0; i < 2; i++) /* the same samples: the times did not move */
        ck_assert_str_eq(str_at(bench(doc, i), "verdict"), "unchanged");
    json_decref(doc);
    char args[4096];
    snprintf(args, sizeof args, "compare '%s' '%s' --quiet", b, c);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(
        strstr(r.out, "price change: c7a.xlarge us-east-1 on-demand 0.1632 -> 0.17 USD/h (table 2026-10-01 -> 2026-12-01)"));
    tb_test_run_free(&r);
    /* the same prices on both sides: no line */
    doc = compare_in(".", b, b, "", 0);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "price_changes")), 0);
    json_decref(doc);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("tracking");
    const TTest *const cli[] = {rolling_baseline_flags_the_step, report_reads_history, bad_history_queries_exit_2,
                                threshold_for_first_match_wins, price_change_is_not_a_verdict, NULL};
    tb_test_add_tcase(s, "cli", 120, cli);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
