/* tokbench run end to end on the tiny fixture model: SPEC.md's run fields, the sweep's cross
 * product, the SLO line, the saved record, usage errors and the memory guard. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testmain.h"
#include "testutil.h"

#define FAST "--min-time 0 --repetitions 2 --warmup 1 "

static char *tiny_args(const char *extra)
{
    static char buf[8192];
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
    /* a price table without this machine's instance: on a cloud machine DMI names, cost stays [] too */
    char extra[1024];
    snprintf(extra, sizeof extra, "--no-save --format json --batch 1,2 --prompt 4,9 --threads 1,2 --ctx 6 --prices %s",
             tb_test_fixture("prices/run-lab.csv"));
    tb_run_result r = tb_test_run(NULL, tiny_args(extra));
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
        /* q8_0: the weight products are graded against the measured int8 ceiling */
        ck_assert(json_number_value(tb_test_path(row, "roofline.peak_int8_gops")) > 0);
        ck_assert(json_number_value(tb_test_path(row, "roofline.matmul_peak_gflops")) ==
                  json_number_value(tb_test_path(row, "roofline.peak_int8_gops")));
        ck_assert(json_number_value(tb_test_path(row, "roofline.decode.matmul_flops")) > 0);
        ck_assert(json_number_value(tb_test_path(row, "roofline.decode.matmul_flops")) <
                  json_number_value(tb_test_path(row, "roofline.decode.flops")));
        /* the probes ran before and after the rows; each ceiling used is the higher of the two */
        static const char *const ceil[] = {"peak_gflops", "peak_int8_gops", "bandwidth_gbps"};
        for (int c = 0; c < 3; c++) {
            char b[96], a[96], u[64];
            snprintf(b, sizeof b, "roofline.probes.before_rows.%s", ceil[c]);
            snprintf(a, sizeof a, "roofline.probes.after_rows.%s", ceil[c]);
            snprintf(u, sizeof u, "roofline.%s", ceil[c]);
            double vb = json_number_value(tb_test_path(row, b)), va = json_number_value(tb_test_path(row, a));
            ck_assert_msg(vb > 0 && va > 0, "%s: probes %g and %g", ceil[c], vb, va);
            ck_assert(json_number_value(tb_test_path(row, u)) == (vb > va ? vb : va));
        }
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
    tb_test_expect_printed(NULL, tiny_args(extra), 0,
                           (const char *const[]){"prefill tok/s", "SLO", "largest batch 3", NULL},
                           (const char *const[]){"record saved to", NULL});
    tb_run_result r =
        tb_test_run(NULL, tiny_args("--batch 2 --prompt 3 --ctx 2 --slo-tpot 0.000001 --no-save --format json"));
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
                            {"--kv-dtype bf16", "--kv-dtype"}, {"--threads 1,a", "--threads"}, {"--model nosuch", "nosuch"},
                            {"--threads 1,1", "listed twice"}, {"--batch 2,4,2", "listed twice"}};
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

static double num_at(const json_t *o, const char *path) { return json_number_value(tb_test_path((json_t *)o, path)); }

/* run --instance: every row priced as `tokbench cost` would price it (SPEC.md's cost fields), the
 * cheaper pricing model first, the arithmetic checkable by hand, and the costs in the saved
 * record too. */
START_TEST(instance_prices_every_row)
{
    char *dir = tb_test_tmpdir(), extra[2048];
    snprintf(extra, sizeof extra, "--batch 1,2 --prompt 5 --ctx 4 --format json --instance anybox --prices %s "
             "--utilization 0.5 --blend 1:1 --results-dir %s",
             tb_test_fixture("prices/run-lab.csv"), dir);
    tb_run_result r = tb_test_run(NULL, tiny_args(extra));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        json_t *cost = json_object_get(row, "cost");
        ck_assert_int_eq(json_array_size(cost), 2);
        json_t *spot = json_array_get(cost, 0), *od = json_array_get(cost, 1);
        ck_assert_str_eq(json_string_value(json_object_get(spot, "pricing")), "spot");
        ck_assert_str_eq(json_string_value(json_object_get(od, "pricing")), "on-demand");
        const char *fields[] = {"provider", "region", "instance", "pricing", "usd_per_hour", "usd_per_mtok_input",
                                "usd_per_mtok_output", "usd_per_mtok_blended", "usd_per_mtok_input_ci95_low",
                                "usd_per_mtok_input_ci95_high", "usd_per_mtok_output_ci95_low",
                                "usd_per_mtok_output_ci95_high", "usd_per_mtok_blended_ci95_low",
                                "usd_per_mtok_blended_ci95_high", "projected"};
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
            ck_assert_msg(json_object_get(spot, fields[f]) != NULL, "cost lacks %s", fields[f]);
        ck_assert(json_is_false(json_object_get(spot, "projected")));
        /* $0.36/h at 50% utilization: 0.36 / (tok/s x 3600 x 0.5) x 1e6 */
        double dec = num_at(row, "decode.tokens_per_s.median"), pre = num_at(row, "prefill.tokens_per_s.median");
        double want_out = 0.36 / (dec * 3600 * 0.5) * 1e6, want_in = 0.36 / (pre * 3600 * 0.5) * 1e6;
        ck_assert_double_eq_tol(num_at(spot, "usd_per_mtok_output"), want_out, want_out * 1e-9);
        ck_assert_double_eq_tol(num_at(spot, "usd_per_mtok_input"), want_in, want_in * 1e-9);
        ck_assert_double_eq_tol(num_at(spot, "usd_per_mtok_blended"), (want_in + want_out) / 2, want_out * 1e-9);
        ck_assert_double_eq_tol(num_at(od, "usd_per_mtok_output"), 10 * want_out, want_out * 1e-8);
        /* the price falls as throughput rises: the interval's low end comes from the fastest rate */
        ck_assert(num_at(spot, "usd_per_mtok_output_ci95_low") <= num_at(spot, "usd_per_mtok_output"));
        ck_assert(num_at(spot, "usd_per_mtok_output_ci95_high") >= num_at(spot, "usd_per_mtok_output"));
    }
    json_decref(doc);
    tb_test_run_free(&r);
    /* the text table shows the lines; the saved record holds them */
    snprintf(extra, sizeof extra, "--batch 1 --prompt 5 --ctx 4 --instance anybox --prices %s --results-dir %s",
             tb_test_fixture("prices/run-lab.csv"), dir);
    r = tb_test_run(NULL, tiny_args(extra));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "cost on anybox"));
    ck_assert_msg(!strstr(r.err, "incomplete") && !strstr(r.err, "taken as"), "no warning due: %s", r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "on-demand  3.600"));
    const char *saved = strstr(r.err, "record saved to ");
    ck_assert_ptr_nonnull(saved);
    char path[4096];
    ck_assert_int_eq(sscanf(saved + strlen("record saved to "), "%4095s", path), 1);
    json_t *rec = json_load_file(path, 0, NULL);
    ck_assert_ptr_nonnull(rec);
    ck_assert_int_eq(json_array_size(tb_test_path(json_array_get(json_object_get(rec, "rows"), 0), "cost")), 2);
    json_decref(rec);
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

/* An instance without a price, or a broken table, fails before anything is measured. */
START_TEST(unpriced_instance_fails_before_measuring)
{
    char extra[2048];
    snprintf(extra, sizeof extra, "--no-save --instance nosuchbox --prices %s", tb_test_fixture("prices/run-lab.csv"));
    tb_run_result r = tb_test_run(NULL, tiny_args(extra));
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "nosuchbox"));
    ck_assert_ptr_null(strstr(r.err, "tokbench: [1/"));
    ck_assert_int_eq(tb_test_count_lines(r.err), 1);
    tb_test_run_free(&r);

    char *dir = tb_test_tmpdir(), csv[1024];
    snprintf(csv, sizeof csv, "%s/bad.csv", dir);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("provider,instance,pricing,price_per_hour,currency,price_date\nonprem,anybox,on-demand,-1,USD,2026-11-01\n", f);
    fclose(f);
    snprintf(extra, sizeof extra, "--no-save --instance anybox --prices %s", csv);
    r = tb_test_run(NULL, tiny_args(extra));
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "bad.csv:2"));
    ck_assert_ptr_null(strstr(r.err, "tokbench: [1/"));
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

/* Every check that can be made before measuring is made before measuring (issue 18, item 4):
 * pricing options and tables given without an instance, and a results folder that cannot be
 * written, each exit 2 with one line and no row timed. */
START_TEST(bad_options_fail_before_measuring_without_an_instance)
{
    char missing[1100], extra[4096];
    char *dir = tb_test_tmpdir();
    snprintf(missing, sizeof missing, "%s/missing.csv", dir);
    const struct {
        const char *flag, *value;
    } bad[] = {
        {"--prices", missing}, {"--pricing", "bogus"}, {"--utilization", "5"}, {"--blend", "garbage"},
        {"--fx", "EUR=abc"},   {"--results-dir", "/etc/passwd"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(extra, sizeof extra, "%s '%s'", bad[i].flag, bad[i].value);
        tb_run_result r = tb_test_run("TOKBENCH_DMI_DIR=/nonexistent ", tiny_args(extra));
        ck_assert_msg(r.status == 2, "%s %s: exit %d (%s)", bad[i].flag, bad[i].value, r.status, r.err);
        ck_assert_msg(tb_test_count_lines(r.err) == 1, "%s: %s", bad[i].flag, r.err);
        ck_assert_ptr_null(strstr(r.err, "tokbench: [1/"));
        ck_assert_str_eq(r.out, "");
        tb_test_run_free(&r);
    }
    tb_test_expect_usage_error(NULL, "bench gemm --shape 8x8x8 --min-time 0 --results-dir /etc/passwd", "--results-dir");
    rmdir(dir);
    free(dir);
}
END_TEST

/* The int8 ceiling probe is checked like a kernel: a wrong result stops the run before anything
 * is timed or saved. */
START_TEST(failed_int8_probe_check_stops_the_run)
{
    char *dir = tb_test_tmpdir(), extra[1024];
    snprintf(extra, sizeof extra, "--batch 1 --prompt 5 --ctx 4 --results-dir %s", dir);
    tb_run_result r = tb_test_run("TOKBENCH_FAULT_INJECT=int8 ", tiny_args(extra));
    ck_assert_msg(r.status == 3, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "int8 ceiling probe"));
    ck_assert_ptr_null(strstr(r.err, "tokbench: [1/"));
    ck_assert_int_eq(tb_test_count_entries(dir), 0);
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

/* q8_0/q4_0 rows carry the weight format's ceiling (roofline.format_ceiling_gops), the bounds at
 * it and the shares of them, each share the median over its bound; the probes' runs before and
 * after the rows keep it, and the higher is used. Float rows have none. A failed check of the
 * format probe stops the run like the int8 one's. */
START_TEST(quantized_rows_are_graded_against_their_format_ceiling)
{
    json_t *doc = tb_test_run_json(NULL, tiny_args("--dtype q4_0 --batch 1,2 --prompt 5 --ctx 4 --no-save --format json"), 0);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(doc, "rows"), i, row) {
        double f = json_number_value(tb_test_path(row, "roofline.format_ceiling_gops"));
        double fb = json_number_value(tb_test_path(row, "roofline.probes.before_rows.format_ceiling_gops"));
        double fa = json_number_value(tb_test_path(row, "roofline.probes.after_rows.format_ceiling_gops"));
        ck_assert_msg(f > 0 && f == (fb > fa ? fb : fa), "format ceiling %g, probes %g and %g", f, fb, fa);
        static const char *const phase[] = {"prefill", "decode"};
        for (int p = 0; p < 2; p++) {
            char med[64], bound[80], pct[80];
            snprintf(med, sizeof med, "%s.tokens_per_s.median", phase[p]);
            snprintf(bound, sizeof bound, "roofline.%s_tokens_per_s_format_bound", phase[p]);
            snprintf(pct, sizeof pct, "roofline.%s_pct_of_format_bound", phase[p]);
            double m = json_number_value(tb_test_path(row, med)), b = json_number_value(tb_test_path(row, bound));
            double share = json_number_value(tb_test_path(row, pct));
            ck_assert_msg(b > 0 && fabs(share - 100.0 * m / b) <= 1e-9 * share, "%s: %g%% of %g tok/s at %g", phase[p],
                          share, b, m);
        }
    }
    json_decref(doc);
    doc = tb_test_run_json(NULL, tiny_args("--dtype f32 --batch 1 --prompt 5 --ctx 4 --no-save --format json"), 0);
    row = json_array_get(json_object_get(doc, "rows"), 0);
    ck_assert_ptr_null(tb_test_path(row, "roofline.format_ceiling_gops"));
    ck_assert_ptr_null(tb_test_path(row, "roofline.prefill_pct_of_format_bound"));
    json_decref(doc);
    tb_test_expect_printed(NULL, tiny_args("--dtype q8_0 --batch 1 --prompt 5 --ctx 4 --no-save"), 0,
                           (const char *const[]){"; format ", "q8_0 format ", NULL}, NULL);
    tb_test_expect_printed("TOKBENCH_FAULT_INJECT=format ",
                           tiny_args("--dtype q8_0 --batch 1 --prompt 5 --ctx 4 --no-save"), 3, NULL,
                           (const char *const[]){"format ceiling probe", NULL});
}
END_TEST

/* --prefill-time: a tiny budget times one layer of one sequence and says it scaled; 0 times all. */
START_TEST(prefill_time_decides_what_is_scaled)
{
    tb_run_result r = tb_test_run(NULL, tiny_args("--batch 4 --prompt 6 --ctx 4 --prefill-time 1e-12 --no-save --format json"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    json_t *doc = json_loads(r.out, 0, NULL), *row = json_array_get(json_object_get(doc, "rows"), 0);
    ck_assert(json_is_true(tb_test_path(row, "extrapolation.prefill_extrapolated")));
    ck_assert_int_eq(json_integer_value(tb_test_path(row, "extrapolation.prefill_layers_run")), 1);
    ck_assert_int_eq(json_integer_value(tb_test_path(row, "extrapolation.prefill_sequences_run")), 1);
    json_decref(doc);
    tb_test_run_free(&r);
    r = tb_test_run(NULL, tiny_args("--batch 4 --prompt 6 --ctx 4 --prefill-time 0 --no-save --format json"));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    doc = json_loads(r.out, 0, NULL);
    row = json_array_get(json_object_get(doc, "rows"), 0);
    ck_assert(json_is_false(tb_test_path(row, "extrapolation.prefill_extrapolated")));
    ck_assert_int_eq(json_integer_value(tb_test_path(row, "extrapolation.prefill_sequences_run")), 4);
    ck_assert(json_real_value(tb_test_path(doc, "settings.prefill_time_s")) == 0.0);
    json_decref(doc);
    tb_test_run_free(&r);
}
END_TEST

/* Too little memory for even the sampled model: exit 1 with the numbers, nothing timed. */
START_TEST(memory_guard_refuses_with_numbers)
{
    tb_test_expect_printed("TOKBENCH_MEMAVAILABLE=1000 ", tiny_args("--no-save"), 1, NULL,
                           (const char *const[]){"does not fit", "MemAvailable", NULL});
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("run_cli");
    const TTest *const run[] = {json_has_spec_fields_and_cross_product, text_table_slo_and_saved_record,
                                bad_run_options_are_usage_errors, memory_guard_refuses_with_numbers,
                                instance_prices_every_row, prefill_time_decides_what_is_scaled,
                                failed_int8_probe_check_stops_the_run,
                                quantized_rows_are_graded_against_their_format_ceiling,
                                unpriced_instance_fails_before_measuring,
                                bad_options_fail_before_measuring_without_an_instance, NULL};
    tb_test_add_tcase(s, "run", 240, run);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
