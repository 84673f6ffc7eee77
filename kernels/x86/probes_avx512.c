/* Roofline probes, AVX-512 (F) tier: the AVX2 probes at zmm width, with the same STREAM byte
 * counting and normal (temporal) stores (see probes_avx2.c for why). The FMA loop is the ceiling
 * the AVX-512 GEMM is graded against: timing it with ymm would understate the peak by half. */
#include <immintrin.h>

#include "kernels/common/probes.h"

TB_NO_MEMCPY_IDIOM TB_DECL_STREAM_COPY(tb_stream_copy_avx512)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512d x0 = _mm512_loadu_pd(src + i), x1 = _mm512_loadu_pd(src + i + 8);
        _mm512_storeu_pd(dst + i, x0);
        _mm512_storeu_pd(dst + i + 8, x1);
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

TB_DECL_STREAM_SCALE(tb_stream_scale_avx512)
{
    __m512d vs = _mm512_set1_pd(s);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_pd(dst + i, _mm512_mul_pd(vs, _mm512_loadu_pd(src + i)));
        _mm512_storeu_pd(dst + i + 8, _mm512_mul_pd(vs, _mm512_loadu_pd(src + i + 8)));
    }
    for (; i < n; i++)
        dst[i] = s * src[i];
}

TB_DECL_STREAM_ADD(tb_stream_add_avx512)
{
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_pd(dst + i, _mm512_add_pd(_mm512_loadu_pd(x + i), _mm512_loadu_pd(y + i)));
        _mm512_storeu_pd(dst + i + 8, _mm512_add_pd(_mm512_loadu_pd(x + i + 8), _mm512_loadu_pd(y + i + 8)));
    }
    for (; i < n; i++)
        dst[i] = x[i] + y[i];
}

TB_DECL_STREAM_TRIAD(tb_stream_triad_avx512)
{
    __m512d vs = _mm512_set1_pd(s);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        _mm512_storeu_pd(dst + i, _mm512_fmadd_pd(vs, _mm512_loadu_pd(y + i), _mm512_loadu_pd(x + i)));
        _mm512_storeu_pd(dst + i + 8, _mm512_fmadd_pd(vs, _mm512_loadu_pd(y + i + 8), _mm512_loadu_pd(x + i + 8)));
    }
    for (; i < n; i++)
        dst[i] = x[i] + s * y[i];
}

/* Four streams in step, one accumulator each (see probes_avx2.c for why). */
TB_DECL_STREAM_READ(tb_stream_read_avx512)
{
    const size_t q = n / 32 * 8; /* doubles per stream, a multiple of 8 */
    const double *p0 = src, *p1 = src + q, *p2 = src + 2 * q, *p3 = src + 3 * q;
    __m512d s0 = _mm512_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < q; i += 8) {
        s0 = _mm512_add_pd(s0, _mm512_loadu_pd(p0 + i));
        s1 = _mm512_add_pd(s1, _mm512_loadu_pd(p1 + i));
        s2 = _mm512_add_pd(s2, _mm512_loadu_pd(p2 + i));
        s3 = _mm512_add_pd(s3, _mm512_loadu_pd(p3 + i));
    }
    double sum = _mm512_reduce_add_pd(_mm512_add_pd(_mm512_add_pd(s0, s1), _mm512_add_pd(s2, s3)));
    for (size_t i = 4 * q; i < n; i++)
        sum += src[i];
    return sum;
}

/* Twelve zmm chains (two 512-bit FMA pipes × 4-cycle latency needs 8), seeded from memory so the
 * compiler cannot merge them. */
TB_DECL_PEAK_FMA(tb_peak_fma_avx512)
{
    const __m512 m = _mm512_set1_ps(mul), d = _mm512_set1_ps(add);
    __m512 a[12];
    for (int j = 0; j < 12; j++)
        a[j] = _mm512_loadu_ps(acc + 16 * j);
    for (int64_t i = 0; i < iters; i++) {
        a[0] = _mm512_fmadd_ps(a[0], m, d);
        a[1] = _mm512_fmadd_ps(a[1], m, d);
        a[2] = _mm512_fmadd_ps(a[2], m, d);
        a[3] = _mm512_fmadd_ps(a[3], m, d);
        a[4] = _mm512_fmadd_ps(a[4], m, d);
        a[5] = _mm512_fmadd_ps(a[5], m, d);
        a[6] = _mm512_fmadd_ps(a[6], m, d);
        a[7] = _mm512_fmadd_ps(a[7], m, d);
        a[8] = _mm512_fmadd_ps(a[8], m, d);
        a[9] = _mm512_fmadd_ps(a[9], m, d);
        a[10] = _mm512_fmadd_ps(a[10], m, d);
        a[11] = _mm512_fmadd_ps(a[11], m, d);
    }
    for (int j = 0; j < 12; j++)
        _mm512_storeu_ps(acc + 16 * j, a[j]);
}

_Static_assert(TB_PEAK_LANES_AVX512 * TB_PEAK_CHAINS_AVX512 == 192, "tb_peak_fma_avx512 keeps 12 x 16 floats");
