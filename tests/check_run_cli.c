/* tokbench run end to end on the tiny fixture model: SPEC.md's run fields, the sweep's cross
 * product, the SLO line, the saved record, usage errors and the memory guard. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define FAST "--min-time 0 --repetitions 2 --warmup 1 "

static char *tiny_args(const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf, "run --model %s " FAST "%s", tb_test_fixture("models/tiny.json"), extra);
    return buf;
}

static void expect_stats(json_t *row, const char *path)
{
    json_t *o = tb_test_path(row, path);
    ck_assert_msg(json_is_object(o), "%s missing", path);
    double med = json_number_value(json_object_get(o, "median"));
    ck_assert_msg(med > 0, "%s.median = %g", path, med);
}

START_TEST(json_has_spec_fields_and_cross_product)
{
    tb_run_result r = tb_test_run(NULL, tiny_args("--no-save --format json --batch 1,2 --prompt 4,9 --threads 1,2 --ctx 6"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    ck_assert_msg(doc != NULL, "not JSON: %s", e.text);
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "schema")), "tokbench.result/1");
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "settings.command")), "run");
    ck_assert(json_is_object(tb_test_path(doc, "model")));
    json_t *rows = json_object_get(doc, "rows");
    ck_assert_int_eq(json_array_size(rows), 8); /* 2 batches x 2 prompts x 2 thread counts x 1 ctx */
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        expect_stats(row, "prefill.tokens_per_s");
        expect_stats(row, "decode.tokens_per_s");
        expect_stats(row, "ttft_ms");
        expect_stats(row, "tpot_ms");
        ck_assert(json_is_number(tb_test_path(row, "prefill.tokens_per_s.ci95_low")));
        ck_assert(json_is_number(tb_test_path(row, "tpot_ms.p99")));
        ck_assert(json_number_value(tb_test_path(row, "roofline.peak_gflops")) > 0);
        ck_assert(json_number_value(tb_test_path(row, "roofline.bandwidth_gbps")) > 0);
        ck_assert(json_number_value(tb_test_path(row, "roofline.prefill_tokens_per_s_bound")) > 0);
        ck_assert(json_number_value(tb_test_path(row, "roofline.decode_tokens_per_s_bound")) > 0);
        ck_assert(json_is_array(json_object_get(row, "cost")) && json_array_size(json_object_get(row, "cost")) == 0);
        ck_assert_str_eq(json_string_value(json_object_get(row, "dtype")), "q8_0");
        ck_assert(json_is_false(tb_test_path(row, "extrapolation.decode_layers_sampled")));
    }
    ck_assert_int_eq(json_integer_value(tb_test_path(json_array_get(rows, 7), "batch")), 2);
    ck_assert(json_is_true(tb_test_path(json_array_get(tb_test_path(doc, "check"), 0), "passed")));
    int progress = 0; /* one progress line per row (debug builds add a warning line) */
    for (const char *p = r.err; (p = strstr(p, "tokbench: [")) != NULL; p++)
        progress++;
    ck_assert_int_eq(progress, 8);
    json_decref(doc);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(text_table_slo_and_saved_record)
{
    char *dir = tb_test_tmpdir(), extra[1024];
    snprintf(extra, sizeof extra, "--batch 1,3 --prompt 5 --ctx 4 --dtype f32 --slo-ttft 100000 --slo-tpot 100000 --results-dir %s", dir);
    tb_run_result r = tb_test_run(NULL, tiny_args(extra));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "prefill tok/s"));
    ck_assert_ptr_nonnull(strstr(r.out, "SLO"));
    ck_assert_ptr_nonnull(strstr(r.out, "largest batch 3"));
    ck_assert_ptr_nonnull(strstr(r.err, "record saved to"));
    tb_test_run_free(&r);
    r = tb_test_run(NULL, tiny_args("--batch 2 --prompt 3 --ctx 2 --slo-tpot 0.000001 --no-save --format json"));
    ck_assert_int_eq(r.status, 0);
    json_t *doc = json_loads(r.out, 0, NULL);
    ck_assert(json_is_false(tb_test_path(doc, "slo.met")));
    json_decref(doc);
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(bad_run_options_are_usage_errors)
{
    const char *bad[][2] = {{"--batch 0", "--batch"},        {"--prompt x", "--prompt"},     {"--dtype q3", "--dtype"},
                            {"--kv-dtype bf16", "--kv-dtype"}, {"--threads 1,a", "--threads"}, {"--model nosuch", "nosuch"}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char args[1024];
        snprintf(args, sizeof args, "%s --no-save", bad[i][0]);
        tb_run_result r = tb_test_run(NULL, strncmp(bad[i][0], "--model", 7) ? tiny_args(args) : "run --model nosuch");
        ck_assert_msg(r.status == 2, "'%s' exited %d", bad[i][0], r.status);
        ck_assert_msg(strstr(r.err, bad[i][1]) != NULL, "'%s': %s", bad[i][0], r.err);
        ck_assert_int_eq(tb_test_count_lines(r.err), 1);
        tb_test_run_free(&r);
    }
}
END_TEST

/* Too little memory for even the sampled model: exit 1 with the numbers, nothing timed. */
START_TEST(memory_guard_refuses_with_numbers)
{
    tb_run_result r = tb_test_run("TOKBENCH_MEMAVAILABLE=1000 ", tiny_args("--no-save"));
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.err, "does not fit"));
    ck_assert_ptr_nonnull(strstr(r.err, "MemAvailable"));
    tb_test_run_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("run_cli");
    TCase *tc = tcase_create("run");
    tcase_set_timeout(tc, 240);
    tcase_add_test(tc, json_has_spec_fields_and_cross_product);
    tcase_add_test(tc, text_table_slo_and_saved_record);
    tcase_add_test(tc, bad_run_options_are_usage_errors);
    tcase_add_test(tc, memory_guard_refuses_with_numbers);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
