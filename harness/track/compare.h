/* `tokbench compare`'s judgement of two sides (compare_input.h): whether they may be compared at
 * all, then per benchmark the ratio of medians with its 95% interval, the Mann-Whitney p-value,
 * Holm's adjustment across the benchmarks and a verdict; a summary with the geometric mean. The
 * result is the JSON document SPEC.md fixes (Tracking); compare_render.c prints it otherwise. */
#ifndef TB_COMPARE_H
#define TB_COMPARE_H

#include <jansson.h>

#include "compare_input.h"
#include "compare_threshold.h"

#define TB_CMP_ALPHA 0.05
/* A kernel's time is steadier than a whole model's step: a tighter default for bench cases. */
#define TB_CMP_THRESHOLD_KERNEL_PCT 5.0
#define TB_CMP_THRESHOLD_END_TO_END_PCT 10.0
/* Samples of one run share that run's conditions (a neighbour on the host, the clock it ran at),
 * so a test on pooled samples finds any shift between two runs significant, however ordinary it
 * is for this machine. When the base holds at least TB_CMP_NOISE_MIN_RUNS runs of a benchmark, a
 * change must also leave the band of its run-to-run noise: TB_CMP_NOISE_SIGMAS robust standard
 * deviations (1.4826 x the MAD) of the runs' medians, and at least the widest departure of one
 * run's median from theirs (the MAD of a few runs can be small by chance), relative to their
 * median; the threshold is raised to that band where it is wider, and the output says so. */
#define TB_CMP_NOISE_MIN_RUNS 3
#define TB_CMP_NOISE_SIGMAS 3.0

typedef struct tb_cmp_opts {
    double threshold_pct; /* --threshold: both kinds; < 0: the defaults above */
    int allow_cross_machine;
    const tb_cmp_rules *rules; /* --threshold-for, before --threshold (compare_threshold.h); or NULL */
    /* --min-base-runs: a benchmark whose base holds fewer runs is at most inconclusive, since the
     * noise between runs, which its own samples cannot show, is unknown until TB_CMP_NOISE_MIN_RUNS */
    int min_base_runs;
    /* --normalize: how the sides were loaded (compare_normalize.h); under read or probe the probe
     * cases are reported but neither counted nor judged */
    tb_norm_mode normalize;
} tb_cmp_opts;

/* The differences in machine and build context between the sides, as {"field", "base",
 * "candidate"} objects (and "benchmark" for a tier that differs), appended to diffs. Every record
 * of either side is held against the first record of base. Returns 0 or an exit code. */
int tb_cmp_differences(const tb_cmp_side *base, const tb_cmp_side *cand, json_t *diffs);

/* The run-to-run noise band (above) of runs with these medians, in percent of their median; NaN
 * with fewer than TB_CMP_NOISE_MIN_RUNS runs (or out of memory). */
double tb_cmp_run_noise_pct(const double *run_median, size_t nrun);

/* The verdict of one benchmark from its figures (NaN where absent): regressed only when p_adj is
 * below TB_CMP_ALPHA and the whole interval lies above 1 + threshold (slower); improved when it
 * lies below 1 - threshold likewise; unchanged when it lies within 1 +- threshold; else (and
 * always when too_few) inconclusive. */
const char *tb_cmp_verdict(double p_adj, double lo, double hi, double threshold_pct, int too_few);

/* Compares base with candidate into *doc. *status: 0, TB_EXIT_REGRESSION when a benchmark
 * regressed, TB_EXIT_INCOMPARABLE when the sides differ (unless allowed), share no benchmark, or
 * no benchmark has the samples to reach significance (each said in one line on stderr). Returns
 * 0, or an exit code (out of memory) with *doc NULL. */
int tb_compare(const tb_cmp_side *base, const tb_cmp_side *cand, const tb_cmp_opts *o, json_t **doc, int *status);

#endif
