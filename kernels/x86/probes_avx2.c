/* Roofline probes, AVX2+FMA tier. Normal (temporal) stores only, as in STREAM's standard runs: its
 * byte counts (copy: 16 B per element) leave out the write-allocate read a normal store causes;
 * non-temporal stores skip that read and would make the figures incomparable with standard STREAM
 * results. Unaligned loads/stores: slices start anywhere, and on aligned data they cost the same. */
#include <immintrin.h>

#include "kernels/common/probes.h"

TB_NO_MEMCPY_IDIOM TB_DECL_STREAM_COPY(tb_stream_copy_avx2)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256d x0 = _mm256_loadu_pd(src + i), x1 = _mm256_loadu_pd(src + i + 4);
        _mm256_storeu_pd(dst + i, x0);
        _mm256_storeu_pd(dst + i + 4, x1);
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

TB_DECL_STREAM_SCALE(tb_stream_scale_avx2)
{
    __m256d vs = _mm256_set1_pd(s);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_pd(dst + i, _mm256_mul_pd(vs, _mm256_loadu_pd(src + i)));
        _mm256_storeu_pd(dst + i + 4, _mm256_mul_pd(vs, _mm256_loadu_pd(src + i + 4)));
    }
    for (; i < n; i++)
        dst[i] = s * src[i];
}

TB_DECL_STREAM_ADD(tb_stream_add_avx2)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_pd(dst + i, _mm256_add_pd(_mm256_loadu_pd(x + i), _mm256_loadu_pd(y + i)));
        _mm256_storeu_pd(dst + i + 4, _mm256_add_pd(_mm256_loadu_pd(x + i + 4), _mm256_loadu_pd(y + i + 4)));
    }
    for (; i < n; i++)
        dst[i] = x[i] + y[i];
}

TB_DECL_STREAM_TRIAD(tb_stream_triad_avx2)
{
    __m256d vs = _mm256_set1_pd(s);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_pd(dst + i, _mm256_fmadd_pd(vs, _mm256_loadu_pd(y + i), _mm256_loadu_pd(x + i)));
        _mm256_storeu_pd(dst + i + 4, _mm256_fmadd_pd(vs, _mm256_loadu_pd(y + i + 4), _mm256_loadu_pd(x + i + 4)));
    }
    for (; i < n; i++)
        dst[i] = x[i] + s * y[i];
}

/* Four streams at once, one accumulator each: the thread's slice is read as four quarters in
 * step. One sequential stream leaves a core's memory parallelism to the hardware prefetcher, which
 * on Zen 3 fell short of what an f32 GEMV (8 rows at once, software prefetch) read: the probe is
 * the ceiling decode is graded against, so it reads the way the fastest kernel does. */
TB_DECL_STREAM_READ(tb_stream_read_avx2)
{
    const size_t q = n / 16 * 4; /* doubles per stream, a multiple of 4 */
    const double *p0 = src, *p1 = src + q, *p2 = src + 2 * q, *p3 = src + 3 * q;
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < q; i += 4) {
        s0 = _mm256_add_pd(s0, _mm256_loadu_pd(p0 + i));
        s1 = _mm256_add_pd(s1, _mm256_loadu_pd(p1 + i));
        s2 = _mm256_add_pd(s2, _mm256_loadu_pd(p2 + i));
        s3 = _mm256_add_pd(s3, _mm256_loadu_pd(p3 + i));
    }
    __m256d s = _mm256_add_pd(_mm256_add_pd(s0, s1), _mm256_add_pd(s2, s3));
    __m128d h = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    double sum = _mm_cvtsd_f64(_mm_add_sd(h, _mm_unpackhi_pd(h, h)));
    for (size_t i = 4 * q; i < n; i++)
        sum += src[i];
    return sum;
}

/* Twelve ymm chains, each one vfmadd per iteration: acc = acc * mul + add. Seeded from memory, so
 * the compiler cannot prove two chains equal and merge them (it does merge equal constants). */
TB_DECL_PEAK_FMA(tb_peak_fma_avx2)
{
    const __m256 m = _mm256_set1_ps(mul), d = _mm256_set1_ps(add);
    __m256 a0 = _mm256_loadu_ps(acc + 0), a1 = _mm256_loadu_ps(acc + 8), a2 = _mm256_loadu_ps(acc + 16);
    __m256 a3 = _mm256_loadu_ps(acc + 24), a4 = _mm256_loadu_ps(acc + 32), a5 = _mm256_loadu_ps(acc + 40);
    __m256 a6 = _mm256_loadu_ps(acc + 48), a7 = _mm256_loadu_ps(acc + 56), a8 = _mm256_loadu_ps(acc + 64);
    __m256 a9 = _mm256_loadu_ps(acc + 72), a10 = _mm256_loadu_ps(acc + 80), a11 = _mm256_loadu_ps(acc + 88);
    for (int64_t i = 0; i < iters; i++) {
        a0 = _mm256_fmadd_ps(a0, m, d);
        a1 = _mm256_fmadd_ps(a1, m, d);
        a2 = _mm256_fmadd_ps(a2, m, d);
        a3 = _mm256_fmadd_ps(a3, m, d);
        a4 = _mm256_fmadd_ps(a4, m, d);
        a5 = _mm256_fmadd_ps(a5, m, d);
        a6 = _mm256_fmadd_ps(a6, m, d);
        a7 = _mm256_fmadd_ps(a7, m, d);
        a8 = _mm256_fmadd_ps(a8, m, d);
        a9 = _mm256_fmadd_ps(a9, m, d);
        a10 = _mm256_fmadd_ps(a10, m, d);
        a11 = _mm256_fmadd_ps(a11, m, d);
    }
    _mm256_storeu_ps(acc + 0, a0);
    _mm256_storeu_ps(acc + 8, a1);
    _mm256_storeu_ps(acc + 16, a2);
    _mm256_storeu_ps(acc + 24, a3);
    _mm256_storeu_ps(acc + 32, a4);
    _mm256_storeu_ps(acc + 40, a5);
    _mm256_storeu_ps(acc + 48, a6);
    _mm256_storeu_ps(acc + 56, a7);
    _mm256_storeu_ps(acc + 64, a8);
    _mm256_storeu_ps(acc + 72, a9);
    _mm256_storeu_ps(acc + 80, a10);
    _mm256_storeu_ps(acc + 88, a11);
}

_Static_assert(TB_PEAK_LANES_AVX2 * TB_PEAK_CHAINS_AVX2 == 96, "tb_peak_fma_avx2 keeps 12 x 8 floats");
