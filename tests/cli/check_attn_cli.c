/* bench attn-prefill / attn-decode end to end through the tokbench binary: SPEC.md case fields,
 * mixed batch lengths, tiers side by side, the split-context path (its own case, `--two-cpus`),
 * usage errors (exit 2 naming the flag), a failed check (exit 3, never timed), text/Markdown/CSV
 * renderings. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testmain.h"
#include "testutil.h"

#define FAST "--min-time 0 --repetitions 3 --warmup 1 --no-save "

static const char *sval(json_t *c, const char *path) { return json_string_value(tb_test_path(c, path)); }

static int count_backend(json_t *doc, const char *backend)
{
    size_t i;
    json_t *c;
    int n = 0;
    json_array_foreach(json_object_get(doc, "cases"), i, c) n += strcmp(sval(c, "backend"), backend) == 0;
    return n;
}

static const char *common_fields[] = {"op", "backend", "isa", "kernel", "dtype", "shape.heads", "shape.kv_heads",
                                      "shape.head_dim", "shape.batch", "threads", "cpus", "check.passed",
                                      "check.max_rel_err", "samples_ns", "stats.n", "stats.min", "stats.median",
                                      "stats.mean", "stats.stddev", "stats.cv", "stats.p90", "stats.p99",
                                      "stats.ci95_low", "stats.ci95_high", "rate.gflops", "rate.gbps"};

static void expect_common_fields(json_t *doc, const char *op)
{
    size_t i;
    json_t *c;
    ck_assert(json_is_true(json_object_get(doc, "complete")));
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        for (size_t f = 0; f < sizeof common_fields / sizeof *common_fields; f++)
            ck_assert_msg(tb_test_path(c, common_fields[f]) != NULL, "%s case %zu lacks %s", op, i, common_fields[f]);
        ck_assert_str_eq(sval(c, "op"), op);
        ck_assert_msg(json_is_true(tb_test_path(c, "check.passed")), "%s case %zu (%s) failed its check", op, i,
                      sval(c, "backend"));
        ck_assert_int_eq((int)json_array_size(json_object_get(c, "samples_ns")),
                         (int)json_integer_value(tb_test_path(c, "stats.n")));
        ck_assert(json_integer_value(tb_test_path(c, "stats.n")) >= 3);
        ck_assert_int_eq((int)json_array_size(json_object_get(c, "cpus")),
                         (int)json_integer_value(json_object_get(c, "threads")));
    }
}

START_TEST(prefill_json_has_the_fields)
{
    json_t *doc = tb_test_run_json(
        NULL, "bench attn-prefill --heads 8 --kv-heads 2 --head-dim 64 --seq 37,100 --format json " FAST, 0);
    expect_common_fields(doc, "attn-prefill");
    /* two lengths x (portable, peak) */
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "cases")), 4);
    json_t *c = tb_test_case_for(doc, "portable");
    ck_assert_str_eq(sval(c, "dtype"), "f16");
    ck_assert_int_eq(json_integer_value(tb_test_path(c, "shape.seq")), 37);
    ck_assert_int_eq(json_integer_value(tb_test_path(c, "shape.heads")), 8);
    ck_assert_int_eq(json_integer_value(tb_test_path(c, "shape.kv_heads")), 2);
    ck_assert(json_real_value(tb_test_path(c, "rate.gflops")) > 0);
    /* causal FLOPs: 37·38/2 pairs × 8 heads × 64 × 4 */
    ck_assert(json_real_value(tb_test_path(c, "rate.flops")) == 37.0 * 38.0 / 2.0 * 8 * 64 * 4);
    ck_assert(json_is_true(tb_test_path(c, "check.rope_passed")));
    ck_assert(json_is_true(tb_test_path(c, "check.kv_append_exact")));
    ck_assert_ptr_nonnull(strstr(sval(c, "kernel"), "prefill"));
    json_t *p = tb_test_case_for(doc, "peak");
    ck_assert(json_real_value(tb_test_path(p, "rate.gflops")) > 0);
    json_decref(doc);
}
END_TEST

START_TEST(decode_mixed_batch_and_tiers)
{
    json_t *doc =
        tb_test_run_json(NULL,
                         "bench attn-decode --heads 8 --kv-heads 2 --head-dim 80 --batch 1000,7,63 --kv-dtype f32 "
                         "--isa generic,auto --backend portable,read,ref --format json " FAST,
                         0);
    expect_common_fields(doc, "attn-decode");
    int portable = count_backend(doc, "portable");
    ck_assert(portable == 2 || portable == 1); /* generic and the best tier (once where they coincide) */
    ck_assert_int_eq(count_backend(doc, "read"), 1);
    ck_assert_int_eq(count_backend(doc, "ref"), 1);
    json_t *c = tb_test_case_for(doc, "portable");
    ck_assert_str_eq(sval(c, "dtype"), "f32");
    json_t *lens = tb_test_path(c, "shape.lengths");
    ck_assert_int_eq((int)json_array_size(lens), 3);
    ck_assert_int_eq(json_integer_value(json_array_get(lens, 0)), 1000);
    ck_assert_int_eq(json_integer_value(json_array_get(lens, 1)), 7);
    ck_assert_int_eq(json_integer_value(json_array_get(lens, 2)), 63);
    ck_assert_int_eq(json_integer_value(tb_test_path(c, "shape.batch")), 3);
    ck_assert_int_eq(json_integer_value(tb_test_path(c, "shape.ctx")), 1000);
    /* KV bytes: K and V, 2 KV heads, 80 floats, 1070 keys */
    double kv = 2.0 * 2 * 80 * 4 * 1070;
    ck_assert(json_real_value(tb_test_path(c, "rate.bytes")) == kv);
    ck_assert(json_is_true(tb_test_path(c, "cold_kv.enabled")));
    /* the read probe reads as many bytes */
    ck_assert(json_real_value(tb_test_path(tb_test_case_for(doc, "read"), "rate.bytes")) == kv);
    json_decref(doc);

    doc = tb_test_run_json(NULL,
                           "bench attn-decode --heads 4 --kv-heads 4 --head-dim 64 --ctx 33 --batch 3 --warm "
                           "--format json " FAST,
                           0);
    c = tb_test_case_for(doc, "portable");
    lens = tb_test_path(c, "shape.lengths");
    ck_assert_int_eq((int)json_array_size(lens), 3);
    ck_assert_int_eq(json_integer_value(json_array_get(lens, 2)), 33);
    ck_assert_str_eq(sval(c, "dtype"), "f16");
    ck_assert(json_is_false(tb_test_path(c, "cold_kv.enabled")));
    json_decref(doc);
}
END_TEST

/* One KV head, one sequence, two threads: the only way to share the work is to cut the context,
 * so the flash-decoding merge runs and is checked. It needs two CPUs, and runs only as
 * `check_attn_cli --two-cpus` (see tb_test_this): on one CPU it is skipped, never passed unrun. The case
 * must say it ran on two threads on two different CPUs, or the merge was not what was checked. */
START_TEST(decode_split_context_on_two_threads)
{
    json_t *doc =
        tb_test_run_json(NULL,
                         "bench attn-decode --heads 4 --kv-heads 1 --head-dim 128 --ctx 999 --threads 2 --smt "
                         "--format json " FAST,
                         0);
    expect_common_fields(doc, "attn-decode");
    json_t *c = tb_test_case_for(doc, "portable");
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(json_integer_value(json_object_get(c, "threads")), 2);
    json_t *cpus = json_object_get(c, "cpus");
    ck_assert_int_eq((int)json_array_size(cpus), 2);
    ck_assert_msg(json_is_integer(json_array_get(cpus, 0)) && json_is_integer(json_array_get(cpus, 1)),
                  "cpus are not integers");
    ck_assert_msg(json_integer_value(json_array_get(cpus, 0)) != json_integer_value(json_array_get(cpus, 1)),
                  "both threads on CPU %lld", (long long)json_integer_value(json_array_get(cpus, 0)));
    ck_assert(json_is_true(tb_test_path(c, "check.passed")));
    json_decref(doc);
}
END_TEST

START_TEST(bad_attention_options_are_exit_2)
{
    static const tb_usage_case bad[] = {
        {"bench attn-decode --heads 8 --kv-heads 3", "--kv-heads"},
        {"bench attn-prefill --heads 4 --kv-heads 8", "--kv-heads"},
        {"bench attn-decode --head-dim 100", "--head-dim"},
        {"bench attn-decode --head-dim 1024", "--head-dim"},
        {"bench attn-decode --kv-dtype q8_0", "--kv-dtype"},
        {"bench attn-decode --kv-dtype bf16", "--kv-dtype"},
        {"bench attn-decode --seq 12", "--seq"},
        {"bench attn-prefill --ctx 12", "--ctx"},
        {"bench attn-prefill --batch 4", "--batch"},
        {"bench attn-decode --batch 0", "--batch"},
        {"bench attn-decode --batch 5,,6", "--batch"},
        {"bench attn-decode --batch 5,-6", "--batch"},
        {"bench attn-decode --batch 5,6 --ctx 9", "--ctx"},
        {"bench attn-decode --ctx 0", "--ctx"},
        {"bench attn-decode --ctx abc", "--ctx"},
        {"bench attn-decode --ctx 1,,2", "--ctx"},
        {"bench attn-prefill --seq 10,", "--seq"},
        {"bench attn-decode --backend openblas", "--backend"},
        {"bench attn-decode --backend read,read", "--backend"},
        {"bench attn-decode --dtype f16", "--dtype"},
        {"bench attn-decode --shape 1x2x3", "--shape"},
        {"bench attn-decode --isa sse9", "--isa"},
        {"bench attn-decode --isa generic,generic", "--isa"},
    };
    tb_test_expect_usage_errors(NULL, bad, sizeof bad / sizeof *bad);
}
END_TEST

START_TEST(failed_check_exits_3_and_is_never_timed)
{
    const char *args = "bench attn-decode --heads 4 --kv-heads 2 --head-dim 64 --ctx 70 --format json " FAST;
    json_t *doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=portable ", args, 3);
    tb_test_expect_failed_untimed(doc, "portable", "read");
    json_decref(doc);

    doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=portable ",
                           "bench attn-prefill --heads 4 --kv-heads 1 --head-dim 96 --seq 50 --format json " FAST, 3);
    json_t *bad = tb_test_case_for(doc, "portable");
    ck_assert(json_is_false(tb_test_path(bad, "check.passed")));
    ck_assert(json_is_null(json_object_get(bad, "rate")));
    json_decref(doc);

    tb_run_result r = tb_test_run("TOKBENCH_FAULT_INJECT=portable ",
                                  "bench attn-decode --heads 4 --kv-heads 2 --head-dim 64 --ctx 70 " FAST);
    ck_assert_int_eq(r.status, 3);
    ck_assert_ptr_nonnull(strstr(r.out, "FAIL"));
    ck_assert_ptr_nonnull(strstr(r.out, "(not timed)"));
    ck_assert_ptr_nonnull(strstr(r.err, "correctness check"));
    tb_test_run_free(&r);
}
END_TEST

START_TEST(text_markdown_and_csv)
{
    const char *shape = "--heads 4 --kv-heads 2 --head-dim 64 --ctx 50,60 ";
    char args[512];
    snprintf(args, sizeof args, "bench attn-decode %s--format csv " FAST, shape);
    tb_test_expect_table(args, 1 + 4, "op,backend,"); /* header + (portable, read) x 2 */
    snprintf(args, sizeof args, "bench attn-decode %s--format md " FAST, shape);
    tb_test_expect_table(args, 2 + 4, "|");
    snprintf(args, sizeof args, "bench attn-decode %s" FAST, shape);
    tb_test_expect_printed(NULL, args, 0, (const char *const[]){"C=50 B=1", "read/", "of probe", NULL}, NULL);
    tb_test_expect_printed(NULL, "bench attn-prefill --heads 2 --kv-heads 1 --head-dim 32 --seq 20 " FAST, 0,
                           (const char *const[]){"S=20", "peak/", NULL}, NULL);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("attn-cli");
    const TTest *const end_to_end[] = {prefill_json_has_the_fields, decode_mixed_batch_and_tiers,
                                       bad_attention_options_are_exit_2, failed_check_exits_3_and_is_never_timed,
                                       text_markdown_and_csv, NULL};
    tb_test_add_tcase(s, "end-to-end", 120, end_to_end);
    const TTest *const two_cpus[] = {decode_split_context_on_two_threads, NULL};
    tb_test_add_tcase(s, "two-cpus", 120, two_cpus);
    return s;
}

/* Alone, `check_attn_cli --two-cpus` runs the two-CPU case, and only where this process may run
 * on two CPUs (meson test 'cli/attn_cli-2cpu'); otherwise the end-to-end case runs. */
const tb_test_spec tb_test_this = {
    .suite = build_suite,
    .tcase = "end-to-end",
    .alone = {"--two-cpus", "two-cpus", tb_test_cpus_allowed, 2},
};
