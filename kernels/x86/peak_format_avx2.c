/* The format ceilings of the AVX2 tier (kernels/common/peak_format.h): the sequences of the
 * interleaved kernels (matmul_quant_avx2.c, x8_block and x8q8_block), whose 32-byte vectors hold
 * 4 weights of each of 8 rows and meet 4 activation bytes broadcast to every lane; 8 rows × 4
 * activation rows per step, the kernels' register block.
 *   q4_0, per 32-byte nibble vector: and, shift, and (once for the 4 activation rows); per
 *         activation row: 2 vpmaddubsw and 2 int16 adds; per block and activation row: vpmaddwd
 *         to int32, the 8·Σa subtraction, the conversion, the scale multiply and the FMA.
 *   q8_0, per weight vector: vpabsb (once); per activation row: vpsignb, vpmaddubsw, vpmaddwd
 *         (two pair sums of 127·127 overflow int16, so it cannot wait) and an int32 add; per
 *         block and activation row: the conversion, the scale multiply and the FMA. */
#include <immintrin.h>

#include "../common/peak_format.h"
#include "../common/tiers.h"

#define ROWS TB_PF_ROWS_AVX2
#define ACTS TB_PF_ACTS_AVX2

static __m256i weight_vector(int q8, int i)
{
    uint8_t b[4 * ROWS];
    tb_pf_interleaved(b, ROWS, q8, i);
    return _mm256_loadu_si256((const __m256i *)b);
}

static __m128i weight_scales(void)
{
    uint16_t h[ROWS];
    tb_pf_scales_f16(h, ROWS);
    return _mm_loadu_si128((const __m128i *)h);
}

/* The sums in registers after each weight vector: GCC otherwise reassociates the adds, computes
 * every product first and spills them to the stack, and the loop times the stores. */
#define PF_ORDER()        \
    do {                  \
        TB_PF_KEEP(s0);   \
        TB_PF_KEEP(s1);   \
        TB_PF_KEEP(s2);   \
        TB_PF_KEEP(s3);   \
    } while (0)

#define PF_LOAD(t)                                                                                             \
    __m256i a##t = _mm256_set1_epi32(tb_pf_act_dword(t, 0));                                                                               \
    __m256 da##t = _mm256_set1_ps(tb_pf_da(t)), acc##t = _mm256_loadu_ps(tb_pf_acc_words(state, t));
#define PF_STORE(t) _mm256_storeu_ps(tb_pf_acc_words(state, t), acc##t);
#define PF_FMA(t, s)                                                                \
    acc##t = _mm256_fmadd_ps(_mm256_mul_ps(dw, da##t), _mm256_cvtepi32_ps(s), acc##t); \
    TB_PF_KEEP(acc##t); /* in a register: no store every step */

TB_DECL_PEAK_INT8(tb_peak_q4_0_avx2)
{
    PF_LOAD(0) PF_LOAD(1) PF_LOAD(2) PF_LOAD(3)
    const __m256i b0 = _mm256_set1_epi32(8 * tb_pf_act_sum(0)), b1 = _mm256_set1_epi32(8 * tb_pf_act_sum(1)),
                  b2 = _mm256_set1_epi32(8 * tb_pf_act_sum(2)), b3 = _mm256_set1_epi32(8 * tb_pf_act_sum(3));
    __m256i w0 = weight_vector(0, 0), w1 = weight_vector(0, 1), w2 = weight_vector(0, 2), w3 = weight_vector(0, 3);
    __m128i h = weight_scales();
    const __m256i m4 = _mm256_set1_epi8(0x0f), ones = _mm256_set1_epi16(1);
    for (int64_t it = 0; it < iters; it++) {
        TB_PF_KEEP(w0);
        TB_PF_KEEP(w1);
        TB_PF_KEEP(w2);
        TB_PF_KEEP(w3);
        TB_PF_KEEP(h);
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
#define PF_Q4(w)                                                                                                   \
    {                                                                                                              \
        __m256i lo = _mm256_and_si256(w, m4), hi = _mm256_and_si256(_mm256_srli_epi16(w, 4), m4);                  \
        s0 = _mm256_add_epi16(_mm256_add_epi16(s0, _mm256_maddubs_epi16(lo, a0)), _mm256_maddubs_epi16(hi, a0)); \
        s1 = _mm256_add_epi16(_mm256_add_epi16(s1, _mm256_maddubs_epi16(lo, a1)), _mm256_maddubs_epi16(hi, a1)); \
        s2 = _mm256_add_epi16(_mm256_add_epi16(s2, _mm256_maddubs_epi16(lo, a2)), _mm256_maddubs_epi16(hi, a2)); \
        s3 = _mm256_add_epi16(_mm256_add_epi16(s3, _mm256_maddubs_epi16(lo, a3)), _mm256_maddubs_epi16(hi, a3)); \
        PF_ORDER();                                                                                                \
    }
        /* 8 pair sums of at most 2·15·127 each: the int16 totals stay below 30481 */
        PF_Q4(w0) PF_Q4(w1) PF_Q4(w2) PF_Q4(w3)
#undef PF_Q4
        const __m256 dw = _mm256_cvtph_ps(h);
        PF_FMA(0, _mm256_sub_epi32(_mm256_madd_epi16(s0, ones), b0))
        PF_FMA(1, _mm256_sub_epi32(_mm256_madd_epi16(s1, ones), b1))
        PF_FMA(2, _mm256_sub_epi32(_mm256_madd_epi16(s2, ones), b2))
        PF_FMA(3, _mm256_sub_epi32(_mm256_madd_epi16(s3, ones), b3))
    }
    PF_STORE(0) PF_STORE(1) PF_STORE(2) PF_STORE(3)
    return iters * ROWS * ACTS * TB_QK;
}

TB_DECL_PEAK_INT8(tb_peak_q8_0_avx2)
{
    PF_LOAD(0) PF_LOAD(1) PF_LOAD(2) PF_LOAD(3)
    __m256i w0 = weight_vector(1, 0), w1 = weight_vector(1, 1), w2 = weight_vector(1, 2), w3 = weight_vector(1, 3),
            w4 = weight_vector(1, 4), w5 = weight_vector(1, 5), w6 = weight_vector(1, 6), w7 = weight_vector(1, 7);
    __m128i h = weight_scales();
    const __m256i ones = _mm256_set1_epi16(1);
    for (int64_t it = 0; it < iters; it++) {
        TB_PF_KEEP(w0);
        TB_PF_KEEP(w1);
        TB_PF_KEEP(w2);
        TB_PF_KEEP(w3);
        TB_PF_KEEP(w4);
        TB_PF_KEEP(w5);
        TB_PF_KEEP(w6);
        TB_PF_KEEP(w7);
        TB_PF_KEEP(h);
        __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
#define PF_Q8(w)                                                                                                  \
    {                                                                                                             \
        __m256i aw = _mm256_abs_epi8(w);                                                                          \
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(a0, w)), ones));  \
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(a1, w)), ones));  \
        s2 = _mm256_add_epi32(s2, _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(a2, w)), ones));  \
        s3 = _mm256_add_epi32(s3, _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(a3, w)), ones));  \
        PF_ORDER();                                                                                               \
    }
        PF_Q8(w0) PF_Q8(w1) PF_Q8(w2) PF_Q8(w3) PF_Q8(w4) PF_Q8(w5) PF_Q8(w6) PF_Q8(w7)
#undef PF_Q8
        const __m256 dw = _mm256_cvtph_ps(h);
        PF_FMA(0, s0) PF_FMA(1, s1) PF_FMA(2, s2) PF_FMA(3, s3)
    }
    PF_STORE(0) PF_STORE(1) PF_STORE(2) PF_STORE(3)
    return iters * ROWS * ACTS * TB_QK;
}
