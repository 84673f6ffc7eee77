/* The history database: schema, opening, one transaction per record (history.h). Every value from
 * a record goes in through a bound parameter, never into the SQL text. */
#include "history.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "history_internal.h"
#include "history_rows.h"
#include "util.h"

/* Bump with a migration when the tables change; a newer database is refused, not rewritten. */
#define SCHEMA_VERSION 1
/* How long a writer waits for the other process's transaction before it gives up. */
#define BUSY_TIMEOUT_MS 10000

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS records ("
    " id INTEGER PRIMARY KEY,"
    " file TEXT NOT NULL UNIQUE," /* relative to the results folder */
    " schema TEXT, started_at TEXT, finished_at TEXT, complete INTEGER,"
    " machine_fingerprint TEXT, tool_commit TEXT, build TEXT, command TEXT, argv TEXT);"
    "CREATE TABLE IF NOT EXISTS measurements ("
    " record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
    " benchmark TEXT NOT NULL, metric TEXT NOT NULL, unit TEXT NOT NULL,"
    " median REAL, ci95_low REAL, ci95_high REAL, n INTEGER, samples_ns TEXT);"
    "CREATE INDEX IF NOT EXISTS measurements_series ON measurements(benchmark, metric);"
    "CREATE INDEX IF NOT EXISTS records_started ON records(started_at);";

static int fail(tb_history *h, char *err, size_t cap, const char *what)
{
    snprintf(err, cap, "%s: %s: %s", h->path, what, sqlite3_errmsg(h->db));
    return -1;
}

/* Creates the tables in an empty database, or checks the version of an existing one, in one
 * write transaction so that two processes creating it at once do not race. */
static int ensure_schema(tb_history *h, char *err, size_t cap)
{
    if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(h, err, cap, "cannot lock the database");
    sqlite3_stmt *st = NULL;
    int version = -1;
    if (sqlite3_prepare_v2(h->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    int rc = 0;
    if (version == 0) {
        char sql[sizeof schema_sql + 64];
        snprintf(sql, sizeof sql, "%sPRAGMA user_version = %d;", schema_sql, SCHEMA_VERSION);
        if (sqlite3_exec(h->db, sql, NULL, NULL, NULL) != SQLITE_OK)
            rc = fail(h, err, cap, "cannot create the tables");
    } else if (version != SCHEMA_VERSION) {
        snprintf(err, cap, "%s: history schema version %d, this tokbench reads %d", h->path, version, SCHEMA_VERSION);
        rc = -1;
    }
    if (rc == 0 && sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(h, err, cap, "cannot commit the schema");
    if (rc)
        sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* WAL: readers never block the writer and a crash mid-transaction leaves the database as it was.
 * Switching needs the database to itself, which the busy handler does not wait for, so a busy
 * answer is retried. synchronous=NORMAL is safe in WAL (no corruption; at worst the last
 * transactions are lost at a power cut, and the JSON records can rebuild them). */
static int set_wal(tb_history *h, char *err, size_t cap)
{
    for (int waited_ms = 0;; waited_ms += 50) {
        sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(h->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_step(st);
        const char *mode = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
        int wal = mode && strcmp(mode, "wal") == 0;
        sqlite3_finalize(st);
        if (wal)
            break;
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || waited_ms >= BUSY_TIMEOUT_MS)
            return fail(h, err, cap, "cannot switch to write-ahead logging");
        usleep(50 * 1000);
    }
    if (sqlite3_exec(h->db, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
        return fail(h, err, cap, "cannot set the pragmas");
    return 0;
}

tb_history *tb_history_open(const char *dir, char *err, size_t cap)
{
    tb_history *h = calloc(1, sizeof *h);
    if (!h) {
        snprintf(err, cap, "out of memory");
        return NULL;
    }
    snprintf(h->path, sizeof h->path, "%s/%s", dir, TB_HISTORY_FILE);
    if (!realpath(dir, h->dir)) {
        snprintf(err, cap, "%s: %s", dir, strerror(errno));
        free(h);
        return NULL;
    }
    int rc = sqlite3_open_v2(h->path, &h->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, cap, "%s: cannot open: %s", h->path, h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc));
        tb_history_close(h);
        return NULL;
    }
    sqlite3_busy_timeout(h->db, BUSY_TIMEOUT_MS);
    if (set_wal(h, err, cap) != 0 || ensure_schema(h, err, cap) != 0) {
        tb_history_close(h);
        return NULL;
    }
    return h;
}

void tb_history_close(tb_history *h)
{
    if (!h)
        return;
    sqlite3_close(h->db);
    free(h);
}

const char *tb_history_path(const tb_history *h)
{
    return h->path;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

static void bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
    char *t = v ? json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)) : NULL;
    bind_text(st, i, t);
    free(t);
}

static void bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

/* Inserts the records row; 1 when inserted (id in *id), 0 when the file is already there. */
static int insert_record(tb_history *h, const json_t *rec, const char *file, sqlite3_int64 *id)
{
    static const char sql[] = "INSERT OR IGNORE INTO records (file, schema, started_at, finished_at, complete,"
                              " machine_fingerprint, tool_commit, build, command, argv)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->db, sql, -1, &st, NULL) != SQLITE_OK)
        return -1;
    const json_t *settings = json_object_get(rec, "settings"), *complete = json_object_get(rec, "complete");
    bind_text(st, 1, file);
    bind_text(st, 2, json_string_value(json_object_get(rec, "schema")));
    bind_text(st, 3, json_string_value(json_object_get(rec, "started_at")));
    bind_text(st, 4, json_string_value(json_object_get(rec, "finished_at")));
    if (json_is_boolean(complete))
        sqlite3_bind_int(st, 5, json_is_true(complete));
    bind_text(st, 6, json_string_value(json_object_get(json_object_get(rec, "machine"), "fingerprint")));
    bind_text(st, 7, json_string_value(json_object_get(json_object_get(rec, "tool"), "commit")));
    bind_json(st, 8, json_object_get(rec, "build"));
    bind_text(st, 9, json_string_value(json_object_get(settings, "command")));
    bind_json(st, 10, json_object_get(settings, "argv"));
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return -1;
    *id = sqlite3_last_insert_rowid(h->db);
    return sqlite3_changes(h->db) > 0;
}

typedef struct {
    sqlite3_stmt *st;
    sqlite3_int64 id;
} insert_ctx;

static int insert_measurement(const tb_history_measurement *m, void *vctx)
{
    insert_ctx *c = vctx;
    sqlite3_reset(c->st);
    sqlite3_clear_bindings(c->st);
    sqlite3_bind_int64(c->st, 1, c->id);
    bind_text(c->st, 2, m->benchmark);
    bind_text(c->st, 3, m->metric);
    bind_text(c->st, 4, m->unit);
    bind_real(c->st, 5, m->median);
    bind_real(c->st, 6, m->ci95_low);
    bind_real(c->st, 7, m->ci95_high);
    if (m->n >= 0)
        sqlite3_bind_int64(c->st, 8, m->n);
    bind_json(c->st, 9, m->samples);
    return sqlite3_step(c->st) == SQLITE_DONE ? 0 : -1;
}

int tb_history_insert(tb_history *h, const json_t *rec, const char *file, char *err, size_t cap)
{
    if (sqlite3_exec(h->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail(h, err, cap, "cannot lock the database");
    insert_ctx c = {NULL, 0};
    int added = insert_record(h, rec, file, &c.id);
    int rc = added < 0 ? -1 : 0;
    if (added > 0) {
        static const char sql[] = "INSERT INTO measurements (record_id, benchmark, metric, unit, median, ci95_low,"
                                  " ci95_high, n, samples_ns) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
        rc = sqlite3_prepare_v2(h->db, sql, -1, &c.st, NULL) == SQLITE_OK ? 0 : -1;
        if (rc == 0)
            rc = tb_history_measurements(rec, insert_measurement, &c);
        sqlite3_finalize(c.st);
    }
    if (rc == 0 && sqlite3_exec(h->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
        return added;
    fail(h, err, cap, "cannot insert the record");
    sqlite3_exec(h->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

void tb_history_record_saved(const json_t *rec, const char *path, const tb_opts *o)
{
    char err[4600];
    size_t n = strlen(o->results_dir);
    const char *file = path;
    if (strncmp(path, o->results_dir, n) == 0 && path[n] == '/')
        file = path + n + 1;
    tb_history *h = tb_history_open(o->results_dir, err, sizeof err);
    if (!h || tb_history_insert(h, rec, file, err, sizeof err) < 0)
        tb_warn("the record is saved but not in the history: %s", err);
    tb_history_close(h);
}
