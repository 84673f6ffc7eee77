/* settings.tuning: every bench and run record names the kernel parameter set that ran, for the
 * tiers that ran, and its values are the constants the kernels were built with (tuning.h). */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <tokbench/attention.h>
#include <tokbench/kernels.h>
#include <tokbench/tuning.h>

#include "../../kernels/common/tiers.h" /* tuning.h, and tb_x86_has_avx512_vnni */
#include "testmain.h"
#include "testutil.h"
#include "tuning_record.h"

#define FAST "--min-time 0 --repetitions 2 --warmup 1 --no-save --format json "

static long value_of(const tb_tuning_param *p, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(p[i].name, name))
            return p[i].value;
    ck_abort_msg("no parameter %s", name);
    return -1;
}

/* The kernels' constants of a tier, as tuning.h writes them. */
typedef struct {
    const char *name;
    long value;
} expected;

static int expected_for(tb_isa isa, expected *e)
{
    int n = 0;
#define E(name, value) e[n++] = (expected){name, (long)(value)}
#define FLOATS(T)                                                                                        \
    E("gemv_streams", TB_TUNE_##T##_GEMV_STREAMS), E("gemv_pf_dist", TB_TUNE_##T##_GEMV_PF_DIST),        \
        E("skinny_mr", TB_TUNE_##T##_SKINNY_MR),                                                         \
        E("skinny_nr", TB_TUNE_##T##_SKINNY_NR), E("gemm_mc", TB_TUNE_##T##_GEMM_MC),                    \
        E("gemm_kc", TB_TUNE_##T##_GEMM_KC)
    E("skinny_max", TB_SKINNY_MAX);
    E("attn_decode_chunk", TB_ATTN_DECODE_CHUNK);
    switch (isa) {
    case TB_ISA_GENERIC:
        FLOATS(GENERIC);
        break;
#if defined(__x86_64__)
    case TB_ISA_AVX2:
        FLOATS(AVX2);
        E("q_pf_dist", TB_TUNE_AVX2_Q_PF_DIST), E("x8_pf_dist", TB_TUNE_AVX2_X8_PF_DIST);
        E("x8_streams", TB_TUNE_AVX2_X8_STREAMS);
        break;
    case TB_ISA_AVX512:
        FLOATS(AVX512);
        E("attn_decode_acc", TB_TUNE_AVX512_ATTN_ACC);
        break; /* the quantized ones depend on VNNI: checked in tiers_report_the_kernels_constants */
#endif
#if defined(__aarch64__)
    case TB_ISA_NEON:
        FLOATS(NEON);
        E("q_chunk", TB_TUNE_NEON_Q_CHUNK);
        break;
#endif
    default:
        break;
    }
#undef FLOATS
#undef E
    return n;
}

/* tuning (a record's settings.tuning) holds exactly the tiers of mask, each with the kernels'
 * values. */
static void expect_tuning(json_t *tuning, unsigned mask)
{
    ck_assert_ptr_nonnull(tuning);
    ck_assert_str_eq(json_string_value(json_object_get(tuning, "set")), tb_tuning_set_name());
    ck_assert_str_eq(json_string_value(json_object_get(tuning, "source")), "built-in");
    ck_assert_str_eq(json_string_value(json_object_get(tuning, "basis")), tb_tuning_basis());
    json_t *tiers = json_object_get(tuning, "tiers");
    int count = 0;
    for (int isa = 0; isa < TB_ISA_COUNT; isa++) {
        json_t *t = json_object_get(tiers, tb_isa_name((tb_isa)isa));
        if (!(mask & TB_TIER_BIT(isa))) {
            ck_assert_msg(t == NULL, "tier %s did not run", tb_isa_name((tb_isa)isa));
            continue;
        }
        count++;
        const tb_tuning_param *p;
        int n = tb_tuning_params((tb_isa)isa, &p);
        ck_assert_int_eq((int)json_object_size(t), n);
        for (int i = 0; i < n; i++)
            ck_assert_int_eq(json_integer_value(json_object_get(t, p[i].name)), p[i].value);
    }
    ck_assert_int_eq((int)json_object_size(tiers), count);
}

START_TEST(tiers_report_the_kernels_constants)
{
    for (int isa = 0; isa < TB_ISA_COUNT; isa++) {
        const tb_tuning_param *p;
        int n = tb_tuning_params((tb_isa)isa, &p);
        expected e[32];
        int ne = expected_for((tb_isa)isa, e);
        if (n == 0) { /* not in this binary */
            ck_assert_ptr_null(p);
            continue;
        }
        for (int i = 0; i < ne; i++)
            ck_assert_msg(value_of(p, n, e[i].name) == e[i].value, "%s %s", tb_isa_name((tb_isa)isa), e[i].name);
#if defined(__x86_64__)
        if (isa == TB_ISA_AVX512) { /* the quantized kernels that tier dispatches, and their values */
            int vnni = tb_x86_has_avx512_vnni();
            ck_assert_int_eq(value_of(p, n, "q_pf_dist"), vnni ? TB_TUNE_AVX512_Q_PF_DIST : TB_TUNE_AVX2_Q_PF_DIST);
            ck_assert_int_eq(value_of(p, n, "x8_pf_dist"), vnni ? TB_TUNE_AVX512_X8_PF_DIST : TB_TUNE_AVX2_X8_PF_DIST);
            ck_assert_int_eq(value_of(p, n, "x8_streams"), vnni ? TB_TUNE_AVX512_X8_STREAMS : TB_TUNE_AVX2_X8_STREAMS);
        }
#endif
    }
    const tb_tuning_param *p;
    ck_assert_int_eq(tb_tuning_params(TB_ISA_COUNT, &p), 0);
    /* one name for the whole set, the same every time */
    const char *name = tb_tuning_set_name();
    ck_assert_int_eq(strncmp(name, "builtin-", 8), 0);
    ck_assert_str_eq(tb_tuning_set_name(), name);
}
END_TEST

START_TEST(json_holds_only_the_tiers_asked_for)
{
    json_t *t = tb_tuning_json(TB_TIER_BIT(TB_ISA_GENERIC));
    expect_tuning(t, TB_TIER_BIT(TB_ISA_GENERIC));
    json_decref(t);
    /* the tiers of a bench record: its cases that ran our kernels, not the reference or OpenBLAS */
    json_t *cases = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "backend", "ref", "isa", "avx2",
                              "backend", "openblas", "isa", "openblas:Haswell", "backend", "portable", "isa",
                              "generic", "backend", "read", "isa", "neon");
    ck_assert_uint_eq(tb_cases_tiers(cases), TB_TIER_BIT(TB_ISA_GENERIC) | TB_TIER_BIT(TB_ISA_NEON));
    json_decref(cases);
}
END_TEST

START_TEST(bench_record_names_the_tiers_that_ran)
{
    tb_isa best = tb_isa_detect();
    char args[512];
    snprintf(args, sizeof args, "bench gemv --shape 64x64 --backend portable,ref --isa generic,%s " FAST,
             tb_isa_name(best));
    json_t *doc = tb_test_run_json(NULL, args, 0);
    expect_tuning(tb_test_path(doc, "settings.tuning"), TB_TIER_BIT(TB_ISA_GENERIC) | TB_TIER_BIT(best));
    json_decref(doc);
    /* only the reference ran: no tier's parameters */
    doc = tb_test_run_json(NULL, "bench gemv --shape 64x64 --backend ref " FAST, 0);
    expect_tuning(tb_test_path(doc, "settings.tuning"), 0);
    json_decref(doc);
}
END_TEST

START_TEST(run_record_names_its_tier)
{
    char args[1024];
    snprintf(args, sizeof args, "run --model %s --batch 1 --prompt 4 --ctx 6 --threads 1 " FAST,
             tb_test_fixture("models/tiny.json"));
    json_t *doc = tb_test_run_json(NULL, args, 0);
    tb_isa isa;
    ck_assert_int_eq(tb_isa_from_name(json_string_value(tb_test_path(doc, "settings.isa")), &isa), 0);
    tb_attention_kernels ak;
    tb_attention_kernels_init(&ak, TB_ISA_COUNT);
    expect_tuning(tb_test_path(doc, "settings.tuning"), TB_TIER_BIT(isa) | TB_TIER_BIT(ak.isa));
    json_decref(doc);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("tuning");
    const TTest *const core[] = {tiers_report_the_kernels_constants, json_holds_only_the_tiers_asked_for,
                                 bench_record_names_the_tiers_that_ran, run_record_names_its_tier, NULL};
    tb_test_add_tcase(s, "core", 120, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
