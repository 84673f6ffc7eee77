/* `tokbench bench OP`: the kernel benchmarks. Each appends its cases (SPEC.md `bench` case
 * objects) to an array; a case whose check failed carries no samples and no rate. */
#ifndef TB_BENCH_H
#define TB_BENCH_H

#include <stdint.h>

#include <jansson.h>

#include "cli.h"
#include "team.h"
#include "topo.h"

typedef struct tb_bench_env {
    const tb_opts *o;
    const tb_topo *tp;
    tb_team *team;
} tb_bench_env;

/* gemm and gemv (gemv = gemm with M = 1, cold weights by default). Returns 0, TB_EXIT_CHECK
 * when some case failed its check (the others are still timed), or another exit code. */
int tb_bench_gemm(const tb_bench_env *env, const char *op, json_t *cases);

/* Parses "MxNxK" (or "NxK" with m_implicit_one) into dims; -1 when malformed or out of range. */
int tb_parse_gemm_shape(const char *s, int m_implicit_one, long long dims[3]);

/* The check's bound on |c - ref| / Σ|a·w| for an f32 GEMM with K terms (bench_gemm.c says why). */
double tb_gemm_f32_tolerance(int64_t k);

#endif
