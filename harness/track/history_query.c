/* tokbench history: the series (history.h). */
#include "history.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "history_internal.h"
#include "table.h"
#include "util.h"

/* One row per (benchmark, metric, record); the filters are bound, and a NULL one matches all.
 * GLOB is SQLite's: * ? [...] as in the shell, case-sensitive. */
static const char series_sql[] =
    "SELECT m.benchmark, m.metric, m.unit, r.started_at, m.median, m.ci95_low, m.ci95_high, m.n,"
    " r.machine_fingerprint, r.tool_commit, r.file"
    " FROM measurements m JOIN records r ON r.id = m.record_id"
    " WHERE (?1 IS NULL OR m.benchmark GLOB ?1) AND (?2 IS NULL OR r.started_at >= ?2)"
    " AND (?3 IS NULL OR r.machine_fingerprint = ?3)"
    " ORDER BY m.benchmark, m.metric, r.started_at, r.id";

enum { C_BENCH, C_METRIC, C_UNIT, C_STARTED, C_MEDIAN, C_LOW, C_HIGH, C_N, C_MACHINE, C_COMMIT, C_FILE, C_COUNT };

static const tb_col series_cols[C_COUNT] = {
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
};

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

/* {"database", "series": [{"benchmark", "metric", "unit", "points": [...]}]}: one series per
 * (benchmark, metric), its points in started_at order. */
static int print_json(sqlite3_stmt *st, const char *db_path)
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
        json_array_append_new(json_object_get(cur, "points"),
                              json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "started_at",
                                        text_or_null(st, C_STARTED), "median", real_or_null(st, C_MEDIAN), "ci95_low",
                                        real_or_null(st, C_LOW), "ci95_high", real_or_null(st, C_HIGH), "n", n,
                                        "machine", text_or_null(st, C_MACHINE), "commit", text_or_null(st, C_COMMIT),
                                        "file", text_or_null(st, C_FILE)));
    }
    if (step != SQLITE_DONE) {
        json_decref(series);
        return query_failed(st, db_path);
    }
    json_t *doc = json_pack("{s:s, s:o}", "database", db_path, "series", series);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
    json_decref(doc);
    if (!text)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the series");
    puts(text);
    free(text);
    return 0;
}

/* text, md, csv: the one table renderer, one row per point. */
static int print_table(sqlite3_stmt *st, tb_format fmt, const char *db_path)
{
    tb_table t;
    tb_table_init(&t, series_cols, C_COUNT);
    int step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        for (int c = 0; c < C_COUNT; c++) {
            if (sqlite3_column_type(st, c) == SQLITE_NULL)
                tb_table_cell(&t, fmt == TB_FMT_CSV ? "" : "-");
            else if (c >= C_MEDIAN && c <= C_HIGH)
                tb_table_cellf(&t, "%.6g", sqlite3_column_double(st, c));
            else
                tb_table_cell(&t, (const char *)sqlite3_column_text(st, c));
        }
    int rc = step != SQLITE_DONE ? query_failed(st, db_path) : t.failed ? TB_EXIT_RUNTIME : 0;
    if (!rc)
        tb_table_print(&t, fmt, stdout);
    tb_table_free(&t);
    return rc;
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
    int rc = o->format == TB_FMT_JSON ? print_json(st, h->path) : print_table(st, o->format, h->path);
    sqlite3_finalize(st);
    return rc;
}
