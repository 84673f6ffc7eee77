/* End to end through the tokbench binary: exit codes, one-line errors naming the flag, JSON
 * fields SPEC.md requires, the saved record, a failed check that is never timed. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <tokbench/kernels.h>

#include "record.h"
#include "tb_config.h"
#include "testmain.h"
#include "testutil.h"
#include "util.h"

#define FAST "--min-time 0 --repetitions 3 --warmup 1 --no-save "

START_TEST(usage_and_version)
{
    /* bare tokbench is a usage error like any other: one line on stderr naming the commands */
    tb_test_expect_usage_error(NULL, "", "give a command: sysinfo, list, bench, run");
    tb_run_result r = tb_test_run(NULL, "");
    ck_assert_str_eq(r.out, "");
    tb_test_run_free(&r);
    tb_test_expect_printed(NULL, "--help", 0, (const char *const[]){"usage: tokbench", NULL}, NULL);
    r = tb_test_run(NULL, "--version");
    ck_assert_int_eq(r.status, 0);
    ck_assert(strncmp(r.out, "tokbench ", 9) == 0);
    tb_test_run_free(&r);
    tb_test_expect_printed(NULL, "bench --help", 0, (const char *const[]){"--shape", NULL}, NULL);
}
END_TEST

START_TEST(bad_input_is_exit_2_with_one_line_naming_the_flag)
{
    static const tb_usage_case bad[] = {
        {"frobnicate", "frobnicate"},
        {"bench gemm --frobnicate", "--frobnicate"},
        {"bench gemm -x", "-x"},
        {"bench gemm --shape 12x3", "--shape"},
        {"bench gemm --shape 0x4x4", "--shape"},
        {"bench gemm --shape -1x4x4", "--shape"},
        {"bench gemm --shape 4x-4x4", "--shape"},
        {"bench gemm --shape 4x4x4x4", "--shape"},
        {"bench gemm --shape 4x4x99999999999", "--shape"},
        {"bench gemm --shape", "--shape"},
        {"bench gemv --shape 2x8x8", "--shape"},
        {"bench gemm --threads 0", "--threads"},
        {"bench gemm --threads -2", "--threads"},
        {"bench gemm --threads abc", "--threads"},
        {"bench gemm --threads 100000", "--threads"},
        {"bench gemm --cores 100000", "--cores"},
        {"bench gemm --cores 0-", "--cores"},
        {"bench gemm --format xml", "--format"},
        {"bench gemm --min-time -1", "--min-time"},
        {"bench gemm --repetitions 0", "--repetitions"},
        {"bench gemm --backend magic", "--backend"},
        {"bench gemm --backend ref,ref", "--backend"},
        {"bench gemm --dtype q3_k", "--dtype"},
        {"bench gemm --no-save=1", "--no-save"},
        {"bench warp-drive", "warp-drive"},
        {"bench", "OP"},
        {"sysinfo --shape 1x1x1", "--shape"},
        {"list gizmos", "gizmos"},
        {"run --batch 1,,8", "--batch"},
        /* issue 18, item 8: empty list items, stray arguments, non-decimal numbers */
        {"bench gemm --shape 2x2x2,,3x3x3", "--shape"},
        {"bench gemm --backend portable,,ref", "--backend"},
        {"bench gemm --isa ,", "--isa"},
        {"bench attn-decode --isa avx2,", "--isa"},
        {"run --threads 1,", "--threads"},
        {"cost x --fx EUR=1.1,,GBP=1.2", "--fx"},
        {"sysinfo extra junk", "extra"},
        {"bench gemm --min-time 0x10", "--min-time"},
        {"bench gemm --min-time inf", "--min-time"},
        {"bench gemm --min-time ' 1'", "--min-time"},
    };
    tb_test_expect_usage_errors(NULL, bad, sizeof bad / sizeof *bad);
    tb_test_expect_usage_error("TOKBENCH_SHAPE=,4x4x4 ", "bench gemm", "TOKBENCH_SHAPE");
}
END_TEST

/* tb_parse_int_list: digits only per item, no empty item, each in range, at most cap. */
START_TEST(int_list_parser_is_strict)
{
    int64_t v[3];
    int n;
    ck_assert_int_eq(tb_parse_int_list("1,20,300", 1, 300, v, 3, &n), TB_LIST_OK);
    ck_assert(n == 3 && v[0] == 1 && v[1] == 20 && v[2] == 300);
    ck_assert_int_eq(tb_parse_int_list("7,7", 0, 9, v, 3, &n), TB_LIST_OK); /* repeats: the caller's call */
    static const char *const empty[] = {"", ",", "1,,2", ",1", "1,", "x,,2"};
    for (size_t i = 0; i < sizeof empty / sizeof *empty; i++)
        ck_assert_msg(tb_parse_int_list(empty[i], 0, 9, v, 3, &n) == TB_LIST_EMPTY_ITEM, "'%s'", empty[i]);
    static const char *const bad[] = {"x", "1,-2", "+1", " 1", "1 ", "1.0", "0x1", "10", "0", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(tb_parse_int_list(bad[i], 1, 9, v, 3, &n) == TB_LIST_BAD_ITEM, "'%s'", bad[i]);
    ck_assert_int_eq(tb_parse_int_list("1,2,3,4", 1, 9, v, 3, &n), TB_LIST_TOO_MANY);
}
END_TEST

START_TEST(environment_twins_are_checked_too)
{
    tb_test_expect_printed("TOKBENCH_REPETITIONS=many ", "bench gemm --shape 2x2x2 --no-save", 2, NULL,
                           (const char *const[]){"TOKBENCH_REPETITIONS", NULL});
}
END_TEST

/* OpenBLAS on generic x86-64 kernels (forced here as a CPU newer than the library would force it)
 * makes the reference look slow: an AVX2 machine gets told so, once, and the run still works. */
START_TEST(openblas_fallback_kernels_are_named)
{
    tb_run_result r = tb_test_run("OPENBLAS_CORETYPE=Prescott ",
                                  "bench gemm --backend portable,openblas --shape 8x32x32 --min-time 0 "
                                  "--repetitions 3 --warmup 0 --no-save");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    const char *w = strstr(r.err, "OpenBLAS runs its 'Prescott' kernels");
    if (tb_isa_available(TB_ISA_AVX2)) {
        ck_assert_msg(w != NULL, "no warning: %s", r.err);
        ck_assert_ptr_null(strstr(w + 1, "OpenBLAS runs its"));
        ck_assert_ptr_nonnull(strstr(w, "OPENBLAS_CORETYPE="));
    } else {
        ck_assert_ptr_null(w);
    }
    tb_test_run_free(&r);
}
END_TEST

/* The record a run saved under dir (the first *.json found there), loaded. */
static json_t *load_saved_record(const char *dir)
{
    char cmd[4700];
    snprintf(cmd, sizeof cmd, "find '%s' -name '*.json' | head -1", dir);
    FILE *p = popen(cmd, "r");
    char path[4600] = "";
    ck_assert_ptr_nonnull(fgets(path, sizeof path, p));
    pclose(p);
    path[strcspn(path, "\n")] = '\0';
    json_t *rec;
    ck_assert_int_eq(tb_record_load(path, &rec), 0);
    return rec;
}

START_TEST(bench_json_has_spec_fields_and_matches_saved_record)
{
    char *dir = tb_test_tmpdir();
    char args[4600];
    snprintf(args, sizeof args,
             "bench gemm --backend ref,openblas --shape 37x19x23 --format json --min-time 0 --repetitions 5 "
             "--warmup 1 --results-dir '%s'",
             dir);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    ck_assert_msg(doc != NULL, "stdout is not JSON: %s", e.text);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "tokbench.result/1");
    ck_assert(json_is_true(json_object_get(doc, "complete")));
    ck_assert(json_is_object(tb_test_path(doc, "machine.cpu")));
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "cases")), 2);
    const char *fields[] = {"op", "backend", "isa", "dtype", "shape.m", "shape.n", "shape.k", "threads", "cpus",
                            "check.passed", "check.max_rel_err", "samples_ns", "stats.n", "stats.min", "stats.median",
                            "stats.mean", "stats.stddev", "stats.cv", "stats.p90", "stats.p99", "stats.ci95_low",
                            "stats.ci95_high", "rate.gflops", "rate.gbps"};
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
            ck_assert_msg(tb_test_path(c, fields[f]) != NULL, "case %zu lacks %s", i, fields[f]);
        ck_assert(json_is_true(tb_test_path(c, "check.passed")));
        ck_assert_int_eq((int)json_array_size(json_object_get(c, "samples_ns")),
                         (int)json_integer_value(tb_test_path(c, "stats.n")));
        ck_assert(json_integer_value(tb_test_path(c, "stats.n")) >= 5);
        ck_assert(json_real_value(tb_test_path(c, "stats.ci95_low")) <= json_real_value(tb_test_path(c, "stats.median")));
        ck_assert_int_eq((int)json_array_size(json_object_get(c, "cpus")),
                         (int)json_integer_value(json_object_get(c, "threads")));
    }
    /* the record on disk is what was printed */
    json_t *saved = load_saved_record(dir);
    ck_assert(json_equal(saved, doc));
    ck_assert_ptr_nonnull(strstr(r.err, "record saved to"));
    json_decref(saved);
    json_decref(doc);
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(failed_check_exits_3_and_is_never_timed)
{
    json_t *doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=openblas ",
                                   "bench gemm --backend ref,openblas --shape 9x17x33 --format json " FAST, 3);
    tb_test_expect_failed_untimed(doc, "openblas", "ref");
    json_decref(doc);

    tb_test_expect_printed("TOKBENCH_FAULT_INJECT=openblas ", "bench gemm --backend ref,openblas --shape 9x17x33 " FAST,
                           3, (const char *const[]){"FAIL", "(not timed)", NULL}, NULL);
}
END_TEST

/* The nightly demo's slowed kernel: still checked and timed, and its record says it was slowed. */
START_TEST(slowed_kernel_is_checked_and_its_record_says_so)
{
    json_t *doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=slow-portable ",
                                   "bench gemv --backend portable --shape 64x64 --format json " FAST, 0);
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "settings.fault_inject")), "slow-portable");
    json_t *c = tb_test_case_for(doc, "portable");
    ck_assert(json_is_true(tb_test_path(c, "check.passed")));
    ck_assert_int_eq((int)json_array_size(json_object_get(c, "samples_ns")), 3);
    json_decref(doc);
    doc = tb_test_run_json(NULL, "bench gemv --backend portable --shape 64x64 --format json " FAST, 0);
    ck_assert_ptr_null(tb_test_path(doc, "settings.fault_inject"));
    json_decref(doc);
}
END_TEST

START_TEST(portable_tiers_and_dtypes_are_checked_and_timed)
{
    static const char *dtypes[] = {"f32", "bf16", "f16", "q8_0", "q4_0"};
    for (size_t i = 0; i < sizeof dtypes / sizeof *dtypes; i++) {
        char args[512];
        snprintf(args, sizeof args,
                 "bench gemm --backend portable,openblas,ref --isa generic,auto --dtype %s "
                 "--shape 1x37x96,5x19x64,40x23x160 --format json " FAST,
                 dtypes[i]);
        tb_run_result r = tb_test_run(NULL, args);
        ck_assert_msg(r.status == 0, "%s: exit %d: %s", dtypes[i], r.status, r.err);
        json_t *doc = json_loads(r.out, 0, NULL);
        ck_assert_ptr_nonnull(doc);
        size_t k;
        json_t *c;
        int portable = 0;
        json_array_foreach(json_object_get(doc, "cases"), k, c) {
            ck_assert_msg(json_is_true(tb_test_path(c, "check.passed")), "%s case %zu failed its check", dtypes[i], k);
            if (strcmp(json_string_value(json_object_get(c, "backend")), "portable") == 0) {
                portable++;
                ck_assert_str_eq(json_string_value(json_object_get(c, "dtype")), dtypes[i]);
                ck_assert(json_is_string(json_object_get(c, "kernel")));
            } else {
                /* the reference backends multiply the same values in f32 */
                ck_assert_str_eq(json_string_value(json_object_get(c, "dtype")), "f32");
            }
        }
        /* generic and the best tier (the same one on a CPU with no SIMD tier: listed once) */
        ck_assert(portable == 3 * 2 || portable == 3);
        json_decref(doc);
        tb_test_run_free(&r);
    }
    tb_test_expect_usage_error(NULL, "bench gemm --dtype q8_0 --shape 4x4x33", "--shape");
    tb_test_expect_usage_error(NULL, "bench gemm --backend portable --isa sse9", "--isa");
    tb_test_expect_usage_error(NULL, "bench gemm --backend portable --isa generic,generic", "--isa");
}
END_TEST

/* A tier this build or CPU cannot run is a usage error, by flag or by environment. Every machine
 * has one to try: the x86 tiers (avx2, avx512) and NEON exclude each other, so x86 lacks neon
 * and aarch64 lacks avx2; finding none means tb_isa_available is wrong, not that there is
 * nothing to test. */
START_TEST(unavailable_tier_is_refused)
{
    const char *tier = NULL;
    for (int i = TB_ISA_GENERIC; i < TB_ISA_COUNT && !tier; i++)
        if (!tb_isa_available((tb_isa)i))
            tier = tb_isa_name((tb_isa)i);
    if (!tier)
        ck_abort_msg("every ISA tier reports available, though x86 and NEON tiers exclude each other");
    char flag[128], env[64];
    snprintf(flag, sizeof flag, "--isa %s ", tier);
    snprintf(env, sizeof env, "TOKBENCH_ISA=%s ", tier);
    const struct {
        const char *env, *flag;
    } forms[] = {{NULL, flag}, {env, ""}};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        char args[256];
        snprintf(args, sizeof args, "bench gemm --backend portable %s--shape 2x2x2 --no-save", forms[i].flag);
        tb_run_result r = tb_test_run(forms[i].env, args);
        const char *how = forms[i].env ? forms[i].env : forms[i].flag;
        ck_assert_msg(r.status == 2, "%s: exited %d, not 2 (stderr: %s)", how, r.status, r.err);
        ck_assert_msg(strncmp(r.err, "tokbench: ", 10) == 0 && tb_test_count_lines(r.err) == 1,
                      "%s: error is not one 'tokbench: ' line: %s", how, r.err);
        ck_assert_msg(strstr(r.err, "--isa") != NULL && strstr(r.err, tier) != NULL,
                      "%s: error does not name --isa and %s: %s", how, tier, r.err);
        tb_test_run_free(&r);
    }
}
END_TEST

START_TEST(read_probe_runs_beside_the_kernels)
{
    json_t *doc = tb_test_run_json(NULL,
                                   "bench gemv --backend portable,read --dtype q4_0 --shape 300x256 "
                                   "--format json " FAST,
                                   0);
    json_t *rd = tb_test_case_for(doc, "read"), *pt = tb_test_case_for(doc, "portable");
    ck_assert_ptr_nonnull(rd);
    ck_assert(json_is_true(tb_test_path(rd, "check.passed")));
    ck_assert_str_eq(json_string_value(json_object_get(rd, "dtype")), "f64");
    /* it reads as many bytes as the q4_0 weights: 300 rows of 8 blocks of 18 bytes, whole doubles */
    ck_assert_int_eq((int)json_number_value(tb_test_path(rd, "rate.weight_bytes")), 300 * 8 * 18 / 8 * 8);
    ck_assert_int_eq((int)json_number_value(tb_test_path(pt, "rate.weight_bytes")), 300 * 8 * 18);
    ck_assert(json_number_value(tb_test_path(rd, "rate.weight_gbps")) > 0);
    json_decref(doc);
}
END_TEST

/* The FMA peak probe beside a GEMM: exact, no weights (not cold), its FLOP rate the table's base;
 * a spoiled accumulator fails its check and it is not timed. */
START_TEST(peak_probe_runs_beside_the_kernels)
{
    json_t *doc = tb_test_run_json(NULL, "bench gemm --backend portable,peak --shape 8x64x64 --format json " FAST, 0);
    json_t *pk = tb_test_case_for(doc, "peak");
    ck_assert_ptr_nonnull(pk);
    ck_assert(json_is_true(tb_test_path(pk, "check.passed")));
    ck_assert(json_is_false(tb_test_path(pk, "cold_weights.enabled")));
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(pk, "kernel")), "tb_peak_fma_"));
    ck_assert(json_number_value(tb_test_path(pk, "rate.gflops")) > 0);
    ck_assert_int_eq((int)json_number_value(tb_test_path(pk, "rate.weight_bytes")), 0);
    json_decref(doc);
    tb_run_result r = tb_test_run(NULL, "bench gemm --backend portable,peak --shape 8x64x64 " FAST);
    ck_assert_msg(r.status == 0 && strstr(r.out, "GFLOP/s against the peak probe") != NULL, "%s", r.out);
    tb_test_run_free(&r);
    r = tb_test_run("TOKBENCH_FAULT_INJECT=peak ", "bench gemm --backend portable,peak --shape 8x64x64 " FAST);
    ck_assert_int_eq(r.status, 3);
    tb_test_run_free(&r);
    /* one tier named: that tier's own chains (the generic tier is graded against its own peak) */
    doc = tb_test_run_json(NULL, "bench gemm --isa generic --backend portable,peak --shape 8x64x64 --format json " FAST, 0);
    pk = tb_test_case_for(doc, "peak");
    ck_assert_ptr_nonnull(pk);
    ck_assert_str_eq(json_string_value(json_object_get(pk, "kernel")), "tb_peak_fma_generic");
    ck_assert_str_eq(json_string_value(json_object_get(pk, "isa")), "generic");
    ck_assert(json_is_true(tb_test_path(pk, "check.passed")));
    json_decref(doc);
}
END_TEST

START_TEST(interrupted_run_saves_an_incomplete_record)
{
    char *dir = tb_test_tmpdir();
    char cmd[8192];
    /* Long enough that SIGINT lands while sampling; the record must still be written. */
    snprintf(cmd, sizeof cmd,
             "'%s' bench gemm --shape 64x64x64 --min-time 30 --results-dir '%s' >/dev/null 2>'%s/err' & pid=$!; "
             "sleep 1.5; kill -INT $pid; wait $pid",
             getenv("TOKBENCH_BIN"), dir, dir);
    int st = system(cmd);
    ck_assert_int_eq(WEXITSTATUS(st), 130); /* 128 + SIGINT (SPEC.md) */
    json_t *rec = load_saved_record(dir);
    ck_assert(json_is_false(json_object_get(rec, "complete")));
    json_t *c = json_array_get(json_object_get(rec, "cases"), 0);
    ck_assert(json_array_size(json_object_get(c, "samples_ns")) > 0);
    json_decref(rec);
    free(dir);
}
END_TEST

/* Issue 18, item 7: SIGTERM stops a run within a second wherever it is (here while the model's
 * weights are made and checked) and exits 143; a second signal exits at once, 130, leaving no
 * temporary file. */
START_TEST(signals_stop_within_a_second)
{
    char *dir = tb_test_tmpdir();
    char cmd[8192];
    const char *bin = getenv("TOKBENCH_BIN");
    snprintf(cmd, sizeof cmd,
             "'%s' run --model llama-3.2-1b --batch 1 --results-dir '%s' --quiet >/dev/null 2>&1 & pid=$!; "
             "sleep 1; t0=$(date +%%s%%N); kill -TERM $pid; wait $pid; st=$?; t1=$(date +%%s%%N); "
             "test $(( (t1 - t0) / 1000000 )) -lt %d && exit $st || exit 99",
             bin, dir, strcmp(TB_SANITIZE, "none") == 0 ? 2000 : 6000); /* sanitizers slow every loop */
    int st = system(cmd);
    ck_assert_msg(WEXITSTATUS(st) == 143, "exit %d (99: slower than the bound)", WEXITSTATUS(st));
    snprintf(cmd, sizeof cmd,
             "'%s' bench gemm --shape 64x64x64 --min-time 30 --results-dir '%s' >/dev/null 2>&1 & pid=$!; "
             "sleep 1; kill -INT $pid; kill -INT $pid; wait $pid",
             bin, dir);
    st = system(cmd);
    ck_assert_int_eq(WEXITSTATUS(st), 130);
    snprintf(cmd, sizeof cmd, "find '%s' -name '.tokbench*' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int left = -1;
    ck_assert_int_eq(fscanf(p, "%d", &left), 1);
    pclose(p);
    ck_assert_int_eq(left, 0);
    tb_test_rmtree(dir);
}
END_TEST

START_TEST(gemv_uses_cold_weights_by_default)
{
    /* The tests size working sets from a 1 MiB LLC (tests/meson.build): 257x129 floats (132612
     * bytes) need ceil(4 MiB / 132612) = 32 copies, whatever this machine's cache. */
    json_t *doc =
        tb_test_run_json(NULL, "bench gemv --backend portable,openblas --shape 257x129 --format json " FAST, 0);
    json_t *llc = tb_test_path(doc, "machine.cpu.caches.llc");
    ck_assert_str_eq(json_string_value(json_object_get(llc, "source")), "override");
    ck_assert_int_eq(json_integer_value(json_object_get(llc, "used_bytes")), 1 << 20);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "settings.llc_bytes")), 1 << 20);
    const char *backends[] = {"portable", "openblas"};
    for (int i = 0; i < 2; i++) {
        json_t *c = tb_test_case_for(doc, backends[i]);
        ck_assert_ptr_nonnull(c);
        ck_assert(json_is_true(tb_test_path(c, "cold_weights.enabled")));
        ck_assert_int_eq(json_integer_value(tb_test_path(c, "cold_weights.copies")), 32);
        ck_assert_int_eq(json_integer_value(tb_test_path(c, "cold_weights.bytes")), 32 * 132612);
        ck_assert(json_is_false(tb_test_path(c, "cold_weights.copies_capped")));
        ck_assert_int_eq(json_integer_value(tb_test_path(c, "shape.m")), 1);
    }
    json_decref(doc);

    tb_run_result r = tb_test_run(NULL, "bench gemv --shape 257x129 --warm --format json " FAST);
    doc = json_loads(r.out, 0, NULL);
    json_t *c = json_array_get(json_object_get(doc, "cases"), 0);
    ck_assert(json_is_false(tb_test_path(c, "cold_weights.enabled")));
    ck_assert_int_eq(json_integer_value(tb_test_path(c, "cold_weights.copies")), 1);
    json_decref(doc);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(csv_and_markdown_have_one_row_per_case)
{
    tb_test_expect_table("bench gemm --backend ref,openblas --shape 5x7x9,3x3x3 --format csv " FAST, 1 + 4,
                         "op,backend,");
    tb_test_expect_table("bench gemm --backend ref --shape 5x7x9 --format md " FAST, 2 + 1, "|");
}
END_TEST

START_TEST(sysinfo_json_and_text)
{
    tb_run_result r = tb_test_run(NULL, "sysinfo --format json");
    ck_assert_int_eq(r.status, 0);
    json_t *si = json_loads(r.out, 0, NULL);
    ck_assert_ptr_nonnull(si);
    ck_assert(json_is_string(tb_test_path(si, "cpu.brand")));
    ck_assert(json_integer_value(tb_test_path(si, "topology.cores")) > 0);
    json_decref(si);
    tb_test_run_free(&r);
    tb_test_expect_printed("TOKBENCH_DMI_DIR=\"$TOKBENCH_FIXTURES/dmi/aws-nitro\" ", "sysinfo", 0,
                           (const char *const[]){"aws m7i.large", NULL}, NULL);
}
END_TEST

START_TEST(list_kernels)
{
    tb_run_result r = tb_test_run(NULL, "list kernels --format json");
    ck_assert_int_eq(r.status, 0);
    json_t *doc = json_loads(r.out, 0, NULL);
    json_t *rows = json_object_get(doc, "kernels"), *row;
    size_t i, attn = 0, half_gemm = 0;
    json_array_foreach(rows, i, row) {
        const char *op = json_string_value(json_object_get(row, "op"));
        const char *kernel = json_string_value(json_object_get(row, "kernel"));
        attn += strncmp(op, "attn-", 5) == 0 && strstr(kernel, "tb_attn") != NULL;
        half_gemm += strstr(kernel, "tb_gemm_f16_") != NULL || strstr(kernel, "tb_gemm_bf16_") != NULL;
    }
    ck_assert_uint_eq(attn, 4);      /* prefill and decode, f32 and f16 KV */
    ck_assert_uint_eq(half_gemm, 2); /* M >= 128: f16 and bf16 */
    json_decref(doc);
    tb_test_run_free(&r);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("cli");
    const TTest *const end_to_end[] = {usage_and_version, bad_input_is_exit_2_with_one_line_naming_the_flag,
                                       int_list_parser_is_strict, environment_twins_are_checked_too,
                                       openblas_fallback_kernels_are_named,
                                       bench_json_has_spec_fields_and_matches_saved_record,
                                       failed_check_exits_3_and_is_never_timed,
                                       slowed_kernel_is_checked_and_its_record_says_so,
                                       portable_tiers_and_dtypes_are_checked_and_timed, unavailable_tier_is_refused,
                                       read_probe_runs_beside_the_kernels, peak_probe_runs_beside_the_kernels,
                                       interrupted_run_saves_an_incomplete_record, signals_stop_within_a_second,
                                       gemv_uses_cold_weights_by_default, csv_and_markdown_have_one_row_per_case,
                                       sysinfo_json_and_text, list_kernels, NULL};
    tb_test_add_tcase(s, "end-to-end", 120, end_to_end);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
