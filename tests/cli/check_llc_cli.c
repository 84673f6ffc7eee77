/* The last-level cache end to end: the override by flag and environment, its record, the sweep
 * that measures it and the per-machine cache that spares the next run the sweep, and the cap on
 * cold copies. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testmain.h"
#include "testutil.h"

#define FAST "--min-time 0 --repetitions 3 --warmup 1 --no-save "

static long long llc_int(json_t *doc, const char *root, const char *key)
{
    char path[128];
    snprintf(path, sizeof path, "%scpu.caches.llc.%s", root, key);
    return json_integer_value(tb_test_path(doc, path));
}

START_TEST(flag_beats_environment_and_both_are_recorded)
{
    json_t *doc = tb_test_run_json("TOKBENCH_LLC_BYTES=2MiB ",
                                   "bench gemv --backend portable --shape 64x64 --format json " FAST, 0);
    ck_assert_int_eq(llc_int(doc, "machine.", "used_bytes"), 2 << 20);
    ck_assert_int_eq(json_integer_value(tb_test_path(doc, "settings.llc_bytes")), 2 << 20);
    /* 64x64 floats = 16 KiB: 4 x 2 MiB / 16 KiB copies */
    ck_assert_int_eq(json_integer_value(tb_test_path(json_array_get(json_object_get(doc, "cases"), 0),
                                                     "cold_weights.copies")), 512);
    json_decref(doc);

    doc = tb_test_run_json("TOKBENCH_LLC_BYTES=2MiB ", "sysinfo --llc-bytes 3145728 --format json", 0);
    ck_assert_int_eq(llc_int(doc, "", "used_bytes"), 3 << 20);
    ck_assert_int_eq(llc_int(doc, "", "override_bytes"), 3 << 20);
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "cpu.caches.llc.source")), "override");
    ck_assert(json_integer_value(tb_test_path(doc, "cpu.caches.llc.reported_bytes")) >= 0);
    json_decref(doc);
}
END_TEST

START_TEST(bad_sizes_are_usage_errors)
{
    static const tb_usage_case bad[] = {
        {"sysinfo --llc-bytes 12", "--llc-bytes"},
        {"bench gemv --llc-bytes 4XB", "--llc-bytes"},
        {"run --llc-bytes -5", "--llc-bytes"},
        {"list --llc-bytes 1MiB", "--llc-bytes"},
    };
    tb_test_expect_usage_errors(NULL, bad, sizeof bad / sizeof *bad);
    tb_test_expect_usage_error("TOKBENCH_LLC_BYTES=lots ", "sysinfo", "TOKBENCH_LLC_BYTES");
}
END_TEST

/* The real sweep, once: its points, its knee, and the cache entry the next invocation reads. */
START_TEST(sweep_is_measured_once_then_read_from_the_cache)
{
    char *dir = tb_test_tmpdir(), env[4200];
    snprintf(env, sizeof env, "TOKBENCH_CACHE_DIR='%s' ", dir);
    json_t *doc = tb_test_run_json(env, "sysinfo --measure-llc --format json", 0);
    json_t *m = tb_test_path(doc, "cpu.caches.llc.measurement");
    ck_assert(json_is_object(m));
    ck_assert(json_is_false(json_object_get(m, "from_cache")));
    json_t *pts = json_object_get(m, "sweep");
    ck_assert_int_ge(json_array_size(pts), 2);
    long long knee = llc_int(doc, "", "measured_bytes"), prev = 0;
    int knee_is_a_point = 0;
    size_t i;
    json_t *p;
    json_array_foreach(pts, i, p) {
        long long b = json_integer_value(json_object_get(p, "bytes"));
        ck_assert_int_eq(b, i ? 2 * prev : b); /* doubling */
        ck_assert(json_number_value(json_object_get(p, "gbps")) > 0);
        knee_is_a_point |= b == knee;
        prev = b;
    }
    ck_assert(knee_is_a_point);
    /* the override still wins: the sweep was asked for, not the size */
    ck_assert_str_eq(json_string_value(tb_test_path(doc, "cpu.caches.llc.source")), "override");
    char path[4600];
    snprintf(path, sizeof path, "%s/llc-%s-cpus%s.json", dir, json_string_value(json_object_get(doc, "fingerprint")),
             json_string_value(tb_test_path(doc, "cpu.caches.llc.cpus")));
    struct stat st;
    ck_assert_msg(stat(path, &st) == 0 && S_ISREG(st.st_mode), "no cache entry %s", path);
    json_decref(doc);

    /* Without the override the rule decides, from the cached knee: never a second sweep. */
    char envu[4300];
    snprintf(envu, sizeof envu, "env -u TOKBENCH_LLC_BYTES TOKBENCH_CACHE_DIR='%s' ", dir);
    doc = tb_test_run_json(envu, "sysinfo --format json", 0);
    ck_assert(json_is_true(tb_test_path(doc, "cpu.caches.llc.measurement.from_cache")));
    ck_assert_int_eq(llc_int(doc, "", "measured_bytes"), knee);
    const char *src = json_string_value(tb_test_path(doc, "cpu.caches.llc.source"));
    long long used = llc_int(doc, "", "used_bytes");
    if (strcmp(src, "measured") == 0)
        ck_assert_int_eq(used, knee);
    else {
        ck_assert_str_eq(src, "reported");
        ck_assert_int_eq(used, llc_int(doc, "", "reported_bytes"));
    }
    json_decref(doc);
    unlink(path);
    rmdir(dir);
    free(dir);
}
END_TEST

START_TEST(sysinfo_text_shows_reported_measured_and_used)
{
    tb_run_result r = tb_test_run(NULL, "sysinfo");
    ck_assert_int_eq(r.status, 0);
    const char *line = strstr(r.out, "\nllc ");
    ck_assert_msg(line != NULL, "no llc line: %s", r.out);
    ck_assert(strstr(line, "1.00 MiB used (override)") != NULL);
    ck_assert(strstr(line, "reported") != NULL && strstr(line, "measured") != NULL);
    tb_test_run_free(&r);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("llc_cli");
    const TTest *const end_to_end[] = {flag_beats_environment_and_both_are_recorded, bad_sizes_are_usage_errors,
                                       sweep_is_measured_once_then_read_from_the_cache,
                                       sysinfo_text_shows_reported_measured_and_used, NULL};
    tb_test_add_tcase(s, "end-to-end", 60, end_to_end);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
