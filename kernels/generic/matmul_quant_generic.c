/* q8_0 and q4_0 GEMV / skinny GEMM and the q8_0 activation quantizer, generic tier: 16-byte
 * GCC/Clang vector extensions, no ISA flags (SSE2 on x86-64, NEON on aarch64).
 *
 * Integer dot without a widening multiply-add instruction: bytes are sign-extended to int16 in
 * place (even bytes by shl 8 / sar 8, odd bytes by sar 8), multiplied as int16 (exact: |q8·q8| ≤
 * 16129), even and odd products added in int16 (≤ 32258; q4_0 adds four, ≤ 4·15·127), and the
 * int16 pairs folded to int32 the same way. q4_0 nibbles are used as 0..15 and the −8 applied
 * once per activation block as 8·Σa. Per block the int32 sums of four weight rows are folded
 * into one vector, converted to float and multiplied by [d_w0..d_w3]·d_a into the accumulator. */
#include "quant_ops_generic.h"

/* ------------------------------------------------------------------------------------------ */
/* activation quantizer */

TB_DECL_QUANTIZE(tb_quantize_row_q8_0_generic)
{
    tb_block_q8_0 *yb = y;
    const v4u absmask = {0x7fffffffu, 0x7fffffffu, 0x7fffffffu, 0x7fffffffu};
    for (int64_t b = 0; b < k / TB_QK; b++) {
        const float *xb = x + b * TB_QK;
        v4f v[8];
        v4f mx = {0, 0, 0, 0};
        for (int j = 0; j < 8; j++) {
            v[j] = load4(xb + 4 * j);
            v4f ax = (v4f)((v4u)v[j] & absmask);
            v4i gt = (v4i)(ax > mx); /* false for NaN: skipped, as fmaxf does */
            mx = (v4f)(((v4i)ax & gt) | ((v4i)mx & ~gt));
        }
        float amax = mx[0] > mx[1] ? mx[0] : mx[1];
        amax = mx[2] > amax ? mx[2] : amax;
        amax = mx[3] > amax ? mx[3] : amax;
        /* the same scalar expressions as the reference, so d and 1/d are bit-identical */
        float d = amax / 127.0f, id = d ? 1.0f / d : 0.0f;
        yb[b].d = tb_f32_to_f16(d);
        const v4f idv = {id, id, id, id};
        for (int j = 0; j < 8; j++) {
            /* roundf (half away from zero) with no addition to the product, so that FMA
             * contraction cannot change it: |t| ≥ trunc|t| + 0.5 rounds up */
            v4f t = v[j] * idv;
            v4f a = (v4f)((v4u)t & absmask);
            v4i r = __builtin_convertvector(a, v4i);
            r -= (v4i)(a >= __builtin_convertvector(r, v4f) + 0.5f);
            /* cppcheck-suppress shiftTooManyBitsSigned ; GCC and Clang, whose vector extensions this
             * file is written in, define >> of a negative int as arithmetic: all ones or zero */
            v4i neg = (v4i)t >> 31;
            r = (r ^ neg) - neg;
            for (int e = 0; e < 4; e++)
                yb[b].qs[4 * j + e] = (int8_t)r[e];
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Four weight rows at a time: their int32 block sums are folded into the lanes of one vector
 * [r0 r1 r2 r3], so one conversion, one multiply by [d_w0..d_w3]·d_a and one add serve all four.
 * MR activation rows (a constant at every call site: always_inline) meet each weight block while
 * it is in registers or L1. */

#define DEFINE_BLOCK(BLOCK, WT, WIDEN, DOT, OFFSET8)                                                          \
    static inline __attribute__((always_inline)) void BLOCK(const WT *const w[4], int64_t nb,                 \
                                                            const tb_block_q8_0 *a, float *c, int64_t ldc,    \
                                                            int nvalid, const int mr)                         \
    {                                                                                                         \
        v4f acc[MR_MAX];                                                                                      \
        for (int i = 0; i < mr; i++)                                                                          \
            acc[i] = (v4f){0, 0, 0, 0};                                                                       \
        for (int64_t b = 0; b < nb; b++) {                                                                    \
            q16 aq[MR_MAX];                                                                                   \
            v4i d[MR_MAX][4];                                                                               \
            for (int i = 0; i < mr; i++)                                                                      \
                aq[i] = widen_q8(a[i * nb + b].qs);                                                           \
            for (int r = 0; r < 4; r++) {                                                                     \
                q16 wq = WIDEN(w[r][b].qs);                                                                   \
                for (int i = 0; i < mr; i++)                                                                  \
                    d[i][r] = DOT(&wq, &aq[i]);                                                               \
            }                                                                                                 \
            v4f dw = f16x4_to_f32((v4u){w[0][b].d, w[1][b].d, w[2][b].d, w[3][b].d});                       \
            for (int i = 0; i < mr; i++) {                                                                    \
                v4i t = fold4(d[i][0], d[i][1], d[i][2], d[i][3]);                                          \
                if (OFFSET8)                                                                                  \
                    t -= 8 * sum_q8(&aq[i]);                                                                  \
                float da = f16_to_f32(a[i * nb + b].d);                                                       \
                acc[i] += __builtin_convertvector(t, v4f) * (dw * da);                                        \
            }                                                                                                 \
        }                                                                                                     \
        for (int i = 0; i < mr; i++)                                                                          \
            for (int r = 0; r < nvalid; r++)                                                                  \
                c[i * ldc + r] = acc[i][r];                                                                   \
    }

#define MR_MAX 2
DEFINE_BLOCK(block_q8_0, tb_block_q8_0, widen_q8, dot_q8, 0)
DEFINE_BLOCK(block_q4_0, tb_block_q4_0, widen_q4u, dot_q4u, 1)

#define DEFINE_MATMUL(NAME, WT, BLOCK)                                                                    \
    TB_DECL_MATMUL(NAME)                                                                                  \
    {                                                                                                     \
        const int64_t nb = k / TB_QK;                                                                     \
        const WT *W = w;                                                                                  \
        const tb_block_q8_0 *A = a;                                                                       \
        for (int64_t j = n0; j < n1; j += 4) {                                                            \
            const int nvalid = n1 - j < 4 ? (int)(n1 - j) : 4;                                            \
            const WT *rows[4]; /* past the slice: the last row again, its results dropped */              \
            for (int r = 0; r < 4; r++)                                                                   \
                rows[r] = W + (j + (r < nvalid ? r : nvalid - 1)) * nb;                                   \
            int64_t i = 0;                                                                                \
            for (; i + MR_MAX <= m; i += MR_MAX)                                                          \
                BLOCK(rows, nb, A + i * nb, c + i * n + j, n, nvalid, MR_MAX);                            \
            for (; i < m; i++)                                                                            \
                BLOCK(rows, nb, A + i * nb, c + i * n + j, n, nvalid, 1);                                 \
        }                                                                                                 \
    }

DEFINE_MATMUL(tb_matmul_q8_0_generic, tb_block_q8_0, block_q8_0)
DEFINE_MATMUL(tb_matmul_q4_0_generic, tb_block_q4_0, block_q4_0)

/* The roofline's int8 ceiling (TB_DECL_PEAK_INT8) for the generic tier: eight chains of int16
 * multiply-adds on 16-byte vectors, the widest integer multiply this tier's kernels rely on. The
 * multiplier is read at run time: GCC turned a constant 3 into a shift and an add, and the probe
 * timed those instead of a multiply. */
TB_DECL_PEAK_INT8(tb_peak_int8_generic)
{
    static volatile uint16_t three = 3;
    v8u16 c[8]; /* unsigned: the products wrap, as they may */
    const v8u16 y = (v8u16){0} + three, z = {1, 1, 1, 1, 1, 1, 1, 1};
    for (int i = 0; i < 8; i++)
        memcpy(&c[i], state + 4 * i, sizeof c[i]);
    for (int64_t it = 0; it < iters; it++)
        for (int i = 0; i < 8; i++)
            c[i] = c[i] * y + z;
    for (int i = 0; i < 8; i++)
        memcpy(state + 4 * i, &c[i], sizeof c[i]);
    return iters * 8 * 8;
}
