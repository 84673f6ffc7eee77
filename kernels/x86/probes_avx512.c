/* Roofline probes, AVX-512 (F) tier: the AVX2 probes at zmm width (probes_x86_tmpl.h). The FMA
 * loop is the ceiling the AVX-512 GEMM is graded against: timing it with ymm would understate the
 * peak by half. */
#include <immintrin.h>

#define TB_PX_SFX avx512
#define TB_PX_D __m512d
#define TB_PX_DL 8
#define TB_PX_DLOAD(p) _mm512_loadu_pd(p)
#define TB_PX_DSTORE(p, v) _mm512_storeu_pd(p, v)
#define TB_PX_DSET1(x) _mm512_set1_pd(x)
#define TB_PX_DZERO() _mm512_setzero_pd()
#define TB_PX_DADD(a, b) _mm512_add_pd(a, b)
#define TB_PX_DMUL(a, b) _mm512_mul_pd(a, b)
#define TB_PX_DFMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define TB_PX_DHSUM(v) _mm512_reduce_add_pd(v)
#define TB_PX_F __m512
#define TB_PX_FL 16
#define TB_PX_FLOAD(p) _mm512_loadu_ps(p)
#define TB_PX_FSTORE(p, v) _mm512_storeu_ps(p, v)
#define TB_PX_FSET1(x) _mm512_set1_ps(x)
#define TB_PX_FFMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#include "probes_x86_tmpl.h"

_Static_assert(TB_PEAK_LANES_AVX512 * TB_PEAK_CHAINS_AVX512 == 12 * TB_PX_FL, "tb_peak_fma_avx512 keeps 12 x 16 floats");
