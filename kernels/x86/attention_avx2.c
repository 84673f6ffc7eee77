/* Attention kernels, AVX2+FMA+F16C tier: f16 K/V widened by vcvtph2ps and stored by vcvtps2ph
 * (round to nearest even), 6×16 prefill micro-tiles (12 ymm accumulators, as the GEMM's), and a
 * polynomial exp2 (below). */
#include <immintrin.h>

#include <tokbench/attention.h>

#include "../common/exp2_poly.h"

/* 2^x: x = n + f with n = round(x), f in [−0.5, 0.5]; 2^f by its degree-7 Taylor polynomial
 * (truncation below 1e-8 relative), 2^n put into the exponent field. x < −126 (and −inf, NaN)
 * gives 0, which also keeps subnormals out of the softmax. */
static inline __m256 exp2_avx2(__m256 x)
{
    const __m256 lo = _mm256_set1_ps(-126.0f);
    __m256 keep = _mm256_cmp_ps(x, lo, _CMP_GE_OQ); /* false for NaN */
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
    __m256 n = _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 f = _mm256_sub_ps(x, n);
    __m256 p = TB_EXP2_POLY(_mm256_fmadd_ps, _mm256_set1_ps, f);
    __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
    return _mm256_and_ps(_mm256_mul_ps(p, _mm256_castsi256_ps(e)), keep);
}

static inline float hsum_avx2(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline float hmax_avx2(__m256 v)
{
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __m256 load_f16x8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

static inline void store_f16x8(uint16_t *p, __m256 v)
{
    _mm_storeu_si128((__m128i *)p, _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

#define TB_V __m256
#define TB_VL 8
#define TB_VZERO() _mm256_setzero_ps()
#define TB_VSET1(x) _mm256_set1_ps(x)
#define TB_VLOAD(p) _mm256_loadu_ps(p)
#define TB_VSTORE(p, v) _mm256_storeu_ps(p, v)
#define TB_VADD(a, b) _mm256_add_ps(a, b)
#define TB_VSUB(a, b) _mm256_sub_ps(a, b)
#define TB_VMUL(a, b) _mm256_mul_ps(a, b)
#define TB_VMAX(a, b) _mm256_max_ps(a, b)
#define TB_VFMA(acc, x, y) _mm256_fmadd_ps(x, y, acc)
#define TB_VHSUM(v) hsum_avx2(v)
#define TB_VHMAX(v) hmax_avx2(v)
#define TB_VANY_GT(v, x) (_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_set1_ps(x), _CMP_GT_OQ)) != 0)
#define TB_VEXP2(v) exp2_avx2(v)
#define TB_PF_MR 6
#define TB_ATTN_TIER avx2

#define TB_KV f32
#define TB_KV_T float
#define TB_KV_LOAD(p) _mm256_loadu_ps(p)
#define TB_KV_STORE(p, v) _mm256_storeu_ps(p, v)
#define TB_KV_SCALAR(x) (x)
#define TB_KV_FROM(x) (x)
#include "../common/attention_tmpl.h"

#define TB_KV f16
#define TB_KV_T uint16_t
#define TB_KV_LOAD(p) load_f16x8(p)
#define TB_KV_STORE(p, v) store_f16x8(p, v)
#define TB_KV_SCALAR(x) _cvtsh_ss(x)
#define TB_KV_FROM(x) _cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#include "../common/attention_tmpl.h"
