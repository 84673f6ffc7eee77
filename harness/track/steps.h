/* Change detection over one series of points in time order (one benchmark, metric and machine):
 * where its time per call stepped, or drifted, away from the points before it. Pure: arrays in,
 * verdicts out, no I/O, so the rules below are tested on series whose answer is known.
 *
 * Each point is judged with compare's rule (compare.h): a two-sided Mann-Whitney U test, Holm's
 * adjustment across every test of the call, the 95% bootstrap interval of the ratio of medians,
 * and `regressed` only when significant AND the whole interval lies beyond the threshold.
 *
 * Two tests per point i, each against a baseline of W points (W = the window, default 7) pooled:
 *  - step:  point i against the W points before it, [i-W, i): a jump between two nights;
 *  - drift: point i against the W points before those, [i-2W, i-W). A slow drift of d per point
 *    moves point i only about (W+1)/2 d from the step baseline's median, under any threshold
 *    t > (W+1)/2 d, so the step test never sees it (1% a night, W = 7: 4% < 5%); against the
 *    lagged window it has moved about (3W+1)/2 d (11% at 1%, W = 7). The lagged window reuses the
 *    one statistical rule, where a regression slope (Theil-Sen) would need a second one and its
 *    own interval; so a drift is caught once it exceeds t over about 1.5 W points
 *    (d > t / 11 at W = 7: 0.46% a night for kernels, 0.9% end to end).
 * A baseline pools the raw samples of its points; where the candidate or a baseline point has none,
 * the points' medians stand in for samples. A point is tested when its baseline holds at least
 * TB_STEPS_MIN_BASE points; with too few samples to reach p < 0.05 at all (one median against 7:
 * p >= 0.25) its verdict is inconclusive, never regressed.
 *
 * The step test's threshold is raised to the run-to-run noise of its baseline's points (their
 * medians), as compare raises it for a base of several runs; the drift test's is not.
 *
 * A flag (regressed or improved) at i is confirmed when the next point, against the same baseline,
 * also has its whole interval beyond the threshold on the same side: one outlier night is then
 * not a change, while the latest point, which has no next one, stands on its own (a bad last night
 * is flagged that night, and no longer once the next night is back to normal). A change is
 * reported where a run of confirmed flags of one kind and side begins; a drift is not reported
 * while a step change lies within the last 2W points, whose windows it would still straddle. */
#ifndef TB_STEPS_H
#define TB_STEPS_H

#include <stddef.h>

#define TB_STEPS_WINDOW 7
/* The fewest baseline points a test needs: fewer is one or two nights, not a level. */
#define TB_STEPS_MIN_BASE 3
/* The largest window (history --window); the step test's noise band reads one median per point. */
#define TB_STEPS_MAX_WINDOW 1000
/* The most samples one point lends a test, as evenly spaced order statistics: bounds the
 * bootstrap's cost on records with thousands of samples; fewer samples only widen the interval
 * and raise p, so the cap can hide a change, never invent one. */
#define TB_STEPS_MAX_SAMPLES 64

typedef struct tb_steps_point {
    const double *s; /* raw samples as times (lower is better), or NULL */
    size_t n;        /* how many; 0 when none */
    double value;    /* the point's median as a time (tokens/s inverted); NaN when unknown */
} tb_steps_point;

typedef enum { TB_CHANGE_NONE, TB_CHANGE_STEP, TB_CHANGE_DRIFT } tb_change_kind;

/* One point against one baseline [base_from, base_to). */
typedef struct tb_steps_test {
    int tested;              /* 0: the baseline had fewer than TB_STEPS_MIN_BASE points */
    int too_few;             /* no samples enough to reach p < 0.05 (not counted in Holm) */
    size_t base_from, base_to;
    double ratio, lo, hi;    /* candidate / baseline median time; lo, hi NaN where not computed */
    double p, p_adj;         /* NaN where not tested */
    const char *verdict;     /* improved, regressed, unchanged, inconclusive */
    int flag;                /* +1 regressed, -1 improved, confirmed (see above); 0 otherwise */
} tb_steps_test;

typedef struct tb_steps_out {
    tb_steps_test step, drift;
    tb_change_kind change; /* a change begins at this point */
} tb_steps_out;

/* Judges pts[0..n) with a window of `window` points (>= TB_STEPS_MIN_BASE) and a threshold of
 * threshold_pct, into out[0..n). Intervals are computed for every significant test and for the
 * latest point's (a point that is not significant cannot be flagged whatever its interval).
 * Returns 0, or -1 when out of memory. */
int tb_steps_detect(const tb_steps_point *pts, size_t n, size_t window, double threshold_pct, tb_steps_out *out);

/* The test that makes the latest point of out[0..n) a regression, or NULL: its step flag, or its
 * drift flag where no step change explains it (see above). */
const tb_steps_test *tb_steps_latest_regression(const tb_steps_out *out, size_t n, size_t window);

#endif
