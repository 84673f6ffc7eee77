/* tokbench compare: the statistics against values computed independently (Python's math module:
 * brute-force enumeration of every split for the exact Mann-Whitney p, the tie-corrected normal
 * formula by hand, Holm and the geometric mean by hand), then the command on the synthetic record
 * pairs of tests/fixtures/compare (make_fixtures.py), whose answers are known by construction. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats_compare.h"
#include "testmain.h"
#include "testutil.h"

START_TEST(mwu_exact_matches_enumeration)
{
    double a[] = {1, 2, 3, 4, 5}, b[] = {6, 7, 8, 9, 10};
    tb_mwu r;
    ck_assert_int_eq(tb_mwu_test(a, 5, b, 5, &r), 0);
    ck_assert_int_eq(r.exact, 1);
    ck_assert_double_eq(r.u, 0);
    ck_assert_double_eq_tol(r.p, 0.007936507936507936, 1e-12); /* 2 / C(10, 5) */
    double c[] = {1.1, 2.3, 3.5, 7.2}, d[] = {2.0, 4.4, 5.1, 6.3, 8.8};
    ck_assert_int_eq(tb_mwu_test(c, 4, d, 5, &r), 0);
    ck_assert_double_eq(r.u, 6);
    ck_assert_double_eq_tol(r.p, 0.4126984126984127, 1e-12);
    double e[] = {3, 1, 4, 1.5, 9, 2.6, 5.3}, f[] = {5.8, 9.7, 9.3, 2.38, 4.6, 2.64, 3.38, 3.27};
    ck_assert_int_eq(tb_mwu_test(e, 7, f, 8, &r), 0);
    ck_assert_double_eq(r.u, 18);
    ck_assert_double_eq_tol(r.p, 0.28096348096348095, 1e-12);
}
END_TEST

START_TEST(mwu_normal_with_ties_and_large_samples)
{
    double a[] = {1, 2, 2, 3, 3, 3}, b[] = {2, 3, 4, 4, 5, 5, 6};
    tb_mwu r;
    ck_assert_int_eq(tb_mwu_test(a, 6, b, 7, &r), 0);
    ck_assert_int_eq(r.exact, 0);
    ck_assert_double_eq(r.u, 5.5);
    ck_assert_double_eq_tol(r.p, 0.028410955971066822, 1e-12);
    double x[30], y[30];
    for (int i = 0; i < 30; i++) {
        x[i] = i;
        y[i] = i + 10.5;
    }
    ck_assert_int_eq(tb_mwu_test(x, 30, y, 30, &r), 0); /* 60 > TB_MWU_EXACT_MAX */
    ck_assert_int_eq(r.exact, 0);
    ck_assert_double_eq(r.u, 190);
    ck_assert_double_eq_tol(r.p, 0.00012477053789099963, 1e-12);
    double same[] = {4, 4, 4};
    ck_assert_int_eq(tb_mwu_test(same, 3, same, 3, &r), 0);
    ck_assert_double_eq(r.p, 1);
    ck_assert_int_eq(tb_mwu_test(same, 0, same, 3, &r), -1);
}
END_TEST

START_TEST(smallest_reachable_p)
{
    ck_assert_double_eq_tol(tb_mwu_min_p(3, 3), 0.1, 1e-12);
    ck_assert_double_eq_tol(tb_mwu_min_p(3, 4), 0.05714285714285714, 1e-12);
    ck_assert_double_eq_tol(tb_mwu_min_p(4, 4), 0.02857142857142857, 1e-12);
    ck_assert_double_eq(tb_mwu_min_p(1, 1), 1);
    ck_assert(tb_mwu_min_p(1000, 1000) < 1e-100);
}
END_TEST

START_TEST(holm_and_geomean)
{
    double p[] = {0.01, 0.04, 0.03, 0.005}, adj[4];
    ck_assert_int_eq(tb_holm(p, 4, adj), 0);
    ck_assert_double_eq_tol(adj[0], 0.03, 1e-12);
    ck_assert_double_eq_tol(adj[1], 0.06, 1e-12);
    ck_assert_double_eq_tol(adj[2], 0.06, 1e-12);
    ck_assert_double_eq_tol(adj[3], 0.02, 1e-12);
    double q[] = {0.01, NAN, 0.5}, qa[3];
    ck_assert_int_eq(tb_holm(q, 3, qa), 0); /* the NaN is not counted: k = 2 */
    ck_assert_double_eq_tol(qa[0], 0.02, 1e-12);
    ck_assert(isnan(qa[1]));
    ck_assert_double_eq_tol(qa[2], 0.5, 1e-12);
    double r[] = {1.2, 0.8, 1.05, NAN, -1};
    ck_assert_double_eq_tol(tb_geomean(r, 5), 1.002659586992917, 1e-12);
    ck_assert(isnan(tb_geomean(r + 3, 2)));
}
END_TEST

START_TEST(bootstrap_interval)
{
    double a[] = {100, 100, 100, 100}, b[] = {120, 120, 120};
    double ratio, lo, hi;
    ck_assert_int_eq(tb_ratio_ci_boot(a, 4, b, 3, TB_BOOT_SEED, &ratio, &lo, &hi), 0);
    ck_assert_double_eq_tol(ratio, 1.2, 1e-12);
    ck_assert_double_eq_tol(lo, 1.2, 1e-12);
    ck_assert_double_eq_tol(hi, 1.2, 1e-12);
    double x[41], y[41];
    for (int i = 0; i < 41; i++) {
        x[i] = 1000 + 7 * ((i * 17) % 41);
        y[i] = 1.1 * (1000 + 7 * ((i * 23) % 41));
    }
    double r2, l2, h2;
    ck_assert_int_eq(tb_ratio_ci_boot(x, 41, y, 41, TB_BOOT_SEED, &ratio, &lo, &hi), 0);
    ck_assert_int_eq(tb_ratio_ci_boot(x, 41, y, 41, TB_BOOT_SEED, &r2, &l2, &h2), 0);
    ck_assert_double_eq_tol(ratio, 1.1, 1e-12); /* the same median, times 1.1 */
    ck_assert_msg(lo < ratio && ratio < hi && hi - lo < 0.2, "%g %g %g", lo, ratio, hi);
    ck_assert(lo == l2 && hi == h2); /* seeded: the same interval every time */
    double neg[] = {-1, -2};
    ck_assert_int_eq(tb_ratio_ci_boot(neg, 2, y, 41, TB_BOOT_SEED, &ratio, &lo, &hi), -1);
}
END_TEST

START_TEST(verdict_rule)
{
    ck_assert_str_eq(tb_cmp_verdict(0.001, 1.10, 1.20, 5, 0), "regressed");
    ck_assert_str_eq(tb_cmp_verdict(0.2, 1.10, 1.20, 5, 0), "inconclusive"); /* not significant */
    ck_assert_str_eq(tb_cmp_verdict(0.001, 1.02, 1.20, 5, 0), "inconclusive"); /* CI crosses 5% */
    ck_assert_str_eq(tb_cmp_verdict(0.001, 1.02, 1.04, 5, 0), "unchanged");    /* significant, small */
    ck_assert_str_eq(tb_cmp_verdict(0.001, 0.80, 0.90, 5, 0), "improved");
    ck_assert_str_eq(tb_cmp_verdict(0.001, 1.10, 1.20, 5, 1), "inconclusive"); /* too few samples */
    ck_assert_str_eq(tb_cmp_verdict(NAN, NAN, NAN, 5, 0), "inconclusive");
    ck_assert_str_eq(tb_cmp_verdict(0.001, 1.06, 1.08, 10, 0), "unchanged");
}
END_TEST

/* Runs compare on a fixture pair (extra flags after) and returns its JSON, asserting the status. */
static json_t *compare_pair(const char *name, const char *flags, int status)
{
    char args[4096], b[64], c[64];
    snprintf(b, sizeof b, "compare/%s/base.json", name);
    snprintf(c, sizeof c, "compare/%s/candidate.json", name);
    snprintf(args, sizeof args, "compare '%s' '%s' --format json --quiet %s", tb_test_fixture(b), tb_test_fixture(c),
             flags);
    return tb_test_run_json(NULL, args, status);
}

static const char *verdict_of(json_t *doc, size_t i)
{
    return json_string_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), i), "verdict"));
}

/* Every benchmark of name's pair has one of the verdicts in allowed (a space-separated list). */
static void expect_all(const char *name, int status, const char *allowed, size_t count)
{
    json_t *doc = compare_pair(name, "", status);
    ck_assert(json_is_true(json_object_get(doc, "comparable")));
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "benchmarks")), count);
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(strstr(allowed, verdict_of(doc, i)) != NULL, "%s: %s", name, verdict_of(doc, i));
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "summary.correction")), "holm");
    ck_assert(json_is_number(tb_test_path(doc, "summary.geomean_ratio")));
    json_decref(doc);
}

START_TEST(known_answers)
{
    expect_all("noise", 0, "unchanged inconclusive", 3);
    expect_all("step3", 0, "unchanged", 3); /* a real 3% step, under the 5% threshold */
    expect_all("slow20", 4, "regressed", 3);
    expect_all("fast20", 0, "improved", 3);
    expect_all("bimodal", 0, "inconclusive", 1);
    json_t *doc = compare_pair("step3", "--threshold 1", 4); /* the same step over a 1% threshold */
    ck_assert_str_eq(verdict_of(doc, 0), "regressed");
    ck_assert_double_eq(json_real_value(tb_test_path(doc, "summary.threshold_pct")), 1);
    json_decref(doc);
    doc = compare_pair("slow20", "", 4);
    double ratio = json_real_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 0), "ratio"));
    ck_assert(ratio > 1.15 && ratio < 1.25);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "summary.regressed")), 3);
    json_decref(doc);
}
END_TEST

START_TEST(run_rows_compare_prefill_and_decode)
{
    json_t *doc = compare_pair("run", "", 4); /* decode 25% slower, prefill the same */
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "benchmarks")), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *b = json_array_get(json_object_get(doc, "benchmarks"), i);
        const char *id = json_string_value(json_object_get(b, "benchmark"));
        ck_assert_str_eq(verdict_of(doc, i), strstr(id, "decode") ? "regressed" : "unchanged");
        ck_assert_double_eq(json_real_value(json_object_get(b, "threshold_pct")), 10);
        ck_assert(json_real_value(json_object_get(b, "tokens_per_s_ratio")) * json_real_value(json_object_get(b, "ratio")) >
                  0.999999);
    }
    json_decref(doc);
    /* a record whose rows keep no samples: the ratio of the medians, no test, not enough to judge */
    char args[1024];
    const char *f = tb_test_fixture("results/run-onprem-2core.json");
    snprintf(args, sizeof args, "compare '%s' '%s' --format json --quiet", f, f);
    doc = tb_test_run_json(NULL, args, 5);
    ck_assert_str_eq(verdict_of(doc, 0), "inconclusive");
    ck_assert_ptr_nonnull(strstr(json_string_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 0),
                                                                "warning")),
                                 "no raw samples"));
    json_decref(doc);
}
END_TEST

START_TEST(cross_machine)
{
    json_t *doc = compare_pair("cross", "", 5);
    ck_assert(json_is_false(json_object_get(doc, "comparable")));
    char *diffs = json_dumps(json_object_get(doc, "differences"), 0);
    ck_assert_ptr_nonnull(strstr(diffs, "\"machine.fingerprint\""));
    ck_assert_ptr_nonnull(strstr(diffs, "\"build.compiler_version\""));
    free(diffs);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "benchmarks")), 0);
    json_decref(doc);
    doc = compare_pair("cross", "--allow-cross-machine", 0); /* the same samples: nothing regressed */
    ck_assert(json_is_true(json_object_get(doc, "cross_machine")));
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "benchmarks")), 3);
    json_decref(doc);
}
END_TEST

START_TEST(too_few_samples)
{
    json_t *doc = compare_pair("few", "", 0);
    ck_assert_str_eq(verdict_of(doc, 0), "unchanged");
    ck_assert_str_eq(verdict_of(doc, 1), "inconclusive"); /* 3 a side: 50% slower, yet no verdict */
    ck_assert_ptr_nonnull(
        strstr(json_string_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 1), "warning")),
               "too few samples"));
    json_decref(doc);
    doc = compare_pair("few-only", "", 5); /* no benchmark can reach significance: SPEC's exit 5 */
    json_decref(doc);
}
END_TEST

START_TEST(folders_pool_their_records)
{
    char args[2048];
    snprintf(args, sizeof args, "compare '%s' '%s' --format json --quiet", tb_test_fixture("compare/folder/base"),
             tb_test_fixture("compare/folder/candidate.json"));
    json_t *doc = tb_test_run_json(NULL, args, 4);
    json_t *b = json_array_get(json_object_get(doc, "benchmarks"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "n_base")), 30);
    ck_assert_str_eq(json_string_value(json_object_get(b, "verdict")), "regressed");
    json_decref(doc);
}
END_TEST

/* A base of several runs: a change inside its run-to-run noise is not a regression, however many
 * samples make it significant; the same change against steady runs is. */
START_TEST(run_to_run_noise_of_the_base_raises_the_threshold)
{
    char args[2048];
    static const char *name[2] = {"noisy-nights", "quiet-nights"};
    static const int status[2] = {0, 4};
    for (int i = 0; i < 2; i++) {
        char b[64], c[64];
        snprintf(b, sizeof b, "compare/%s/base", name[i]);
        snprintf(c, sizeof c, "compare/%s/candidate.json", name[i]);
        snprintf(args, sizeof args, "compare '%s' '%s' --format json --quiet", tb_test_fixture(b), tb_test_fixture(c));
        json_t *doc = tb_test_run_json(NULL, args, status[i]);
        json_t *j = json_array_get(json_object_get(doc, "benchmarks"), 0);
        ck_assert_int_eq(json_integer_value(json_object_get(j, "base_runs")), 5);
        double noise = json_real_value(json_object_get(j, "base_run_noise_pct"));
        double ratio = json_real_value(json_object_get(j, "ratio"));
        ck_assert_msg(ratio > 1.10 && ratio < 1.20, "%s: ratio %g", name[i], ratio);
        ck_assert_double_lt(json_real_value(json_object_get(j, "p_adjusted")), 0.05);
        if (i == 0) {
            ck_assert_double_gt(noise, 15);
            ck_assert_double_eq_tol(json_real_value(json_object_get(j, "threshold_pct")), noise, 1e-9);
            ck_assert_str_eq(json_string_value(json_object_get(j, "threshold_from")), "run-to-run noise of the base");
            ck_assert_str_ne(json_string_value(json_object_get(j, "verdict")), "regressed");
        } else {
            ck_assert_double_lt(noise, 5);
            ck_assert_double_eq(json_real_value(json_object_get(j, "threshold_pct")), 5);
            ck_assert_str_eq(json_string_value(json_object_get(j, "verdict")), "regressed");
        }
        json_decref(doc);
    }
    /* a base with fewer runs than --min-base-runs is never judged regressed, and says why */
    snprintf(args, sizeof args, "compare '%s' '%s' --format json --quiet --min-base-runs 6",
             tb_test_fixture("compare/quiet-nights/base"), tb_test_fixture("compare/quiet-nights/candidate.json"));
    json_t *few = tb_test_run_json(NULL, args, 0);
    json_t *fj = json_array_get(json_object_get(few, "benchmarks"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(fj, "verdict")), "inconclusive");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(fj, "warning")), "--min-base-runs"));
    ck_assert_int_eq(json_integer_value(tb_test_path(few, "summary.min_base_runs")), 6);
    json_decref(few);
    tb_test_expect_usage_error(NULL, "compare a b --min-base-runs 0", "--min-base-runs");
    /* one base run: no noise figure, the threshold stands */
    json_t *doc = compare_pair("slow20", "", 4);
    json_t *j = json_array_get(json_object_get(doc, "benchmarks"), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "base_runs")), 1);
    ck_assert(json_is_null(json_object_get(j, "base_run_noise_pct")));
    json_decref(doc);
}
END_TEST

/* compare on name's base and candidate (or run-base and run-candidate) with flags; its JSON. */
static json_t *compare_probed(const char *name, const char *prefix, const char *flags, int status)
{
    char args[4096], b[96], c[96];
    snprintf(b, sizeof b, "compare/%s/%sbase.json", name, prefix);
    snprintf(c, sizeof c, "compare/%s/%scandidate.json", name, prefix);
    snprintf(args, sizeof args, "compare '%s' '%s' --format json --quiet %s", tb_test_fixture(b), tb_test_fixture(c),
             flags);
    return tb_test_run_json(NULL, args, status);
}

/* --normalize probe: a machine 30% slower as a whole (probes and kernels of the same rounds alike)
 * regresses every raw time but no kernel over its probe; a kernel 30% slower on an unchanged
 * machine regresses either way. Probes are shown, never judged; run rows go over their bound. */
START_TEST(normalize_probe_tells_the_machine_from_the_code)
{
    json_t *doc = compare_probed("machine-slower", "", "", 4);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "summary.regressed")), 5);
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "summary.normalize")), "none");
    json_decref(doc);
    doc = compare_probed("machine-slower", "", "--normalize probe", 0);
    json_t *benches = json_object_get(doc, "benchmarks");
    ck_assert_uint_eq(json_array_size(benches), 5);
    static const char *want_by[5] = {"read probe, same rounds", NULL, "peak probe, same rounds", NULL, NULL};
    for (size_t i = 0; i < 5; i++) {
        json_t *b = json_array_get(benches, i);
        const char *id = json_string_value(json_object_get(b, "benchmark"));
        const json_t *by = json_object_get(b, "normalized_by");
        if (want_by[i]) {
            ck_assert_str_eq(json_string_value(by), want_by[i]);
            ck_assert(json_is_true(json_object_get(b, "judged")));
            ck_assert_str_eq(verdict_of(doc, i), "unchanged");
            /* the gemm is bounded by its peak probe, though a read probe ran beside it */
            ck_assert_ptr_nonnull(strstr(id, strstr(want_by[i], "read") ? " / read" : " / peak"));
        } else {
            ck_assert(json_is_null(by));
            ck_assert(json_is_false(json_object_get(b, "judged")));
            ck_assert_str_eq(verdict_of(doc, i), "regressed"); /* the machine's change, shown */
        }
    }
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "summary.compared")), 2);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "summary.probes_not_judged")), 3);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "summary.regressed")), 0);
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "summary.normalize")), "probe");
    json_decref(doc);
    doc = compare_probed("kernel-slower", "", "--normalize probe", 4);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "summary.regressed")), 2);
    double r = json_real_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 0), "ratio"));
    ck_assert_msg(r > 1.25 && r < 1.35, "ratio %g", r);
    json_decref(doc);
    /* run rows: the step over the bound measured in the same run */
    doc = compare_probed("machine-slower", "run-", "", 4);
    json_decref(doc);
    doc = compare_probed("machine-slower", "run-", "--normalize probe", 0);
    json_t *row = json_array_get(json_object_get(doc, "benchmarks"), 1);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(row, "benchmark")), "decode / bound"));
    ck_assert_str_eq(json_string_value(json_object_get(row, "normalized_by")), "roofline bound of the run");
    json_decref(doc);
    doc = compare_probed("kernel-slower", "run-", "--normalize probe", 4);
    json_decref(doc);
    /* none is the default: raw times */
    char args[4096];
    snprintf(args, sizeof args, "compare '%s' '%s' --normalize none --quiet",
             tb_test_fixture("compare/slow20/base.json"), tb_test_fixture("compare/slow20/candidate.json"));
    tb_run_result res = tb_test_run(NULL, args);
    ck_assert_int_eq(res.status, 4);
    tb_test_run_free(&res);
    /* read: only read probes divide (the gemm has one beside its peak probe); run rows stay raw */
    doc = compare_probed("machine-slower", "", "--normalize read", 0);
    const char *gemm = json_string_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 2), "benchmark"));
    ck_assert_ptr_nonnull(strstr(gemm, "gemm portable") && strstr(gemm, " / read") ? gemm : NULL);
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "summary.normalize")), "read");
    json_decref(doc);
    doc = compare_probed("machine-slower", "run-", "--normalize read", 4);
    ck_assert(json_is_null(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 1), "normalized_by")));
    json_decref(doc);
    /* found by fuzz_record: a kernel without samples beside its probe pairs nothing (and reads
     * no null buffer): nothing testable, exit 5 */
    snprintf(args, sizeof args, "compare '%s' '%s' --normalize read --format json --quiet",
             tb_test_fixture("compare/probe-empty/record.json"), tb_test_fixture("compare/probe-empty/record.json"));
    doc = tb_test_run_json(NULL, args, 5);
    ck_assert_int_eq(json_integer_value(tb_test_path(json_array_get(json_object_get(doc, "benchmarks"), 0), "n_base")), 0);
    json_decref(doc);
    tb_test_expect_usage_error(NULL, "compare a.json b.json --normalize peak", "--normalize 'peak'");
}
END_TEST

START_TEST(text_markdown_csv)
{
    char args[2048];
    const char *b = tb_test_fixture("compare/slow20/base.json"), *c = tb_test_fixture("compare/slow20/candidate.json");
    static const char *fmt[3] = {"text", "md", "csv"}, *want[3] = {"geomean ratio 1.2", "| regressed |", "\"geomean\","};
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "compare '%s' '%s' --quiet --format %s", b, c, fmt[i]);
        tb_run_result r = tb_test_run(NULL, args);
        ck_assert_int_eq(r.status, 4);
        ck_assert_msg(strstr(r.out, want[i]) != NULL, "%s: %s", fmt[i], r.out);
        if (i == 2)
            ck_assert_int_eq(tb_test_count_lines(r.out), 5); /* header, 3 benchmarks, geomean */
        tb_test_run_free(&r);
    }
}
END_TEST

START_TEST(bad_inputs_name_the_file)
{
    static const char *bad[] = {"truncated.json", "not-a-record.json", "other-schema.json"};
    char args[2048], rel[64];
    for (int i = 0; i < 3; i++) {
        snprintf(rel, sizeof rel, "compare/invalid/%s", bad[i]);
        snprintf(args, sizeof args, "compare '%s' '%s'", tb_test_fixture("compare/noise/base.json"),
                 tb_test_fixture(rel));
        tb_test_expect_usage_error(NULL, args, bad[i]);
        snprintf(args, sizeof args, "compare '%s' '%s'", tb_test_fixture(rel),
                 tb_test_fixture("compare/noise/base.json"));
        tb_test_expect_usage_error(NULL, args, bad[i]);
    }
    tb_test_expect_usage_error(NULL, "compare /nonexistent/base.json x.json", "/nonexistent/base.json");
    tb_test_expect_usage_error(NULL, "compare only-one.json", "compare");
    tb_test_expect_usage_error(NULL, "compare a.json b.json --threshold -3", "threshold");
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("compare");
    const TTest *const stats[] = {mwu_exact_matches_enumeration, mwu_normal_with_ties_and_large_samples,
                                  smallest_reachable_p, holm_and_geomean, bootstrap_interval, verdict_rule, NULL};
    tb_test_add_tcase(s, "stats", 0, stats);
    const TTest *const cli[] = {known_answers, run_rows_compare_prefill_and_decode, cross_machine, too_few_samples,
                                folders_pool_their_records, run_to_run_noise_of_the_base_raises_the_threshold,
                                normalize_probe_tells_the_machine_from_the_code, text_markdown_csv,
                                bad_inputs_name_the_file, NULL};
    tb_test_add_tcase(s, "cli", 120, cli);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
