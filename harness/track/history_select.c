/* `@history[:FILTERS]` inputs: the history's records that the filters select, as files
 * (history.h). The filters are bound parameters, never SQL text. */
#include "history.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "glob.h"
#include "history_internal.h"
#include "util.h"

enum { F_SINCE, F_UNTIL, F_MACHINE, F_COMMIT, F_BENCHMARK, F_LAST, F_COUNT };
static const char *const keys[F_COUNT] = {"since", "until", "machine", "commit", "benchmark", "last"};

/* Per (record, benchmark) after the filters; last=N keeps the N latest records of each benchmark
 * (ties in started_at by insertion order). A record has several metrics per run row, hence the
 * GROUP BY. Ordered by file, as a folder's records are read. */
static const char select_sql[] =
    "SELECT file, benchmark FROM ("
    " SELECT r.file AS file, m.benchmark AS benchmark,"
    "  row_number() OVER (PARTITION BY m.benchmark ORDER BY r.started_at DESC, r.id DESC) AS latest"
    " FROM measurements m JOIN records r ON r.id = m.record_id"
    " WHERE (?1 IS NULL OR r.started_at >= ?1) AND (?2 IS NULL OR r.started_at < ?2)"
    " AND (?3 IS NULL OR substr(r.machine_fingerprint, 1, length(?3)) = ?3)"
    " AND (?4 IS NULL OR substr(r.tool_commit, 1, length(?4)) = ?4)"
    " AND (?5 IS NULL OR m.benchmark GLOB ?5)"
    " GROUP BY r.id, m.benchmark)"
    " WHERE ?6 IS NULL OR latest <= ?6"
    " ORDER BY file, benchmark";

int tb_history_is_query(const char *arg)
{
    size_t n = strlen(TB_HISTORY_PREFIX);
    return strncmp(arg, TB_HISTORY_PREFIX, n) == 0 && (arg[n] == '\0' || arg[n] == ':');
}

static int key_index(const char *s, size_t len)
{
    for (int k = 0; k < F_COUNT; k++)
        if (strlen(keys[k]) == len && strncmp(s, keys[k], len) == 0)
            return k;
    return -1;
}

/* Where the filter after a comma at s would start: s + 1 when a known key and '=' follow. */
static int starts_filter(const char *s)
{
    size_t len = 0;
    while (islower((unsigned char)s[len]))
        len++;
    return s[len] == '=' && key_index(s, len) >= 0;
}

/* The number the two digits at s write (valid_date has checked that they are digits). */
static int two_digits(const char *s) { return (s[0] - '0') * 10 + (s[1] - '0'); }

/* UTC, as the records write started_at: YYYY-MM-DD, then optionally THH:MM, :SS and Z. Compared
 * as text, a shorter date is the start of its day (or minute). */
static int valid_date(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    size_t n = strlen(s);
    if (n && s[n - 1] == 'Z' && n > 16)
        n--;
    if (n != 10 && n != 16 && n != 19)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i])
            return 0;
    int month = two_digits(s + 5), day = two_digits(s + 8);
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return 0;
    return n == 10 || (two_digits(s + 11) < 24 && two_digits(s + 14) < 60 && (n == 16 || two_digits(s + 17) < 60));
}

/* One line naming key k's value v when it is bad; last='s number goes to *last. */
static int check_value(const char *arg, int k, const char *v, int *last)
{
    const char *why = NULL;
    if (!*v)
        why = "an empty value";
    else if ((k == F_SINCE || k == F_UNTIL) && !valid_date(v))
        why = "expected a UTC date YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z]";
    else if (k == F_BENCHMARK && !tb_glob_valid(v))
        why = "a '[' without its ']' in the glob";
    else if (k == F_LAST && tb_parse_int(v, 1, 1000000, last) != 0)
        why = "expected a whole number from 1 to 1000000";
    if (why)
        return tb_fail(TB_EXIT_USAGE, "%s: %s=%s: %s", arg, keys[k], v, why);
    return 0;
}

/* Splits "k=v,k=v" (a copy in buf) into value[]; each key at most once, last='s number also to
 * *last. */
static int parse_filters(const char *arg, char *buf, const char *value[F_COUNT], int *last)
{
    for (int k = 0; k < F_COUNT; k++)
        value[k] = NULL;
    char *p = buf;
    while (*p) {
        char *eq = strchr(p, '='), *end;
        int k = eq ? key_index(p, (size_t)(eq - p)) : -1;
        size_t len = eq ? (size_t)(eq - p) : strcspn(p, ",");
        if (!eq && key_index(p, len) >= 0)
            return tb_fail(TB_EXIT_USAGE, "%s: '%.*s' without a value (%.*s=...)", arg, (int)len, p, (int)len, p);
        if (k < 0) {
            return tb_fail(TB_EXIT_USAGE, "%s: unknown filter '%.*s' (since, until, machine, commit, benchmark, last; "
                                          "each as key=value)",
                           arg, (int)len, p);
        }
        if (value[k])
            return tb_fail(TB_EXIT_USAGE, "%s: %s given twice", arg, keys[k]);
        for (end = eq + 1; *end && !(*end == ',' && starts_filter(end + 1)); end++)
            ;
        int more = *end == ',';
        *end = '\0';
        value[k] = eq + 1;
        int rc = check_value(arg, k, value[k], last);
        if (rc)
            return rc;
        /* records write 2026-12-07T11:05:00.271Z: without its Z a bound is a prefix of the records
         * of its second, so since= takes them and until= leaves them out */
        if ((k == F_SINCE || k == F_UNTIL) && end[-1] == 'Z')
            end[-1] = '\0';
        p = more ? end + 1 : end;
    }
    return 0;
}

static int oom(void) { return tb_fail(TB_EXIT_RUNTIME, "out of memory"); }

/* The pick of file: the last one when it is the same file (rows come ordered by file), else a new
 * one. NULL when out of memory. */
static tb_history_pick *pick_for(tb_history_selection *sel, const char *results_dir, const char *file)
{
    char path[8400];
    snprintf(path, sizeof path, "%s%s%s", file[0] == '/' ? "" : results_dir, file[0] == '/' ? "" : "/", file);
    if (sel->n && strcmp(sel->pick[sel->n - 1].path, path) == 0)
        return &sel->pick[sel->n - 1];
    tb_history_pick *grown = tb_grow(sel->pick, &sel->cap, sel->n + 1, sizeof *grown);
    if (!grown)
        return NULL;
    sel->pick = grown;
    tb_history_pick *p = &sel->pick[sel->n];
    memset(p, 0, sizeof *p);
    if (!(p->path = strdup(path)))
        return NULL;
    sel->n++;
    return p;
}

static int add_bench(tb_history_pick *p, const char *id)
{
    char **b = realloc(p->bench, (p->nbench + 1) * sizeof *b);
    if (!b)
        return oom();
    p->bench = b;
    if (!(b[p->nbench] = strdup(id)))
        return oom();
    p->nbench++;
    return 0;
}

static int run_query(tb_history *h, const char *arg, const char *value[F_COUNT], int last, const char *results_dir,
                     tb_history_selection *sel)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, select_sql, -1, &st, NULL) != SQLITE_OK)
        return tb_fail(TB_EXIT_RUNTIME, "%s: %s: cannot query: %s", arg, h->path, sqlite3_errmsg(h->db));
    for (int k = 0; k < F_COUNT; k++)
        if (value[k] && k == F_LAST)
            sqlite3_bind_int(st, k + 1, last);
        else if (value[k])
            sqlite3_bind_text(st, k + 1, value[k], -1, SQLITE_STATIC);
    int step, rc = 0;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        tb_history_pick *p = pick_for(sel, results_dir, (const char *)sqlite3_column_text(st, 0));
        rc = p ? add_bench(p, (const char *)sqlite3_column_text(st, 1)) : oom();
    }
    if (!rc && step != SQLITE_DONE)
        rc = tb_fail(TB_EXIT_RUNTIME, "%s: %s: cannot query: %s", arg, h->path, sqlite3_errmsg(h->db));
    sqlite3_finalize(st);
    return rc;
}

int tb_history_select(const char *arg, const char *results_dir, tb_history_selection *sel)
{
    memset(sel, 0, sizeof *sel);
    const char *rest = arg + strlen(TB_HISTORY_PREFIX);
    char *buf = strdup(*rest == ':' ? rest + 1 : rest);
    if (!buf)
        return oom();
    const char *value[F_COUNT];
    int last = 0;
    int rc = parse_filters(arg, buf, value, &last);
    char db[4200];
    snprintf(db, sizeof db, "%s/%s", results_dir, TB_HISTORY_FILE);
    struct stat sb;
    if (!rc && stat(db, &sb) != 0) /* never created by a query: a typo in --results-dir must show */
        rc = tb_fail(TB_EXIT_USAGE, "%s: no history at %s (%s; tokbench history import DIR builds it)", arg, db,
                     strerror(errno));
    tb_history *h = NULL;
    char err[4600];
    if (!rc && !(h = tb_history_open(results_dir, err, sizeof err)))
        rc = tb_fail(TB_EXIT_USAGE, "%s: %s", arg, err);
    if (!rc)
        rc = run_query(h, arg, value, last, results_dir, sel);
    if (!rc && sel->n == 0)
        rc = tb_fail(TB_EXIT_USAGE, "%s: no record in %s matches", arg, db);
    tb_history_close(h);
    free(buf);
    if (rc)
        tb_history_selection_free(sel);
    return rc;
}

int tb_history_pick_has(const tb_history_pick *pick, const char *id)
{
    for (size_t i = 0; i < pick->nbench; i++)
        if (strcmp(pick->bench[i], id) == 0)
            return 1;
    return 0;
}

void tb_history_selection_free(tb_history_selection *sel)
{
    for (size_t i = 0; i < sel->n; i++) {
        for (size_t b = 0; b < sel->pick[i].nbench; b++)
            free(sel->pick[i].bench[b]);
        free(sel->pick[i].bench);
        free(sel->pick[i].path);
    }
    free(sel->pick);
    memset(sel, 0, sizeof *sel);
}
