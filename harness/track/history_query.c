/* tokbench history: the series and the changes detected in them (history.h). */
#include "history.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_changes.h"
#include "history_internal.h"
#include "json_path.h"
#include "steps.h"
#include "table.h"
#include "util.h"

/* One row per (benchmark, metric, record); the filters are bound, and a NULL one matches all.
 * GLOB is SQLite's: * ? [...] as in the shell, case-sensitive. */
static const char series_sql[] =
    "SELECT m.benchmark, m.metric, m.unit, r.started_at, m.median, m.ci95_low, m.ci95_high, m.n,"
    " r.machine_fingerprint, r.tool_commit, r.file, m.samples_ns"
    " FROM measurements m JOIN records r ON r.id = m.record_id"
    " WHERE (?1 IS NULL OR m.benchmark GLOB ?1) AND (?2 IS NULL OR r.started_at >= ?2)"
    " AND (?3 IS NULL OR r.machine_fingerprint = ?3)"
    " ORDER BY m.benchmark, m.metric, r.started_at, r.id";

enum { C_BENCH, C_METRIC, C_UNIT, C_STARTED, C_MEDIAN, C_LOW, C_HIGH, C_N, C_MACHINE, C_COMMIT, C_FILE, C_SAMPLES };

/* The table's columns: the point's fields, then the change detected there (history_changes.h). */
enum { T_CHANGE = C_SAMPLES, T_COUNT };
static const tb_col series_cols[T_COUNT] = {
    {"benchmark", 0, 0},
    {"metric", 0, 0},
    {"unit", 0, 0},
    {"started_at", 0, 0},
    {"median", 0, TB_COL_RIGHT | TB_COL_HEAD_RIGHT | TB_COL_MD_RIGHT},
    {"ci95_low", 0, TB_COL_RIGHT | TB_COL_HEAD_RIGHT | TB_COL_MD_RIGHT},
    {"ci95_high", 0, TB_COL_RIGHT | TB_COL_HEAD_RIGHT | TB_COL_MD_RIGHT},
    {"n", 0, TB_COL_RIGHT | TB_COL_HEAD_RIGHT | TB_COL_MD_RIGHT},
    {"machine", 0, 0},
    {"commit", 0, 0},
    {"file", 0, 0},
    {"change", 0, 0},
};
/* A point's members, in column order from C_STARTED. */
static const char *const point_keys[] = {"started_at", "median", "ci95_low", "ci95_high", "n", "machine", "commit", "file"};

/* --since takes YYYY-MM-DD, optionally with THH:MM[:SS]: a prefix of the records' ISO-8601 UTC
 * times, so that comparing the texts compares the times. */
static int valid_since(const char *s)
{
    static const char pattern[] = "dddd-dd-ddTdd:dd:dd";
    size_t n = strlen(s);
    if (n != 10 && n != 16 && n != 19)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (pattern[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pattern[i])
            return 0;
    return 1;
}

static json_t *real_or_null(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? json_null() : json_real(sqlite3_column_double(st, col));
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return s ? json_string(s) : json_null();
}

static int query_failed(sqlite3_stmt *st, const char *db_path)
{
    return tb_fail(TB_EXIT_RUNTIME, "%s: cannot read the series: %s", db_path, sqlite3_errmsg(sqlite3_db_handle(st)));
}

/* [{"benchmark", "metric", "unit", "points": [...]}]: one series per (benchmark, metric), its
 * points in started_at order, each with its raw samples_ns for the detector. */
static int load_series(sqlite3_stmt *st, const char *db_path, json_t **out)
{
    json_t *series = json_array(), *cur = NULL;
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *bench = (const char *)sqlite3_column_text(st, C_BENCH);
        const char *metric = (const char *)sqlite3_column_text(st, C_METRIC);
        if (!cur || strcmp(json_string_value(json_object_get(cur, "benchmark")), bench) != 0 ||
            strcmp(json_string_value(json_object_get(cur, "metric")), metric) != 0) {
            cur = json_pack("{s:s, s:s, s:o, s:[]}", "benchmark", bench, "metric", metric, "unit",
                            text_or_null(st, C_UNIT), "points");
            json_array_append_new(series, cur);
        }
        json_t *n = sqlite3_column_type(st, C_N) == SQLITE_NULL ? json_null() : json_integer(sqlite3_column_int64(st, C_N));
        const char *samples = (const char *)sqlite3_column_text(st, C_SAMPLES);
        json_t *p = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "started_at", text_or_null(st, C_STARTED),
                              "median", real_or_null(st, C_MEDIAN), "ci95_low", real_or_null(st, C_LOW), "ci95_high",
                              real_or_null(st, C_HIGH), "n", n, "machine", text_or_null(st, C_MACHINE), "commit",
                              text_or_null(st, C_COMMIT), "file", text_or_null(st, C_FILE));
        if (samples)
            json_object_set_new(p, "samples_ns", json_loads(samples, 0, NULL));
        json_array_append_new(json_object_get(cur, "points"), p);
    }
    if (step != SQLITE_DONE) {
        json_decref(series);
        return query_failed(st, db_path);
    }
    *out = series;
    return 0;
}

static int print_json(json_t *series, const char *db_path)
{
    json_t *doc = json_pack("{s:s, s:O}", "database", db_path, "series", series);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(doc);
    if (!text)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the series");
    puts(text);
    free(text);
    return 0;
}

/* "step regressed 1.204 [1.18, 1.23]": a change, or the latest point's regression, as one cell. */
static void change_cell(tb_table *t, const json_t *c, const char *what)
{
    tb_table_cellf(t, "%s %s%s %.4g [%.4g, %.4g]", tb_json_str(c, "kind"), tb_json_str(c, "verdict"), what,
                   tb_json_num(c, "ratio"), tb_json_num(c, "ci95_low"), tb_json_num(c, "ci95_high"));
}

/* The change at point i of series s (one of "changes", else one of "latest_regressions"), or NULL. */
static const json_t *change_at(const json_t *s, size_t i, const char **what)
{
    static const char *const lists[] = {"changes", "latest_regressions"};
    for (int l = 0; l < 2; l++) {
        size_t k;
        const json_t *c;
        json_array_foreach(json_object_get(s, lists[l]), k, c) if (tb_json_int(c, "index") == (long long)i) {
            *what = l ? " (latest)" : "";
            return c;
        }
    }
    return NULL;
}

/* text, md, csv: the one table renderer, one row per point. */
static int print_table(const json_t *series, tb_format fmt)
{
    tb_table t;
    tb_table_init(&t, series_cols, T_COUNT);
    const char *none = fmt == TB_FMT_CSV ? "" : "-";
    size_t si, pi;
    const json_t *s, *p;
    json_array_foreach(series, si, s) json_array_foreach(json_object_get(s, "points"), pi, p) {
        tb_table_cell(&t, tb_json_str(s, "benchmark"));
        tb_table_cell(&t, tb_json_str(s, "metric"));
        tb_table_cell(&t, tb_json_str_or(s, "unit", none));
        for (size_t k = 0; k < sizeof point_keys / sizeof *point_keys; k++) {
            const json_t *v = json_object_get(p, point_keys[k]);
            if (json_is_integer(v))
                tb_table_cellf(&t, "%lld", (long long)json_integer_value(v));
            else if (json_is_number(v))
                tb_table_cellf(&t, "%.6g", json_number_value(v));
            else
                tb_table_cell(&t, json_is_string(v) ? json_string_value(v) : none);
        }
        const char *what = "";
        const json_t *c = change_at(s, pi, &what);
        if (c)
            change_cell(&t, c, what);
        else
            tb_table_cell(&t, none);
    }
    int rc = t.failed ? TB_EXIT_RUNTIME : 0;
    if (!rc)
        tb_table_print(&t, fmt, stdout);
    tb_table_free(&t);
    return rc;
}

/* One line on stderr per series whose latest point is a regression: what a nightly job logs. */
static void say_regressions(const json_t *series)
{
    size_t si, k;
    const json_t *s, *c;
    json_array_foreach(series, si, s) json_array_foreach(json_object_get(s, "latest_regressions"), k, c) {
        const json_t *p = json_array_get(json_object_get(s, "points"), (size_t)tb_json_int(c, "index"));
        fprintf(stderr, "tokbench: history: %s %s on %s: the latest point (%s, commit %s) regressed, %s ratio %.4g "
                        "[%.4g, %.4g], p_adjusted %.3g\n", tb_json_str(s, "benchmark"), tb_json_str(s, "metric"),
                tb_json_str(p, "machine"), tb_json_str(p, "started_at"), tb_json_str(p, "commit"),
                tb_json_str(c, "kind"), tb_json_num(c, "ratio"), tb_json_num(c, "ci95_low"),
                tb_json_num(c, "ci95_high"), tb_json_num(c, "p_adjusted"));
    }
}

int tb_history_print(tb_history *h, const tb_opts *o)
{
    if (o->since && !valid_since(o->since))
        return tb_fail(TB_EXIT_USAGE, "--since '%s': expected a UTC date YYYY-MM-DD (or YYYY-MM-DDTHH:MM[:SS])",
                       o->since);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, series_sql, -1, &st, NULL) != SQLITE_OK)
        return tb_fail(TB_EXIT_RUNTIME, "%s: cannot query: %s", h->path, sqlite3_errmsg(h->db));
    const char *filters[] = {o->bench_glob, o->since, o->machine};
    for (int i = 0; i < 3; i++)
        if (filters[i])
            sqlite3_bind_text(st, i + 1, filters[i], -1, SQLITE_STATIC);
    json_t *series = NULL;
    int rc = load_series(st, h->path, &series);
    sqlite3_finalize(st);
    int regressed = rc ? 0 : tb_history_changes(series, o->window > 0 ? (size_t)o->window : TB_STEPS_WINDOW,
                                                o->threshold_pct);
    if (!rc && regressed < 0)
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory detecting changes in the series");
    if (!rc)
        rc = o->format == TB_FMT_JSON ? print_json(series, h->path) : print_table(series, o->format);
    if (!rc && regressed > 0) {
        say_regressions(series);
        rc = TB_EXIT_REGRESSION;
    }
    json_decref(series);
    return rc;
}
