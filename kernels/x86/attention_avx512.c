/* Attention kernels, AVX-512 F/BW/VL tier (+FMA, F16C): 16 float lanes and 32 zmm registers.
 * f16 K/V widened by vcvtph2ps zmm and stored by vcvtps2ph (round to nearest even); 12×32 prefill
 * micro-tiles (two 16-key panels or two 16-column strips: 24 accumulators + 2 operand vectors, the
 * q or p element folded into each FMA as a {1to16} broadcast, as the f32 GEMM's 12×32 tile);
 * decode blocks of at most 16 accumulators (attention_tmpl.h; below says why not 24); exp2 by
 * the polynomial of the AVX2 tier, scaled by vscalefps. head_dim is a multiple of 8, so a row of
 * d floats may end half-way into a vector: that last vector is loaded and stored through a mask
 * (masked-off lanes are neither read, so they cannot fault, nor written). */
#include <immintrin.h>

#include <tokbench/attention.h>

#include "../common/exp2_poly.h"
#include "../common/tuning.h"

/* 2^x as exp2_avx2 (x86/attention_avx2.c): x = n + f, n = round(x), 2^f by the degree-7 Taylor
 * polynomial, then p·2^n by vscalefps. x < −126 (and −inf, NaN) gives 0. */
static inline __m512 exp2_avx512(__m512 x)
{
    __mmask16 keep = _mm512_cmp_ps_mask(x, _mm512_set1_ps(-126.0f), _CMP_GE_OQ); /* false for NaN */
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-127.0f)), _mm512_set1_ps(127.0f));
    __m512 n = _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m512 f = _mm512_sub_ps(x, n);
    __m512 p = TB_EXP2_POLY(_mm512_fmadd_ps, _mm512_set1_ps, f);
    return _mm512_maskz_scalef_ps(keep, p, n);
}

static inline __m512 load_f16x16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }

static inline __m512 load_f16x16_m(const uint16_t *p, __mmask16 m)
{
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}

static inline void store_f16x16(uint16_t *p, __m512 v)
{
    _mm256_storeu_si256((__m256i *)p, _mm512_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

#define TB_V __m512
#define TB_VL 16
#define TB_VZERO() _mm512_setzero_ps()
#define TB_VSET1(x) _mm512_set1_ps(x)
#define TB_VLOAD(p) _mm512_loadu_ps(p)
#define TB_VSTORE(p, v) _mm512_storeu_ps(p, v)
#define TB_VADD(a, b) _mm512_add_ps(a, b)
#define TB_VSUB(a, b) _mm512_sub_ps(a, b)
#define TB_VMUL(a, b) _mm512_mul_ps(a, b)
#define TB_VMAX(a, b) _mm512_max_ps(a, b)
#define TB_VFMA(acc, x, y) _mm512_fmadd_ps(x, y, acc)
#define TB_VHSUM(v) _mm512_reduce_add_ps(v)
#define TB_VHMAX(v) _mm512_reduce_max_ps(v)
#define TB_VANY_GT(v, x) (_mm512_cmp_ps_mask(v, _mm512_set1_ps(x), _CMP_GT_OQ) != 0)
#define TB_VEXP2(v) exp2_avx512(v)
#define TB_VMASK __mmask16
#define TB_VMASK_ALL ((__mmask16)0xffff)
#define TB_VMASK_FIRST(n) ((__mmask16)((1u << (n)) - 1u))
#define TB_VLOAD_M(p, m) _mm512_maskz_loadu_ps(m, p)
#define TB_VSTORE_M(p, m, v) _mm512_mask_storeu_ps(p, m, v)
/* 32 registers: prefill 12 rows × 2 panels (24 accumulators + 2 key or value vectors). Decode
 * blocks hold at most TB_TUNE_AVX512_ATTN_ACC accumulators (16, tuning.h) although 24 would fit:
 * scores of h heads × the chunk's 2 key vectors × 16/(2h) partial sums (4 heads: 4 × 2 × 2);
 * P·V 4 or 3 heads × ACC/4 vectors (d = 128 is 8 vectors: 4 + 4), 2 × ACC/2, 1 × ACC. Blocks
 * of 24 accumulators compiled without spills and still took more time per FMA than blocks of 16
 * in every head grouping measured, so the register file is not the limit. */
#define TB_PF_MR 12
#define TB_PF_NW 2
#define TB_AT_ACC TB_TUNE_AVX512_ATTN_ACC
#define TB_AT_PV4 (TB_AT_ACC / 4)
#define TB_AT_PV3 (TB_AT_ACC / 4)
#define TB_AT_PV2 (TB_AT_ACC / 2)
#define TB_AT_PV1 TB_AT_ACC
#define TB_ATTN_TIER avx512

#define TB_KV f32
#define TB_KV_T float
#define TB_KV_LOAD(p) _mm512_loadu_ps(p)
#define TB_KV_LOAD_M(p, m) _mm512_maskz_loadu_ps(m, p)
#define TB_KV_STORE(p, v) _mm512_storeu_ps(p, v)
#define TB_KV_SCALAR(x) (x)
#define TB_KV_FROM(x) (x)
#include "../common/attention_tmpl.h"

#define TB_KV f16
#define TB_KV_T uint16_t
#define TB_KV_LOAD(p) load_f16x16(p)
#define TB_KV_LOAD_M(p, m) load_f16x16_m(p, m)
#define TB_KV_STORE(p, v) store_f16x16(p, v)
#define TB_KV_SCALAR(x) _cvtsh_ss(x)
#define TB_KV_FROM(x) _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#include "../common/attention_tmpl.h"
