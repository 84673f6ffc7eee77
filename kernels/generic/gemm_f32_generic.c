/* f32 GEMM, generic tier: the same driver with a 6×8 micro-kernel in GCC/Clang vector
 * extensions of 16 bytes, the native width of baseline x86-64 (SSE2) and of aarch64 (NEON):
 * 12 accumulators + 2 weight vectors + 1 A vector fit the 16 registers both have. Without FMA
 * a multiply-add is two instructions, so this tier tops out at half the AVX2 tier's peak; SSE2
 * has no broadcast load either (a scalar load and a shuffle, on the same pipes as the
 * arithmetic), so A is packed pre-broadcast, four copies of each element, and loaded whole. */
#include <string.h>

#include "../common/tiers.h"

#include "vec4_generic.h"

static inline __attribute__((always_inline)) void ukernel_6x8(int64_t kc, const float *ap, const float *bp, float *c,
                                                              int64_t ldc, int accumulate)
{
    v4f acc[6][2] = {{{0}}};
    for (int64_t kk = 0; kk < kc; kk++) {
        v4f b0 = load4(bp), b1 = load4(bp + 4);
        for (int r = 0; r < 6; r++) {
            v4f a = load4(ap + 4 * r);
            acc[r][0] += a * b0;
            acc[r][1] += a * b1;
        }
        ap += 24;
        bp += 8;
    }
    for (int r = 0; r < 6; r++) {
        float *row = c + r * ldc;
        if (accumulate) {
            acc[r][0] += load4(row);
            acc[r][1] += load4(row + 4);
        }
        store4(row, acc[r][0]);
        store4(row + 4, acc[r][1]);
    }
}

#define TB_NR TB_GEMM_NR_GENERIC
#define TB_A_REP 4
#define TB_MC TB_TUNE_GENERIC_GEMM_MC
#define TB_KC TB_TUNE_GENERIC_GEMM_KC
#define TB_UKERNEL ukernel_6x8
#define TB_GEMM_NAME tb_gemm_f32_generic
#define TB_PACK_NAME tb_pack_f32_generic
#define TB_GEMM_F16_NAME tb_gemm_f16_generic
#define TB_GEMM_BF16_NAME tb_gemm_bf16_generic
#include "../common/gemm_f32_tmpl.h"
