/* Mann-Whitney U, the bootstrap interval of a ratio of medians, Holm and the geometric mean
 * (stats_compare.h). */
#include "stats_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double v;
    int first; /* 1: from x */
} tagged;

static int tagged_cmp(const void *a, const void *b)
{
    double x = ((const tagged *)a)->v, y = ((const tagged *)b)->v;
    return (x > y) - (x < y);
}

static int double_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* P(U <= u) under H0 for sizes n, m: the coefficients of the Gaussian binomial [n+m choose n]_q,
 * built as the product over i = 1..n of (1 - q^(m+i)) / (1 - q^i); each step leaves a polynomial
 * with integer coefficients, so the counts are exact in doubles while C(n+m, n) < 2^53. */
static int exact_cdf(size_t n, size_t m, double u, double *cdf, double *sf)
{
    size_t top = n * m;
    /* before its division a step's product reaches degree i*m + i, n above the final n*m */
    double *c = calloc(top + n + 1, sizeof *c);
    if (!c)
        return -1;
    c[0] = 1;
    size_t deg = 0;
    for (size_t i = 1; i <= n; i++) {
        size_t a = m + i;
        for (size_t k = deg + a; k >= a; k--)
            c[k] -= k - a <= deg ? c[k - a] : 0;
        deg += a;
        for (size_t k = i; k <= deg; k++)
            c[k] += c[k - i];
        deg -= i;
    }
    double total = 0, below = 0, above = 0;
    for (size_t k = 0; k <= top; k++) {
        total += c[k];
        if ((double)k <= u)
            below += c[k];
        if ((double)k >= u)
            above += c[k];
    }
    free(c);
    *cdf = below / total;
    *sf = above / total;
    return 0;
}

int tb_mwu_test(const double *x, size_t n, const double *y, size_t m, tb_mwu *r)
{
    if (n == 0 || m == 0)
        return -1;
    size_t N = n + m;
    tagged *t = malloc(N * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < n; i++)
        t[i] = (tagged){x[i], 1};
    for (size_t j = 0; j < m; j++)
        t[n + j] = (tagged){y[j], 0};
    qsort(t, N, sizeof *t, tagged_cmp);
    /* ranks from 1, a run of ties sharing its average rank; ties also shrink the variance */
    double rank_x = 0, ties = 0;
    for (size_t i = 0; i < N;) {
        size_t j = i;
        while (j + 1 < N && t[j + 1].v == t[i].v)
            j++;
        double len = (double)(j - i + 1), avg = (double)(i + j) / 2 + 1;
        for (size_t k = i; k <= j; k++)
            if (t[k].first)
                rank_x += avg;
        ties += len * len * len - len;
        i = j + 1;
    }
    free(t);
    double dn = (double)n, dm = (double)m, dN = (double)N;
    r->u = rank_x - dn * (dn + 1) / 2;
    r->exact = ties == 0 && N <= TB_MWU_EXACT_MAX;
    if (r->exact) {
        double cdf, sf;
        if (exact_cdf(n, m, r->u, &cdf, &sf) != 0)
            return -1;
        r->p = fmin(1.0, 2 * fmin(cdf, sf));
        return 0;
    }
    double var = dn * dm / 12 * ((dN + 1) - (N > 1 ? ties / (dN * (dN - 1)) : 0));
    if (var <= 0) {
        r->p = 1; /* every sample equal: no evidence of a shift */
        return 0;
    }
    double z = fmax(0.0, fabs(r->u - dn * dm / 2) - 0.5) / sqrt(var);
    r->p = fmin(1.0, erfc(z / sqrt(2.0)));
    return 0;
}

double tb_mwu_min_p(size_t n, size_t m)
{
    if (n == 0 || m == 0)
        return 1;
    /* C(n+m, n) as a running product; it only grows, so stop once the bound is negligible */
    double c = 1;
    size_t k = n < m ? n : m, N = n + m;
    for (size_t i = 1; i <= k && c < 1e300; i++)
        c = c * (double)(N - k + i) / (double)i;
    return fmin(1.0, 2 / c);
}

/* The k-th smallest of x[0..n) moved to x[k], smaller ones before it (Hoare's selection). */
static void select_kth(double *x, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = x[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (x[i] < pivot)
                i++;
            while (x[j] > pivot)
                j--;
            if (i <= j) {
                double tmp = x[i];
                x[i] = x[j];
                x[j] = tmp;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

double tb_median_of(const double *x, size_t n)
{
    double *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!tmp)
        return NAN;
    memcpy(tmp, x, n * sizeof *x);
    double m = tb_median_inplace(tmp, n);
    free(tmp);
    return m;
}

double tb_median_inplace(double *x, size_t n)
{
    if (n == 0)
        return NAN;
    size_t h = (n - 1) / 2;
    select_kth(x, n, h);
    if (n % 2)
        return x[h];
    double next = x[h + 1];
    for (size_t i = h + 2; i < n; i++)
        if (x[i] < next)
            next = x[i];
    return (x[h] + next) / 2;
}

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The median of n draws with replacement from src, into buf. */
static double resampled_median(const double *src, size_t n, double *buf, uint64_t *state)
{
    for (size_t i = 0; i < n; i++) {
        size_t at = (size_t)((double)(splitmix64(state) >> 11) * 0x1.0p-53 * (double)n);
        buf[i] = src[at < n ? at : n - 1];
    }
    return tb_median_inplace(buf, n);
}

static double quantile_sorted(const double *s, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t i = (size_t)h;
    return i + 1 < n ? s[i] + (h - (double)i) * (s[i + 1] - s[i]) : s[n - 1];
}

int tb_ratio_ci_boot(const double *x, size_t n, const double *y, size_t m, uint64_t seed, double *ratio,
                     double *lo, double *hi)
{
    if (n == 0 || m == 0)
        return -1;
    double *buf = malloc((n > m ? n : m) * sizeof *buf), *rs = malloc(TB_BOOT_RESAMPLES * sizeof *rs);
    if (!buf || !rs) {
        free(buf);
        free(rs);
        return -1;
    }
    memcpy(buf, x, n * sizeof *x);
    double mx = tb_median_inplace(buf, n);
    memcpy(buf, y, m * sizeof *y);
    double my = tb_median_inplace(buf, m);
    int rc = -1;
    if (mx > 0 && my > 0) {
        uint64_t state = seed;
        for (size_t b = 0; b < TB_BOOT_RESAMPLES; b++) {
            double bx = resampled_median(x, n, buf, &state);
            rs[b] = resampled_median(y, m, buf, &state) / bx;
        }
        qsort(rs, TB_BOOT_RESAMPLES, sizeof *rs, double_cmp);
        *ratio = my / mx;
        *lo = quantile_sorted(rs, TB_BOOT_RESAMPLES, 0.025);
        *hi = quantile_sorted(rs, TB_BOOT_RESAMPLES, 0.975);
        rc = 0;
    }
    free(buf);
    free(rs);
    return rc;
}

static const double *holm_p;

static int holm_cmp(const void *a, const void *b)
{
    double x = holm_p[*(const size_t *)a], y = holm_p[*(const size_t *)b];
    return (x > y) - (x < y);
}

int tb_holm(const double *p, size_t k, double *adj)
{
    size_t *idx = malloc((k ? k : 1) * sizeof *idx), used = 0;
    if (!idx)
        return -1;
    for (size_t i = 0; i < k; i++) {
        adj[i] = NAN;
        if (!isnan(p[i]))
            idx[used++] = i;
    }
    holm_p = p;
    qsort(idx, used, sizeof *idx, holm_cmp);
    double run = 0;
    for (size_t j = 0; j < used; j++) {
        run = fmax(run, fmin(1.0, (double)(used - j) * p[idx[j]]));
        adj[idx[j]] = run;
    }
    free(idx);
    return 0;
}

double tb_geomean(const double *r, size_t k)
{
    double s = 0;
    size_t used = 0;
    for (size_t i = 0; i < k; i++)
        if (isfinite(r[i]) && r[i] > 0) {
            s += log(r[i]);
            used++;
        }
    return used ? exp(s / (double)used) : NAN;
}
