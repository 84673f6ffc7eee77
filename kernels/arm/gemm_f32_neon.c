/* f32 GEMM, NEON tier: a 6×16 micro-kernel. Of the 32 vector registers, 24 hold the C tile
 * (6 rows × 4 vectors), 4 the weight row of this k step and 2 the six A values (a 4-lane and a
 * 2-lane load): 30 in use. fmla by lane reads A straight from those registers, so no broadcast
 * is needed, and A is packed plainly (TB_A_REP 1). Each k step is 6 loads for 24 FMAs: the FMA
 * pipes (2 to 4 of them on current cores), not the load ports, are the limit. MR = 6 is fixed by
 * the shared driver; NR = 16 is the widest tile whose accumulators still leave room for B and A
 * (6 × 20 would need 30 accumulators + 5 + 2), and keeps the KC × NR weight micro-panel at
 * 16 KiB: half of a 32 KiB L1d (Cortex-A72), a quarter of Neoverse N1/V1's 64 KiB. */
#include <arm_neon.h>

#include "../common/tiers.h"

static inline __attribute__((always_inline)) void ukernel_6x16(int64_t kc, const float *ap, const float *bp, float *c,
                                                               int64_t ldc, int accumulate)
{
    float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c02 = c00, c03 = c00;
    float32x4_t c10 = c00, c11 = c00, c12 = c00, c13 = c00;
    float32x4_t c20 = c00, c21 = c00, c22 = c00, c23 = c00;
    float32x4_t c30 = c00, c31 = c00, c32 = c00, c33 = c00;
    float32x4_t c40 = c00, c41 = c00, c42 = c00, c43 = c00;
    float32x4_t c50 = c00, c51 = c00, c52 = c00, c53 = c00;
    for (int64_t kk = 0; kk < kc; kk++) {
        float32x4_t b0 = vld1q_f32(bp), b1 = vld1q_f32(bp + 4), b2 = vld1q_f32(bp + 8), b3 = vld1q_f32(bp + 12);
        float32x4_t a03 = vld1q_f32(ap);
        float32x2_t a45 = vld1_f32(ap + 4);
#define TB_ROW(r, A, lane, LANEFMA)              \
    do {                                         \
        c##r##0 = LANEFMA(c##r##0, b0, A, lane); \
        c##r##1 = LANEFMA(c##r##1, b1, A, lane); \
        c##r##2 = LANEFMA(c##r##2, b2, A, lane); \
        c##r##3 = LANEFMA(c##r##3, b3, A, lane); \
    } while (0)
        TB_ROW(0, a03, 0, vfmaq_laneq_f32);
        TB_ROW(1, a03, 1, vfmaq_laneq_f32);
        TB_ROW(2, a03, 2, vfmaq_laneq_f32);
        TB_ROW(3, a03, 3, vfmaq_laneq_f32);
        TB_ROW(4, a45, 0, vfmaq_lane_f32);
        TB_ROW(5, a45, 1, vfmaq_lane_f32);
#undef TB_ROW
        ap += 6;
        bp += 16;
    }
#define TB_STORE_ROW(r)                                    \
    do {                                                   \
        float *row = c + (r) * ldc;                        \
        if (accumulate) {                                  \
            c##r##0 = vaddq_f32(c##r##0, vld1q_f32(row));      \
            c##r##1 = vaddq_f32(c##r##1, vld1q_f32(row + 4));  \
            c##r##2 = vaddq_f32(c##r##2, vld1q_f32(row + 8));  \
            c##r##3 = vaddq_f32(c##r##3, vld1q_f32(row + 12)); \
        }                                                  \
        vst1q_f32(row, c##r##0);                           \
        vst1q_f32(row + 4, c##r##1);                       \
        vst1q_f32(row + 8, c##r##2);                       \
        vst1q_f32(row + 12, c##r##3);                      \
    } while (0)
    TB_STORE_ROW(0);
    TB_STORE_ROW(1);
    TB_STORE_ROW(2);
    TB_STORE_ROW(3);
    TB_STORE_ROW(4);
    TB_STORE_ROW(5);
#undef TB_STORE_ROW
}

#define TB_NR TB_GEMM_NR_NEON
#define TB_MC TB_TUNE_NEON_GEMM_MC
#define TB_KC TB_TUNE_NEON_GEMM_KC
#define TB_UKERNEL ukernel_6x16
#define TB_GEMM_NAME tb_gemm_f32_neon
#define TB_PACK_NAME tb_pack_f32_neon
#define TB_GEMM_F16_NAME tb_gemm_f16_neon
#define TB_GEMM_BF16_NAME tb_gemm_bf16_neon
#include "../common/gemm_f32_tmpl.h"
