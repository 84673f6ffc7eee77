/* Matrix products in the layout of an LLM's linear layers:
 *   C[M×N] = A[M×K] · W[N×K]ᵀ
 * A: M rows of activations (tokens), row-major, K features each.
 * W: N output features × K input features, row-major (one weight row per output feature).
 * C: row-major M×N.
 * Kernels are leaf functions: no CPU checks, no threads of their own, no allocation. A threaded
 * caller hands each kernel a column range [n0, n1) of C (a slice of weight rows). */
#ifndef TOKBENCH_GEMM_H
#define TOKBENCH_GEMM_H

#include <stdint.h>

typedef struct tb_gemm_dims {
    int64_t m, n, k;
} tb_gemm_dims;

/* The oracle: each element accumulated in double from exact float products, rounded once. */
void tb_gemm_f32_ref(const float *a, const float *w, float *c, tb_gemm_dims d, int64_t n0, int64_t n1);

/* One element of the oracle in double, and Σ|a·w| over its K terms: the scale against which a
 * float result's error is judged (cancellation makes |value| a useless yardstick). */
void tb_gemm_f32_ref_dot(const float *a_row, const float *w_row, int64_t k, double *value, double *abs_sum);

#endif
