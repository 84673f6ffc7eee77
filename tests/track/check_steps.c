/* Change detection over the history (track/steps.h): the committed nightly series of
 * tests/fixtures/steps (make_fixtures.py) each get the verdict and the exit code their
 * construction calls for, through `tokbench history` and through the detector itself. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "steps.h"
#include "testmain.h"
#include "testutil.h"

#define NIGHTS 24

/* A results folder whose history holds the fixture nights. */
static char *imported(void)
{
    char *dir = tb_test_tmpdir(), args[8400];
    snprintf(args, sizeof args, "history import '%s' --results-dir '%s'", tb_test_fixture("steps"), dir);
    tb_test_expect_printed(NULL, args, 0, (const char *const[]){"imported 24 records", NULL}, NULL);
    return dir;
}

/* The one series of scenario `name` as `history --format json` prints it, wanting exit status. */
static json_t *scenario_json(const char *dir, const char *name, const char *extra, int status)
{
    char args[8400];
    snprintf(args, sizeof args, "history --format json --results-dir '%s' --benchmark 'bench/gemm:%s/*' %s", dir, name,
             extra);
    json_t *doc = tb_test_run_json(NULL, args, status);
    json_t *series = json_object_get(doc, "series");
    ck_assert_msg(json_array_size(series) == 1, "%s: %zu series", name, json_array_size(series));
    json_t *s = json_incref(json_array_get(series, 0));
    json_decref(doc);
    return s;
}

typedef struct scenario {
    const char *name;
    int status;          /* history's exit code: 4 when the latest point regressed */
    int index;           /* the one change's point, or -1 for none */
    const char *kind, *verdict;
} scenario;

static const scenario scenarios[] = {
    {"noise", 0, -1, NULL, NULL},
    /* 1.03 with an interval inside 1 +- 5%: unchanged (see the detector's own test below) */
    {"step3", 0, -1, NULL, NULL},
    /* flagged where it begins; 9 nights on, the baseline is the new level: exit 0 */
    {"step20", 0, 14, "step", "regressed"},
    {"faster20", 0, 14, "step", "improved"},
    {"step20-latest", 4, 23, "step", "regressed"},
    /* the series starts at night 4: point 10 is night 14, 9% above the lagged window */
    {"drift", 4, 10, "drift", "regressed"},
    /* the next night is back to normal: not confirmed, no change */
    {"outlier", 0, -1, NULL, NULL},
    /* the last night has no next one: it cannot be told from a step that night */
    {"outlier-latest", 4, 23, "step", "regressed"},
    {"bimodal", 0, -1, NULL, NULL},
    /* 30% slower on the last point, never a regression: too few points, or one sample a night */
    {"few-points", 0, -1, NULL, NULL},
    {"one-sample", 0, -1, NULL, NULL},
};

START_TEST(each_scenario_gets_its_verdict_and_exit_code)
{
    char *dir = imported();
    for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
        const scenario *w = &scenarios[i];
        json_t *s = scenario_json(dir, w->name, "", w->status);
        json_t *changes = json_object_get(s, "changes"), *latest = json_object_get(s, "latest_regressions");
        ck_assert_msg(json_array_size(changes) == (w->index < 0 ? 0u : 1u), "%s: %zu changes", w->name,
                      json_array_size(changes));
        ck_assert_msg(json_array_size(latest) == (w->status == 4 ? 1u : 0u), "%s: latest_regressions", w->name);
        if (w->index >= 0) {
            json_t *c = json_array_get(changes, 0);
            ck_assert_msg(json_integer_value(json_object_get(c, "index")) == w->index, "%s: index %lld", w->name,
                          (long long)json_integer_value(json_object_get(c, "index")));
            ck_assert_str_eq(json_string_value(json_object_get(c, "kind")), w->kind);
            ck_assert_str_eq(json_string_value(json_object_get(c, "verdict")), w->verdict);
            double lo = json_real_value(json_object_get(c, "ci95_low")), hi = json_real_value(json_object_get(c, "ci95_high"));
            ck_assert(lo <= json_real_value(json_object_get(c, "ratio")) && json_real_value(json_object_get(c, "ratio")) <= hi);
            ck_assert(json_real_value(json_object_get(c, "p_adjusted")) < 0.05);
            /* the change names its point's time and commit */
            json_t *p = json_array_get(json_object_get(s, "points"), (size_t)w->index);
            ck_assert_str_eq(json_string_value(json_object_get(c, "commit")), json_string_value(json_object_get(p, "commit")));
            ck_assert_str_eq(json_string_value(json_object_get(c, "started_at")),
                             json_string_value(json_object_get(p, "started_at")));
            ck_assert_ptr_null(json_object_get(p, "samples_ns")); /* read for the test, not printed */
        }
        json_decref(s);
    }
    free(dir);
}
END_TEST

START_TEST(window_sets_the_baseline)
{
    char *dir = imported();
    const char *extra[] = {"", "--window 3"};
    const int first[] = {7, 11};
    for (int k = 0; k < 2; k++) {
        json_t *s = scenario_json(dir, "step20", extra[k], 0);
        json_t *base = json_object_get(json_array_get(json_object_get(s, "changes"), 0), "baseline");
        ck_assert_int_eq((int)json_integer_value(json_array_get(base, 0)), first[k]);
        ck_assert_int_eq((int)json_integer_value(json_array_get(base, 1)), 13);
        json_decref(s);
    }
    tb_test_expect_usage_error(NULL, "history --window 2", "--window");
    tb_test_expect_usage_error(NULL, "history import results --window 5", "--window");
    free(dir);
}
END_TEST

START_TEST(text_marks_the_change_and_stderr_names_the_latest_regression)
{
    char *dir = imported(), args[8400];
    snprintf(args, sizeof args, "history --results-dir '%s' --benchmark 'bench/gemm:step20*'", dir);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_msg(r.status == 4, "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(tb_test_count_lines(r.out), 1 + 2 * NIGHTS);
    ck_assert_ptr_nonnull(strstr(r.out, " change"));
    ck_assert_ptr_nonnull(strstr(r.out, "step regressed 1.1"));
    /* one line for the one series whose latest point regressed */
    ck_assert_int_eq(tb_test_count_lines(r.err), 1);
    ck_assert_ptr_nonnull(strstr(r.err, "bench/gemm:step20-latest/"));
    ck_assert_ptr_nonnull(strstr(r.err, "the latest point (2026-11-24T02:00:00Z, commit n23) regressed"));
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

/* The fixture scenario's points, read from the nights' records: samples, and medians as values. */
static size_t load_points(const char *name, tb_steps_point *pts, double samples[][16])
{
    size_t n = 0;
    for (int night = 0; night < NIGHTS; night++) {
        char rel[64];
        snprintf(rel, sizeof rel, "steps/night-%02d.json", night);
        json_t *rec = json_load_file(tb_test_fixture(rel), 0, NULL), *c;
        ck_assert_ptr_nonnull(rec);
        size_t i;
        json_array_foreach(json_object_get(rec, "cases"), i, c) {
            if (strcmp(json_string_value(json_object_get(c, "variant")), name) != 0)
                continue;
            json_t *s = json_object_get(c, "samples_ns");
            ck_assert_uint_le(json_array_size(s), 16);
            for (size_t k = 0; k < json_array_size(s); k++)
                samples[n][k] = json_number_value(json_array_get(s, k));
            pts[n] = (tb_steps_point){samples[n], json_array_size(s),
                                      json_number_value(json_object_get(json_object_get(c, "stats"), "median"))};
            n++;
        }
        json_decref(rec);
    }
    return n;
}

START_TEST(step_test_alone_leaves_a_3pct_step_unchanged_and_misses_the_drift)
{
    tb_steps_point pts[NIGHTS];
    double samples[NIGHTS][16];
    tb_steps_out out[NIGHTS];
    size_t n = load_points("step3", pts, samples);
    ck_assert_int_eq(tb_steps_detect(pts, n, TB_STEPS_WINDOW, 5.0, out), 0);
    ck_assert_str_eq(out[14].step.verdict, "unchanged");
    ck_assert(out[14].step.ratio > 1.01 && out[14].step.ratio < 1.05);
    ck_assert_ptr_null(tb_steps_latest_regression(out, n, TB_STEPS_WINDOW));
    /* the drift: every step test stays unflagged, the lagged window catches it */
    n = load_points("drift", pts, samples);
    ck_assert_int_eq(n, 20);
    ck_assert_int_eq(tb_steps_detect(pts, n, TB_STEPS_WINDOW, 5.0, out), 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(out[i].step.flag == 0, "step flagged at %zu", i);
    ck_assert_int_eq(out[10].change, TB_CHANGE_DRIFT);
    ck_assert_ptr_eq(tb_steps_latest_regression(out, n, TB_STEPS_WINDOW), &out[n - 1].drift);
}
END_TEST

START_TEST(medians_alone_are_never_a_regression)
{
    /* no samples: a 30% step is one median against 7, p >= 0.25 at best */
    tb_steps_point pts[NIGHTS];
    tb_steps_out out[NIGHTS];
    for (size_t i = 0; i < NIGHTS; i++)
        pts[i] = (tb_steps_point){NULL, 0, i >= 20 ? 1.3e6 : 1e6 + (double)(i % 3) * 1e3};
    ck_assert_int_eq(tb_steps_detect(pts, NIGHTS, TB_STEPS_WINDOW, 5.0, out), 0);
    for (size_t i = 0; i < NIGHTS; i++) {
        ck_assert_int_eq(out[i].change, TB_CHANGE_NONE);
        ck_assert_str_eq(out[i].step.verdict, "inconclusive");
    }
    ck_assert(out[20].step.too_few && out[20].step.tested);
    ck_assert(!out[2].step.tested); /* two points before it: no baseline */
    ck_assert_ptr_null(tb_steps_latest_regression(out, NIGHTS, TB_STEPS_WINDOW));
}
END_TEST

/* A night 15% slower than the median of 7 nights: inside their run-to-run noise when the nights
 * themselves moved 5-10% apart, a regression when they were steady. Samples of each night are
 * tight, so the pooled test is significant either way: only the noise band tells them apart. */
START_TEST(step_threshold_rises_to_the_nights_own_noise)
{
    static const double noisy[7] = {1.0, 1.1, 0.9, 1.08, 0.92, 1.05, 0.95};
    static const double steady[7] = {1.0, 1.004, 0.996, 1.003, 0.997, 1.002, 0.998};
    double samples[8][12];
    tb_steps_point pts[8];
    tb_steps_out out[8];
    for (int series = 0; series < 2; series++) {
        for (int i = 0; i < 8; i++) {
            double m = 1e6 * (i == 7 ? 1.15 : series == 0 ? noisy[i] : steady[i]);
            for (int j = 0; j < 12; j++)
                samples[i][j] = m * (1 + 0.002 * (j % 5 - 2));
            pts[i] = (tb_steps_point){samples[i], 12, m};
        }
        ck_assert_int_eq(tb_steps_detect(pts, 8, TB_STEPS_WINDOW, 5.0, out), 0);
        ck_assert_double_lt(out[7].step.p_adj, 0.05);
        if (series == 0) {
            ck_assert_str_ne(out[7].step.verdict, "regressed");
            ck_assert_ptr_null(tb_steps_latest_regression(out, 8, TB_STEPS_WINDOW));
        } else {
            ck_assert_str_eq(out[7].step.verdict, "regressed");
            ck_assert_ptr_nonnull(tb_steps_latest_regression(out, 8, TB_STEPS_WINDOW));
        }
    }
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("steps");
    const TTest *const core[] = {each_scenario_gets_its_verdict_and_exit_code, window_sets_the_baseline,
                                 text_marks_the_change_and_stderr_names_the_latest_regression,
                                 step_test_alone_leaves_a_3pct_step_unchanged_and_misses_the_drift,
                                 medians_alone_are_never_a_regression, step_threshold_rises_to_the_nights_own_noise,
                                 NULL};
    tb_test_add_tcase(s, "core", 120, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
