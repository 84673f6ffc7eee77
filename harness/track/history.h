/* The history: every saved record, and its measurements, also in one SQLite database
 * (<results-dir>/history.sqlite) so that series over many records are one query away. The JSON
 * records stay the source of truth: the database can always be rebuilt from them
 * (tb_history_import), and a failure to insert never loses or fails a record.
 *
 * Two tokbench processes may write at once (a nightly job and a person): each record goes in
 * with one transaction, the journal is a write-ahead log and a writer waits (busy timeout)
 * rather than fail while the other commits. */
#ifndef TB_HISTORY_H
#define TB_HISTORY_H

#include <jansson.h>

#include "options.h"

#define TB_HISTORY_FILE "history.sqlite"

typedef struct tb_history tb_history;

/* Opens (creating it and its schema when missing) dir/history.sqlite. NULL, with the reason in
 * err, when it cannot: a missing folder, a file that is not this schema's database. */
tb_history *tb_history_open(const char *dir, char *err, size_t cap);
void tb_history_close(tb_history *h);
/* The database's path. */
const char *tb_history_path(const tb_history *h);

/* Inserts rec as file (its path relative to the results folder) with its measurements, in one
 * transaction. Returns 1 inserted, 0 already present (by file), -1 failed (reason in err, nothing
 * of the record kept). */
int tb_history_insert(tb_history *h, const json_t *rec, const char *file, char *err, size_t cap);

/* The hook of tb_record_publish (record.h): inserts the record just saved at path into
 * o->results_dir's history; a failure is one warning line and changes nothing else. */
void tb_history_record_saved(const json_t *rec, const char *path, const tb_opts *o);

/* Imports every *.json record under dir (recursively) that is not in the history yet; a file that
 * is not a readable record is skipped with a warning naming it. Prints a summary line. Returns 0
 * or an exit code after one error line. */
int tb_history_import(tb_history *h, const char *dir);

/* Prints the series selected by o->bench_glob, o->since and o->machine in o->format: one row per
 * (benchmark, metric, record), by benchmark and metric, then by started_at, with the steps and
 * drifts detected per machine (history_changes.h, o->window points a baseline). Returns 0,
 * TB_EXIT_REGRESSION when the latest point of a series is a regression (one line on stderr per
 * series: a nightly job's alarm), or another exit code. */
int tb_history_print(tb_history *h, const tb_opts *o);

/* An input named `@history[:FILTERS]` (compare, report): the records of <results-dir>/history.sqlite
 * that FILTERS select, resolved to their files, which are then read as a folder's records are
 * (the JSON records stay the source of truth). FILTERS is key=value,...: since=DATE (inclusive),
 * until=DATE (exclusive), DATE being YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z], UTC; machine=FP and
 * commit=C (prefixes of the fingerprint and tool.commit); benchmark=GLOB (SQLite GLOB over the
 * series identity, history_rows.h); last=N (per benchmark, the N latest records by started_at
 * that have it, after the other filters). A comma starts a new filter only where a known key and
 * '=' follow it, so a glob may hold a shape's commas (benchmark=*gemm*m=8,n=4096*). */
#define TB_HISTORY_PREFIX "@history"

typedef struct tb_history_pick {
    char *path;   /* the record file: <results-dir>/<records.file> */
    char **bench; /* the selected series identities of this record, sorted */
    size_t nbench;
} tb_history_pick;

typedef struct tb_history_selection {
    tb_history_pick *pick; /* by file name, as a folder's records are read */
    size_t n, cap;
} tb_history_selection;

/* Whether arg names the history (@history or @history:...). */
int tb_history_is_query(const char *arg);
/* Resolves arg against results_dir's database into *sel. An unknown key, a bad value, a missing
 * database and a query that selects nothing are one error line naming arg, TB_EXIT_USAGE. Returns
 * 0 or an exit code. */
int tb_history_select(const char *arg, const char *results_dir, tb_history_selection *sel);
/* Whether pick selected the series id. */
int tb_history_pick_has(const tb_history_pick *pick, const char *id);
void tb_history_selection_free(tb_history_selection *sel);

#endif
