/* What every bench case does once its variants are checked: the ones that passed are timed
 * interleaved, then each case object (SPEC.md `bench` case) gets its outcome. A case whose check
 * failed, or that was never timed, carries no samples, no stats and no rate. Shared by every
 * `bench OP`, so that their cases read alike. */
#ifndef TB_BENCH_CASE_H
#define TB_BENCH_CASE_H

#include <jansson.h>

#include "measure.h"
#include "options.h"

/* Most variants one call of tb_bench_time takes. */
#define TB_BENCH_MAX_TIMED 16

/* Times the np variants *v[0..np) (those that passed their checks) interleaved, in rounds, with
 * the invocation's timing options; each keeps its samples. 0 (also for np = 0) or an exit code. */
int tb_bench_time(const tb_opts *o, tb_variant *const *v, int np);

/* The outcome of an untimed case: "samples_ns": [], "stats": null, "rate": null. */
void tb_bench_case_untimed(json_t *cs);

/* The outcome of a timed case: samples_ns, iterations_per_sample, stats, `rate` (taken over) and
 * noisy (the samples' cv above 5%), in that order. */
void tb_bench_case_timed(json_t *cs, const tb_variant *v, json_t *rate);

/* tb_bench_case_timed with the plain rate {gflops, gbps, flops, bytes}: flops and bytes per call
 * over the median call. */
void tb_bench_case_samples(json_t *cs, const tb_variant *v, double flops, double bytes);

#endif
