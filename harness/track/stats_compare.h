/* The statistics of `tokbench compare`: pure functions of two samples (no I/O, no records), so
 * each is checked against values computed independently. Samples are times (lower is better). */
#ifndef TB_STATS_COMPARE_H
#define TB_STATS_COMPARE_H

#include <stddef.h>
#include <stdint.h>

/* Samples at or below this total with no ties get the exact distribution of U; above it, or with
 * ties, the normal approximation. C(50, 25) ~ 1.3e14 counts stay exact in a double (< 2^53). */
#define TB_MWU_EXACT_MAX 50

typedef struct tb_mwu {
    double u;     /* U of the first sample: pairs (x, y) with x > y, ties counted 1/2 */
    double p;     /* two-sided p-value */
    int exact;    /* 1: exact distribution, 0: normal approximation (tie + continuity corrected) */
} tb_mwu;

/* Two-sided Mann-Whitney U test of x[0..n) against y[0..m). Returns 0, or -1 when a side is empty
 * or memory runs out (r untouched). */
int tb_mwu_test(const double *x, size_t n, const double *y, size_t m, tb_mwu *r);

/* The smallest two-sided p-value any n and m samples can give (all of one side below the other,
 * no ties): 2 / C(n + m, n), at most 1. Below 0.05 only from n = m = 4 (or 3 against 5) upward. */
double tb_mwu_min_p(size_t n, size_t m);

/* The number of bootstrap resamples and the fixed seed: the same inputs give the same interval. */
#define TB_BOOT_RESAMPLES 2000
#define TB_BOOT_SEED 0x746f6b62656e6368ull

/* ratio = median(y) / median(x), and its 95% percentile-bootstrap interval: TB_BOOT_RESAMPLES
 * resamples of each side (with replacement, seeded), the 2.5% and 97.5% quantiles (type 7) of
 * their ratios. Returns 0, or -1 when a side is empty, a median is not positive, or out of memory. */
int tb_ratio_ci_boot(const double *x, size_t n, const double *y, size_t m, uint64_t seed, double *ratio,
                     double *lo, double *hi);

/* Holm's step-down adjustment of p[0..k) into adj (the same order): sorted ascending, p_(j) times
 * (k - j), running maximum, capped at 1. NaN entries are skipped and left NaN (not counted in k).
 * Returns 0, or -1 when out of memory. */
int tb_holm(const double *p, size_t k, double *adj);

/* exp(mean(log r)) over the finite positive r[0..k); NaN when there is none. */
double tb_geomean(const double *r, size_t k);

/* The median of x[0..n) (type 7), x reordered; NaN when n is 0. */
double tb_median_inplace(double *x, size_t n);
/* The median of x[0..n), x untouched (a copy is sorted); NaN when n is 0 or out of memory. */
double tb_median_of(const double *x, size_t n);

#endif
