/* GEMV and skinny GEMM for f32, bf16 and f16 weights, NEON tier (plain Armv8.0). bf16 widens by
 * a 16-bit shift (ushll), f16 by fcvtl: both exact and in the base ISA, then the same f32 FMAs.
 * 32 vector registers: a 4×4 register block is 16 accumulators + 4 weight vectors + 1 activation
 * vector, so every weight vector loaded meets four activation rows. */
#include <arm_neon.h>

#include "../common/tiers.h"

static inline float32x4_t load_bf16x4(const uint16_t *p)
{
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
}

static inline float32x4_t load_f16x4(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

#define TB_V float32x4_t
#define TB_VL 4
#define TB_VZERO() vdupq_n_f32(0.0f)
#define TB_VLOAD(p) vld1q_f32(p)
#define TB_VFMA(acc, x, y) vfmaq_f32(acc, x, y)
#define TB_VHSUM(v) vaddvq_f32(v)
#define TB_SK_MR TB_TUNE_NEON_SKINNY_MR
#define TB_SK_NR TB_TUNE_NEON_SKINNY_NR
#define TB_GEMV_NR TB_TUNE_NEON_GEMV_STREAMS
#define TB_GEMV_PF TB_TUNE_NEON_GEMV_PF_DIST

#define TB_MATMUL_NAME tb_matmul_f32_neon
#define TB_WT float
#define TB_VLOADW(p) vld1q_f32(p)
#define TB_WSCALAR(x) (x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_bf16_neon
#define TB_WT uint16_t
#define TB_VLOADW(p) load_bf16x4(p)
#define TB_WSCALAR(x) tb_bf16_to_f32(x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_f16_neon
#define TB_WT uint16_t
#define TB_VLOADW(p) load_f16x4(p)
#define TB_WSCALAR(x) tb_f16_to_f32(x)
#include "../common/matmul_float_tmpl.h"
