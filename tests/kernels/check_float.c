/* The float kernels of one ISA tier (named on the command line) against the double reference:
 * GEMV and skinny GEMM for f32/bf16/f16 weights, the packed f32 GEMM and the GEMM on f16/bf16
 * rows, on shapes that are not
 * multiples of any tile, computing only the slice asked for. Exits 77 (meson: SKIP) when this CPU
 * or build cannot run the tier, so an unavailable tier never shows as passed. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/gemm.h>
#include <tokbench/kernels.h>

#include "bench.h"
#include "testmain.h"
#include "testutil.h"

static tb_isa tier;
static tb_kernels kern;

/* max |c - ref| / Σ|a·w| over rows [0,m) × columns [n0,n1); -1 when a column outside the slice
 * was written. w32 holds the weights as the kernel sees them (converted back to f32). */
static double slice_err(const float *a, const float *w32, const float *c, int64_t m, int64_t n, int64_t k, int64_t n0,
                        int64_t n1)
{
    double worst = 0;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            float got = c[i * n + j];
            if (j < n0 || j >= n1) {
                if (!isnan(got))
                    return -1;
                continue;
            }
            double v, mag;
            tb_gemm_f32_ref_dot(a + i * k, w32 + j * k, k, &v, &mag);
            double e = fabs((double)got - v) / (mag > 0 ? mag : 1);
            if (!(e <= worst))
                worst = e;
        }
    return worst;
}

static void check_rows(tb_dtype dt, int64_t m, int64_t n, int64_t k, int gemv)
{
    float *a = malloc(sizeof(float) * (size_t)(m * k)), *w = malloc(sizeof(float) * (size_t)(n * k));
    float *c = malloc(sizeof(float) * (size_t)(m * n));
    size_t rb = tb_dtype_row_bytes(dt, k);
    char *wd = malloc(rb * (size_t)n);
    tb_test_fill(a, (size_t)(m * k), 11);
    tb_test_fill(w, (size_t)(n * k), 12);
    for (int64_t j = 0; j < n; j++) {
        tb_convert_row(dt, w + j * k, wd + (size_t)j * rb, k);
        tb_dequantize_row(dt, wd + (size_t)j * rb, w + j * k, k);
    }
    int64_t n0 = n / 3, n1 = n - n / 4;
    for (int64_t i = 0; i < m * n; i++)
        c[i] = NAN;
    tb_matmul_rows_fn fn = gemv ? kern.gemv[dt] : kern.skinny[dt];
    fn(wd, a, c, m, n, k, n0, n1);
    double e = slice_err(a, w, c, m, n, k, n0, n1);
    ck_assert_msg(e >= 0, "%s %s m=%ld n=%ld k=%ld: wrote outside [%ld, %ld)", tb_isa_name(tier), tb_dtype_name(dt),
                  (long)m, (long)n, (long)k, (long)n0, (long)n1);
    ck_assert_msg(e <= tb_gemm_f32_tolerance(k), "%s %s m=%ld n=%ld k=%ld: error %g above %g", tb_isa_name(tier),
                  tb_dtype_name(dt), (long)m, (long)n, (long)k, e, tb_gemm_f32_tolerance(k));
    free(a);
    free(w);
    free(c);
    free(wd);
}

static const int64_t ks[] = {1, 7, 8, 9, 33, 257};
static const int64_t ns[] = {1, 3, 5, 13, 67};

START_TEST(gemv_float_types)
{
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt++)
        for (size_t a = 0; a < sizeof ks / sizeof *ks; a++)
            for (size_t b = 0; b < sizeof ns / sizeof *ns; b++)
                check_rows((tb_dtype)dt, 1, ns[b], ks[a], 1);
}
END_TEST

START_TEST(skinny_float_types)
{
    static const int64_t ms[] = {1, 2, 3, 4, 5, 7, 17, 32};
    for (int dt = TB_DT_F32; dt <= TB_DT_F16; dt++)
        for (size_t i = 0; i < sizeof ms / sizeof *ms; i++)
            for (size_t a = 0; a < sizeof ks / sizeof *ks; a++)
                check_rows((tb_dtype)dt, ms[i], 13, ks[a], 0);
}
END_TEST

START_TEST(packed_gemm_f32)
{
    static const int64_t ms[] = {1, 5, 6, 7, 145, 150};
    static const int64_t gns[] = {1, 15, 16, 17, 33, 49};
    static const int64_t gks[] = {1, 255, 256, 257, 385, 600};
    float *scratch = aligned_alloc(64, (kern.gemm_scratch_floats * sizeof(float) + 63) / 64 * 64);
    for (size_t x = 0; x < sizeof ms / sizeof *ms; x++)
        for (size_t y = 0; y < sizeof gns / sizeof *gns; y++)
            for (size_t z = 0; z < sizeof gks / sizeof *gks; z++) {
                int64_t m = ms[x], n = gns[y], k = gks[z];
                float *a = malloc(sizeof(float) * (size_t)(m * k)), *w = malloc(sizeof(float) * (size_t)(n * k));
                float *c = malloc(sizeof(float) * (size_t)(m * n));
                float *wp = aligned_alloc(64, (tb_packed_f32_bytes(&kern, n, k) + 63) / 64 * 64);
                tb_test_fill(a, (size_t)(m * k), 21);
                tb_test_fill(w, (size_t)(n * k), 22);
                kern.pack_f32(w, wp, n, k, 0, n);
                /* a slice that starts on a panel boundary and ends anywhere, as threads get */
                int64_t n0 = n > kern.gemm_nr ? kern.gemm_nr : 0, n1 = n - (n > 2 ? 1 : 0);
                for (int64_t i = 0; i < m * n; i++)
                    c[i] = NAN;
                kern.gemm_f32(a, wp, c, m, n, k, 0, m, n0, n1, scratch);
                double e = slice_err(a, w, c, m, n, k, n0, n1);
                ck_assert_msg(e >= 0, "%s gemm m=%ld n=%ld k=%ld: wrote outside [%ld, %ld)", tb_isa_name(tier),
                              (long)m, (long)n, (long)k, (long)n0, (long)n1);
                ck_assert_msg(e <= tb_gemm_f32_tolerance(k), "%s gemm m=%ld n=%ld k=%ld: error %g", tb_isa_name(tier),
                              (long)m, (long)n, (long)k, e);
                free(a);
                free(w);
                free(c);
                free(wp);
            }
    free(scratch);
}
END_TEST

/* The GEMM on half-precision rows converted per call: slices across the NC-column chunks (1030
 * columns) and the KC-deep slices (385), edges in every direction, against the double reference
 * on the weights as converted. */
START_TEST(gemm_on_half_rows)
{
    static const int64_t ms[] = {1, 13, 145};
    static const int64_t hns[] = {1, 17, 33, 1030};
    static const int64_t hks[] = {1, 9, 257, 385};
    float *scratch = aligned_alloc(64, (kern.gemm_scratch_floats * sizeof(float) + 63) / 64 * 64);
    for (int dt = TB_DT_BF16; dt <= TB_DT_F16; dt++)
        for (size_t x = 0; x < sizeof ms / sizeof *ms; x++)
            for (size_t y = 0; y < sizeof hns / sizeof *hns; y++)
                for (size_t z = 0; z < sizeof hks / sizeof *hks; z++) {
                    int64_t m = ms[x], n = hns[y], k = hks[z];
                    size_t rb = tb_dtype_row_bytes((tb_dtype)dt, k);
                    float *a = malloc(sizeof(float) * (size_t)(m * k)), *w = malloc(sizeof(float) * (size_t)(n * k));
                    float *c = malloc(sizeof(float) * (size_t)(m * n));
                    char *wd = malloc(rb * (size_t)n);
                    tb_test_fill(a, (size_t)(m * k), 31);
                    tb_test_fill(w, (size_t)(n * k), 32);
                    for (int64_t j = 0; j < n; j++) {
                        tb_convert_row((tb_dtype)dt, w + j * k, wd + (size_t)j * rb, k);
                        tb_dequantize_row((tb_dtype)dt, wd + (size_t)j * rb, w + j * k, k);
                    }
                    int64_t n0 = n > kern.gemm_nr ? kern.gemm_nr : 0, n1 = n - (n > 2 ? 1 : 0);
                    for (int64_t i = 0; i < m * n; i++)
                        c[i] = NAN;
                    kern.gemm_half[dt](a, wd, c, m, n, k, 0, m, n0, n1, scratch);
                    double e = slice_err(a, w, c, m, n, k, n0, n1);
                    ck_assert_msg(e >= 0 && e <= tb_gemm_f32_tolerance(k), "%s %s gemm m=%ld n=%ld k=%ld: error %g",
                                  tb_isa_name(tier), tb_dtype_name((tb_dtype)dt), (long)m, (long)n, (long)k, e);
                    free(a);
                    free(w);
                    free(c);
                    free(wd);
                }
    free(scratch);
}
END_TEST

START_TEST(table_names_the_tier)
{
    ck_assert_int_eq(kern.isa, tier);
    ck_assert_int_eq(kern.gemv_info[TB_DT_F32].isa, tier);
    ck_assert_int_eq(kern.gemm_info.isa, tier);
    ck_assert_ptr_nonnull(strstr(kern.gemm_info.name, tb_isa_name(tier)));
    ck_assert_ptr_nonnull(strstr(kern.gemm_half_info[TB_DT_F16].name, tb_isa_name(tier)));
    ck_assert_ptr_null(kern.gemm_half[TB_DT_Q8_0]);
    for (int dt = 0; dt < TB_DT_COUNT; dt++) {
        ck_assert_ptr_nonnull(kern.gemv[dt]);
        ck_assert_ptr_nonnull(kern.skinny[dt]);
    }
    ck_assert_ptr_nonnull(kern.quantize_q8_0);
    /* asking for a lower tier never returns a higher one */
    tb_kernels g;
    ck_assert_int_eq(tb_kernels_init(&g, TB_ISA_GENERIC), TB_ISA_GENERIC);
    ck_assert_str_eq(g.gemm_info.name, "tb_gemm_f32_generic");
}
END_TEST

/* The tier the command line names, which this CPU and build run: the table must reach it. */
static int for_tier(tb_isa t)
{
    tier = t;
    if (tb_kernels_init(&kern, tier) != tier) {
        fprintf(stderr, "tier %s is available but the table did not reach it\n", tb_isa_name(tier));
        return 1;
    }
    return 0;
}

static Suite *build_suite(void)
{
    Suite *s = suite_create(tb_isa_name(tier));
    const TTest *const kernels[] = {table_names_the_tier, gemv_float_types, skinny_float_types, packed_gemm_f32,
                                    gemm_on_half_rows, NULL};
    tb_test_add_tcase(s, "kernels", 120, kernels);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite, .for_tier = for_tier};
