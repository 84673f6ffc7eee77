/* Step and drift detection over one series (steps.h). */
#include "steps.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "stats_compare.h"

static int double_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A baseline or candidate: pooled samples of points [from, to). */
typedef struct pool {
    double *v;
    size_t n;
} pool;

static int all_have_samples(const tb_steps_point *pts, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (pts[i].n == 0 || !pts[i].s)
            return 0;
    return 1;
}

/* Appends point p's samples (at most TB_STEPS_MAX_SAMPLES evenly spaced order statistics), or its
 * value when samples is 0. Returns -1 when out of memory. */
static int pool_add(pool *q, const tb_steps_point *p, int samples)
{
    size_t take = !samples ? 1 : p->n < TB_STEPS_MAX_SAMPLES ? p->n : TB_STEPS_MAX_SAMPLES;
    double *v = realloc(q->v, (q->n + take) * sizeof *v);
    if (!v)
        return -1;
    q->v = v;
    if (!samples) {
        q->v[q->n++] = p->value;
        return 0;
    }
    if (take == p->n) {
        memcpy(q->v + q->n, p->s, take * sizeof *v);
    } else {
        double *sorted = malloc(p->n * sizeof *sorted);
        if (!sorted)
            return -1;
        memcpy(sorted, p->s, p->n * sizeof *sorted);
        qsort(sorted, p->n, sizeof *sorted, double_cmp);
        for (size_t k = 0; k < take; k++)
            q->v[q->n + k] = sorted[(2 * k + 1) * p->n / (2 * take)];
        free(sorted);
    }
    q->n += take;
    return 0;
}

/* The points [from, to) as one pool, or -1 when out of memory or a value is missing. */
static int pool_of(pool *q, const tb_steps_point *pts, size_t from, size_t to, int samples)
{
    q->v = NULL;
    q->n = 0;
    for (size_t i = from; i < to; i++) {
        if (!samples && !(pts[i].value > 0))
            return -1;
        if (pool_add(q, &pts[i], samples) != 0)
            return -1;
    }
    return 0;
}

/* Whether the test may use raw samples: the candidate and every baseline point have them. */
static int use_samples(const tb_steps_point *pts, const tb_steps_test *t, size_t cand)
{
    return all_have_samples(pts, t->base_from, t->base_to) && all_have_samples(pts, cand, cand + 1);
}

/* The Mann-Whitney p of point cand against t's baseline. Returns 0, 1 (a value missing: not
 * tested) or -1 (out of memory). */
static int test_p(const tb_steps_point *pts, size_t cand, tb_steps_test *t)
{
    int samples = use_samples(pts, t, cand);
    pool b = {0}, c = {0};
    int rc = pool_of(&b, pts, t->base_from, t->base_to, samples) || pool_of(&c, pts, cand, cand + 1, samples);
    if (rc) {
        free(b.v);
        free(c.v);
        return 1;
    }
    tb_mwu mw;
    t->too_few = tb_mwu_min_p(b.n, c.n) >= TB_CMP_ALPHA;
    rc = tb_mwu_test(b.v, b.n, c.v, c.n, &mw) != 0 ? -1 : 0;
    t->p = rc ? NAN : mw.p;
    free(b.v);
    free(c.v);
    return rc;
}

/* The ratio of point cand's median to t's baseline's, with its bootstrap interval. */
static int test_ci(const tb_steps_point *pts, size_t cand, const tb_steps_test *t, double *ratio, double *lo,
                   double *hi)
{
    int samples = use_samples(pts, t, cand);
    pool b = {0}, c = {0};
    int rc = pool_of(&b, pts, t->base_from, t->base_to, samples) || pool_of(&c, pts, cand, cand + 1, samples) ||
             tb_ratio_ci_boot(b.v, b.n, c.v, c.n, TB_BOOT_SEED, ratio, lo, hi) != 0;
    free(b.v);
    free(c.v);
    return rc ? -1 : 0;
}

static void untested(tb_steps_test *t)
{
    memset(t, 0, sizeof *t);
    t->ratio = t->lo = t->hi = t->p = t->p_adj = NAN;
    t->verdict = "inconclusive";
}

/* Sets t's baseline to [from, to) (clipped at 0) and its p-value; untested when too short. */
static int prepare(const tb_steps_point *pts, size_t i, long from, long to, tb_steps_test *t)
{
    untested(t);
    if (from < 0)
        from = 0;
    if (to - from < TB_STEPS_MIN_BASE)
        return 0;
    t->base_from = (size_t)from;
    t->base_to = (size_t)to;
    int rc = test_p(pts, i, t);
    t->tested = rc == 0;
    return rc < 0 ? -1 : 0;
}

/* Holm across every test of the call that can reach significance. */
static int adjust(tb_steps_out *out, size_t n)
{
    double *p = calloc(2 * (n ? n : 1), sizeof *p), *adj = calloc(2 * (n ? n : 1), sizeof *adj);
    if (!p || !adj) {
        free(p);
        free(adj);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        p[2 * i] = out[i].step.tested && !out[i].step.too_few ? out[i].step.p : NAN;
        p[2 * i + 1] = out[i].drift.tested && !out[i].drift.too_few ? out[i].drift.p : NAN;
    }
    int rc = tb_holm(p, 2 * n, adj);
    for (size_t i = 0; !rc && i < n; i++) {
        out[i].step.p_adj = adj[2 * i];
        out[i].drift.p_adj = adj[2 * i + 1];
    }
    free(p);
    free(adj);
    return rc;
}

/* +1 when the interval lies above 1 + t, -1 below 1 - t, else 0. */
static int side_of(double lo, double hi, double threshold_pct)
{
    double t = threshold_pct / 100;
    return lo > 1 + t ? 1 : hi < 1 - t ? -1 : 0;
}

/* The step test's threshold: raised to the run-to-run noise of its baseline's points as compare
 * raises it (compare.h), since a pooled test calls any shift between nights significant. Not the
 * drift test's: the spread of a drifting baseline is the drift itself, not noise. */
static double step_threshold(const tb_steps_point *pts, const tb_steps_test *t, double thr)
{
    double med[TB_STEPS_MAX_WINDOW];
    size_t n = 0;
    for (size_t j = t->base_from; j < t->base_to && n < TB_STEPS_MAX_WINDOW; j++)
        if (pts[j].value > 0)
            med[n++] = pts[j].value;
    double noise = tb_cmp_run_noise_pct(med, n);
    return noise > thr ? noise : thr;
}

/* The interval and verdict of a test (where it can matter), then its confirmation by point i+1. */
static int judge(const tb_steps_point *pts, size_t n, size_t i, double thr, tb_steps_test *t)
{
    if (!t->tested)
        return 0;
    int significant = isfinite(t->p_adj) && t->p_adj < TB_CMP_ALPHA;
    if ((significant || i + 1 == n) && test_ci(pts, i, t, &t->ratio, &t->lo, &t->hi) != 0)
        return -1;
    t->verdict = tb_cmp_verdict(t->p_adj, t->lo, t->hi, thr, t->too_few);
    int side = strcmp(t->verdict, "regressed") == 0 ? 1 : strcmp(t->verdict, "improved") == 0 ? -1 : 0;
    if (side && i + 1 < n) {
        /* confirmed when point i+1 was measured and its interval lies on the same side */
        double r, lo, hi;
        int measured = use_samples(pts, t, i + 1) || pts[i + 1].value > 0;
        if (measured && test_ci(pts, i + 1, t, &r, &lo, &hi) != 0)
            return -1;
        if (!measured || side_of(lo, hi, thr) != side)
            side = 0;
    }
    t->flag = side;
    return 0;
}

int tb_steps_detect(const tb_steps_point *pts, size_t n, size_t window, double threshold_pct, tb_steps_out *out)
{
    long w = (long)window;
    for (size_t i = 0; i < n; i++) {
        long at = (long)i;
        out[i].change = TB_CHANGE_NONE;
        if (prepare(pts, i, at - w, at, &out[i].step) != 0 || prepare(pts, i, at - 2 * w, at - w, &out[i].drift) != 0)
            return -1;
    }
    if (adjust(out, n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (judge(pts, n, i, out[i].step.tested ? step_threshold(pts, &out[i].step, threshold_pct) : threshold_pct,
                  &out[i].step) != 0 ||
            judge(pts, n, i, threshold_pct, &out[i].drift) != 0)
            return -1;
    size_t last_step = (size_t)-1; /* the latest step change so far */
    for (size_t i = 0; i < n; i++) {
        int sf = out[i].step.flag, df = out[i].drift.flag;
        if (sf && !(i > 0 && out[i - 1].step.flag == sf)) {
            out[i].change = TB_CHANGE_STEP;
            last_step = i;
        } else if (df && !(i > 0 && out[i - 1].drift.flag == df) && !sf &&
                   (last_step == (size_t)-1 || i - last_step >= 2 * window)) {
            out[i].change = TB_CHANGE_DRIFT;
        }
    }
    return 0;
}

const tb_steps_test *tb_steps_latest_regression(const tb_steps_out *out, size_t n, size_t window)
{
    if (n == 0)
        return NULL;
    const tb_steps_out *last = &out[n - 1];
    if (last->step.flag > 0)
        return &last->step;
    if (last->drift.flag <= 0)
        return NULL;
    for (size_t i = n; i-- > 0 && n - i <= 2 * window;)
        if (out[i].change == TB_CHANGE_STEP)
            return NULL;
    return &last->drift;
}
