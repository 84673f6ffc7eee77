/* Model shapes: preset parameter counts against the published ones, config.json parsing and its
 * errors. */
#include <check.h>
#include <string.h>

#include "model.h"
#include "testmain.h"
#include "testutil.h"

static int64_t params_of(const char *id)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve(id, &m), 0);
    return tb_model_params(&m);
}

START_TEST(presets_match_published_parameter_counts)
{
    /* the counts the model cards and safetensors indexes give */
    ck_assert_int_eq(params_of("tinyllama-1.1b"), 1100048384LL);
    ck_assert_int_eq(params_of("llama-3.2-1b"), 1235814400LL);
    ck_assert_int_eq(params_of("llama-3.1-8b"), 8030261248LL);
    ck_assert_int_eq(params_of("llama-2-7b"), 6738415616LL);
    ck_assert_int_eq(params_of("mistral-7b"), 7241732096LL);
    ck_assert_int_eq(params_of("qwen2.5-0.5b"), 494032768LL); /* with its q/k/v biases */
    ck_assert_int_eq(params_of("llama-3.1-70b"), 70553706496LL);
}
END_TEST

START_TEST(weight_bytes_by_dtype)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve("tinyllama-1.1b", &m), 0);
    /* f32: 4 bytes a parameter, everything */
    ck_assert_double_eq(tb_model_weight_bytes(&m, TB_DT_F32), 4.0 * 1100048384.0);
    /* q8_0: 34/32 bytes per matrix weight; norms (2·2048 per layer + 2048) stay f32 */
    double norms = 22.0 * 2 * 2048 + 2048, matrices = 1100048384.0 - norms;
    ck_assert_double_eq_tol(tb_model_weight_bytes(&m, TB_DT_Q8_0), matrices * 34.0 / 32.0 + 4.0 * norms, 1.0);
    ck_assert_double_eq_tol(tb_model_weight_bytes(&m, TB_DT_Q4_0), matrices * 18.0 / 32.0 + 4.0 * norms, 1.0);
}
END_TEST

START_TEST(config_json_is_read)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve(tb_test_fixture("models/llama-like.json"), &m), 0);
    ck_assert_int_eq(m.head_dim, 64);
    ck_assert_int_eq(m.kv_heads, 4);
    ck_assert_int_eq(tb_model_params(&m), 1100048384LL); /* TinyLlama's config */
    ck_assert_double_eq(m.rope_theta, 10000.0);
    ck_assert_int_eq(tb_model_resolve(tb_test_fixture("models/qwen2-like.json"), &m), 0);
    ck_assert(m.qkv_bias);
    ck_assert(m.tied_embeddings);
    ck_assert_int_eq(tb_model_params(&m), 494032768LL);
}
END_TEST

START_TEST(bad_configs_are_usage_errors)
{
    tb_model m;
    const char *bad[] = {"models/missing-layers.json", "models/bad-kv-heads.json", "models/negative-hidden.json",
                         "models/string-vocab.json", "models/truncated.json", "models/does-not-exist.json"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(tb_model_resolve(tb_test_fixture(bad[i]), &m) == 2, "%s accepted", bad[i]);
    ck_assert_int_eq(tb_model_resolve("gpt-17", &m), 2);
    ck_assert_int_eq(tb_model_resolve(tb_test_fixture("models"), &m), 2); /* a directory */
}
END_TEST

/* What the user reads: one line naming the path and why, no parser line number for a file that
 * was never parsed. */
START_TEST(unreadable_config_errors_name_the_path)
{
    char args[512];
    snprintf(args, sizeof args, "run --model %s --no-save", tb_test_fixture("models/does-not-exist.json"));
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "does-not-exist.json: cannot read a config.json: No such file"));
    ck_assert_ptr_null(strstr(r.err, ":-1"));
    ck_assert_int_eq(tb_test_count_lines(r.err), 1);
    tb_test_run_free(&r);
    snprintf(args, sizeof args, "run --model %s --no-save", tb_test_fixture("models"));
    r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "not a file"));
    ck_assert_int_eq(tb_test_count_lines(r.err), 1);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(list_models_end_to_end)
{
    tb_run_result r = tb_test_run(NULL, "list models --format json");
    ck_assert_int_eq(r.status, 0);
    json_t *doc = json_loads(r.out, 0, NULL);
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "models")), tb_model_preset_count());
    ck_assert(json_number_value(tb_test_path(json_array_get(json_object_get(doc, "models"), 0), "weight_bytes.q4_0")) >
              0);
    json_decref(doc);
    tb_test_run_free(&r);
    tb_test_expect_printed(NULL, "list models", 0, (const char *const[]){"llama-3.1-8b", NULL}, NULL);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("model");
    const TTest *const core[] = {presets_match_published_parameter_counts, weight_bytes_by_dtype, config_json_is_read,
                                 bad_configs_are_usage_errors, unreadable_config_errors_name_the_path,
                                 list_models_end_to_end, NULL};
    tb_test_add_tcase(s, "core", 60, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
