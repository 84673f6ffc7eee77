/* The x86 roofline probes, written once and included by probes_avx2.c and probes_avx512.c after
 * they define their vector operations:
 *   TB_PX_SFX                        the name suffix (avx2, avx512)
 *   TB_PX_D, TB_PX_DL                vector of doubles and its lanes
 *   TB_PX_DLOAD(p), TB_PX_DSTORE(p, v), TB_PX_DSET1(x), TB_PX_DZERO()
 *   TB_PX_DADD, TB_PX_DMUL, TB_PX_DFMA(a, b, c) = a·b + c, TB_PX_DHSUM(v)
 *   TB_PX_F, TB_PX_FL, TB_PX_FLOAD, TB_PX_FSTORE, TB_PX_FSET1, TB_PX_FFMA   the same for floats
 * Normal (temporal) stores only, as in STREAM's standard runs: its byte counts (copy: 16 B per
 * element) leave out the write-allocate read a normal store causes; non-temporal stores skip that
 * read and would make the figures incomparable with standard STREAM results. Unaligned loads and
 * stores: slices start anywhere, and on aligned data they cost the same. */
#include <tokbench/probes.h>

#define TB_PX_CAT2(a, b) a##b
#define TB_PX_CAT(a, b) TB_PX_CAT2(a, b)
#define TB_PX_FN(op) TB_PX_CAT(op, TB_PX_CAT(_, TB_PX_SFX))

/* Two vectors per step in the STREAM kernels, a scalar tail. */
#define TB_PX_STEP (2 * TB_PX_DL)

TB_NO_MEMCPY_IDIOM TB_DECL_STREAM_COPY(TB_PX_FN(tb_stream_copy))
{
    size_t i = 0;
    for (; i + TB_PX_STEP <= n; i += TB_PX_STEP) {
        TB_PX_D x0 = TB_PX_DLOAD(src + i), x1 = TB_PX_DLOAD(src + i + TB_PX_DL);
        TB_PX_DSTORE(dst + i, x0);
        TB_PX_DSTORE(dst + i + TB_PX_DL, x1);
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

TB_DECL_STREAM_SCALE(TB_PX_FN(tb_stream_scale))
{
    TB_PX_D vs = TB_PX_DSET1(s);
    size_t i = 0;
    for (; i + TB_PX_STEP <= n; i += TB_PX_STEP) {
        TB_PX_DSTORE(dst + i, TB_PX_DMUL(vs, TB_PX_DLOAD(src + i)));
        TB_PX_DSTORE(dst + i + TB_PX_DL, TB_PX_DMUL(vs, TB_PX_DLOAD(src + i + TB_PX_DL)));
    }
    for (; i < n; i++)
        dst[i] = s * src[i];
}

TB_DECL_STREAM_ADD(TB_PX_FN(tb_stream_add))
{
    size_t i = 0;
    for (; i + TB_PX_STEP <= n; i += TB_PX_STEP) {
        TB_PX_DSTORE(dst + i, TB_PX_DADD(TB_PX_DLOAD(x + i), TB_PX_DLOAD(y + i)));
        TB_PX_DSTORE(dst + i + TB_PX_DL, TB_PX_DADD(TB_PX_DLOAD(x + i + TB_PX_DL), TB_PX_DLOAD(y + i + TB_PX_DL)));
    }
    for (; i < n; i++)
        dst[i] = x[i] + y[i];
}

TB_DECL_STREAM_TRIAD(TB_PX_FN(tb_stream_triad))
{
    TB_PX_D vs = TB_PX_DSET1(s);
    size_t i = 0;
    for (; i + TB_PX_STEP <= n; i += TB_PX_STEP) {
        TB_PX_DSTORE(dst + i, TB_PX_DFMA(vs, TB_PX_DLOAD(y + i), TB_PX_DLOAD(x + i)));
        TB_PX_DSTORE(dst + i + TB_PX_DL, TB_PX_DFMA(vs, TB_PX_DLOAD(y + i + TB_PX_DL), TB_PX_DLOAD(x + i + TB_PX_DL)));
    }
    for (; i < n; i++)
        dst[i] = x[i] + s * y[i];
}

/* Four streams at once, one accumulator each: the thread's slice is read as four quarters in
 * step. One sequential stream leaves a core's memory parallelism to the hardware prefetcher, which
 * on Zen 3 fell short of what an f32 GEMV (8 rows at once, software prefetch) read: the probe is
 * the ceiling decode is graded against, so it reads the way the fastest kernel does. */
TB_DECL_STREAM_READ(TB_PX_FN(tb_stream_read))
{
    const size_t q = n / (4 * TB_PX_DL) * TB_PX_DL; /* doubles per stream, whole vectors */
    const double *p0 = src, *p1 = src + q, *p2 = src + 2 * q, *p3 = src + 3 * q;
    TB_PX_D s0 = TB_PX_DZERO(), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < q; i += TB_PX_DL) {
        s0 = TB_PX_DADD(s0, TB_PX_DLOAD(p0 + i));
        s1 = TB_PX_DADD(s1, TB_PX_DLOAD(p1 + i));
        s2 = TB_PX_DADD(s2, TB_PX_DLOAD(p2 + i));
        s3 = TB_PX_DADD(s3, TB_PX_DLOAD(p3 + i));
    }
    double sum = TB_PX_DHSUM(TB_PX_DADD(TB_PX_DADD(s0, s1), TB_PX_DADD(s2, s3)));
    for (size_t i = 4 * q; i < n; i++)
        sum += src[i];
    return sum;
}

/* Twelve chains, each one FMA per iteration: acc = acc * mul + add. Two FMA pipes × 4-cycle
 * latency need 8. Seeded from memory, so the compiler cannot prove two chains equal and merge them
 * (it does merge equal constants). */
TB_DECL_PEAK_FMA(TB_PX_FN(tb_peak_fma))
{
    const TB_PX_F m = TB_PX_FSET1(mul), d = TB_PX_FSET1(add);
    TB_PX_F a[12];
    for (int j = 0; j < 12; j++)
        a[j] = TB_PX_FLOAD(acc + TB_PX_FL * j);
    for (int64_t i = 0; i < iters; i++) {
#pragma GCC unroll 12
        for (int j = 0; j < 12; j++)
            a[j] = TB_PX_FFMA(a[j], m, d);
    }
    for (int j = 0; j < 12; j++)
        TB_PX_FSTORE(acc + TB_PX_FL * j, a[j]);
}
