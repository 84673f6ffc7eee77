/* f32 GEMM, AVX2+FMA tier: a 6×16 micro-kernel (12 ymm accumulators, 2 weight vectors, one
 * broadcast: 15 of 16 registers), two FMAs per weight load, so the two FMA pipes of Haswell/Zen
 * are the limit, not loads. */
#include <immintrin.h>

#include "../common/tiers.h"
#include "half_panels_x86.h"

static inline __attribute__((always_inline)) void ukernel_6x16(int64_t kc, const float *ap, const float *bp, float *c,
                                                               int64_t ldc, int accumulate)
{
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps(), c10 = _mm256_setzero_ps(),
           c11 = _mm256_setzero_ps(), c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps(),
           c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps(), c40 = _mm256_setzero_ps(),
           c41 = _mm256_setzero_ps(), c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    /* C is read back only after kc steps: start bringing its lines in now. */
    for (int r = 0; r < 6; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 15), _MM_HINT_T0);
    }
#define TB_STEP(off)                                                  \
    do {                                                              \
        __m256 b0 = _mm256_load_ps(bp + (off)*16);                    \
        __m256 b1 = _mm256_load_ps(bp + (off)*16 + 8);                \
        __m256 a = _mm256_broadcast_ss(ap + (off)*6 + 0);             \
        c00 = _mm256_fmadd_ps(a, b0, c00);                            \
        c01 = _mm256_fmadd_ps(a, b1, c01);                            \
        a = _mm256_broadcast_ss(ap + (off)*6 + 1);                    \
        c10 = _mm256_fmadd_ps(a, b0, c10);                            \
        c11 = _mm256_fmadd_ps(a, b1, c11);                            \
        a = _mm256_broadcast_ss(ap + (off)*6 + 2);                    \
        c20 = _mm256_fmadd_ps(a, b0, c20);                            \
        c21 = _mm256_fmadd_ps(a, b1, c21);                            \
        a = _mm256_broadcast_ss(ap + (off)*6 + 3);                    \
        c30 = _mm256_fmadd_ps(a, b0, c30);                            \
        c31 = _mm256_fmadd_ps(a, b1, c31);                            \
        a = _mm256_broadcast_ss(ap + (off)*6 + 4);                    \
        c40 = _mm256_fmadd_ps(a, b0, c40);                            \
        c41 = _mm256_fmadd_ps(a, b1, c41);                            \
        a = _mm256_broadcast_ss(ap + (off)*6 + 5);                    \
        c50 = _mm256_fmadd_ps(a, b0, c50);                            \
        c51 = _mm256_fmadd_ps(a, b1, c51);                            \
    } while (0)
    for (int64_t kk = 0; kk < kc; kk++) {
        TB_STEP(0);
        ap += 6;
        bp += 16;
    }
#undef TB_STEP
#define TB_STORE_ROW(r, lo, hi)                                                         \
    do {                                                                                \
        float *row = c + (r) * ldc;                                                     \
        if (accumulate) {                                                               \
            (lo) = _mm256_add_ps((lo), _mm256_loadu_ps(row));                           \
            (hi) = _mm256_add_ps((hi), _mm256_loadu_ps(row + 8));                       \
        }                                                                               \
        _mm256_storeu_ps(row, lo);                                                      \
        _mm256_storeu_ps(row + 8, hi);                                                  \
    } while (0)
    TB_STORE_ROW(0, c00, c01);
    TB_STORE_ROW(1, c10, c11);
    TB_STORE_ROW(2, c20, c21);
    TB_STORE_ROW(3, c30, c31);
    TB_STORE_ROW(4, c40, c41);
    TB_STORE_ROW(5, c50, c51);
#undef TB_STORE_ROW
}

/* A deeper block than the other tiers' 256 (TB_TUNE_AVX2_GEMM_KC), although a 24 KiB weight
 * micro-panel plus a 9 KiB A strip is just over Zen 3's 32 KiB L1: a third fewer passes over C
 * (each reloads and stores every C tile) and longer micro-kernel loops gain more than the overflow
 * costs. */
#define TB_MC TB_TUNE_AVX2_GEMM_MC
#define TB_KC TB_TUNE_AVX2_GEMM_KC
#define TB_CONVERT_PANELS(bf16, w, n, k, j0, j1, pc, kc, buf) \
    tb_half_panels_x86(bf16, w, n, k, j0, j1, pc, kc, buf, TB_NR)
#define TB_NR TB_GEMM_NR_AVX2
#define TB_UKERNEL ukernel_6x16
#define TB_GEMM_NAME tb_gemm_f32_avx2
#define TB_PACK_NAME tb_pack_f32_avx2
#define TB_GEMM_F16_NAME tb_gemm_f16_avx2
#define TB_GEMM_BF16_NAME tb_gemm_bf16_avx2
#include "../common/gemm_f32_tmpl.h"
