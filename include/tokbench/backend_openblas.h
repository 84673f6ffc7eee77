/* The OpenBLAS reference backend (threads are OpenBLAS's own; see harness/blas.c for placement). */
#ifndef TOKBENCH_BACKEND_OPENBLAS_H
#define TOKBENCH_BACKEND_OPENBLAS_H

#include <tokbench/gemm.h>

/* C = A·Wᵀ with cblas_sgemm, or cblas_sgemv when M = 1: OpenBLAS 0.3.21 on x86-64 does not
 * forward M = 1 GEMM to GEMV, and its sgemm is several times slower there. */
void tb_gemm_f32_openblas(const float *a, const float *w, float *c, tb_gemm_dims d);

#endif
