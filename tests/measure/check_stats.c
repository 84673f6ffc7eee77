/* Statistics on inputs whose answers are known by hand or from tables. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "stats.h"
#include "testmain.h"

START_TEST(median_and_quantiles)
{
    double s[] = {5, 1, 4, 2, 3};
    tb_stats st;
    ck_assert_int_eq(tb_stats_compute(s, 5, &st), 0);
    ck_assert_double_eq(st.median, 3);
    ck_assert_double_eq(st.min, 1);
    ck_assert_double_eq(st.max, 5);
    ck_assert_double_eq(st.mean, 3);
    ck_assert_double_eq_tol(st.stddev, sqrt(2.5), 1e-12);
    ck_assert_double_eq_tol(st.cv, sqrt(2.5) / 3, 1e-12);
    /* type 7: h = (n-1) q = 3.6 -> 4 + 0.6 * (5 - 4) */
    ck_assert_double_eq_tol(st.p90, 4.6, 1e-12);
    ck_assert_double_eq_tol(st.p99, 4.96, 1e-12);
    /* the input is left as it was */
    ck_assert_double_eq(s[0], 5);
}
END_TEST

START_TEST(even_count_median_interpolates)
{
    double s[] = {10, 40, 20, 30};
    tb_stats st;
    tb_stats_compute(s, 4, &st);
    ck_assert_double_eq(st.median, 25);
}
END_TEST

START_TEST(quantile_matches_numpy)
{
    /* numpy.quantile(range(1, 11), [0.25, 0.9]) == [3.25, 9.1] */
    double s[10];
    for (int i = 0; i < 10; i++)
        s[i] = i + 1;
    ck_assert_double_eq_tol(tb_quantile_sorted(s, 10, 0.25), 3.25, 1e-12);
    ck_assert_double_eq_tol(tb_quantile_sorted(s, 10, 0.9), 9.1, 1e-12);
    ck_assert_double_eq(tb_quantile_sorted(s, 10, 0.0), 1);
    ck_assert_double_eq(tb_quantile_sorted(s, 10, 1.0), 10);
}
END_TEST

START_TEST(median_ci_ranks_from_binomial_tables)
{
    size_t lo, hi;
    double cov;
    /* n = 10: [x(2), x(9)], coverage 1 - 2 * 11/1024 = 0.978515625 */
    tb_median_ci_ranks(10, 0.95, &lo, &hi, &cov);
    ck_assert_uint_eq(lo, 2);
    ck_assert_uint_eq(hi, 9);
    ck_assert_double_eq_tol(cov, 1.0 - 2.0 * 11.0 / 1024.0, 1e-12);
    /* n = 100: [x(40), x(61)], coverage 0.9648 (tables of the sign test) */
    tb_median_ci_ranks(100, 0.95, &lo, &hi, &cov);
    ck_assert_uint_eq(lo, 40);
    ck_assert_uint_eq(hi, 61);
    ck_assert_double_eq_tol(cov, 0.9648, 1e-4);
    /* n = 6: [x(1), x(6)] covers 1 - 2/64 = 0.96875 */
    tb_median_ci_ranks(6, 0.95, &lo, &hi, &cov);
    ck_assert_uint_eq(lo, 1);
    ck_assert_uint_eq(hi, 6);
    ck_assert_double_eq_tol(cov, 0.96875, 1e-12);
}
END_TEST

START_TEST(median_ci_too_few_samples_reports_real_coverage)
{
    size_t lo, hi;
    double cov;
    /* n = 5 cannot reach 95%: the full range, with its true coverage 1 - 2/32 */
    tb_median_ci_ranks(5, 0.95, &lo, &hi, &cov);
    ck_assert_uint_eq(lo, 1);
    ck_assert_uint_eq(hi, 5);
    ck_assert_double_eq_tol(cov, 0.9375, 1e-12);
    double s[] = {3, 1, 2, 5, 4};
    tb_stats st;
    tb_stats_compute(s, 5, &st);
    ck_assert_double_eq(st.ci95_low, 1);
    ck_assert_double_eq(st.ci95_high, 5);
    ck_assert(st.ci95_coverage < 0.95);
}
END_TEST

START_TEST(ci_brackets_median_on_large_samples)
{
    enum { N = 20001 };
    double *s = malloc(N * sizeof *s);
    for (int i = 0; i < N; i++)
        s[i] = (double)((i * 7919) % N); /* a permutation of 0..N-1 */
    tb_stats st;
    tb_stats_compute(s, N, &st);
    ck_assert_double_eq(st.median, 10000);
    ck_assert(st.ci95_low < 10000 && st.ci95_high > 10000);
    /* half-width about 1.96 * sqrt(N) / 2 = 138.6 ranks */
    ck_assert(10000 - st.ci95_low >= 135 && 10000 - st.ci95_low <= 142);
    ck_assert_double_eq(10000 - st.ci95_low, st.ci95_high - 10000);
    free(s);
}
END_TEST

START_TEST(single_and_empty)
{
    double one = 7;
    tb_stats st;
    ck_assert_int_eq(tb_stats_compute(&one, 1, &st), 0);
    ck_assert_double_eq(st.median, 7);
    ck_assert_double_eq(st.stddev, 0);
    ck_assert_double_eq(st.ci95_low, 7);
    ck_assert_int_eq(tb_stats_compute(&one, 0, &st), -1);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("stats");
    const TTest *const core[] = {median_and_quantiles, even_count_median_interpolates, quantile_matches_numpy,
                                 median_ci_ranks_from_binomial_tables, median_ci_too_few_samples_reports_real_coverage,
                                 ci_brackets_median_on_large_samples, single_and_empty, NULL};
    tb_test_add_tcase(s, "core", 0, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
