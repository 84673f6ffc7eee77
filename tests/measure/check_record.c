/* The results record: round trip through jansson, atomic publication, no overwrite, clear
 * errors on damaged files. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "record.h"
#include "testmain.h"
#include "testutil.h"

static json_t *sample_record(void)
{
    static char *argv[] = {"tokbench", "bench", "gemm", "--seed", "7"};
    tb_opts o;
    ck_assert_int_eq(tb_cli_parse(5, argv, &o), 0);
    json_t *machine = json_pack("{s:s, s:{s:s}}", "fingerprint", "00c0ffee00c0ffee", "cpu", "brand", "Test CPU");
    json_t *rec = tb_record_new(&o, machine);
    ck_assert_ptr_nonnull(rec);
    json_t *cases = json_pack("[{s:s, s:[f, f, f]}]", "op", "gemm", "samples_ns", 1.5, 2.25, 1e9 + 0.125);
    json_object_set_new(rec, "cases", cases);
    tb_record_finish(rec, 1);
    return rec;
}

START_TEST(round_trip_keeps_every_field)
{
    char *dir = tb_test_tmpdir();
    json_t *rec = sample_record();
    char path[4600];
    ck_assert_int_eq(tb_record_save(rec, dir, path, sizeof path), 0);
    json_t *back;
    ck_assert_int_eq(tb_record_load(path, &back), 0);
    ck_assert(json_equal(rec, back));
    ck_assert_str_eq(json_string_value(json_object_get(back, "schema")), "tokbench.result/1");
    const char *required[] = {"tool", "build", "libs", "machine", "settings", "started_at", "finished_at", "complete"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        ck_assert_msg(json_object_get(back, required[i]) != NULL, "missing %s", required[i]);
    ck_assert(json_is_true(json_object_get(back, "complete")));
    ck_assert_ptr_nonnull(json_object_get(json_object_get(back, "tool"), "commit"));
    ck_assert_ptr_nonnull(json_object_get(json_object_get(back, "build"), "sanitize"));
    /* samples survive bit for bit */
    json_t *s = tb_test_path(back, "cases");
    ck_assert(json_real_value(json_array_get(json_object_get(json_array_get(s, 0), "samples_ns"), 2)) == 1e9 + 0.125);
    json_decref(back);
    json_decref(rec);
    free(dir);
}
END_TEST

START_TEST(never_overwrites_and_leaves_no_temporary)
{
    char *dir = tb_test_tmpdir();
    json_t *rec = sample_record();
    char p1[4600], p2[4600], sub[4600];
    ck_assert_int_eq(tb_record_save(rec, dir, p1, sizeof p1), 0);
    /* same machine, same second, same command: a second name, the first file untouched */
    json_object_set_new(rec, "marker", json_string("second"));
    ck_assert_int_eq(tb_record_save(rec, dir, p2, sizeof p2), 0);
    ck_assert_str_ne(p1, p2);
    json_t *first;
    ck_assert_int_eq(tb_record_load(p1, &first), 0);
    ck_assert_ptr_null(json_object_get(first, "marker"));
    json_decref(first);
    snprintf(sub, sizeof sub, "%s/00c0ffee00c0ffee", dir);
    ck_assert_int_eq(tb_test_count_entries(sub), 2);
    json_decref(rec);
    free(dir);
}
END_TEST

START_TEST(unwritable_folder_is_a_clear_runtime_error)
{
    json_t *rec = sample_record();
    char path[4600];
    ck_assert_int_eq(tb_record_save(rec, "/proc/self/no-such-place", path, sizeof path), 1);
    json_decref(rec);
}
END_TEST

static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = malloc(4096);
    snprintf(path, 4096, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

START_TEST(damaged_files_are_usage_errors)
{
    char *dir = tb_test_tmpdir();
    char *truncated = write_file(dir, "truncated.json", "{\n \"schema\": \"tokbench.result/1\",\n \"cases\": [1, 2");
    char *other = write_file(dir, "other.json", "{\"schema\": \"somebody.else/3\"}");
    char *noschema = write_file(dir, "noschema.json", "[1, 2, 3]");
    json_t *out = NULL;
    /* the message names the file and the line where the text broke off */
    char errpath[4200];
    snprintf(errpath, sizeof errpath, "%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *ef = freopen(errpath, "w", stderr);
    ck_assert_ptr_nonnull(ef);
    ck_assert_int_eq(tb_record_load(truncated, &out), 2);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    ck_assert_ptr_null(out);
    FILE *rf = fopen(errpath, "r");
    char line[8192] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, rf));
    fclose(rf);
    char expect[4200];
    snprintf(expect, sizeof expect, "tokbench: %s:3:", truncated);
    ck_assert_msg(strncmp(line, expect, strlen(expect)) == 0, "message '%s' does not start with '%s'", line, expect);
    ck_assert_int_eq(tb_record_load(other, &out), 2);
    ck_assert_int_eq(tb_record_load(noschema, &out), 2);
    ck_assert_int_eq(tb_record_load("/nonexistent/result.json", &out), 2);
    free(truncated);
    free(other);
    free(noschema);
    free(dir);
}
END_TEST

/* Two tokbench processes that start together in one empty results folder: one checks the
 * folder (tb_record_prepare makes it, tries a file, removes what it made) while the other
 * saves. Neither may fail because the other removed a folder it had just found. */
START_TEST(concurrent_prepare_and_save_never_fail)
{
    char *dir = tb_test_tmpdir();
    char results[4600];
    snprintf(results, sizeof results, "%s/results", dir);
    json_t *rec = sample_record();
    static char *argv[] = {"tokbench", "bench", "gemm"};
    tb_opts o;
    ck_assert_int_eq(tb_cli_parse(3, argv, &o), 0);
    o.results_dir = results;
    o.quiet = 1;
    pid_t kid[2];
    for (int k = 0; k < 2; k++) {
        kid[k] = fork();
        ck_assert_int_ge(kid[k], 0);
        if (kid[k] == 0) {
            int failed = 0;
            char path[4600];
            for (int i = 0; i < 4000; i++)
                failed += k == 0 ? tb_record_prepare("00c0ffee00c0ffee", &o) != 0
                                 : tb_record_prepare("00c0ffee00c0ffee", &o) != 0 ||
                                       (i % 200 == 0 && tb_record_save(rec, results, path, sizeof path) != 0);
            _exit(failed ? 1 : 0);
        }
    }
    for (int k = 0; k < 2; k++) {
        int st;
        ck_assert_int_eq(waitpid(kid[k], &st, 0), kid[k]);
        ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "process %d failed to prepare or save", k);
    }
    json_decref(rec);
    free(dir);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("record");
    const TTest *const core[] = {round_trip_keeps_every_field, never_overwrites_and_leaves_no_temporary,
                                 unwritable_folder_is_a_clear_runtime_error, damaged_files_are_usage_errors,
                                 concurrent_prepare_and_save_never_fail, NULL};
    tb_test_add_tcase(s, "core", 0, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
