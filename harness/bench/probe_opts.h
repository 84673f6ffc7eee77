/* The options of the probe benchmarks (bench stream, bench peak). */
#ifndef TB_PROBE_OPTS_H
#define TB_PROBE_OPTS_H

#include <tokbench/probes.h>

#include "options.h"

/* The tiers to run: --isa LIST (auto: the best this CPU runs); without --isa every tier this CPU
 * runs (all_by_default) or the best one. A tier the CPU or the build lacks is a usage error.
 * k holds TB_ISA_COUNT. 0 or an exit code after one error line. */
int tb_bench_probe_tiers(const tb_opts *o, int all_by_default, tb_probe_kernels *k, int *n);

/* Refuses what a probe has no use for: a --dtype other than its own, a --backend other than
 * portable, --cold/--warm. 0 or TB_EXIT_USAGE after one error line. */
int tb_bench_probe_opts(const tb_opts *o, const char *op, const char *dtype);

#endif
