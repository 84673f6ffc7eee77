/* f32 GEMM, AVX-512 (F) tier: a 12×32 micro-kernel, 24 zmm accumulators and two weight vectors
 * (26 of 32 registers), the A element folded into each FMA as an embedded {1to16} broadcast. Per
 * k step that is 24 FMAs against 14 loads: the two 512-bit FMA pipes of a Xeon core are the
 * limit (12 cycles) with loads (7 cycles at two per cycle) to spare. The 6×32 tile this replaced
 * had 12 FMAs per 8 loads and fell well short of the FMA peak.
 * The 32 KiB KC×NR weight micro-panel fits the 48 KiB L1 of Ice Lake and Sapphire Rapids. */
#include <immintrin.h>

#include "../common/tiers.h"
#include "half_panels_x86.h"

#define MR 12

static inline __attribute__((always_inline)) void ukernel_12x32(int64_t kc, const float *ap, const float *bp,
                                                                float *c, int64_t ldc, int accumulate)
{
    __m512 acc[MR][2];
    for (int r = 0; r < MR; r++) {
        acc[r][0] = _mm512_setzero_ps();
        acc[r][1] = _mm512_setzero_ps();
    }
    /* C is read back only after kc steps: start bringing its lines in now (two per row). */
    for (int r = 0; r < MR; r++) {
        _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
        _mm_prefetch((const char *)(c + r * ldc + 31), _MM_HINT_T0);
    }
    for (int64_t kk = 0; kk < kc; kk++) {
        __m512 b0 = _mm512_load_ps(bp), b1 = _mm512_load_ps(bp + 16);
        for (int r = 0; r < MR; r++) {
            __m512 a = _mm512_set1_ps(ap[r]);
            acc[r][0] = _mm512_fmadd_ps(a, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(a, b1, acc[r][1]);
        }
        ap += MR;
        bp += 32;
    }
    for (int r = 0; r < MR; r++) {
        float *row = c + r * ldc;
        if (accumulate) {
            acc[r][0] = _mm512_add_ps(acc[r][0], _mm512_loadu_ps(row));
            acc[r][1] = _mm512_add_ps(acc[r][1], _mm512_loadu_ps(row + 16));
        }
        _mm512_storeu_ps(row, acc[r][0]);
        _mm512_storeu_ps(row + 16, acc[r][1]);
    }
}

#define TB_CONVERT_PANELS(bf16, w, n, k, j0, j1, pc, kc, buf) \
    tb_half_panels_x86(bf16, w, n, k, j0, j1, pc, kc, buf, TB_NR)
#define TB_NR TB_GEMM_NR_AVX512
#define TB_MR TB_GEMM_MR_AVX512
#define TB_MC TB_TUNE_AVX512_GEMM_MC
#define TB_KC TB_TUNE_AVX512_GEMM_KC
#define TB_UKERNEL ukernel_12x32
#define TB_GEMM_NAME tb_gemm_f32_avx512
#define TB_PACK_NAME tb_pack_f32_avx512
#define TB_GEMM_F16_NAME tb_gemm_f16_avx512
#define TB_GEMM_BF16_NAME tb_gemm_bf16_avx512
_Static_assert(MR == TB_GEMM_MR_AVX512, "the tile is the tier's MR");
#include "../common/gemm_f32_tmpl.h"
