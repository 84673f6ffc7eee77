/* Roofline probes, AVX2+FMA tier (the kernels: probes_x86_tmpl.h). */
#include <immintrin.h>

static inline double hsum_pd256(__m256d s)
{
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
}

#define TB_PX_SFX avx2
#define TB_PX_D __m256d
#define TB_PX_DL 4
#define TB_PX_DLOAD(p) _mm256_loadu_pd(p)
#define TB_PX_DSTORE(p, v) _mm256_storeu_pd(p, v)
#define TB_PX_DSET1(x) _mm256_set1_pd(x)
#define TB_PX_DZERO() _mm256_setzero_pd()
#define TB_PX_DADD(a, b) _mm256_add_pd(a, b)
#define TB_PX_DMUL(a, b) _mm256_mul_pd(a, b)
#define TB_PX_DFMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define TB_PX_DHSUM(v) hsum_pd256(v)
#define TB_PX_F __m256
#define TB_PX_FL 8
#define TB_PX_FLOAD(p) _mm256_loadu_ps(p)
#define TB_PX_FSTORE(p, v) _mm256_storeu_ps(p, v)
#define TB_PX_FSET1(x) _mm256_set1_ps(x)
#define TB_PX_FFMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#include "probes_x86_tmpl.h"

_Static_assert(TB_PEAK_LANES_AVX2 * TB_PEAK_CHAINS_AVX2 == 12 * TB_PX_FL, "tb_peak_fma_avx2 keeps 12 x 8 floats");
