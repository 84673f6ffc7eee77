/* Elementwise ops of the forward pass (forward_ops.c): row-major [rows][n] f32, split over the
 * team by rows when large, inline on the caller otherwise. */
#ifndef TB_FORWARD_OPS_H
#define TB_FORWARD_OPS_H

#include <stdint.h>

#include <tokbench/attention.h>
#include <tokbench/dtype.h>

#include "matmul.h"
#include "team.h"

typedef void (*tb_fop_rows_fn)(void *ctx, int64_t r0, int64_t r1);
/* fn(ctx, r0, r1) over [0, n) rows, on the team when n·elems_per_row is large enough. */
void tb_fop_par(tb_team *team, int64_t n, int64_t elems_per_row, tb_fop_rows_fn fn, void *ctx);

/* y = x / sqrt(mean(x²) + eps) · w, per row. */
void tb_fop_rmsnorm(tb_team *team, const float *x, const float *w, float *y, int64_t rows, int64_t n, float eps);
/* x += y */
void tb_fop_add(tb_team *team, float *x, const float *y, int64_t rows, int64_t n);
/* x[r] += bias, every row */
void tb_fop_bias(tb_team *team, float *x, const float *bias, int64_t rows, int64_t n);
/* gate = silu(gate) · up, with the tier's vector exponential (ak->silu_mul) */
void tb_fop_silu_mul(tb_team *team, const tb_attention_kernels *ak, float *gate, const float *up, int64_t rows,
                     int64_t n);
/* out[r] = row tokens[r] of the table (K columns), dequantized whatever the table's layout. */
void tb_fop_embed(tb_team *team, const tb_matmul_weights *table, const int32_t *tokens, int64_t rows, float *out);

#endif
