/* Roofline probes, generic tier: plain C loops (the compiler vectorises them for the baseline ISA)
 * and GCC/Clang vector extensions where a plain loop would not vectorise (the sum, the FMA chains).
 * Normal stores only, as in STREAM's standard runs: its byte counts (copy: 16 B per element) leave
 * out the write-allocate read a normal store causes; non-temporal stores skip that read and would
 * make the figures incomparable with standard STREAM results. */
#include <string.h>

#include <tokbench/probes.h>

TB_NO_MEMCPY_IDIOM TB_DECL_STREAM_COPY(tb_stream_copy_generic)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i];
}

TB_DECL_STREAM_SCALE(tb_stream_scale_generic)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = s * src[i];
}

TB_DECL_STREAM_ADD(tb_stream_add_generic)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = x[i] + y[i];
}

TB_DECL_STREAM_TRIAD(tb_stream_triad_generic)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = x[i] + s * y[i];
}

typedef double v2d __attribute__((vector_size(16)));

/* Four streams in step, one accumulator each (see probes_avx2.c for why). */
TB_DECL_STREAM_READ(tb_stream_read_generic)
{
    const size_t q = n / 8 * 2; /* doubles per stream, a multiple of 2 */
    const double *p[4] = {src, src + q, src + 2 * q, src + 3 * q};
    v2d s0 = {0, 0}, s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < q; i += 2) {
        v2d x0, x1, x2, x3;
        memcpy(&x0, p[0] + i, sizeof x0);
        memcpy(&x1, p[1] + i, sizeof x1);
        memcpy(&x2, p[2] + i, sizeof x2);
        memcpy(&x3, p[3] + i, sizeof x3);
        s0 += x0;
        s1 += x1;
        s2 += x2;
        s3 += x3;
    }
    v2d s = (s0 + s1) + (s2 + s3);
    double sum = s[0] + s[1];
    for (size_t i = 4 * q; i < n; i++)
        sum += src[i];
    return sum;
}

#include "vec4_generic.h"

/* Twelve named accumulators (an array might live in memory); seeded from acc, so the compiler
 * cannot prove any two equal and merge them. Without FMA flags a*m + d is a multiply then an add
 * (on targets with FMA, e.g. AArch64, it may be contracted: the same FLOPs either way). */
TB_DECL_PEAK_FMA(tb_peak_fma_generic)
{
    v4f m = {mul, mul, mul, mul}, d = {add, add, add, add};
    v4f a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11;
    memcpy(&a0, acc + 0, 16);
    memcpy(&a1, acc + 4, 16);
    memcpy(&a2, acc + 8, 16);
    memcpy(&a3, acc + 12, 16);
    memcpy(&a4, acc + 16, 16);
    memcpy(&a5, acc + 20, 16);
    memcpy(&a6, acc + 24, 16);
    memcpy(&a7, acc + 28, 16);
    memcpy(&a8, acc + 32, 16);
    memcpy(&a9, acc + 36, 16);
    memcpy(&a10, acc + 40, 16);
    memcpy(&a11, acc + 44, 16);
    for (int64_t i = 0; i < iters; i++) {
        a0 = a0 * m + d;
        a1 = a1 * m + d;
        a2 = a2 * m + d;
        a3 = a3 * m + d;
        a4 = a4 * m + d;
        a5 = a5 * m + d;
        a6 = a6 * m + d;
        a7 = a7 * m + d;
        a8 = a8 * m + d;
        a9 = a9 * m + d;
        a10 = a10 * m + d;
        a11 = a11 * m + d;
    }
    memcpy(acc + 0, &a0, 16);
    memcpy(acc + 4, &a1, 16);
    memcpy(acc + 8, &a2, 16);
    memcpy(acc + 12, &a3, 16);
    memcpy(acc + 16, &a4, 16);
    memcpy(acc + 20, &a5, 16);
    memcpy(acc + 24, &a6, 16);
    memcpy(acc + 28, &a7, 16);
    memcpy(acc + 32, &a8, 16);
    memcpy(acc + 36, &a9, 16);
    memcpy(acc + 40, &a10, 16);
    memcpy(acc + 44, &a11, 16);
}

_Static_assert(TB_PEAK_LANES_GENERIC * TB_PEAK_CHAINS_GENERIC == 48, "tb_peak_fma_generic keeps 12 x 4 floats");
