/* The history (track/history.h): every saved record lands in it with its measurements, import
 * rebuilds it from the JSON records and skips what it cannot read, two writers at once lose no
 * row, and the series come out filtered and in order. */
#include <check.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "history.h"
#include "testmain.h"
#include "testutil.h"

/* The one value of a query on dir's history.sqlite (a count). */
static long long query_int(const char *dir, const char *sql)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, TB_HISTORY_FILE);
    sqlite3 *db;
    ck_assert_int_eq(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    ck_assert_msg(sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK, "%s", sqlite3_errmsg(db));
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

static tb_run_result run_in(const char *results_dir, const char *args)
{
    char cmd[9400];
    snprintf(cmd, sizeof cmd, "%s --results-dir '%s'", args, results_dir);
    return tb_test_run(NULL, cmd);
}

/* The fixture bench record with its start time set to `started`, saved as dir/name. */
static void write_dated_record(const char *dir, const char *name, const char *started)
{
    json_t *rec = json_load_file(tb_test_fixture("results/bench-gemm.json"), 0, NULL);
    ck_assert_ptr_nonnull(rec);
    json_object_set_new(rec, "started_at", json_string(started));
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(json_dump_file(rec, path, JSON_INDENT(1)), 0);
    json_decref(rec);
}

START_TEST(saved_bench_record_is_inserted_with_its_measurements)
{
    char *dir = tb_test_tmpdir();
    tb_run_result r = run_in(dir, "bench gemm --backend portable --shape 9x7x5 --min-time 0 --repetitions 4 --warmup 0");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_null(strstr(r.err, "not in the history"));
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM records"), 1);
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM measurements"), 1);
    ck_assert_int_eq(query_int(dir, "SELECT n FROM measurements WHERE metric = 'time_per_call' AND unit = 'ns'"), 4);
    ck_assert_int_eq(query_int(dir, "SELECT json_array_length(samples_ns) FROM measurements"), 4);
    ck_assert_int_eq(query_int(dir, "SELECT ci95_low <= median AND median <= ci95_high FROM measurements"), 1);
    ck_assert_int_eq(query_int(dir, "SELECT benchmark LIKE 'bench/gemm/portable/%/f32/m=9,n=7,k=5/t%' FROM measurements"), 1);
    /* the file is named relative to the results folder, and it exists there */
    ck_assert_int_eq(query_int(dir, "SELECT complete = 1 AND command = 'bench' AND file LIKE machine_fingerprint || '/%.json'"
                                    " FROM records"),
                     1);
    ck_assert_int_eq(query_int(dir, "PRAGMA user_version"), 1);
    /* an import of the results folder names the saved record the same way: nothing new */
    char args[4600];
    snprintf(args, sizeof args, "history import '%s'", dir);
    tb_test_run_free(&r);
    r = run_in(dir, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "imported 0 records"));
    ck_assert_ptr_nonnull(strstr(r.out, "1 already there"));
    /* --no-save saves nothing, so inserts nothing */
    tb_test_run_free(&r);
    r = run_in(dir, "bench gemm --backend portable --shape 9x7x5 --min-time 0 --repetitions 2 --warmup 0 --no-save");
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM records"), 1);
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

/* The history cannot be written (a folder stands where the database would be): the record is
 * still saved, one warning says so, the exit status is unchanged. */
START_TEST(failed_insert_keeps_the_record_and_the_exit_status)
{
    char *dir = tb_test_tmpdir(), db[4200];
    snprintf(db, sizeof db, "%s/%s", dir, TB_HISTORY_FILE);
    ck_assert_int_eq(mkdir(db, 0777), 0);
    tb_run_result r = run_in(dir, "bench gemm --backend portable --shape 9x7x5 --min-time 0 --repetitions 2 --warmup 0");
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "tokbench: warning: the record is saved but not in the history"));
    ck_assert_ptr_nonnull(strstr(r.err, "record saved to"));
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(import_builds_rows_and_is_idempotent)
{
    char *dir = tb_test_tmpdir(), args[4600];
    snprintf(args, sizeof args, "history import '%s'", tb_test_fixture("results"));
    tb_run_result r = run_in(dir, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "imported 6 records"));
    long long nrec = query_int(dir, "SELECT count(*) FROM records");
    long long nmeas = query_int(dir, "SELECT count(*) FROM measurements");
    ck_assert_int_eq(nrec, 6);
    ck_assert_int_gt(nmeas, 6);
    /* outside the results folder a record is named by its absolute path */
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM records WHERE file LIKE '/%/results/sweep/machine-b/bench-gemm.json'"), 1);
    /* a run row gives tokens/s and latency for both phases */
    ck_assert_int_eq(query_int(dir, "SELECT count(DISTINCT metric) FROM measurements WHERE benchmark LIKE 'run/%'"), 4);
    tb_test_run_free(&r);
    r = run_in(dir, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "imported 0 records"));
    ck_assert_ptr_nonnull(strstr(r.out, "6 already there"));
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM records"), nrec);
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM measurements"), nmeas);
    tb_test_run_free(&r);
    free(dir);
}
END_TEST

START_TEST(malformed_record_is_skipped_with_a_warning_naming_it)
{
    char *src = tb_test_tmpdir(), *dir = tb_test_tmpdir(), path[4200], args[4600];
    write_dated_record(src, "good.json", "2026-11-01T00:00:00Z");
    snprintf(path, sizeof path, "%s/broken.json", src);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("{\"schema\": \"tokbench.result/1\", \"cases\": [\n", f);
    fclose(f);
    /* a sparse file over the record limit: skipped without being read */
    snprintf(path, sizeof path, "%s/huge.json", src);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(truncate(path, (off_t)(600ll << 20)), 0);
    snprintf(args, sizeof args, "history import '%s'", src);
    tb_run_result r = run_in(dir, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_int_eq(tb_test_count_lines(r.err), 2);
    ck_assert_ptr_nonnull(strstr(r.err, "tokbench: warning: "));
    ck_assert_ptr_nonnull(strstr(r.err, "broken.json"));
    ck_assert_ptr_nonnull(strstr(r.err, "huge.json: 629145600 bytes, more than a record can be"));
    ck_assert_ptr_nonnull(strstr(r.out, "imported 1 records"));
    ck_assert_ptr_nonnull(strstr(r.out, "2 skipped"));
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM records"), 1);
    tb_test_run_free(&r);
    free(src);
    free(dir);
}
END_TEST

/* Each child inserts its own 50 records through its own connection while the other does too. */
static int insert_many(const char *dir, const json_t *rec, int child)
{
    char err[4600];
    tb_history *h = tb_history_open(dir, err, sizeof err);
    if (!h) {
        fprintf(stderr, "child %d: %s\n", child, err);
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < 50 && !bad; i++) {
        char file[64];
        snprintf(file, sizeof file, "child%d/record%02d.json", child, i);
        if (tb_history_insert(h, rec, file, err, sizeof err) != 1) {
            fprintf(stderr, "child %d, record %d: %s\n", child, i, err);
            bad = 1;
        }
    }
    tb_history_close(h);
    return bad;
}

START_TEST(two_processes_inserting_at_once_lose_no_row)
{
    char *dir = tb_test_tmpdir();
    json_t *rec = json_load_file(tb_test_fixture("results/bench-gemm.json"), 0, NULL);
    ck_assert_ptr_nonnull(rec);
    pid_t pid[2];
    for (int c = 0; c < 2; c++) {
        pid[c] = fork();
        ck_assert_int_ge(pid[c], 0);
        if (pid[c] == 0)
            _exit(insert_many(dir, rec, c));
    }
    for (int c = 0; c < 2; c++) {
        int status;
        ck_assert_int_eq(waitpid(pid[c], &status, 0), pid[c]);
        ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %d failed (status %d)", c, status);
    }
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM records"), 100);
    ck_assert_int_eq(query_int(dir, "SELECT count(*) FROM measurements"), 100);
    ck_assert_int_eq(query_int(dir, "SELECT integrity_check = 'ok' FROM pragma_integrity_check"), 1);
    json_decref(rec);
    free(dir);
}
END_TEST

/* Three nights of one benchmark, written out of order into the results folder itself (so they
 * are named relative to it), then imported. */
static char *dated_history(void)
{
    char *dir = tb_test_tmpdir(), args[4600];
    write_dated_record(dir, "c.json", "2026-11-10T02:00:00Z");
    write_dated_record(dir, "a.json", "2026-11-20T02:00:00Z");
    write_dated_record(dir, "b.json", "2026-11-01T02:00:00Z");
    snprintf(args, sizeof args, "history import '%s'", dir);
    tb_run_result r = run_in(dir, args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "imported 3 records"));
    tb_test_run_free(&r);
    return dir;
}

static json_t *series_json(const char *dir, const char *filters)
{
    char args[4600];
    snprintf(args, sizeof args, "history --format json --results-dir '%s' %s", dir, filters);
    return tb_test_run_json(NULL, args, 0);
}

START_TEST(json_lists_each_series_with_its_points_in_order)
{
    char *dir = dated_history();
    json_t *doc = series_json(dir, "");
    json_t *series = json_object_get(doc, "series");
    ck_assert_int_eq((int)json_array_size(series), 1);
    json_t *s = json_array_get(series, 0);
    ck_assert_str_eq(json_string_value(json_object_get(s, "benchmark")), "bench/gemm/portable/avx2/f32/m=8,n=4096,k=4096/t2/warm");
    ck_assert_str_eq(json_string_value(json_object_get(s, "metric")), "time_per_call");
    ck_assert_str_eq(json_string_value(json_object_get(s, "unit")), "ns");
    json_t *points = json_object_get(s, "points");
    ck_assert_int_eq((int)json_array_size(points), 3);
    const char *order[] = {"b.json", "c.json", "a.json"};
    for (int i = 0; i < 3; i++) {
        json_t *p = json_array_get(points, (size_t)i);
        ck_assert_str_eq(json_string_value(json_object_get(p, "file")), order[i]);
        ck_assert(json_real_value(json_object_get(p, "median")) == 1005000.0);
        ck_assert_int_eq(json_integer_value(json_object_get(p, "n")), 2);
        ck_assert_str_eq(json_string_value(json_object_get(p, "machine")), "feedfacefeedface");
    }
    json_decref(doc);
    free(dir);
}
END_TEST

START_TEST(since_benchmark_and_machine_filter)
{
    char *dir = dated_history();
    json_t *doc = series_json(dir, "--since 2026-11-10");
    ck_assert_int_eq((int)json_array_size(tb_test_path(json_array_get(json_object_get(doc, "series"), 0), "points")), 2);
    json_decref(doc);
    doc = series_json(dir, "--since 2026-11-10T02:00:01");
    ck_assert_int_eq((int)json_array_size(tb_test_path(json_array_get(json_object_get(doc, "series"), 0), "points")), 1);
    json_decref(doc);
    doc = series_json(dir, "--benchmark 'run/*'");
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "series")), 0);
    json_decref(doc);
    doc = series_json(dir, "--benchmark 'bench/gemm/*/t2/warm'");
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "series")), 1);
    json_decref(doc);
    doc = series_json(dir, "--machine 0123456789abcdef");
    ck_assert_int_eq((int)json_array_size(json_object_get(doc, "series")), 0);
    json_decref(doc);
    char args[4600];
    snprintf(args, sizeof args, "history --results-dir '%s' --since 20261110", dir);
    tb_test_expect_usage_error(NULL, args, "--since");
    free(dir);
}
END_TEST

/* Text, Markdown and CSV come from the one table renderer: a header, then a row per point. */
START_TEST(text_md_and_csv_have_a_row_per_point)
{
    char *dir = dated_history(), args[4600];
    const char *formats[] = {"text", "csv"};
    for (int i = 0; i < 2; i++) {
        snprintf(args, sizeof args, "history --format %s", formats[i]);
        tb_run_result r = run_in(dir, args);
        ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
        ck_assert_int_eq(tb_test_count_lines(r.out), 4);
        ck_assert_ptr_nonnull(strstr(r.out, "ci95_low"));
        tb_test_run_free(&r);
    }
    tb_run_result r = run_in(dir, "history --format md");
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(tb_test_count_lines(r.out), 5);
    tb_test_run_free(&r);
    tb_test_expect_usage_error(NULL, "history import", "import");
    tb_test_expect_usage_error(NULL, "history frobnicate", "frobnicate");
    free(dir);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("history");
    const TTest *const core[] = {saved_bench_record_is_inserted_with_its_measurements,
                                 failed_insert_keeps_the_record_and_the_exit_status,
                                 import_builds_rows_and_is_idempotent,
                                 malformed_record_is_skipped_with_a_warning_naming_it,
                                 two_processes_inserting_at_once_lose_no_row,
                                 json_lists_each_series_with_its_points_in_order, since_benchmark_and_machine_filter,
                                 text_md_and_csv_have_a_row_per_point, NULL};
    tb_test_add_tcase(s, "core", 120, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
