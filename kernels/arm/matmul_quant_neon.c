/* q8_0 and q4_0 GEMV / skinny GEMM and the q8_0 activation quantizer, NEON tier.
 *
 * This file is compiled twice (kernels/meson.build): for plain Armv8.0, giving tb_*_neon, and
 * with +dotprod, giving tb_*_neon_dotprod; dispatch.c takes the second only when HWCAP_ASIMDDP
 * says the core has SDOT, so the plain build must not contain a single dotprod instruction.
 * The quantizer needs no dotprod and is defined in the plain build only.
 *
 * Integer dot of a 32-element block, signed × signed (NEON has both, unlike x86's maddubs):
 *   plain:   smull + smlal2 into int16 (two products per lane, ≤ 2·127², the q8_0 range), then
 *            pairwise add-accumulate (saddlp / sadalp) into int32;
 *   dotprod: two sdot into int32 (four products per lane).
 * q4_0 nibbles become q − 8 in [−8, 7] before the dot, so it is the same signed dot as q8_0 and
 * needs no Σa correction. The int32 lanes of four weight rows are folded into one vector
 * [r0 r1 r2 r3] (addp), converted once and multiplied by [d_w0..d_w3]·d_a into the accumulator,
 * as the AVX2 tier does: everything before the float conversion is exact. */
#include <arm_neon.h>
#include <string.h>

#include "../common/tiers.h"

#if defined(__ARM_FEATURE_DOTPROD)
#define TB_NAME(op) op##_neon_dotprod
#else
#define TB_NAME(op) op##_neon
#endif

#define MR 4      /* activation rows per register block (the switch below knows 1..4) */
#define CHUNK TB_TUNE_NEON_Q_CHUNK /* blocks of K per pass when M > MR (tuning.h) */

static inline float f16_to_f32(uint16_t h)
{
    __fp16 x; /* storage-only half: the conversion is one fcvt, in the base ISA */
    memcpy(&x, &h, sizeof x);
    return (float)x;
}

/* ------------------------------------------------------------------------------------------ */
/* activation quantizer */

#if !defined(__ARM_FEATURE_DOTPROD)
TB_DECL_QUANTIZE(tb_quantize_row_q8_0_neon)
{
    tb_block_q8_0 *yb = y;
    for (int64_t b = 0; b < k / TB_QK; b++) {
        const float *xb = x + b * TB_QK;
        float32x4_t v[8];
        float32x4_t mx = vdupq_n_f32(0.0f);
        for (int j = 0; j < 8; j++) {
            v[j] = vld1q_f32(xb + 4 * j);
            /* fmaxnm, as fmaxf: a NaN is skipped; max is exact, so the order is free */
            mx = vmaxnmq_f32(mx, vabsq_f32(v[j]));
        }
        /* the reference's scalar expressions, so that d and 1/d are bit-identical */
        float amax = vmaxnmvq_f32(mx);
        float d = amax / 127.0f, id = d ? 1.0f / d : 0.0f;
        yb[b].d = tb_f32_to_f16(d);
        int16x8_t h[4];
        for (int j = 0; j < 4; j++) {
            /* fcvtas rounds to nearest with ties away from zero: roundf, then the conversion */
            int32x4_t q0 = vcvtaq_s32_f32(vmulq_n_f32(v[2 * j], id));
            int32x4_t q1 = vcvtaq_s32_f32(vmulq_n_f32(v[2 * j + 1], id));
            h[j] = vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1));
        }
        vst1q_s8(yb[b].qs, vcombine_s8(vqmovn_s16(h[0]), vqmovn_s16(h[1])));
        vst1q_s8(yb[b].qs + 16, vcombine_s8(vqmovn_s16(h[2]), vqmovn_s16(h[3])));
    }
}
#endif

/* ------------------------------------------------------------------------------------------ */
/* integer dots */

/* Σ w·a over one block as four int32 lanes (w0, a0: elements 0..15; w1, a1: 16..31). */
static inline int32x4_t dot32(int8x16_t w0, int8x16_t w1, int8x16_t a0, int8x16_t a1)
{
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(vdotq_s32(vdupq_n_s32(0), w0, a0), w1, a1);
#else
    int16x8_t p0 = vmlal_high_s8(vmull_s8(vget_low_s8(w0), vget_low_s8(a0)), w0, a0);
    int16x8_t p1 = vmlal_high_s8(vmull_s8(vget_low_s8(w1), vget_low_s8(a1)), w1, a1);
    return vpadalq_s16(vpaddlq_s16(p0), p1);
#endif
}

/* [Σ d0, Σ d1, Σ d2, Σ d3] */
static inline int32x4_t fold4(int32x4_t d0, int32x4_t d1, int32x4_t d2, int32x4_t d3)
{
    return vpaddq_s32(vpaddq_s32(d0, d1), vpaddq_s32(d2, d3));
}

/* the f16 scales of four rows as floats (fcvtl: exact, base ISA) */
static inline float32x4_t scales4(uint16_t d0, uint16_t d1, uint16_t d2, uint16_t d3)
{
    uint64_t p = (uint64_t)d0 | (uint64_t)d1 << 16 | (uint64_t)d2 << 32 | (uint64_t)d3 << 48;
    return vcvt_f32_f16(vreinterpret_f16_u64(vcreate_u64(p)));
}

static inline void load_q8_0(const tb_block_q8_0 *blk, int8x16_t *w0, int8x16_t *w1)
{
    *w0 = vld1q_s8(blk->qs);
    *w1 = vld1q_s8(blk->qs + 16);
}

/* element j in the low nibble of qs[j], element j + 16 in its high nibble (dtype.h) */
static inline void load_q4_0(const tb_block_q4_0 *blk, int8x16_t *w0, int8x16_t *w1)
{
    uint8x16_t q = vld1q_u8(blk->qs);
    const int8x16_t eight = vdupq_n_s8(8);
    *w0 = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, vdupq_n_u8(0x0f))), eight);
    *w1 = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);
}

/* ------------------------------------------------------------------------------------------ */
/* Register block: four weight rows (the last valid one repeated past the slice, its results
 * dropped) × mr activation rows over nbc blocks. Each weight block is loaded once and meets
 * every activation row while it is in registers. mr is a constant at every call site. */

#define DEFINE_BLOCK(BLOCK, WT, LOAD)                                                                      \
    static inline __attribute__((always_inline)) void BLOCK(const WT *const w[4], int64_t nbc,             \
                                                            const tb_block_q8_0 *a, int64_t lda, float *c, \
                                                            int64_t ldc, int nvalid, int accumulate,       \
                                                            const int mr)                                  \
    {                                                                                                      \
        float32x4_t acc[MR];                                                                               \
        for (int i = 0; i < mr; i++)                                                                       \
            acc[i] = vdupq_n_f32(0.0f);                                                                    \
        for (int64_t b = 0; b < nbc; b++) {                                                                \
            int8x16_t wl[4], wh[4];                                                                        \
            for (int r = 0; r < 4; r++)                                                                    \
                LOAD(&w[r][b], &wl[r], &wh[r]);                                                            \
            float32x4_t dw = scales4(w[0][b].d, w[1][b].d, w[2][b].d, w[3][b].d);                          \
            for (int i = 0; i < mr; i++) {                                                                 \
                const tb_block_q8_0 *ab = a + i * lda + b;                                                 \
                int8x16_t al = vld1q_s8(ab->qs), ah = vld1q_s8(ab->qs + 16);                               \
                int32x4_t s = fold4(dot32(wl[0], wh[0], al, ah), dot32(wl[1], wh[1], al, ah),              \
                                    dot32(wl[2], wh[2], al, ah), dot32(wl[3], wh[3], al, ah));             \
                acc[i] = vfmaq_f32(acc[i], vmulq_n_f32(dw, f16_to_f32(ab->d)), vcvtq_f32_s32(s));          \
            }                                                                                              \
        }                                                                                                  \
        for (int i = 0; i < mr; i++) {                                                                     \
            float t[4];                                                                                    \
            vst1q_f32(t, acc[i]);                                                                          \
            float *ci = c + i * ldc;                                                                       \
            for (int r = 0; r < nvalid; r++)                                                               \
                ci[r] = accumulate ? ci[r] + t[r] : t[r];                                                  \
        }                                                                                                  \
    }

DEFINE_BLOCK(block_q8_0, tb_block_q8_0, load_q8_0)
DEFINE_BLOCK(block_q4_0, tb_block_q4_0, load_q4_0)

/* ------------------------------------------------------------------------------------------ */
/* Driver: groups of four weight rows; for each, K in chunks (one chunk when M ≤ MR: the rows
 * are then read once anyway) and, within a chunk, every MR-row tile of activations. */

#define DEFINE_MATMUL(NAME, WT, BLOCK)                                                                    \
    TB_DECL_MATMUL(NAME)                                                                                  \
    {                                                                                                     \
        const int64_t nb = k / TB_QK;                                                                     \
        const WT *W = w;                                                                                  \
        const tb_block_q8_0 *A = a;                                                                       \
        const int64_t chunk = m <= MR ? (nb > 0 ? nb : 1) : CHUNK;                                        \
        for (int64_t j = n0; j < n1; j += 4) {                                                            \
            const int nvalid = n1 - j < 4 ? (int)(n1 - j) : 4;                                            \
            if (nb == 0) /* an empty sum; the chunk loop below would not run */                           \
                for (int64_t i = 0; i < m; i++)                                                           \
                    for (int r = 0; r < nvalid; r++)                                                      \
                        c[i * n + j + r] = 0.0f;                                                          \
            for (int64_t b0 = 0; b0 < nb; b0 += chunk) {                                                  \
                const int64_t nbc = nb - b0 < chunk ? nb - b0 : chunk;                                    \
                const int acc = b0 > 0;                                                                   \
                const WT *rows[4];                                                                        \
                for (int r = 0; r < 4; r++)                                                               \
                    rows[r] = W + (j + (r < nvalid ? r : nvalid - 1)) * nb + b0;                          \
                for (int64_t i = 0; i < m; i += MR) {                                                     \
                    const tb_block_q8_0 *ai = A + i * nb + b0;                                            \
                    float *ci = c + i * n + j;                                                            \
                    switch (m - i < MR ? m - i : MR) {                                                    \
                    case 1: BLOCK(rows, nbc, ai, nb, ci, n, nvalid, acc, 1); break;                       \
                    case 2: BLOCK(rows, nbc, ai, nb, ci, n, nvalid, acc, 2); break;                       \
                    case 3: BLOCK(rows, nbc, ai, nb, ci, n, nvalid, acc, 3); break;                       \
                    default: BLOCK(rows, nbc, ai, nb, ci, n, nvalid, acc, 4); break;                      \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

DEFINE_MATMUL(TB_NAME(tb_matmul_q8_0), tb_block_q8_0, block_q8_0)
DEFINE_MATMUL(TB_NAME(tb_matmul_q4_0), tb_block_q4_0, block_q4_0)

/* The roofline's int8 ceiling (TB_DECL_PEAK_INT8): twelve chains of this file's dot instruction,
 * SDOT (16 s8 products into int32 per instruction) with dotprod, else SMLAL (8 s8 products into
 * int16). */
TB_DECL_PEAK_INT8(TB_NAME(tb_peak_int8))
{
#if defined(__ARM_FEATURE_DOTPROD)
    int32x4_t c[12];
    const int8x16_t x = vdupq_n_s8(5), y = vdupq_n_s8(3);
    for (int i = 0; i < 12; i++)
        c[i] = vld1q_s32(state + 4 * i);
    for (int64_t it = 0; it < iters; it++)
        for (int i = 0; i < 12; i++)
            c[i] = vdotq_s32(c[i], x, y);
    for (int i = 0; i < 12; i++)
        vst1q_s32(state + 4 * i, c[i]);
    return iters * 12 * 16;
#else
    int16x8_t c[12];
    const int8x8_t x = vdup_n_s8(5), y = vdup_n_s8(3);
    for (int i = 0; i < 12; i++)
        c[i] = vld1q_s16((const int16_t *)(state + 4 * i));
    for (int64_t it = 0; it < iters; it++)
        for (int i = 0; i < 12; i++)
            c[i] = vmlal_s8(c[i], x, y);
    for (int i = 0; i < 12; i++)
        vst1q_s16((int16_t *)(state + 4 * i), c[i]);
    return iters * 12 * 8;
#endif
}
