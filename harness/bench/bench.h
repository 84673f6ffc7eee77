/* `tokbench bench OP`: the kernel benchmarks. Each appends its cases (SPEC.md `bench` case
 * objects) to an array; a case whose check failed carries no samples and no rate. */
#ifndef TB_BENCH_H
#define TB_BENCH_H

#include <stdint.h>

#include <jansson.h>

#include <tokbench/kernels.h>

#include "options.h"
#include "llc.h"
#include "measure.h"
#include "team.h"
#include "topo.h"

typedef struct tb_bench_env {
    const tb_opts *o;
    const tb_topo *tp;
    tb_team *team;
    const tb_llc *llc; /* the LLC of this team, resolved once per invocation (llc.h) */
} tb_bench_env;

/* Validates the options of bench OP (gemm, gemv, attn-prefill, attn-decode, stream, peak)
 * without measuring anything, so a bad flag costs no measurement and leaves no record; each
 * bench validates the same way again when it runs. 0 or TB_EXIT_USAGE after one error line. */
int tb_bench_check_options(const tb_opts *o, const char *op);
int tb_bench_gemm_check(const tb_opts *o, const char *op);
int tb_bench_attn_check(const tb_opts *o, const char *op);
int tb_bench_stream_check(const tb_opts *o);
int tb_bench_peak_check(const tb_opts *o);

/* gemm and gemv (gemv = gemm with M = 1, cold weights by default). Returns 0, TB_EXIT_CHECK
 * when some case failed its check (the others are still timed), or another exit code. */
int tb_bench_gemm(const tb_bench_env *env, const char *op, json_t *cases);

/* Parses "MxNxK" (or "NxK" with m_implicit_one) into dims; -1 when malformed or out of range. */
int tb_parse_gemm_shape(const char *s, int m_implicit_one, long long dims[3]);

/* The check's bound on |c - ref| / Σ|a·w| for an f32 GEMM with K terms (bench_gemm.c says why). */
double tb_gemm_f32_tolerance(int64_t k);

/* bench stream: STREAM copy, scale, add, triad and a read-only sum over f64 arrays of at least 4x
 * the last-level caches (--shape: elements or bytes per array), on the pinned team. */
int tb_bench_stream(const tb_bench_env *env, json_t *cases);

/* bench peak: f32 multiply-add throughput of independent chains, per ISA tier (--isa); with
 * --dtype q8_0 or q4_0, the int8 ceiling of those kernels' dot instruction instead. */
int tb_bench_peak(const tb_bench_env *env, json_t *cases);

/* The int8 half of bench peak (bench_peak_int8.c), on tiers already checked available. */
int tb_bench_peak_int8(const tb_bench_env *env, const tb_isa *tiers, int ntiers, json_t *cases);

/* bench attn-prefill / attn-decode (op): attention kernels per ISA tier, checked against the
 * double reference, timed interleaved with the probe that bounds them (peak / read). */
int tb_bench_attn(const tb_bench_env *env, const char *op, json_t *cases);

#endif
