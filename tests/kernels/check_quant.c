/* q8_0 / q4_0: the activation quantizers bit-identical to the reference, hand-computed blocks
 * (rounding, f16 scale bits, the q4_0 nibble layout), and every quantized matmul kernel of every
 * tier this CPU runs against a double-precision reference on the dequantized operands, on shapes
 * that are not multiples of any tile and on slices [n0, n1) that must leave other columns alone.
 * The AVX2 cases are a TCase of their own, added only when the CPU runs AVX2, and so are the
 * AVX-512 VNNI ones and the NEON dotprod ones (only with asimddp); otherwise the run says they
 * were skipped. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/dtype.h>
#include <tokbench/kernels.h>
#include <tokbench/rng.h>

#include "../../kernels/common/tiers.h"
#include "testmain.h"

#if defined(__aarch64__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif
/* read here, not from dispatch.c, so the table's choice is checked against the kernel's word */
static int has_dotprod(void) { return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0; }
#endif

typedef struct {
    const char *tier;
    tb_quantize_row_fn quantize;
    tb_matmul_rows_fn mm[2]; /* q8_0, q4_0 */
    tb_wlayout layout[2];    /* the layouts mm[0] and mm[1] take their weights in */
} tier_fns;

static const tier_fns generic_fns = {
    "generic", tb_quantize_row_q8_0_generic, {tb_matmul_q8_0_generic, tb_matmul_q4_0_generic}, {TB_WL_ROWS, TB_WL_ROWS}};
#if defined(__x86_64__) || defined(__i386__)
static const tier_fns avx2_fns = {
    "avx2", tb_quantize_row_q8_0_avx2, {tb_matmul_q8_0_avx2, tb_matmul_q4_0_avx2}, {TB_WL_ROWS, TB_WL_ROWS}};
static const tier_fns avx512vnni_fns = {"avx512vnni",
                                        tb_quantize_row_q8_0_avx512vnni,
                                        {tb_matmul_q8_0_avx512vnni, tb_matmul_q4_0_avx512vnni},
                                        {TB_WL_ROWS, TB_WL_ROWS}};
/* the kernels the x86 tables use on the interleaved layouts (the row kernels above still serve
 * the rows past the last group of 8) */
static const tier_fns avx2_x8_fns = {"avx2 x8",
                                     tb_quantize_row_q8_0_avx2,
                                     {tb_matmul_q8_0x8_avx2, tb_matmul_q4_0x8_avx2},
                                     {TB_WL_Q8_0X8, TB_WL_Q4_0X8}};
static const tier_fns avx512vnni_x8_fns = {"avx512vnni x8",
                                           tb_quantize_row_q8_0_avx512vnni,
                                           {tb_matmul_q8_0x8_avx512vnni, tb_matmul_q4_0x8_avx512vnni},
                                           {TB_WL_Q8_0X8, TB_WL_Q4_0X8}};
/* asked of the CPU here, not of dispatch.c, so the table's choice is checked against it */
static int has_avx512_vnni(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
}
#endif
#if defined(__aarch64__)
static const tier_fns neon_fns = {
    "neon", tb_quantize_row_q8_0_neon, {tb_matmul_q8_0_neon, tb_matmul_q4_0_neon}, {TB_WL_ROWS, TB_WL_ROWS}};
static const tier_fns neon_dotprod_fns = {"neon_dotprod",
                                          tb_quantize_row_q8_0_neon,
                                          {tb_matmul_q8_0_neon_dotprod, tb_matmul_q4_0_neon_dotprod},
                                          {TB_WL_ROWS, TB_WL_ROWS}};
#endif

static double bound(int64_t k) { return (8.0 * sqrt((double)k) + 8.0) * ldexp(1.0, -24); }

/* ------------------------------------------------------------------------------------------ */
/* quantizer */

/* Rows that stress the rounding: random magnitudes over many binades, exact ties (x·(1/d) =
 * n + 0.5), values just below a tie, zero blocks, negative zeros, tiny (f16-subnormal) scales. */
static void make_row(float *x, int64_t k, int variant, uint64_t seed)
{
    for (int64_t i = 0; i < k; i++) {
        float r = tb_rand_sym(seed, (uint64_t)i);
        switch (variant % 6) {
        case 0: /* plain */
            x[i] = r;
            break;
        case 1: /* wide exponent range within a row */
            x[i] = ldexpf(r, (int)(tb_mix64(seed + (uint64_t)i) % 40) - 20);
            break;
        case 2: /* amax 127 per block, so d = 1 and every x.5 is a tie */
            x[i] = (i % TB_QK == 5) ? 127.0f : floorf(r * 126.0f) + 0.5f;
            break;
        case 3: /* one below each tie */
            x[i] = (i % TB_QK == 5) ? -127.0f : nextafterf(floorf(r * 126.0f) + 0.5f, 0.0f);
            break;
        case 4: /* zero blocks and signed zeros among tiny values */
            x[i] = (i / TB_QK) % 2 ? ((i & 1) ? -0.0f : 0.0f) : ldexpf(r, -30);
            break;
        default: /* large values */
            x[i] = ldexpf(r, 100);
            break;
        }
    }
}

static void check_quantizer(tb_quantize_row_fn q, const char *tier)
{
    enum { KMAX = 32 * 9 };
    float x[KMAX];
    tb_block_q8_0 want[KMAX / TB_QK], got[KMAX / TB_QK];
    for (int t = 0; t < 600; t++) {
        int64_t k = TB_QK * (1 + t % 9);
        make_row(x, k, t, 1000 + (uint64_t)t);
        tb_quantize_row_q8_0_ref(x, want, k);
        memset(got, 0x55, sizeof got);
        q(x, got, k);
        for (int64_t b = 0; b < k / TB_QK; b++)
            tb_expect(memcmp(&want[b], &got[b], sizeof want[b]) == 0,
                          "%s quantizer differs from the reference: row %d block %ld (d %04x vs %04x)", tier, t,
                          (long)b, want[b].d, got[b].d);
        /* nothing written past k */
        if (k < KMAX)
            ck_assert_int_eq(got[k / TB_QK].d, 0x5555);
    }
}

START_TEST(quantizer_generic_matches_reference) { check_quantizer(tb_quantize_row_q8_0_generic, "generic"); }
END_TEST

/* Hand-computed: amax 127 → d = 1 (f16 0x3c00), so q = roundf(x) with halves away from zero. */
START_TEST(q8_0_hand_block)
{
    float x[TB_QK];
    tb_block_q8_0 y[4];
    for (int j = 0; j < TB_QK; j++)
        x[j] = (float)j - 15.5f;
    x[31] = 127.0f;
    static const int8_t want[TB_QK] = {-16, -15, -14, -13, -12, -11, -10, -9, -8, -7, -6, -5, -4, -3, -2, -1,
                                       1,   2,   3,   4,   5,   6,   7,   8,  9,  10, 11, 12, 13, 14, 15, 127};
    tb_quantize_row_q8_0_ref(x, &y[0], TB_QK);
    tb_quantize_row_q8_0_generic(x, &y[1], TB_QK);
    int nq = 2;
#if defined(__x86_64__) || defined(__i386__)
    if (tb_isa_available(TB_ISA_AVX2))
        tb_quantize_row_q8_0_avx2(x, &y[nq++], TB_QK);
#endif
#if defined(__aarch64__)
    tb_quantize_row_q8_0_neon(x, &y[nq++], TB_QK);
#endif
    for (int v = 0; v < nq; v++) {
        ck_assert_uint_eq(y[v].d, 0x3c00);
        for (int j = 0; j < TB_QK; j++)
            tb_expect(y[v].qs[j] == want[j], "quantizer %d element %d: %d, want %d", v, j, y[v].qs[j], want[j]);
    }
    /* an all-zero block: scale 0, quants 0 */
    memset(x, 0, sizeof x);
    tb_quantize_row_q8_0_generic(x, &y[0], TB_QK);
    ck_assert_uint_eq(y[0].d, 0);
    for (int j = 0; j < TB_QK; j++)
        ck_assert_int_eq(y[0].qs[j], 0);
}
END_TEST

/* Hand-computed q4_0: the element of largest magnitude is −8, so d = 1 and q = x + 8; element j
 * sits in the low nibble of qs[j], element j + 16 in its high nibble. */
START_TEST(q4_0_hand_block_layout)
{
    float x[TB_QK], back[TB_QK];
    for (int j = 0; j < 16; j++) {
        x[j] = (float)j - 8.0f;       /* q = j      */
        x[j + 16] = 7.0f - (float)j; /* q = 15 − j */
    }
    tb_block_q4_0 y;
    tb_quantize_row_q4_0_ref(x, &y, TB_QK);
    ck_assert_uint_eq(y.d, 0x3c00);
    for (int j = 0; j < 16; j++)
        ck_assert_uint_eq(y.qs[j], (unsigned)(j | (15 - j) << 4));
    tb_dequantize_row(TB_DT_Q4_0, &y, back, TB_QK);
    for (int j = 0; j < TB_QK; j++)
        tb_expect(back[j] == x[j], "element %d", (int)j);
}
END_TEST

/* ------------------------------------------------------------------------------------------ */
/* kernels */

/* Quantized operands and their dequantized copies. */
typedef struct {
    int64_t m, n, k;
    tb_dtype dt;
    unsigned char *w, *a;
    float *wd, *ad;
} operands;

static operands make_operands(tb_dtype dt, int64_t m, int64_t n, int64_t k, uint64_t seed)
{
    operands o = {m, n, k, dt, NULL, NULL, NULL, NULL};
    size_t rw = tb_dtype_row_bytes(dt, k), ra = tb_dtype_row_bytes(TB_DT_Q8_0, k);
    o.w = malloc(rw * (size_t)n);
    o.a = malloc(ra * (size_t)m);
    o.wd = malloc(sizeof(float) * (size_t)(n * k));
    o.ad = malloc(sizeof(float) * (size_t)(m * k));
    float *x = malloc(sizeof(float) * (size_t)k);
    ck_assert(o.w && o.a && o.wd && o.ad && x);
    for (int64_t j = 0; j < n; j++) {
        for (int64_t t = 0; t < k; t++) /* scales vary by block, as in real weights */
            x[t] = tb_rand_sym(seed, (uint64_t)(j * k + t)) * (float)(1 + (t / TB_QK + j) % 5);
        tb_convert_row(dt, x, o.w + rw * (size_t)j, k);
        tb_dequantize_row(dt, o.w + rw * (size_t)j, o.wd + j * k, k);
    }
    for (int64_t i = 0; i < m; i++) {
        for (int64_t t = 0; t < k; t++)
            x[t] = tb_rand_sym(seed + 7, (uint64_t)(i * k + t)) * (float)(1 + (t / TB_QK + 2 * i) % 3);
        tb_quantize_row_q8_0_ref(x, (tb_block_q8_0 *)(o.a + ra * (size_t)i), k);
        tb_dequantize_row(TB_DT_Q8_0, o.a + ra * (size_t)i, o.ad + i * k, k);
    }
    free(x);
    return o;
}

static void free_operands(operands *o)
{
    free(o->w);
    free(o->a);
    free(o->wd);
    free(o->ad);
}

/* A copy of plain weights w (n rows) in the layout the tier's kernel for dt takes; free() it. */
static void *weights_for(const tier_fns *t, tb_dtype dt, const void *w, int64_t n, int64_t k)
{
    size_t bytes = tb_dtype_row_bytes(dt, k) * (size_t)n;
    void *out = malloc(bytes ? bytes : 1);
    ck_assert(out);
    tb_wlayout_pack(t->layout[dt == TB_DT_Q4_0], dt, w, out, n, k, 0, n);
    return out;
}

/* Runs fn on [n0, n1) over NaN-filled c (weights wl: o's in fn's layout); checks the slice against
 * the double reference and that nothing else was written. */
static void check_slice(tb_matmul_rows_fn fn, const char *what, const operands *o, const void *wl, int64_t n0,
                        int64_t n1)
{
    int64_t m = o->m, n = o->n, k = o->k;
    float *c = malloc(sizeof(float) * (size_t)(m * n));
    for (int64_t i = 0; i < m * n; i++)
        c[i] = NAN;
    fn(wl, o->a, c, m, n, k, n0, n1);
    double worst = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            float got = c[i * n + j];
            if (j < n0 || j >= n1) {
                tb_expect(isnan(got), "%s %s m=%ld n=%ld k=%ld: wrote c[%ld][%ld] outside [%ld, %ld)", what,
                              tb_dtype_name(o->dt), (long)m, (long)n, (long)k, (long)i, (long)j, (long)n0, (long)n1);
                continue;
            }
            double v = 0, mag = 0;
            for (int64_t t = 0; t < k; t++) {
                double p = (double)o->ad[i * k + t] * (double)o->wd[j * k + t];
                v += p;
                mag += fabs(p);
            }
            double e = fabs((double)got - v) / (mag > 0 ? mag : 1);
            tb_expect(e <= bound(k), "%s %s m=%ld n=%ld k=%ld [%ld,%ld): c[%ld][%ld] = %.9g, want %.9g (rel %g > %g)",
                          what, tb_dtype_name(o->dt), (long)m, (long)n, (long)k, (long)n0, (long)n1, (long)i,
                          (long)j, got, v, e, bound(k));
            if (e > worst)
                worst = e;
        }
    free(c);
}

static const int64_t shape_m[] = {1, 2, 3, 5, 7, 17, 32, 33};
static const int64_t shape_n[] = {1, 3, 13, 67};
static const int64_t shape_k[] = {32, 96, 416};
enum { N_M = 8, N_N = 4, N_K = 3 };

/* One loop index per (m, dtype): every n, k and slice. */
static void check_tier_shapes(const tier_fns *t, int idx)
{
    int64_t m = shape_m[idx % N_M];
    tb_dtype dt = idx / N_M ? TB_DT_Q4_0 : TB_DT_Q8_0;
    for (int in = 0; in < N_N; in++)
        for (int ik = 0; ik < N_K; ik++) {
            int64_t n = shape_n[in], k = shape_k[ik];
            operands o = make_operands(dt, m, n, k, 100 + (uint64_t)(idx * 16 + in * 4 + ik));
            tb_matmul_rows_fn fn = t->mm[dt == TB_DT_Q4_0];
            void *wl = weights_for(t, dt, o.w, n, k);
            check_slice(fn, t->tier, &o, wl, 0, n);
            if (n > 2) {
                check_slice(fn, t->tier, &o, wl, 1, n - 1);
                check_slice(fn, t->tier, &o, wl, n / 3, n - n / 4);
                check_slice(fn, t->tier, &o, wl, n - 1, n);
            }
            free(wl);
            free_operands(&o);
        }
}

/* Long rows: K chunked by the kernels' scratch (AVX2: 32 rows × 128 blocks, 1 row × 4096); N
 * past one group of 8, so the q4_0x8 kernels meet a whole group, a cut one and plain rows. */
static void check_tier_long(const tier_fns *t, int idx)
{
    static const int64_t cases[][3] = {{32, 13, 32 * 300}, {33, 6, 32 * 130}, {2, 9, 32 * 2100}, {1, 11, 32 * 4100}};
    const int64_t *s = cases[idx % 4];
    tb_dtype dt = idx / 4 ? TB_DT_Q4_0 : TB_DT_Q8_0;
    operands o = make_operands(dt, s[0], s[1], s[2], 900 + (uint64_t)idx);
    void *wl = weights_for(t, dt, o.w, s[1], s[2]);
    check_slice(t->mm[dt == TB_DT_Q4_0], t->tier, &o, wl, 1, s[1]);
    free(wl);
    free_operands(&o);
}

/* Extremes of the integer paths: ±127 against ±127 (q8_0: maddubs pairs at 2·127² with no
 * saturation), nibbles 0 and 15 against ±127 (q4_0), with d = 1 so the exact value is known. */
static void check_tier_extremes(const tier_fns *t)
{
    enum { K = 32 * 8, N = 13, M = 3 }; /* N: one group of 8 rows and 5 plain ones for q4_0x8 */
    tb_block_q8_0 a[M][K / TB_QK], w8[N][K / TB_QK];
    tb_block_q4_0 w4[N][K / TB_QK];
    float c[M * N];
    for (int i = 0; i < M; i++)
        for (int b = 0; b < K / TB_QK; b++) {
            a[i][b].d = 0x3c00;
            for (int e = 0; e < TB_QK; e++)
                a[i][b].qs[e] = (int8_t)(i == 0 ? 127 : i == 1 ? -127 : ((e + b) % 2 ? 127 : -127));
        }
    for (int j = 0; j < N; j++)
        for (int b = 0; b < K / TB_QK; b++) {
            w8[j][b].d = w4[j][b].d = 0x3c00;
            for (int e = 0; e < TB_QK; e++)
                w8[j][b].qs[e] = (int8_t)(j == 0 ? 127 : j == 1 ? -127 : ((e * j) % 3 ? 127 : -127));
            for (int e = 0; e < TB_QK / 2; e++)
                w4[j][b].qs[e] = (uint8_t)(j == 0 ? 0xff : j == 1 ? 0x00 : j == 2 ? 0x0f : (e * j) % 256);
        }
    for (int dt = 0; dt < 2; dt++) {
        for (int i = 0; i < M * N; i++)
            c[i] = NAN;
        void *wl = weights_for(t, dt ? TB_DT_Q4_0 : TB_DT_Q8_0, dt ? (const void *)w4 : (const void *)w8, N, K);
        t->mm[dt](wl, a, c, M, N, K, 0, N);
        free(wl);
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++) {
                long want = 0;
                for (int b = 0; b < K / TB_QK; b++)
                    for (int e = 0; e < TB_QK; e++) {
                        int wq = dt ? ((e < 16 ? w4[j][b].qs[e] & 15 : w4[j][b].qs[e - 16] >> 4) - 8)
                                    : w8[j][b].qs[e];
                        want += (long)wq * a[i][b].qs[e];
                    }
                tb_expect(c[i * N + j] == (float)want, "%s %s extremes c[%d][%d] = %.9g, want %ld", t->tier,
                              dt ? "q4_0" : "q8_0", i, j, c[i * N + j], want);
            }
    }
}

/* Hand-computed dots with activations a_e = (7e mod 19) − 9 and d_a = 1.
 * q4_0: the block of q4_0_hand_block_layout (qs[j] = j | (15 − j) << 4, d = 1) gives 80; the
 * nibble halves swapped would give −72, an interleaved (2j, 2j+1) layout −110.
 * q8_0: q_e = e for even e, −e for odd e, d_w = 2: −386. */
static void check_tier_hand_dot(const tier_fns *t)
{
    tb_block_q4_0 w;
    tb_block_q8_0 a, w8;
    w.d = a.d = 0x3c00;
    w8.d = 0x4000;
    for (int j = 0; j < 16; j++)
        w.qs[j] = (uint8_t)(j | (15 - j) << 4);
    for (int e = 0; e < TB_QK; e++) {
        a.qs[e] = (int8_t)((7 * e) % 19 - 9);
        w8.qs[e] = (int8_t)(e % 2 ? -e : e);
    }
    float c = NAN;
    t->mm[1](&w, &a, &c, 1, 1, TB_QK, 0, 1);
    tb_expect(c == 80.0f, "%s q4_0 hand dot = %.9g, want 80", t->tier, c);
    c = NAN;
    t->mm[0](&w8, &a, &c, 1, 1, TB_QK, 0, 1);
    tb_expect(c == -386.0f, "%s q8_0 hand dot = %.9g, want -386", t->tier, c);
}

/* A tier's three kernel tests: <name>_shapes and <name>_long_rows (loop tests over the case
 * index) and <name>_extremes (extremes and hand-computed dots). */
#define TIER_TESTS(name, fns)                                                                          \
    START_TEST(name##_shapes) { check_tier_shapes(&fns, _i); }                                         \
    END_TEST                                                                                           \
    START_TEST(name##_long_rows) { check_tier_long(&fns, _i); }                                        \
    END_TEST                                                                                           \
    START_TEST(name##_extremes)                                                                        \
    {                                                                                                  \
        check_tier_extremes(&fns);                                                                     \
        check_tier_hand_dot(&fns);                                                                     \
    }                                                                                                  \
    END_TEST

TIER_TESTS(generic, generic_fns)

#if defined(__x86_64__) || defined(__i386__)
START_TEST(quantizer_avx2_matches_reference) { check_quantizer(tb_quantize_row_q8_0_avx2, "avx2"); }
END_TEST
TIER_TESTS(avx2, avx2_fns)
TIER_TESTS(avx2_x8, avx2_x8_fns)
TIER_TESTS(avx512vnni_x8, avx512vnni_x8_fns)
START_TEST(quantizer_avx512vnni_matches_reference)
{
    check_quantizer(tb_quantize_row_q8_0_avx512vnni, "avx512vnni");
}
END_TEST
TIER_TESTS(avx512vnni, avx512vnni_fns)
#endif

#if defined(__aarch64__)
START_TEST(quantizer_neon_matches_reference) { check_quantizer(tb_quantize_row_q8_0_neon, "neon"); }
END_TEST
TIER_TESTS(neon, neon_fns)
TIER_TESTS(neon_dotprod, neon_dotprod_fns)
#endif

/* q4_0x8 and q8_0x8: packing then reading rows back gives the plain rows, for N around and past
 * whole groups; a group's bytes are where kernels.h says; packing a range of rows touches no
 * other row. */
static void check_x8_roundtrip(tb_wlayout l, tb_dtype dt)
{
    enum { K = 32 * 3, NMAX = 21, RB_MAX = 3 * 34 };
    const size_t rb = tb_dtype_row_bytes(dt, K), bb = 16 + 8 * (rb / 3 - 2); /* group block bytes */
    unsigned char plain[NMAX * RB_MAX], packed[(NMAX + 1) * RB_MAX], back[RB_MAX]; /* packed: a row of slack */
    float x[K], want[K], got[K];
    ck_assert_uint_eq(bb, dt == TB_DT_Q4_0 ? TB_Q4_0X8_BLOCK_BYTES : TB_Q8_0X8_BLOCK_BYTES);
    for (int64_t n = 1; n <= NMAX; n++) {
        for (int64_t r = 0; r < n; r++) {
            for (int t = 0; t < K; t++)
                x[t] = tb_rand_sym(77 + (uint64_t)n, (uint64_t)(r * K + t)) * (float)(1 + r % 4);
            tb_convert_row(dt, x, plain + (size_t)r * rb, K);
        }
        memset(packed, 0xa5, sizeof packed);
        tb_wlayout_pack(l, dt, plain, packed, n, K, 0, n);
        for (int64_t r = 0; r < n; r++) {
            tb_wlayout_row(l, dt, packed, n, K, r, back);
            tb_expect(memcmp(back, plain + (size_t)r * rb, rb) == 0, "%s n=%ld row %ld differs after packing",
                          tb_wlayout_name(l), (long)n, (long)r);
            tb_dequantize_row(dt, plain + (size_t)r * rb, want, K);
            tb_wlayout_dequant_row(l, dt, packed, n, K, r, got);
            ck_assert(memcmp(want, got, sizeof want) == 0);
        }
        ck_assert_uint_eq(packed[(size_t)n * rb], 0xa5); /* nothing past the matrix */
        if (n >= 8) { /* block 1 of row 5: scale at bb + 2·5, qs[4..7] at bb + 16 + 32 + 4·5 */
            const unsigned char *b1 = plain + 5 * rb + rb / 3;
            ck_assert(memcmp(packed + bb + 10, b1, 2) == 0);
            ck_assert(memcmp(packed + bb + 16 + 32 + 20, b1 + 2 + 4, 4) == 0);
        }
        if (n == NMAX) { /* rows [8, 16) only: the first group and the tail stay as they were */
            memset(packed, 0x3c, sizeof packed);
            tb_wlayout_pack(l, dt, plain + 8 * rb, packed, n, K, 8, 16);
            for (size_t i = 0; i < (size_t)(NMAX + 1) * rb; i++)
                if (i < 8 * rb || i >= 16 * rb)
                    ck_assert_uint_eq(packed[i], 0x3c);
            tb_wlayout_row(l, dt, packed, n, K, 13, back);
            ck_assert(memcmp(back, plain + 13 * rb, rb) == 0);
        }
    }
    /* plain rows stay plain under TB_WL_ROWS, and the other dtype ignores the layout */
    tb_wlayout_pack(TB_WL_ROWS, dt, plain, packed, 9, K, 0, 9);
    ck_assert(memcmp(packed, plain, 9 * rb) == 0);
    const tb_dtype other = dt == TB_DT_Q4_0 ? TB_DT_Q8_0 : TB_DT_Q4_0;
    const size_t orb = tb_dtype_row_bytes(other, K);
    memset(packed, 0, sizeof packed);
    tb_wlayout_pack(l, other, plain, packed, 9, K, 0, 9);
    ck_assert(memcmp(packed, plain, 9 * orb) == 0);
}

START_TEST(x8_layout_roundtrip)
{
    check_x8_roundtrip(TB_WL_Q4_0X8, TB_DT_Q4_0);
    check_x8_roundtrip(TB_WL_Q8_0X8, TB_DT_Q8_0);
    ck_assert_str_eq(tb_wlayout_name(TB_WL_Q4_0X8), "q4_0x8");
    ck_assert_str_eq(tb_wlayout_name(TB_WL_Q8_0X8), "q8_0x8");
    ck_assert_str_eq(tb_wlayout_name(TB_WL_ROWS), "rows");
}
END_TEST

/* Every tier's int8 ceiling probe reports the multiply-adds it did (a whole number of chains ×
 * vector widths per step, proportional to the steps), changes its state, and agrees with the
 * scalar replay bench peak checks it against. */
START_TEST(int8_peak_probes_count_their_work)
{
    for (tb_isa isa = TB_ISA_GENERIC; isa < TB_ISA_COUNT; isa++) {
        tb_kernels k;
        if (isa != TB_ISA_GENERIC && !tb_isa_available(isa))
            continue;
        tb_kernels_init(&k, isa);
        tb_expect(k.peak_int8 != NULL, "%s: no int8 peak probe", tb_isa_name(isa));
        static int32_t st[TB_KERNEL_PEAK_INT8_STATE] __attribute__((aligned(64)));
        for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++)
            st[i] = i * 7 + 1;
        int64_t m100 = k.peak_int8(st, 100), m300 = k.peak_int8(st, 300);
        tb_expect(m100 > 0 && m100 % 100 == 0 && m300 == 3 * m100 && (m100 / 100) % 8 == 0,
                      "%s (%s): %lld and %lld multiply-adds", tb_isa_name(isa), k.peak_int8_info.name, (long long)m100,
                      (long long)m300);
        int changed = 0;
        for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++)
            changed |= st[i] != i * 7 + 1;
        tb_expect(changed, "%s: the probe left its state alone", tb_isa_name(isa));
        /* bench peak's check: the scalar replay of the instruction gives the same state and count */
        static int32_t got[TB_KERNEL_PEAK_INT8_STATE], want[TB_KERNEL_PEAK_INT8_STATE];
        for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++)
            got[i] = want[i] = i * 7 + 1 - 900; /* negative words too: the sign must survive the replay */
        int64_t mk = k.peak_int8(got, 257), mr = tb_peak_int8_ref(k.peak_int8_info.name, want, 257);
        tb_expect(mk == mr, "%s: probe %lld multiply-adds, replay %lld", k.peak_int8_info.name, (long long)mk,
                      (long long)mr);
        tb_expect(memcmp(got, want, sizeof got) == 0, "%s: state differs from the replay", k.peak_int8_info.name);
    }
    int32_t any[TB_KERNEL_PEAK_INT8_STATE] = {0};
    ck_assert_int_eq(tb_peak_int8_ref("tb_peak_int8_nonesuch", any, 1), -1);
}
END_TEST

/* The dispatch table hands out these kernels for the tier it reached. */
START_TEST(dispatch_table_entries)
{
    tb_kernels k;
    ck_assert_int_eq(tb_kernels_init(&k, TB_ISA_GENERIC), TB_ISA_GENERIC);
    ck_assert_ptr_eq(k.gemv[TB_DT_Q8_0], tb_matmul_q8_0_generic);
    ck_assert_ptr_eq(k.skinny[TB_DT_Q4_0], tb_matmul_q4_0_generic);
    ck_assert_ptr_eq(k.quantize_q8_0, tb_quantize_row_q8_0_generic);
    ck_assert_str_eq(k.gemv_info[TB_DT_Q4_0].name, "tb_matmul_q4_0_generic");
    ck_assert_int_eq(k.wlayout[TB_DT_Q4_0], TB_WL_ROWS);
#if defined(__x86_64__) || defined(__i386__)
    if (tb_isa_available(TB_ISA_AVX2)) {
        ck_assert_int_eq(tb_kernels_init(&k, TB_ISA_AVX2), TB_ISA_AVX2);
        ck_assert_ptr_eq(k.gemv[TB_DT_Q4_0], tb_matmul_q4_0x8_avx2);
        ck_assert_int_eq(k.wlayout[TB_DT_Q4_0], TB_WL_Q4_0X8);
        ck_assert_int_eq(k.wlayout[TB_DT_Q8_0], TB_WL_Q8_0X8);
        ck_assert_ptr_eq(k.skinny[TB_DT_Q8_0], tb_matmul_q8_0x8_avx2);
        ck_assert_ptr_eq(k.quantize_q8_0, tb_quantize_row_q8_0_avx2);
        ck_assert_int_eq(k.skinny_info[TB_DT_Q8_0].isa, TB_ISA_AVX2);
    }
    if (tb_isa_available(TB_ISA_AVX512)) {
        ck_assert_int_eq(tb_kernels_init(&k, TB_ISA_AVX512), TB_ISA_AVX512);
        ck_assert_ptr_eq(k.quantize_q8_0, tb_quantize_row_q8_0_avx2);
        if (has_avx512_vnni()) {
            ck_assert_ptr_eq(k.gemv[TB_DT_Q4_0], tb_matmul_q4_0x8_avx512vnni);
            ck_assert_ptr_eq(k.skinny[TB_DT_Q8_0], tb_matmul_q8_0x8_avx512vnni);
            ck_assert_int_eq(k.wlayout[TB_DT_Q8_0], TB_WL_Q8_0X8);
            ck_assert_str_eq(k.gemv_info[TB_DT_Q8_0].name, "tb_matmul_q8_0x8_avx512vnni");
            ck_assert_int_eq(k.skinny_info[TB_DT_Q8_0].isa, TB_ISA_AVX512);
        } else {
            ck_assert_ptr_eq(k.gemv[TB_DT_Q4_0], tb_matmul_q4_0x8_avx2);
            ck_assert_int_eq(k.skinny_info[TB_DT_Q8_0].isa, TB_ISA_AVX2);
        }
    }
#endif
#if defined(__aarch64__)
    ck_assert_int_eq(tb_kernels_init(&k, TB_ISA_NEON), TB_ISA_NEON);
    ck_assert_ptr_eq(k.quantize_q8_0, tb_quantize_row_q8_0_neon);
    ck_assert_int_eq(k.skinny_info[TB_DT_Q8_0].isa, TB_ISA_NEON);
    ck_assert_int_eq(k.wlayout[TB_DT_Q4_0], TB_WL_ROWS);
    if (has_dotprod()) {
        ck_assert_ptr_eq(k.gemv[TB_DT_Q4_0], tb_matmul_q4_0_neon_dotprod);
        ck_assert_ptr_eq(k.skinny[TB_DT_Q8_0], tb_matmul_q8_0_neon_dotprod);
        ck_assert_str_eq(k.gemv_info[TB_DT_Q8_0].name, "tb_matmul_q8_0_neon_dotprod");
    } else {
        ck_assert_ptr_eq(k.gemv[TB_DT_Q4_0], tb_matmul_q4_0_neon);
        ck_assert_ptr_eq(k.skinny[TB_DT_Q8_0], tb_matmul_q8_0_neon);
        ck_assert_str_eq(k.gemv_info[TB_DT_Q8_0].name, "tb_matmul_q8_0_neon");
    }
#endif
}
END_TEST

/* A tier's quantized kernels, checked as every tier's are: its own quantizer (where it has one)
 * against the reference, its kernels over the shapes and the long rows, and at the extremes. */
static TCase *add_tier_tcase(Suite *s, const char *name, const TTest *quantizer, const TTest *shapes,
                             const TTest *long_rows, const TTest *extremes)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 120);
    if (quantizer)
        tcase_add_test(tc, quantizer);
    tcase_add_loop_test(tc, shapes, 0, 2 * N_M);
    tcase_add_loop_test(tc, long_rows, 0, 8);
    tcase_add_test(tc, extremes);
    suite_add_tcase(s, tc);
    return tc;
}

#if defined(__x86_64__) || defined(__i386__)
/* The same for the tier's interleaved (x8) kernels, from the shape and long row indices given. */
static void add_x8_tests(TCase *tc, const TTest *shapes, int first_shape, const TTest *long_rows, int first_long_row,
                         const TTest *extremes)
{
    tcase_add_loop_test(tc, shapes, first_shape, 2 * N_M);
    tcase_add_loop_test(tc, long_rows, first_long_row, 8);
    tcase_add_test(tc, extremes);
}
#endif

static Suite *build_suite(void)
{
    Suite *s = suite_create("quant");
    TCase *tc = tcase_create("reference-and-generic");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, q8_0_hand_block);
    tcase_add_test(tc, q4_0_hand_block_layout);
    tcase_add_test(tc, quantizer_generic_matches_reference);
    tcase_add_loop_test(tc, generic_shapes, 0, 2 * N_M);
    tcase_add_loop_test(tc, generic_long_rows, 0, 8);
    tcase_add_test(tc, generic_extremes);
    tcase_add_test(tc, x8_layout_roundtrip);
    tcase_add_test(tc, int8_peak_probes_count_their_work);
    tcase_add_test(tc, dispatch_table_entries);
    suite_add_tcase(s, tc);
#if defined(__x86_64__) || defined(__i386__)
    if (tb_isa_available(TB_ISA_AVX2)) {
        TCase *ta = add_tier_tcase(s, "avx2", quantizer_avx2_matches_reference, avx2_shapes, avx2_long_rows,
                                   avx2_extremes);
        add_x8_tests(ta, avx2_x8_shapes, N_M, avx2_x8_long_rows, 4, avx2_x8_extremes); /* the q4_0 indices */
    } else {
        printf("avx2 tier: skipped (CPU lacks AVX2)\n");
    }
    if (has_avx512_vnni()) {
        TCase *tv = add_tier_tcase(s, "avx512vnni", quantizer_avx512vnni_matches_reference, avx512vnni_shapes,
                                   avx512vnni_long_rows, avx512vnni_extremes);
        add_x8_tests(tv, avx512vnni_x8_shapes, 0, avx512vnni_x8_long_rows, 0, avx512vnni_x8_extremes);
    } else {
        printf("avx512vnni kernels: skipped (CPU lacks AVX-512 F/BW/VL/VNNI)\n");
    }
#else
    printf("avx2 tier: skipped (not an x86 build)\n");
#endif
#if defined(__aarch64__)
    add_tier_tcase(s, "neon", quantizer_neon_matches_reference, neon_shapes, neon_long_rows, neon_extremes);
    if (has_dotprod())
        add_tier_tcase(s, "neon_dotprod", NULL, neon_dotprod_shapes, neon_dotprod_long_rows, neon_dotprod_extremes);
    else
        printf("neon dotprod kernels: skipped (CPU lacks asimddp)\n");
#else
    printf("neon tier: skipped (not an aarch64 build)\n");
#endif
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
