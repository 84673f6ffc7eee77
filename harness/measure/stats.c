/* Summary statistics and the order-statistic confidence interval of the median. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double tb_quantile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    if (q <= 0.0)
        return sorted[0];
    if (q >= 1.0)
        return sorted[n - 1];
    double h = (double)(n - 1) * q;
    size_t i = (size_t)floor(h);
    double frac = h - (double)i;
    if (i + 1 >= n)
        return sorted[n - 1];
    return sorted[i] + frac * (sorted[i + 1] - sorted[i]);
}

/* P(X = i) for X ~ Binomial(n, 1/2), in log space so n can be large. */
static double binom_half_pmf(size_t n, size_t i)
{
    return exp(lgamma((double)n + 1.0) - lgamma((double)i + 1.0) - lgamma((double)(n - i) + 1.0) +
               (double)n * log(0.5));
}

void tb_median_ci_ranks(size_t n, double level, size_t *lo, size_t *hi, double *coverage)
{
    *lo = 1;
    *hi = n;
    *coverage = n ? 1.0 - 2.0 * pow(0.5, (double)n) : 0.0;
    if (n < 2)
        return;
    /* [x_(k), x_(n+1-k)] covers the median with probability 1 - 2 P(X <= k-1). Walk k upwards,
     * adding one term of the CDF each step, while coverage stays >= level: the last good k gives
     * the narrowest interval. */
    size_t best = 0;
    double best_cov = 0.0, cdf = 0.0;
    for (size_t k = 1; k <= n / 2; k++) {
        cdf += binom_half_pmf(n, k - 1);
        double cov = 1.0 - 2.0 * cdf;
        if (cov < level)
            break;
        best = k;
        best_cov = cov;
    }
    if (best == 0)
        return;
    *lo = best;
    *hi = n + 1 - best;
    *coverage = best_cov;
}

int tb_stats_compute(const double *samples, size_t n, tb_stats *st)
{
    memset(st, 0, sizeof *st);
    if (n == 0)
        return -1;
    double *s = malloc(n * sizeof *s);
    if (!s)
        return -1;
    memcpy(s, samples, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);

    double sum = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += s[i];
    double mean = sum / (double)n;
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (s[i] - mean) * (s[i] - mean);

    st->n = n;
    st->min = s[0];
    st->max = s[n - 1];
    st->mean = mean;
    st->stddev = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    st->cv = mean > 0.0 ? st->stddev / mean : 0.0;
    st->median = tb_quantile_sorted(s, n, 0.5);
    st->p90 = tb_quantile_sorted(s, n, 0.90);
    st->p99 = tb_quantile_sorted(s, n, 0.99);
    size_t lo, hi;
    tb_median_ci_ranks(n, 0.95, &lo, &hi, &st->ci95_coverage);
    st->ci95_low = s[lo - 1];
    st->ci95_high = s[hi - 1];
    free(s);
    return 0;
}
