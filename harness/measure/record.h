/* The results record: one self-describing JSON document per run (schema tokbench.result/1),
 * written atomically and never over an existing file. results/README.md documents the fields. */
#ifndef TB_RECORD_H
#define TB_RECORD_H

#include <stddef.h>

#include <jansson.h>

#include "options.h"

#define TB_SCHEMA "tokbench.result/1"

/* The record's skeleton: schema, tool, build, libs, machine (taken), settings, started_at,
 * complete = false. NULL on OOM. */
json_t *tb_record_new(const tb_opts *o, json_t *machine);

/* Sets finished_at and complete. */
void tb_record_finish(json_t *rec, int complete);

/* {"compiler", "compiler_version", "c_args", "build_type", "optimization", "debug", "sanitize"}. */
json_t *tb_build_json(void);
/* 1 when this is a debug or sanitizer build (its figures are not representative). */
int tb_build_is_unrepresentative(void);
/* Says so where the user looks: on stdout above a text table, else on stderr (JSON stays JSON). */
void tb_warn_if_unrepresentative(const tb_opts *o);

/* Writes rec under dir/<machine fingerprint>/ as <UTC time>_<command>_<commit>.json: to a
 * temporary file, fsync, then link() to the final name, which fails rather than replace a file
 * (a -2, -3 ... suffix is tried instead). path_out receives the final path. Returns 0 or an exit
 * code after one error line. */
int tb_record_save(const json_t *rec, const char *dir, char *path_out, size_t cap);

/* The end of every measuring command: finishes rec (complete unless interrupted or !complete),
 * saves it unless --no-save, prints it (the JSON itself for --format json, else render(rec, fmt))
 * and says on stderr where it went. Returns rc, or the interrupt's or the save's exit code when rc
 * is 0. An interrupt always ends in exit 1 with a line saying whether the partial record was kept. */
/* Makes the folder of the machine's records (fp: its fingerprint) under --results-dir and checks a
 * file can be created there, so a bad
 * --results-dir (a regular file, a read-only place) stops a command before it measures, not after.
 * 0 with --no-save; else 0 or TB_EXIT_USAGE after one line naming the flag. */
int tb_record_prepare(const char *fp, const tb_opts *o);

int tb_record_publish(json_t *rec, const tb_opts *o, int complete, void (*render)(const json_t *rec, tb_format fmt),
                      int rc);

/* Called by tb_record_publish after each record it saved, with the saved path: how a layer above
 * (the history, track/) sees every record without measure/ depending on it. It may only warn: the
 * saved file is the record, so nothing the hook does changes the exit code. NULL: none. */
typedef void (*tb_record_saved_fn)(const json_t *rec, const char *path, const tb_opts *o);
void tb_record_on_saved(tb_record_saved_fn fn);

/* Reads a record and checks its schema. Errors name file:line. Returns 0 or an exit code. */
int tb_record_load(const char *path, json_t **out);

#endif
