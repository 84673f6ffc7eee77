/* Analytic cost of one phase of a decoder forward pass, from the shapes alone: the numerator of
 * the speed-of-light bounds (notes A5). FLOPs count the matrix products (2 per multiply-add) and
 * attention (QK and PV); elementwise ops are left out (under 0.1% of the FLOPs). */
#ifndef TB_ROOFLINE_H
#define TB_ROOFLINE_H

#include <stdint.h>

#include <tokbench/dtype.h>

#include "model.h"

typedef enum tb_phase { TB_PHASE_PREFILL = 0, TB_PHASE_DECODE } tb_phase;

typedef struct tb_phase_cost {
    double flops;
    double matmul_flops; /* the part of flops in products with the weights (layers and LM head) */
    double weight_bytes; /* every layer's weights + final norm + LM head + the embedding rows used */
    double kv_bytes;     /* KV cache written (prefill, decode) and read (decode: all ctx + 1 keys) */
    double act_bytes;    /* f32 activations read and written by the matrix products */
} tb_phase_cost;

/* prefill: batch sequences of prompt tokens (logits for each sequence's last token); decode: one
 * step of batch sequences with ctx tokens cached (attends to ctx + 1 keys). kv_dt: f32 or f16. */
tb_phase_cost tb_phase_cost_of(const tb_model *m, tb_dtype dt, tb_dtype kv_dt, int64_t batch, int64_t prompt,
                               int64_t ctx, tb_phase phase);

/* Tokens per second at the roofline: tokens / max(compute time, bytes / bandwidth), compute time
 * being the weight products at matmul_peak (the int8 ceiling for q8_0/q4_0, whose integer dots
 * can outrun the f32 FMA peak; the FMA peak otherwise) plus the rest at the FMA peak. */
double tb_roofline_tokens_per_s(const tb_phase_cost *c, double tokens, double peak_gflops, double matmul_peak_gflops,
                                double bandwidth_gbps);

#endif
