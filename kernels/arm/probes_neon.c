/* Roofline probes, NEON tier. Normal stores only, as in STREAM's standard runs (see
 * probes_avx2.c): its byte counts leave out the write-allocate read a normal store causes. */
#include <arm_neon.h>

#include <tokbench/probes.h>

/* 64 bytes per iteration: whole cache lines, two pairs of q-register loads and stores. */
TB_NO_MEMCPY_IDIOM TB_DECL_STREAM_COPY(tb_stream_copy_neon)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float64x2_t x0 = vld1q_f64(src + i), x1 = vld1q_f64(src + i + 2);
        float64x2_t x2 = vld1q_f64(src + i + 4), x3 = vld1q_f64(src + i + 6);
        vst1q_f64(dst + i, x0);
        vst1q_f64(dst + i + 2, x1);
        vst1q_f64(dst + i + 4, x2);
        vst1q_f64(dst + i + 6, x3);
    }
    for (; i < n; i++)
        dst[i] = src[i];
}

TB_DECL_STREAM_SCALE(tb_stream_scale_neon)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int t = 0; t < 8; t += 2)
            vst1q_f64(dst + i + t, vmulq_n_f64(vld1q_f64(src + i + t), s));
    for (; i < n; i++)
        dst[i] = s * src[i];
}

TB_DECL_STREAM_ADD(tb_stream_add_neon)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int t = 0; t < 8; t += 2)
            vst1q_f64(dst + i + t, vaddq_f64(vld1q_f64(x + i + t), vld1q_f64(y + i + t)));
    for (; i < n; i++)
        dst[i] = x[i] + y[i];
}

TB_DECL_STREAM_TRIAD(tb_stream_triad_neon)
{
    const float64x2_t vs = vdupq_n_f64(s);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int t = 0; t < 8; t += 2)
            vst1q_f64(dst + i + t, vfmaq_f64(vld1q_f64(x + i + t), vs, vld1q_f64(y + i + t)));
    for (; i < n; i++)
        dst[i] = x[i] + s * y[i];
}

/* Four streams in step, one accumulator each (see probes_avx2.c for why). */
TB_DECL_STREAM_READ(tb_stream_read_neon)
{
    const size_t q = n / 8 * 2; /* doubles per stream, a multiple of 2 */
    const double *p0 = src, *p1 = src + q, *p2 = src + 2 * q, *p3 = src + 3 * q;
    float64x2_t s0 = vdupq_n_f64(0.0), s1 = s0, s2 = s0, s3 = s0;
    for (size_t i = 0; i < q; i += 2) {
        s0 = vaddq_f64(s0, vld1q_f64(p0 + i));
        s1 = vaddq_f64(s1, vld1q_f64(p1 + i));
        s2 = vaddq_f64(s2, vld1q_f64(p2 + i));
        s3 = vaddq_f64(s3, vld1q_f64(p3 + i));
    }
    double sum = vaddvq_f64(vaddq_f64(vaddq_f64(s0, s1), vaddq_f64(s2, s3)));
    for (size_t i = 4 * q; i < n; i++)
        sum += src[i];
    return sum;
}

/* Sixteen q-register chains, each one fmla per iteration: acc = acc * mul + add. Cores with
 * four 128-bit FMA pipes (Neoverse V1/V2, Apple) at a 4-cycle latency need 16 in flight.
 * Seeded from memory, so the compiler cannot prove two chains equal and merge them. */
TB_DECL_PEAK_FMA(tb_peak_fma_neon)
{
    const float32x4_t m = vdupq_n_f32(mul), d = vdupq_n_f32(add);
    float32x4_t a0 = vld1q_f32(acc + 0), a1 = vld1q_f32(acc + 4), a2 = vld1q_f32(acc + 8), a3 = vld1q_f32(acc + 12);
    float32x4_t a4 = vld1q_f32(acc + 16), a5 = vld1q_f32(acc + 20), a6 = vld1q_f32(acc + 24), a7 = vld1q_f32(acc + 28);
    float32x4_t a8 = vld1q_f32(acc + 32), a9 = vld1q_f32(acc + 36), a10 = vld1q_f32(acc + 40), a11 = vld1q_f32(acc + 44);
    float32x4_t a12 = vld1q_f32(acc + 48), a13 = vld1q_f32(acc + 52), a14 = vld1q_f32(acc + 56), a15 = vld1q_f32(acc + 60);
    for (int64_t i = 0; i < iters; i++) {
        a0 = vfmaq_f32(d, a0, m);
        a1 = vfmaq_f32(d, a1, m);
        a2 = vfmaq_f32(d, a2, m);
        a3 = vfmaq_f32(d, a3, m);
        a4 = vfmaq_f32(d, a4, m);
        a5 = vfmaq_f32(d, a5, m);
        a6 = vfmaq_f32(d, a6, m);
        a7 = vfmaq_f32(d, a7, m);
        a8 = vfmaq_f32(d, a8, m);
        a9 = vfmaq_f32(d, a9, m);
        a10 = vfmaq_f32(d, a10, m);
        a11 = vfmaq_f32(d, a11, m);
        a12 = vfmaq_f32(d, a12, m);
        a13 = vfmaq_f32(d, a13, m);
        a14 = vfmaq_f32(d, a14, m);
        a15 = vfmaq_f32(d, a15, m);
    }
    vst1q_f32(acc + 0, a0);
    vst1q_f32(acc + 4, a1);
    vst1q_f32(acc + 8, a2);
    vst1q_f32(acc + 12, a3);
    vst1q_f32(acc + 16, a4);
    vst1q_f32(acc + 20, a5);
    vst1q_f32(acc + 24, a6);
    vst1q_f32(acc + 28, a7);
    vst1q_f32(acc + 32, a8);
    vst1q_f32(acc + 36, a9);
    vst1q_f32(acc + 40, a10);
    vst1q_f32(acc + 44, a11);
    vst1q_f32(acc + 48, a12);
    vst1q_f32(acc + 52, a13);
    vst1q_f32(acc + 56, a14);
    vst1q_f32(acc + 60, a15);
}

_Static_assert(TB_PEAK_LANES_NEON * TB_PEAK_CHAINS_NEON == 64, "tb_peak_fma_neon keeps 16 x 4 floats");
