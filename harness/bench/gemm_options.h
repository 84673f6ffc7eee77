/* bench gemm / gemv's options: --shape (a list of GEMM shapes) and --backend/--isa (the variants
 * compared in one run). */
#ifndef TB_GEMM_OPTIONS_H
#define TB_GEMM_OPTIONS_H

#include <tokbench/dtype.h>
#include <tokbench/kernels.h>

#include "options.h"

#define TB_GEMM_MAX_VARIANTS 8
#define TB_GEMM_MAX_SHAPES 64

/* BK_READ and BK_PEAK are not matmuls but the probes that bound one, interleaved in the same
 * rounds, so a kernel can be judged against what this machine does at that very moment: BK_READ
 * reads as many bytes as the portable weights with the read-only STREAM kernel (the GEMV's
 * bound), BK_PEAK runs the best tier's FMA chains (a compute-bound GEMM's). */
typedef enum { BK_REF, BK_OPENBLAS, BK_PORTABLE, BK_READ, BK_PEAK } tb_gemm_backend;

typedef struct tb_gemm_variant_spec {
    tb_gemm_backend bk;
    tb_isa isa;
} tb_gemm_variant_spec;

typedef struct tb_gemm_shape {
    long long dims[3]; /* M, N, K */
} tb_gemm_shape;

/* --shape of bench op (gemv: NxK or 1xNxK; gemm: MxNxK; default per op) into sh (holds
 * TB_GEMM_MAX_SHAPES); K a multiple of the block for a quantized dt. 0 or TB_EXIT_USAGE after
 * one error line. */
int tb_gemm_parse_shapes(const tb_opts *o, int gemv, tb_dtype dt, tb_gemm_shape *sh, int *n);

/* --backend and --isa into out (holds TB_GEMM_MAX_VARIANTS): one variant per backend, and one
 * portable variant per --isa tier. 0 or TB_EXIT_USAGE after one error line. */
int tb_gemm_parse_variants(const tb_opts *o, tb_gemm_variant_spec *out, int *n);

/* "ref", "openblas", "portable", "read" or "peak": a case's "backend" and the fault hook's name. */
const char *tb_gemm_backend_name(tb_gemm_backend bk);

#endif
