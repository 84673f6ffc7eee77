/* The format-ceiling probes (kernels.h: the table's peak_format, kernels/common/peak_format.h) of
 * every tier this CPU runs: present for q8_0 and q4_0 and nothing else, each step's multiply-adds
 * counted, and the accumulators bit-identical to the scalar replay that bench peak and run check
 * them against before timing (which is written from the formats' definitions). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <tokbench/kernels.h>

#include "../../kernels/common/peak_format.h"
#include "testmain.h"

/* as tb_probe_int8_seed: tiny positive floats (negative words would be NaNs, which stay NaNs) */
static void seed(int32_t *s)
{
    for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++)
        s[i] = i * 7 + 1;
}

START_TEST(format_probes_match_their_replay)
{
    int probed = 0;
    for (tb_isa isa = TB_ISA_GENERIC; isa < TB_ISA_COUNT; isa++) {
        if (isa != TB_ISA_GENERIC && !tb_isa_available(isa))
            continue;
        tb_kernels k;
        tb_kernels_init(&k, isa);
        for (tb_dtype dt = TB_DT_F32; dt < TB_DT_COUNT; dt++) {
            if (!tb_dtype_is_quantized(dt)) {
                ck_assert_msg(k.peak_format[dt] == NULL, "%s: a format ceiling for %s", tb_isa_name(isa),
                              tb_dtype_name(dt));
                continue;
            }
            if (!k.peak_format[dt]) { /* NEON has none yet */
                printf("%s %s: no format ceiling\n", tb_isa_name(isa), tb_dtype_name(dt));
                continue;
            }
            const char *name = k.peak_format_info[dt].name;
            ck_assert_ptr_nonnull(strstr(name, tb_dtype_name(dt)));
            static int32_t got[TB_KERNEL_PEAK_INT8_STATE], want[TB_KERNEL_PEAK_INT8_STATE];
            seed(got);
            seed(want);
            int64_t m = k.peak_format[dt](got, 257), r = tb_peak_int8_ref(name, want, 257);
            ck_assert_msg(m > 0 && m % (257 * TB_QK) == 0, "%s: %lld multiply-adds", name, (long long)m);
            ck_assert_msg(m == r, "%s: probe %lld multiply-adds, replay %lld", name, (long long)m, (long long)r);
            ck_assert_msg(memcmp(got, want, sizeof got) == 0, "%s: accumulators differ from the replay", name);
            int32_t s0[TB_KERNEL_PEAK_INT8_STATE];
            seed(s0);
            ck_assert_msg(memcmp(got, s0, sizeof got) != 0, "%s: the probe left its state alone", name);
            /* twice the steps, twice the count: the count is per step, not per call */
            seed(got);
            ck_assert_int_eq(k.peak_format[dt](got, 514), 2 * m);
            probed++;
        }
    }
    ck_assert_int_gt(probed, 0);
}
END_TEST

/* One step from zero accumulators gives d_w·d_a·Σ w·a per (activation, row) pair: the replay's
 * first step, worked by hand for row 0 of activation 0 of the generic q4_0 probe. */
START_TEST(format_replay_is_the_block_dot_product)
{
    int32_t st[TB_KERNEL_PEAK_INT8_STATE] = {0};
    ck_assert_int_eq(tb_peak_int8_ref("tb_peak_q4_0_generic", st, 1),
                     (int64_t)TB_PF_ROWS_GENERIC * TB_PF_ACTS_GENERIC * TB_QK);
    int32_t dot = 0;
    for (int j = 0; j < TB_QK; j++)
        dot += (tb_pf_q4(0, j) - 8) * tb_pf_act(0, j);
    float acc;
    memcpy(&acc, &st[0], sizeof acc);
    ck_assert_float_eq(acc, (float)dot * tb_pf_dw(0) * tb_pf_da(0));
    ck_assert_int_eq(tb_peak_int8_ref("tb_peak_q4_0_nonesuch", st, 1), -1);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("peak_format");
    const TTest *const probes[] = {format_probes_match_their_replay, format_replay_is_the_block_dot_product, NULL};
    tb_test_add_tcase(s, "probes", 0, probes);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
