/* Attention kernels, NEON tier (plain Armv8.0): f16 K/V widened by fcvtl and narrowed by fcvtn
 * (round to nearest even, the FPCR default), fused multiply-adds, and the polynomial exp2 of the
 * other tiers. 32 vector registers: prefill micro-tiles are 6 rows × 16 keys (24 accumulators +
 * 4 key vectors + 1 broadcast), the decode blocks keep the 16-register sizes of attention_tmpl.h. */
#include <arm_neon.h>

#include <tokbench/attention.h>

/* max/min that return the number when one operand is NaN (fmaxnm), as TB_VMAX must: a NaN score
 * lane never becomes a row max, and exp2 clamps NaN to the bottom of its range (then keeps 0). */
static inline float32x4_t exp2_neon(float32x4_t x)
{
    uint32x4_t keep = vcgeq_f32(x, vdupq_n_f32(-126.0f)); /* false for NaN */
    x = vminnmq_f32(vmaxnmq_f32(x, vdupq_n_f32(-127.0f)), vdupq_n_f32(127.0f));
    float32x4_t n = vrndnq_f32(x), f = vsubq_f32(x, n);
    /* ln2^k / k!, as exp2_avx2 (x86/attention_avx2.c) */
    float32x4_t p = vdupq_n_f32(1.5252733804059841e-5f);
    p = vfmaq_f32(vdupq_n_f32(1.5403530393381609e-4f), p, f);
    p = vfmaq_f32(vdupq_n_f32(1.3333558146428443e-3f), p, f);
    p = vfmaq_f32(vdupq_n_f32(9.6181291076284772e-3f), p, f);
    p = vfmaq_f32(vdupq_n_f32(5.5504108664821580e-2f), p, f);
    p = vfmaq_f32(vdupq_n_f32(2.4022650695910071e-1f), p, f);
    p = vfmaq_f32(vdupq_n_f32(6.9314718055994531e-1f), p, f);
    p = vfmaq_f32(vdupq_n_f32(1.0f), p, f);
    int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
    float32x4_t r = vmulq_f32(p, vreinterpretq_f32_s32(e));
    return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(r), keep));
}

static inline float32x4_t load_f16x4(const uint16_t *p) { return vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(p))); }

static inline void store_f16x4(uint16_t *p, float32x4_t v) { vst1_u16(p, vreinterpret_u16_f16(vcvt_f16_f32(v))); }

static inline float f16_scalar(uint16_t x)
{
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(x))), 0);
}

static inline uint16_t f16_from(float x)
{
    return vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(x))), 0);
}

#define TB_V float32x4_t
#define TB_VL 4
#define TB_VZERO() vdupq_n_f32(0.0f)
#define TB_VSET1(x) vdupq_n_f32(x)
#define TB_VLOAD(p) vld1q_f32(p)
#define TB_VSTORE(p, v) vst1q_f32(p, v)
#define TB_VADD(a, b) vaddq_f32(a, b)
#define TB_VSUB(a, b) vsubq_f32(a, b)
#define TB_VMUL(a, b) vmulq_f32(a, b)
#define TB_VMAX(a, b) vmaxnmq_f32(a, b)
#define TB_VFMA(acc, x, y) vfmaq_f32(acc, x, y)
#define TB_VHSUM(v) vaddvq_f32(v)
#define TB_VHMAX(v) vmaxnmvq_f32(v)
#define TB_VEXP2(v) exp2_neon(v)
#define TB_PF_MR 6
#define TB_ATTN_TIER neon

#define TB_KV f32
#define TB_KV_T float
#define TB_KV_LOAD(p) vld1q_f32(p)
#define TB_KV_STORE(p, v) vst1q_f32(p, v)
#define TB_KV_SCALAR(x) (x)
#define TB_KV_FROM(x) (x)
#include "../common/attention_tmpl.h"

#define TB_KV f16
#define TB_KV_T uint16_t
#define TB_KV_LOAD(p) load_f16x4(p)
#define TB_KV_STORE(p, v) store_f16x4(p, v)
#define TB_KV_SCALAR(x) f16_scalar(x)
#define TB_KV_FROM(x) f16_from(x)
#include "../common/attention_tmpl.h"
