/* Summary statistics of timing samples. Everything is distribution-free where it can be: the 95%
 * interval of the median comes from order statistics (binomial ranks), not from a normal model,
 * because benchmark samples are skewed and often multi-modal. */
#ifndef TB_STATS_H
#define TB_STATS_H

#include <stddef.h>

typedef struct tb_stats {
    size_t n;
    double min, max, median, mean, stddev, cv, p90, p99;
    double ci95_low, ci95_high;
    double ci95_coverage; /* exact coverage of [ci95_low, ci95_high]; < 0.95 when n < 6 */
} tb_stats;

/* Fills st from n unsorted samples (the array is not modified). Returns -1 when n == 0. */
int tb_stats_compute(const double *samples, size_t n, tb_stats *st);

/* Quantile q in [0,1] of sorted data, linear interpolation between order statistics
 * (Hyndman & Fan type 7, the default of R and numpy). */
double tb_quantile_sorted(const double *sorted, size_t n, double q);

/* 1-based ranks lo <= hi such that [x_(lo), x_(hi)] covers the median with probability >= level
 * (the narrowest symmetric pair), and that probability. When n is too small for level, returns
 * the full range (1, n) and its coverage 1 - 2^(1-n). */
void tb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *coverage);

#endif
