/* GEMV and skinny GEMM for f32, bf16 and f16 weights, AVX2+FMA+F16C tier. bf16 widens by a
 * 16-bit shift, f16 by vcvtph2ps: both exact, then the same f32 FMAs. */
#include <immintrin.h>

#include "../common/tiers.h"

static inline float hsum256(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline __m256 load_bf16x8(const uint16_t *p)
{
    __m256i x = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(x, 16));
}

static inline __m256 load_f16x8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }

#define TB_V __m256
#define TB_VL 8
#define TB_VZERO() _mm256_setzero_ps()
#define TB_VLOAD(p) _mm256_loadu_ps(p)
#define TB_VFMA(acc, x, y) _mm256_fmadd_ps(x, y, acc)
#define TB_VHSUM(v) hsum256(v)
#define TB_SK_MR TB_TUNE_AVX2_SKINNY_MR
#define TB_SK_NR TB_TUNE_AVX2_SKINNY_NR
#define TB_GEMV_NR TB_TUNE_AVX2_GEMV_STREAMS
#define TB_GEMV_PF TB_TUNE_AVX2_GEMV_PF_DIST

#define TB_MATMUL_NAME tb_matmul_f32_avx2
#define TB_WT float
#define TB_VLOADW(p) _mm256_loadu_ps(p)
#define TB_WSCALAR(x) (x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_bf16_avx2
#define TB_WT uint16_t
#define TB_VLOADW(p) load_bf16x8(p)
#define TB_WSCALAR(x) tb_bf16_to_f32(x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_f16_avx2
#define TB_WT uint16_t
#define TB_VLOADW(p) load_f16x8(p)
#define TB_WSCALAR(x) _cvtsh_ss(x)
#include "../common/matmul_float_tmpl.h"
