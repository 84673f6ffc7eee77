/* The format ceilings of the AVX-512 VNNI tier (kernels/common/peak_format.h), on zmm like its
 * int8 ceiling (vpdpbusd zmm): the interleaved scheme of the AVX2 file at twice the width, 4
 * weights of each of 16 rows per vector, 4 activation rows per step.
 *   q4_0, per 64-byte nibble vector: and, shift, and (once for the 4 activation rows); per
 *         activation row: 2 vpdpbusd (nibbles unsigned, activations signed); per block and
 *         activation row: the conversion, the scale multiply and the FMA. The 8·Σa offset is the
 *         int32 sums' starting value, so it costs nothing per block.
 *   q8_0, per weight vector and activation row: 1 vpdpbusd. Signed × signed without vpsignb
 *         (which has no zmm form): the activations offset by 128 are unsigned, once per
 *         activation block, and the sums start at −128·Σw, a per-row constant of the weights
 *         that a kernel stores with them. The quantized kernels that run today (ymm, sign trick)
 *         execute more than this: the ceiling is what the format can reach on this ISA. */
#include <immintrin.h>

#include "../common/peak_format.h"
#include "../common/tiers.h"

#define ROWS TB_PF_ROWS_AVX512VNNI
#define ACTS TB_PF_ACTS_AVX512VNNI

/* zmm from any SSE register: -mavx512f gives the probe all 32 */
#define KEEP_Z(v) __asm__ volatile("" : "+v"(v))

static __m512i weight_vector(int q8, int i)
{
    uint8_t b[4 * ROWS];
    tb_pf_interleaved(b, ROWS, q8, i);
    return _mm512_loadu_si512(b);
}

static __m256i weight_scales(void)
{
    uint16_t h[ROWS];
    tb_pf_scales_f16(h, ROWS);
    return _mm256_loadu_si256((const __m256i *)h);
}

#define PF_LOAD(t, add)                                                                            \
    __m512i a##t = _mm512_set1_epi32(tb_pf_act_dword(t, add));                                     \
    __m512 da##t = _mm512_set1_ps(tb_pf_da(t)), acc##t = _mm512_loadu_ps(tb_pf_acc_words(state, t));
#define PF_STORE(t) _mm512_storeu_ps(tb_pf_acc_words(state, t), acc##t);
#define PF_FMA(t, s)                                                                \
    acc##t = _mm512_fmadd_ps(_mm512_mul_ps(dw, da##t), _mm512_cvtepi32_ps(s), acc##t); \
    KEEP_Z(acc##t); /* in a register: GCC kept it on the stack, a store every step */

TB_DECL_PEAK_INT8(tb_peak_q4_0_avx512vnni)
{
    PF_LOAD(0, 0) PF_LOAD(1, 0) PF_LOAD(2, 0) PF_LOAD(3, 0)
    const __m512i b0 = _mm512_set1_epi32(-8 * tb_pf_act_sum(0)), b1 = _mm512_set1_epi32(-8 * tb_pf_act_sum(1)),
                  b2 = _mm512_set1_epi32(-8 * tb_pf_act_sum(2)), b3 = _mm512_set1_epi32(-8 * tb_pf_act_sum(3));
    __m512i w0 = weight_vector(0, 0), w1 = weight_vector(0, 1), w2 = weight_vector(0, 2), w3 = weight_vector(0, 3);
    __m256i h = weight_scales();
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    for (int64_t it = 0; it < iters; it++) {
        KEEP_Z(w0);
        KEEP_Z(w1);
        KEEP_Z(w2);
        KEEP_Z(w3);
        KEEP_Z(h);
        __m512i s0 = b0, s1 = b1, s2 = b2, s3 = b3;
#define PF_Q4(w)                                                                                        \
    {                                                                                                   \
        __m512i lo = _mm512_and_si512(w, m4), hi = _mm512_and_si512(_mm512_srli_epi16(w, 4), m4);       \
        s0 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(s0, lo, a0), hi, a0);                              \
        s1 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(s1, lo, a1), hi, a1);                              \
        s2 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(s2, lo, a2), hi, a2);                              \
        s3 = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(s3, lo, a3), hi, a3);                              \
    }
        PF_Q4(w0) PF_Q4(w1) PF_Q4(w2) PF_Q4(w3)
#undef PF_Q4
        const __m512 dw = _mm512_cvtph_ps(h);
        PF_FMA(0, s0) PF_FMA(1, s1) PF_FMA(2, s2) PF_FMA(3, s3)
    }
    PF_STORE(0) PF_STORE(1) PF_STORE(2) PF_STORE(3)
    return iters * ROWS * ACTS * TB_QK;
}

TB_DECL_PEAK_INT8(tb_peak_q8_0_avx512vnni)
{
    PF_LOAD(0, 128) PF_LOAD(1, 128) PF_LOAD(2, 128) PF_LOAD(3, 128)
    int32_t comp[ROWS]; /* −128·Σw of each row */
    for (int r = 0; r < ROWS; r++) {
        comp[r] = 0;
        for (int j = 0; j < TB_QK; j++)
            comp[r] -= 128 * tb_pf_q8(r, j);
    }
    const __m512i c = _mm512_loadu_si512(comp);
    __m512i w0 = weight_vector(1, 0), w1 = weight_vector(1, 1), w2 = weight_vector(1, 2), w3 = weight_vector(1, 3),
            w4 = weight_vector(1, 4), w5 = weight_vector(1, 5), w6 = weight_vector(1, 6), w7 = weight_vector(1, 7);
    __m256i h = weight_scales();
    for (int64_t it = 0; it < iters; it++) {
        KEEP_Z(w0);
        KEEP_Z(w1);
        KEEP_Z(w2);
        KEEP_Z(w3);
        KEEP_Z(w4);
        KEEP_Z(w5);
        KEEP_Z(w6);
        KEEP_Z(w7);
        KEEP_Z(h);
        __m512i s0 = c, s1 = c, s2 = c, s3 = c;
#define PF_Q8(w)                                     \
    {                                                \
        s0 = _mm512_dpbusd_epi32(s0, a0, w);         \
        s1 = _mm512_dpbusd_epi32(s1, a1, w);         \
        s2 = _mm512_dpbusd_epi32(s2, a2, w);         \
        s3 = _mm512_dpbusd_epi32(s3, a3, w);         \
    }
        PF_Q8(w0) PF_Q8(w1) PF_Q8(w2) PF_Q8(w3) PF_Q8(w4) PF_Q8(w5) PF_Q8(w6) PF_Q8(w7)
#undef PF_Q8
        const __m512 dw = _mm512_cvtph_ps(h);
        PF_FMA(0, s0) PF_FMA(1, s1) PF_FMA(2, s2) PF_FMA(3, s3)
    }
    PF_STORE(0) PF_STORE(1) PF_STORE(2) PF_STORE(3)
    return iters * ROWS * ACTS * TB_QK;
}
