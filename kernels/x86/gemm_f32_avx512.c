/* f32 GEMM, AVX-512 (F) tier: a 6×32 micro-kernel, 12 zmm accumulators, two weight vectors and
 * the A element folded into each FMA as an embedded {1to16} broadcast. Per k step that is 12
 * FMAs against 8 loads: the two 512-bit FMA pipes of a Xeon core are the limit, and 12
 * independent chains cover their 4-cycle latency. A 6-row strip keeps MR common to every tier;
 * the 32 KiB KC×NR weight micro-panel fits the 48 KiB L1 of Ice Lake and Sapphire Rapids. */
#include <immintrin.h>

#include "../common/tiers.h"

static inline __attribute__((always_inline)) void ukernel_6x32(int64_t kc, const float *ap, const float *bp, float *c,
                                                               int64_t ldc, int accumulate)
{
    __m512 c00 = _mm512_setzero_ps(), c01 = _mm512_setzero_ps(), c10 = _mm512_setzero_ps(),
           c11 = _mm512_setzero_ps(), c20 = _mm512_setzero_ps(), c21 = _mm512_setzero_ps(),
           c30 = _mm512_setzero_ps(), c31 = _mm512_setzero_ps(), c40 = _mm512_setzero_ps(),
           c41 = _mm512_setzero_ps(), c50 = _mm512_setzero_ps(), c51 = _mm512_setzero_ps();
    /* C is read back only after kc steps: start bringing its lines in now (two per row). */
    for (int r = 0; r < 6; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 31), _MM_HINT_T0);
    }
    for (int64_t kk = 0; kk < kc; kk++) {
        __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
        __m512 a = _mm512_set1_ps(ap[0]);
        c00 = _mm512_fmadd_ps(a, b0, c00);
        c01 = _mm512_fmadd_ps(a, b1, c01);
        a = _mm512_set1_ps(ap[1]);
        c10 = _mm512_fmadd_ps(a, b0, c10);
        c11 = _mm512_fmadd_ps(a, b1, c11);
        a = _mm512_set1_ps(ap[2]);
        c20 = _mm512_fmadd_ps(a, b0, c20);
        c21 = _mm512_fmadd_ps(a, b1, c21);
        a = _mm512_set1_ps(ap[3]);
        c30 = _mm512_fmadd_ps(a, b0, c30);
        c31 = _mm512_fmadd_ps(a, b1, c31);
        a = _mm512_set1_ps(ap[4]);
        c40 = _mm512_fmadd_ps(a, b0, c40);
        c41 = _mm512_fmadd_ps(a, b1, c41);
        a = _mm512_set1_ps(ap[5]);
        c50 = _mm512_fmadd_ps(a, b0, c50);
        c51 = _mm512_fmadd_ps(a, b1, c51);
        ap += 6;
        bp += 32;
    }
#define TB_STORE_ROW(r, lo, hi)                                                         \
    do {                                                                                \
        float *row = c + (r) * ldc;                                                     \
        if (accumulate) {                                                               \
            lo = _mm512_add_ps(lo, _mm512_loadu_ps(row));                               \
            hi = _mm512_add_ps(hi, _mm512_loadu_ps(row + 16));                          \
        }                                                                               \
        _mm512_storeu_ps(row, lo);                                                      \
        _mm512_storeu_ps(row + 16, hi);                                                 \
    } while (0)
    TB_STORE_ROW(0, c00, c01);
    TB_STORE_ROW(1, c10, c11);
    TB_STORE_ROW(2, c20, c21);
    TB_STORE_ROW(3, c30, c31);
    TB_STORE_ROW(4, c40, c41);
    TB_STORE_ROW(5, c50, c51);
#undef TB_STORE_ROW
}

#define TB_NR TB_GEMM_NR_AVX512
#define TB_UKERNEL ukernel_6x32
#define TB_GEMM_NAME tb_gemm_f32_avx512
#define TB_PACK_NAME tb_pack_f32_avx512
#include "../common/gemm_f32_tmpl.h"
