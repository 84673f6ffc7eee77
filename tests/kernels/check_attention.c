/* The attention kernels of one ISA tier (named on the command line) against the double reference:
 * prefill and decode on odd lengths, grouped-query ratios 1, 4 and 8, head dims 64, 80, 96, 128,
 * f32 and f16 caches, and again on head dims that are odd multiples of 8 with ratios 2 to 9; split-context decode merged against the unsplit result; RoPE against a
 * double rotation; the KV append's round trip; the exp2 the softmax uses. Exits 77 (meson: SKIP)
 * when this CPU or build cannot run the tier. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/attention.h>

#include "testmain.h"
#include "testutil.h"

static tb_isa tier;
static tb_attention_kernels ak;

static const int64_t head_dims[] = {64, 80, 96, 128};
/* (heads, kv_heads): grouped-query ratios 1, 4 and 8 */
static const int64_t groups[][2] = {{3, 3}, {8, 2}, {8, 1}};

static void *xalloc(size_t bytes)
{
    void *p = aligned_alloc(64, (bytes + 63) / 64 * 64);
    ck_assert_ptr_nonnull(p);
    return p;
}

static size_t esize(tb_dtype dt) { return dt == TB_DT_F16 ? 2 : 4; }

/* Caches of kv_heads × cap keys (K blocks, V rows) of dtype dt holding keys 0..len-1 of random
 * keys and values, made with the tier's own append (its round trip is tested separately). */
static void make_cache(tb_dtype dt, int64_t kvh, int64_t cap, int64_t len, int64_t d, uint64_t seed, void **kc,
                       void **vc)
{
    *kc = xalloc((size_t)(kvh * cap * d) * esize(dt));
    *vc = xalloc((size_t)(kvh * cap * d) * esize(dt));
    memset(*kc, 0xff, (size_t)(kvh * cap * d) * esize(dt)); /* NaN in both dtypes: unused rows poison */
    memset(*vc, 0xff, (size_t)(kvh * cap * d) * esize(dt));
    float *k = xalloc(sizeof(float) * (size_t)(len * kvh * d)), *v = xalloc(sizeof(float) * (size_t)(len * kvh * d));
    tb_test_fill(k, (size_t)(len * kvh * d), seed);
    tb_test_fill(v, (size_t)(len * kvh * d), seed + 1);
    ak.kv_append[dt](k, v, *kc, *vc, len, kvh, d, cap, 0);
    free(k);
    free(v);
}

/* max over rows of |out − ref| / Σp|v|, divided by the row's tolerance: ≤ 1 passes. */
static double row_ratio(const float *q, const void *k, const void *v, tb_dtype dt, int64_t d, int64_t n,
                        const float *out, double *raw)
{
    double *ref = malloc(sizeof(double) * (size_t)d), *mag = malloc(sizeof(double) * (size_t)d);
    double *work = malloc(sizeof(double) * (size_t)n), amax;
    tb_attn_ref_row(q, k, v, dt, d, n, ref, mag, &amax, work);
    double worst = 0;
    for (int64_t x = 0; x < d; x++) {
        double e = fabs((double)out[x] - ref[x]) / mag[x];
        if (!(e <= worst))
            worst = isnan(e) ? INFINITY : e;
    }
    if (raw && worst > *raw)
        *raw = worst;
    double r = worst / tb_attn_tolerance(d, n, amax);
    free(ref);
    free(mag);
    free(work);
    return r;
}

/* ---- decode ---------------------------------------------------------------------------------- */

static void check_decode(tb_dtype dt, int64_t heads, int64_t kvh, int64_t d, int64_t len)
{
    /* a capacity a block above the length: the head stride is the capacity's */
    int64_t g = heads / kvh, cap = tb_attn_capacity(len) + TB_ATTN_KBLOCK;
    void *kc, *vc;
    make_cache(dt, kvh, cap, len, d, 100 + (uint64_t)len, &kc, &vc);
    float *q = xalloc(sizeof(float) * (size_t)(heads * d)), *out = xalloc(sizeof(float) * (size_t)(heads * d));
    float *scratch = xalloc(sizeof(float) * tb_attn_decode_scratch_floats(g, d));
    float *m = xalloc(sizeof(float) * (size_t)g), *l = xalloc(sizeof(float) * (size_t)g);
    tb_test_fill(q, (size_t)(heads * d), 7 + (uint64_t)d);
    double raw = 0;
    for (int64_t h = 0; h < kvh; h++) {
        const char *kh = (const char *)kc + (size_t)(h * cap * d) * esize(dt);
        const char *vh = (const char *)vc + (size_t)(h * cap * d) * esize(dt);
        ak.decode[dt](q + h * g * d, kh, vh, g, d, 0, len, m, l, out + h * g * d, 1, scratch);
        for (int64_t i = 0; i < g; i++) {
            double r = row_ratio(q + (h * g + i) * d, kh, vh, dt, d, len, out + (h * g + i) * d, &raw);
            tb_expect(r <= 1.0, "%s decode %s heads %ld/%ld d=%ld len=%ld head %ld: error %.3g is %.3g x the bound",
                          tb_isa_name(tier), tb_dtype_name(dt), (long)heads, (long)kvh, (long)d, (long)len,
                          (long)(h * g + i), raw, r);
        }
    }
    free(kc);
    free(vc);
    free(q);
    free(out);
    free(scratch);
    free(m);
    free(l);
}

START_TEST(decode_against_reference)
{
    static const int64_t lens[] = {1, 7, 63, 64, 65, 1000};
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt += TB_DT_F16 - TB_DT_F32)
        for (size_t a = 0; a < sizeof groups / sizeof *groups; a++)
            for (size_t b = 0; b < sizeof head_dims / sizeof *head_dims; b++)
                for (size_t c = 0; c < sizeof lens / sizeof *lens; c++)
                    check_decode((tb_dtype)dt, groups[a][0], groups[a][1], head_dims[b], lens[c]);
}
END_TEST

/* Head dims that are odd multiples of 8 end inside a 16-lane vector (AVX-512 masks that vector),
 * with every head-block shape of a group: ratios 2, 3, 5, 6, 7 and 9 leave blocks of 2, 3, 1, 2,
 * 3 and 1 heads after the blocks of 4; lengths around a decode chunk and a prefill key tile. */
static const int64_t odd_head_dims[] = {8, 24, 40, 72, 120, 136};
static const int64_t more_groups[][2] = {{4, 2}, {6, 2}, {5, 1}, {12, 2}, {7, 1}, {9, 1}};

START_TEST(decode_odd_head_dims_and_groups)
{
    static const int64_t lens[] = {5, 33, 97};
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt += TB_DT_F16 - TB_DT_F32)
        for (size_t a = 0; a < sizeof more_groups / sizeof *more_groups; a++)
            for (size_t b = 0; b < sizeof odd_head_dims / sizeof *odd_head_dims; b++)
                for (size_t c = 0; c < sizeof lens / sizeof *lens; c++)
                    check_decode((tb_dtype)dt, more_groups[a][0], more_groups[a][1], odd_head_dims[b], lens[c]);
}
END_TEST

/* Flash-decoding: the context cut into parts at odd places, each part's partial result merged,
 * equals the unsplit result within the bound (and the reference too). */
START_TEST(split_decode_equals_unsplit)
{
    const int64_t d = 128, g = 4, len = 1000;
    static const int64_t cuts[][4] = {{0, 1000, 0, 0}, {0, 1, 1000, 0}, {0, 333, 999, 1000}, {0, 64, 129, 1000}};
    static const int nparts[] = {1, 2, 3, 3};
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt += TB_DT_F16 - TB_DT_F32) {
        void *kc, *vc;
        make_cache((tb_dtype)dt, 1, tb_attn_capacity(len), len, d, 55, &kc, &vc);
        float *q = xalloc(sizeof(float) * (size_t)(g * d)), *whole = xalloc(sizeof(float) * (size_t)(g * d));
        float *merged = xalloc(sizeof(float) * (size_t)(g * d));
        float *scratch = xalloc(sizeof(float) * tb_attn_decode_scratch_floats(g, d));
        float *pm[3], *pl[3], *pa[3], m1[4], l1[4];
        for (int p = 0; p < 3; p++) {
            pm[p] = xalloc(sizeof(float) * (size_t)g);
            pl[p] = xalloc(sizeof(float) * (size_t)g);
            pa[p] = xalloc(sizeof(float) * (size_t)(g * d));
        }
        tb_test_fill(q, (size_t)(g * d), 77);
        ak.decode[dt](q, kc, vc, g, d, 0, len, m1, l1, whole, 1, scratch);
        for (size_t s = 0; s < sizeof cuts / sizeof *cuts; s++) {
            for (int p = 0; p < nparts[s]; p++)
                ak.decode[dt](q, kc, vc, g, d, cuts[s][p], cuts[s][p + 1], pm[p], pl[p], pa[p], 0, scratch);
            ak.merge((const float *const *)pm, (const float *const *)pl, (const float *const *)pa, nparts[s], g, d,
                     merged);
            for (int64_t i = 0; i < g; i++) {
                double r = row_ratio(q + i * d, kc, vc, (tb_dtype)dt, d, len, merged + i * d, NULL);
                tb_expect(r <= 1.0, "%s split %zu head %ld: %.3g x the bound", tb_dtype_name((tb_dtype)dt), s,
                              (long)i, r);
                /* against the unsplit kernel result, relative to the same yardstick */
                double *ref = malloc(sizeof(double) * (size_t)d), *mag = malloc(sizeof(double) * (size_t)d);
                double *work = malloc(sizeof(double) * (size_t)len), amax;
                tb_attn_ref_row(q + i * d, kc, vc, (tb_dtype)dt, d, len, ref, mag, &amax, work);
                for (int64_t x = 0; x < d; x++) {
                    double e = fabs((double)merged[i * d + x] - (double)whole[i * d + x]) / mag[x];
                    tb_expect(e <= tb_attn_tolerance(d, len, amax), "split %zu differs from unsplit by %.3g", s,
                                  e);
                }
                free(ref);
                free(mag);
                free(work);
            }
        }
        for (int p = 0; p < 3; p++) {
            free(pm[p]);
            free(pl[p]);
            free(pa[p]);
        }
        free(kc);
        free(vc);
        free(q);
        free(whole);
        free(merged);
        free(scratch);
    }
}
END_TEST

/* ---- prefill --------------------------------------------------------------------------------- */

/* Checks every query row, or with stride > 1 every stride-th token and the last 40 (the reference
 * is the slow part, cubic in S). */
static void check_prefill(tb_dtype dt, int64_t heads, int64_t kvh, int64_t d, int64_t s, int64_t stride)
{
    tb_attn_dims dm = {heads, kvh, d, tb_attn_capacity(s + 3)};
    int64_t g = heads / kvh;
    void *kc, *vc;
    make_cache(dt, kvh, dm.capacity, s, d, 300 + (uint64_t)s, &kc, &vc);
    float *q = xalloc(sizeof(float) * (size_t)(s * heads * d)), *out = xalloc(sizeof(float) * (size_t)(s * heads * d));
    tb_test_fill(q, (size_t)(s * heads * d), 9 + (uint64_t)d);
    for (int64_t i = 0; i < s * heads * d; i++)
        out[i] = NAN;
    size_t ktf = tb_attn_packed_k_floats(d, s), vpf = tb_attn_packed_v_floats(d, s);
    float *kt = xalloc(sizeof(float) * ktf * (size_t)kvh), *vp = xalloc(sizeof(float) * vpf * (size_t)kvh);
    float *scratch = xalloc(sizeof(float) * tb_attn_prefill_scratch_floats(&dm));
    int64_t panels = (s + TB_ATTN_PANEL - 1) / TB_ATTN_PANEL;
    for (int64_t h = 0; h < kvh; h++) {
        const char *kh = (const char *)kc + (size_t)(h * dm.capacity * d) * esize(dt);
        const char *vh = (const char *)vc + (size_t)(h * dm.capacity * d) * esize(dt);
        /* packed in two pieces, as two threads would */
        ak.prefill_pack[dt](kh, vh, d, s, 0, panels / 2, kt + (size_t)h * ktf, vp + (size_t)h * vpf);
        ak.prefill_pack[dt](kh, vh, d, s, panels / 2, panels, kt + (size_t)h * ktf, vp + (size_t)h * vpf);
        /* query tokens in two ranges that do not fall on tile boundaries */
        int64_t cut = s / 3;
        if (cut > 0)
            ak.prefill(q, kt + (size_t)h * ktf, vp + (size_t)h * vpf, out, &dm, h, 0, cut, scratch);
        ak.prefill(q, kt + (size_t)h * ktf, vp + (size_t)h * vpf, out, &dm, h, cut, s, scratch);
    }
    double raw = 0;
    for (int64_t t = 0; t < s; t += t < s - 40 ? stride : 1)
        for (int64_t hq = 0; hq < heads; hq++) {
            int64_t h = hq / g;
            const char *kh = (const char *)kc + (size_t)(h * dm.capacity * d) * esize(dt);
            const char *vh = (const char *)vc + (size_t)(h * dm.capacity * d) * esize(dt);
            double r = row_ratio(q + (t * heads + hq) * d, kh, vh, dt, d, t + 1, out + (t * heads + hq) * d, &raw);
            tb_expect(r <= 1.0, "%s prefill %s heads %ld/%ld d=%ld S=%ld token %ld head %ld: error %.3g is %.3g x "
                          "the bound",
                          tb_isa_name(tier), tb_dtype_name(dt), (long)heads, (long)kvh, (long)d, (long)s, (long)t,
                          (long)hq, raw, r);
        }
    free(kc);
    free(vc);
    free(q);
    free(out);
    free(kt);
    free(vp);
    free(scratch);
}

START_TEST(prefill_against_reference)
{
    static const int64_t seqs[] = {1, 7, 63, 100};
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt += TB_DT_F16 - TB_DT_F32)
        for (size_t a = 0; a < sizeof groups / sizeof *groups; a++)
            for (size_t b = 0; b < sizeof head_dims / sizeof *head_dims; b++)
                for (size_t c = 0; c < sizeof seqs / sizeof *seqs; c++)
                    check_prefill((tb_dtype)dt, groups[a][0], groups[a][1], head_dims[b], seqs[c], 1);
}
END_TEST

START_TEST(prefill_long_and_odd_shapes)
{
    check_prefill(TB_DT_F16, 8, 2, 128, 1000, 13);
    check_prefill(TB_DT_F32, 4, 1, 64, 333, 1);
    /* a group larger than a tile's rows, head dims that are not panel multiples */
    check_prefill(TB_DT_F32, 64, 1, 8, 20, 1);
    check_prefill(TB_DT_F16, 5, 5, 24, 37, 1);
    check_prefill(TB_DT_F32, 6, 2, 40, 70, 1);
}
END_TEST

START_TEST(prefill_odd_head_dims_and_groups)
{
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt += TB_DT_F16 - TB_DT_F32)
        for (size_t a = 0; a < sizeof more_groups / sizeof *more_groups; a++)
            for (size_t b = 0; b < sizeof odd_head_dims / sizeof *odd_head_dims; b++)
                check_prefill((tb_dtype)dt, more_groups[a][0], more_groups[a][1], odd_head_dims[b], 70, 1);
}
END_TEST

/* ---- RoPE, append, exp2 ---------------------------------------------------------------------- */

START_TEST(rope_against_double)
{
    static const int64_t ds[] = {8, 64, 80, 96, 128};
    static const int64_t positions[] = {0, 1, 7, 1000, 65535, 500000};
    static const double thetas[] = {10000.0, 500000.0};
    const int64_t rows = 3;
    for (size_t a = 0; a < sizeof ds / sizeof *ds; a++)
        for (size_t b = 0; b < sizeof positions / sizeof *positions; b++)
            for (size_t c = 0; c < sizeof thetas / sizeof *thetas; c++) {
                int64_t d = ds[a], pos = positions[b];
                float *x = xalloc(sizeof(float) * (size_t)(rows * d)), *y = xalloc(sizeof(float) * (size_t)(rows * d));
                float *cs = xalloc(sizeof(float) * (size_t)d), *sn = xalloc(sizeof(float) * (size_t)d);
                double *ref = malloc(sizeof(double) * (size_t)d);
                tb_test_fill(x, (size_t)(rows * d), 31 + (uint64_t)pos);
                tb_attn_rope_table(cs, sn, d, pos, thetas[c]);
                ak.rope(x, y, rows, d, cs, sn);
                for (int64_t r = 0; r < rows; r++) {
                    tb_attn_rope_ref(x + r * d, ref, d, pos, thetas[c]);
                    for (int64_t i = 0; i < d; i++) {
                        int64_t pair = i < d / 2 ? i + d / 2 : i - d / 2;
                        double scale = fabs((double)x[r * d + i]) + fabs((double)x[r * d + pair]);
                        double e = fabs((double)y[r * d + i] - ref[i]);
                        tb_expect(e <= 8.0 * ldexp(1.0, -24) * scale, "rope d=%ld pos=%ld theta=%g: error %g",
                                      (long)d, (long)pos, thetas[c], e);
                    }
                }
                /* in place gives the same bits */
                ak.rope(x, x, rows, d, cs, sn);
                ck_assert(memcmp(x, y, sizeof(float) * (size_t)(rows * d)) == 0);
                free(x);
                free(y);
                free(cs);
                free(sn);
                free(ref);
            }
}
END_TEST

START_TEST(kv_append_round_trip)
{
    /* positions 13..19 cross a K block */
    const int64_t kvh = 3, cap = 2 * TB_ATTN_KBLOCK, d = 80, pos = 13, ntok = 7;
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt += TB_DT_F16 - TB_DT_F32) {
        size_t es = esize((tb_dtype)dt), bytes = (size_t)(kvh * cap * d) * es;
        unsigned char *kc = xalloc(bytes), *vc = xalloc(bytes);
        memset(kc, 0xab, bytes);
        memset(vc, 0xab, bytes);
        float *k = xalloc(sizeof(float) * (size_t)(ntok * kvh * d)), *v = xalloc(sizeof(float) * (size_t)(ntok * kvh * d));
        tb_test_fill(k, (size_t)(ntok * kvh * d), 5);
        tb_test_fill(v, (size_t)(ntok * kvh * d), 6);
        k[0] = 65519.0f; /* rounds down in f16; the next ones are ties and overflow */
        k[1] = 65520.0f;
        k[2] = 1e-7f; /* subnormal in f16 */
        k[3] = -0.0f;
        ak.kv_append[dt](k, v, kc, vc, ntok, kvh, d, cap, pos);
        for (int64_t h = 0; h < kvh; h++)
            for (int64_t c = 0; c < cap; c++)
                for (int64_t x = 0; x < d; x++) {
                    int inside = c >= pos && c < pos + ntok;
                    for (int which = 0; which < 2; which++) {
                        const unsigned char *cache = which ? vc : kc;
                        size_t at = (size_t)(h * cap * d) + (which ? (size_t)(c * d + x) : tb_attn_k_offset(d, c, x));
                        if (!inside) {
                            for (size_t b = 0; b < es; b++)
                                tb_expect(cache[at * es + b] == 0xab, "append wrote outside its rows");
                            continue;
                        }
                        float src = (which ? v : k)[((c - pos) * kvh + h) * d + x];
                        if (dt == TB_DT_F16) {
                            uint16_t got;
                            memcpy(&got, cache + at * es, 2);
                            tb_expect(got == tb_f32_to_f16(src), "f16 append of %.9g: %#x, not %#x", src, got,
                                          tb_f32_to_f16(src));
                        } else {
                            float got;
                            memcpy(&got, cache + at * es, 4);
                            tb_expect(memcmp(&got, &src, 4) == 0, "f32 append of %.9g", src);
                        }
                    }
                }
        free(kc);
        free(vc);
        free(k);
        free(v);
    }
}
END_TEST

START_TEST(exp2_accuracy)
{
    const int n = 200001;
    float *x = xalloc(sizeof(float) * (size_t)n), *y = xalloc(sizeof(float) * (size_t)n);
    for (int i = 0; i < n; i++)
        x[i] = -126.0f + 253.0f * (float)i / (float)(n - 1);
    ak.exp2(x, y, n);
    double worst = 0;
    for (int i = 0; i < n; i++) {
        double want = exp2((double)x[i]), e = fabs((double)y[i] - want) / want;
        worst = e > worst ? e : worst;
    }
    tb_expect(worst < 2e-7, "exp2: relative error %.3g", worst);
    float sp[5] = {-INFINITY, -126.5f, -1000.0f, NAN, 0.0f}, out[5];
    ak.exp2(sp, out, 5); /* also a tail shorter than a vector */
    for (int i = 0; i < 4; i++)
        tb_expect(out[i] == 0.0f, "exp2(%g) = %g, not 0", sp[i], out[i]);
    ck_assert(out[4] == 1.0f);
    free(x);
    free(y);
}
END_TEST

/* silu(g)·u against double over g in [-100, 100] (both exponential regimes, and |g| where e^-|g|
 * underflows), n not a multiple of the chunk or a vector, and in place. */
START_TEST(silu_mul_against_double)
{
    const int n = 100003;
    float *g = xalloc(sizeof(float) * (size_t)n), *u = xalloc(sizeof(float) * (size_t)n);
    float *x = xalloc(sizeof(float) * (size_t)n);
    tb_test_fill(u, (size_t)n, 5);
    for (int i = 0; i < n; i++)
        g[i] = x[i] = -100.0f + 200.0f * (float)i / (float)(n - 1);
    ak.silu_mul(x, u, n);
    for (int i = 0; i < n; i++) {
        double want = (double)g[i] / (1.0 + exp(-(double)g[i])) * (double)u[i];
        /* e^g's condition number is |g|: rounding g·log2 e in float costs |g| roundings of it;
         * past g = -87 e^g is under the smallest normal float, where exp2 gives 0 */
        double e = fabs((double)x[i] - want);
        double bound = (8.0 + 2.0 * fabs((double)g[i])) * 0x1p-24 * fabs(want) + fabs((double)g[i] * u[i]) * 0x1p-126;
        tb_expect(e <= bound, "silu(%.9g) * %.9g = %.9g, want %.9g", g[i], u[i], x[i], want);
    }
    float edge[3] = {0.0f, -0.0f, 1e-30f}, one[3] = {1.0f, 1.0f, 1.0f};
    ak.silu_mul(edge, one, 3);
    ck_assert(edge[0] == 0.0f && edge[1] == 0.0f && fabsf(edge[2] - 0.5e-30f) <= 1e-36f);
    free(g);
    free(u);
    free(x);
}
END_TEST

START_TEST(table_names_the_tier)
{
    ck_assert_int_eq(ak.isa, tier);
    ck_assert_int_eq(ak.prefill_info.isa, tier);
    ck_assert_ptr_nonnull(strstr(ak.decode_info[TB_DT_F16].name, tb_isa_name(tier)));
    ck_assert_ptr_nonnull(strstr(ak.prefill_info.name, tb_isa_name(tier)));
    for (int dt = 0; dt < TB_DT_COUNT; dt++) {
        int ok = tb_attn_kv_dtype_ok((tb_dtype)dt);
        ck_assert(!ok == !ak.decode[dt]);
        ck_assert(!ok == !ak.prefill_pack[dt]);
        ck_assert(!ok == !ak.kv_append[dt]);
    }
    ck_assert_ptr_nonnull(ak.merge);
    ck_assert_ptr_nonnull(ak.rope);
    ck_assert_ptr_nonnull(strstr(ak.silu_mul_info.name, tb_isa_name(tier)));
    tb_attention_kernels g;
    ck_assert_int_eq(tb_attention_kernels_init(&g, TB_ISA_GENERIC), TB_ISA_GENERIC);
    ck_assert_str_eq(g.decode_info[TB_DT_F16].name, "tb_attn_decode_f16_generic");
    ck_assert(tb_attn_head_dim_ok(128) && tb_attn_head_dim_ok(80) && !tb_attn_head_dim_ok(100) &&
              !tb_attn_head_dim_ok(0) && !tb_attn_head_dim_ok(1024));
}
END_TEST

/* The bound is tight enough to see one key dropped from a 1000-key context. */
START_TEST(bound_sees_a_dropped_key)
{
    const int64_t d = 128, len = 1000;
    void *kc, *vc;
    make_cache(TB_DT_F16, 1, tb_attn_capacity(len), len, d, 91, &kc, &vc);
    float q[128], out[128];
    tb_test_fill(q, 128, 92);
    double ref[128], mag[128], amax, *work = malloc(sizeof(double) * (size_t)len), full[128];
    tb_attn_ref_row(q, kc, vc, TB_DT_F16, d, len, full, mag, &amax, work);
    tb_attn_ref_row(q, kc, vc, TB_DT_F16, d, len - 1, ref, NULL, NULL, work);
    double worst = 0;
    for (int64_t x = 0; x < d; x++) {
        out[x] = (float)ref[x];
        double e = fabs((double)out[x] - full[x]) / mag[x];
        worst = e > worst ? e : worst;
    }
    tb_expect(worst > tb_attn_tolerance(d, len, amax), "dropping a key (error %.3g) passes the bound %.3g", worst,
                  tb_attn_tolerance(d, len, amax));
    free(work);
    free(kc);
    free(vc);
}
END_TEST

/* The tier the command line names, which this CPU runs: a build without its attention kernels
 * skips it. */
static int for_tier(tb_isa t)
{
    tier = t;
    if (tb_attention_kernels_init(&ak, tier) != tier) {
        printf("tier %s: this build has no attention kernels for it: skipped\n", tb_isa_name(tier));
        return 77;
    }
    return 0;
}

static Suite *build_suite(void)
{
    Suite *s = suite_create(tb_isa_name(tier));
    const TTest *const attention[] = {table_names_the_tier, exp2_accuracy, silu_mul_against_double, rope_against_double, kv_append_round_trip,
                                      decode_against_reference, decode_odd_head_dims_and_groups,
                                      split_decode_equals_unsplit, prefill_against_reference,
                                      prefill_long_and_odd_shapes, prefill_odd_head_dims_and_groups,
                                      bound_sees_a_dropped_key, NULL};
    tb_test_add_tcase(s, "attention", 240, attention);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite, .for_tier = for_tier};
