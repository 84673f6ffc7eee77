/* The portable matmul as an inference engine calls it: C[M×N] = A[M×K]·W[N×K]ᵀ with weights
 * prepared once (converted to their dtype, packed for the f32 GEMM), activations quantized on the
 * fly for q8_0/q4_0 (inside the timed call: real engines pay it per token), the work split over
 * the pinned team: output features for GEMV and skinny GEMM, NR-wide panels for the GEMM. */
#ifndef TB_MATMUL_H
#define TB_MATMUL_H

#include <stdint.h>

#include <tokbench/kernels.h>

#include "team.h"

typedef struct tb_matmul_weights {
    tb_dtype dt;
    int64_t n, k;
    void *rows;    /* N rows in dt, laid out as `layout` says (NULL when only packed panels are kept) */
    float *packed; /* f32 GEMM panels (NULL unless dt is f32 and M >= TB_F32_PACKED_MIN_M) */
    tb_wlayout layout; /* the table's wlayout[dt] once tb_matmul_fill_rows has run */
} tb_matmul_weights;

/* Per-call scratch: quantized activations and each thread's packed-A block. */
typedef struct tb_matmul_ws {
    void *aq;
    float *scratch;
    size_t scratch_stride; /* floats per thread */
} tb_matmul_ws;

/* f32 products of at least this many rows go to the packed GEMM, fewer to the skinny kernel. The
 * skinny kernel packs nothing and reads each weight row once for all the rows; the packed GEMM
 * pays for packing A and wins once there are enough rows to reuse it. Timed against each other,
 * the two cross between 16 and 24 rows (README, GEMM row). */
#define TB_F32_PACKED_MIN_M 17
/* f16 and bf16 products of at least this many rows go to the GEMM on weights converted per call
 * (kernels.h gemm_half), fewer to the skinny kernel: the conversion is paid once per weight per
 * call, so it needs more rows than the f32 GEMM to pay off (README, GEMM row). */
#define TB_HALF_GEMM_MIN_M 128
/* 1 when an M-row product with these weights goes to the packed GEMM (weights kept as panels). */
int tb_matmul_uses_packed(tb_dtype dt, int64_t m);
/* 1 when it goes to either GEMM (packed f32, or half-precision rows converted per call). */
int tb_matmul_uses_gemm(const tb_kernels *kern, tb_dtype dt, int64_t m);
/* The kernel name and tier that an M-row product with dtype dt runs on this table. */
const tb_kernel_info *tb_matmul_kernel(const tb_kernels *kern, tb_dtype dt, int64_t m);

/* Allocates ws for M rows of K and the team's size; returns 0 or an exit code. */
int tb_matmul_ws_init(tb_matmul_ws *ws, const tb_kernels *kern, tb_dtype dt, int64_t m, int64_t k, int threads);
void tb_matmul_ws_free(tb_matmul_ws *ws);

void tb_matmul_run(tb_team *team, const tb_kernels *kern, const tb_matmul_weights *w, const float *a, int64_t m,
                   float *c, tb_matmul_ws *ws);

/* Fills w->rows from plain rows (N×K of w->dt) in the layout the table's kernels take, on the
 * team; sets w->layout. */
void tb_matmul_fill_rows(tb_team *team, const tb_kernels *kern, tb_matmul_weights *w, const void *plain);
/* Row r of w dequantized (or converted) to K floats, whatever its layout. */
void tb_matmul_dequant_row(const tb_matmul_weights *w, int64_t r, float *out);

/* Packs rows into w->packed on the team (each thread packs the panels it will compute). */
void tb_matmul_pack(tb_team *team, const tb_kernels *kern, const float *rows, float *packed, int64_t n, int64_t k);

#endif
