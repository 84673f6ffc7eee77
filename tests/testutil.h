/* Helpers for tests that run the tokbench binary end to end. */
#ifndef TB_TESTUTIL_H
#define TB_TESTUTIL_H

#include <jansson.h>

typedef struct {
    int status; /* exit status, or 128 + signal when killed by one */
    char *out, *err;
} tb_run_result;

/* Runs "$TOKBENCH_BIN args" with sh, capturing stdout and stderr. env_prefix may be NULL or
 * "VAR=value " text put in front. */
tb_run_result tb_test_run(const char *env_prefix, const char *args);
void tb_test_run_free(tb_run_result *r);

/* A fresh empty directory under $TMPDIR (or /tmp). */
char *tb_test_tmpdir(void);
/* Path of a file under tests/fixtures (from $TOKBENCH_FIXTURES). */
const char *tb_test_fixture(const char *rel);
/* Number of lines of s. */
int tb_test_count_lines(const char *s);

/* Entries of a directory, its hidden ones only when they are tokbench's temporary files. */
int tb_test_count_entries(const char *dir);
/* The JSON value at a dotted path ("check.passed"), or NULL. */
json_t *tb_test_path(json_t *root, const char *dotted);

#endif
