/* GEMV and skinny GEMM for f32, bf16 and f16 weights, AVX-512 (F, BW, VL) tier: the AVX2 tier's
 * blocks at twice the width. bf16 widens by a 16-bit shift (vpmovzxwd + vpslld), f16 by
 * vcvtph2ps: both exact, then f32 FMAs. (vdpbf16ps is not used: it would round the activations
 * to bf16, and these kernels promise f32 activations.) 32 zmm registers hold the 4×4 block's 16
 * accumulators, 4 weight vectors and the activation vector with room to spare. */
#include <immintrin.h>

#include "../common/tiers.h"

static inline __m512 load_bf16x16(const uint16_t *p)
{
    __m512i x = _mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *)p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(x, 16));
}

static inline __m512 load_f16x16(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)p)); }

#define TB_V __m512
#define TB_VL 16
#define TB_VZERO() _mm512_setzero_ps()
#define TB_VLOAD(p) _mm512_loadu_ps(p)
#define TB_VFMA(acc, x, y) _mm512_fmadd_ps(x, y, acc)
#define TB_VHSUM(v) _mm512_reduce_add_ps(v)
#define TB_SK_MR TB_TUNE_AVX512_SKINNY_MR
#define TB_SK_NR TB_TUNE_AVX512_SKINNY_NR
#define TB_GEMV_NR TB_TUNE_AVX512_GEMV_STREAMS
#define TB_GEMV_PF TB_TUNE_AVX512_GEMV_PF_DIST

#define TB_MATMUL_NAME tb_matmul_f32_avx512
#define TB_WT float
#define TB_VLOADW(p) _mm512_loadu_ps(p)
#define TB_WSCALAR(x) (x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_bf16_avx512
#define TB_WT uint16_t
#define TB_VLOADW(p) load_bf16x16(p)
#define TB_WSCALAR(x) tb_bf16_to_f32(x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_f16_avx512
#define TB_WT uint16_t
#define TB_VLOADW(p) load_f16x16(p)
#define TB_WSCALAR(x) _cvtsh_ss(x)
#include "../common/matmul_float_tmpl.h"
