/* tokbench history import DIR: the history rebuilt from the JSON records (history.h). */
#include "history.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history_internal.h"
#include "in_file.h"
#include "record.h"
#include "util.h"

typedef struct {
    tb_history *h;
    int imported, present, skipped;
} import_state;

/* A tokbench record, or NULL after a warning naming the file: the import goes on without it. */
static json_t *load_record(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0 && (unsigned long long)st.st_size > TB_IN_MAX_RECORD) {
        tb_warn("%s: %lld bytes, more than a record can be (%llu MiB), skipped", path, (long long)st.st_size,
                TB_IN_MAX_RECORD >> 20);
        return NULL;
    }
    json_error_t e;
    json_t *rec = json_load_file(path, JSON_REJECT_DUPLICATES, &e);
    if (!rec) {
        tb_warn("%s:%d: not valid JSON (%s), skipped", path, e.line, e.text);
        return NULL;
    }
    const char *schema = json_string_value(json_object_get(rec, "schema"));
    if (!schema || strcmp(schema, TB_SCHEMA) != 0) {
        tb_warn("%s: not a %s record, skipped", path, TB_SCHEMA);
        json_decref(rec);
        return NULL;
    }
    return rec;
}

static int import_file(import_state *s, const char *path)
{
    json_t *rec = load_record(path);
    if (!rec) {
        s->skipped++;
        return 0;
    }
    /* The name a record was saved under: relative to the results folder when it lies there (as
     * tb_history_record_saved names it), else its absolute path, so that two folders with the
     * same layout never share a name. */
    char real[PATH_MAX], err[4600];
    const char *file = realpath(path, real) ? real : path;
    size_t n = strlen(s->h->dir);
    if (strncmp(file, s->h->dir, n) == 0 && file[n] == '/')
        file += n + 1;
    int rc = tb_history_insert(s->h, rec, file, err, sizeof err);
    json_decref(rec);
    if (rc < 0)
        return tb_fail(TB_EXIT_RUNTIME, "%s", err);
    if (rc > 0)
        s->imported++;
    else
        s->present++;
    return 0;
}

static int import_found(const char *path, void *arg) { return import_file(arg, path); }

int tb_history_import(tb_history *h, const char *dir)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return tb_fail(TB_EXIT_USAGE, "%s: not a folder", dir);
    import_state s = {.h = h};
    int rc = tb_in_walk_json(dir, import_found, &s);
    printf("imported %d records into %s; %d already there, %d skipped (not records)\n", s.imported, tb_history_path(h),
           s.present, s.skipped);
    return rc;
}
