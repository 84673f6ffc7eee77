/* The helpers the tests share: running the tokbench binary end to end and reading what it printed,
 * fixtures, scratch directories, test data. One copy here, never one per file. */
#ifndef TB_TESTUTIL_H
#define TB_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct {
    int status; /* exit status, or 128 + signal when killed by one */
    char *out, *err;
} tb_run_result;

/* Runs "$TOKBENCH_BIN args" with sh, capturing stdout and stderr. env_prefix may be NULL or
 * "VAR=value " text put in front. */
tb_run_result tb_test_run(const char *env_prefix, const char *args);
void tb_test_run_free(tb_run_result *r);

/* Runs it and asserts the exit status is want_status and stdout is JSON; returns the document,
 * which the caller decrefs. */
json_t *tb_test_run_json(const char *env_prefix, const char *args, int want_status);
/* Runs it and asserts a usage error: exit 2 and one line on stderr, "tokbench: ..." naming
 * must_mention (the flag at fault). */
void tb_test_expect_usage_error(const char *env_prefix, const char *args, const char *must_mention);

/* A command line that must be refused as a usage error naming must_mention. */
typedef struct {
    const char *args;
    const char *must_mention;
} tb_usage_case;

/* tb_test_expect_usage_error on each case, in order, all with the same env_prefix. */
void tb_test_expect_usage_errors(const char *env_prefix, const tb_usage_case *cases, size_t n);
/* Runs it and asserts it exits want_status having printed each of on_stdout to stdout and each of
 * on_stderr to stderr (lists ended by NULL; NULL for none). */
void tb_test_expect_printed(const char *env_prefix, const char *args, int want_status, const char *const *on_stdout,
                            const char *const *on_stderr);
/* Runs it and asserts exit 0 and a table on stdout: `lines` lines, the first starting with header. */
void tb_test_expect_table(const char *args, int lines, const char *header);
/* The first case of a bench record whose backend is `backend`, or NULL. */
json_t *tb_test_case_for(json_t *doc, const char *backend);
/* A bench record in which the `failed` backend was made to fail its check (TOKBENCH_FAULT_INJECT):
 * that case failed, has no samples and no rate; the `passed` backend's case passed and has a rate. */
void tb_test_expect_failed_untimed(json_t *doc, const char *failed, const char *passed);

/* A fresh empty directory under $TMPDIR (or /tmp). */
char *tb_test_tmpdir(void);
/* Removes a directory tb_test_tmpdir made, with all it holds, asserting it is gone; frees dir. */
void tb_test_rmtree(char *dir);
/* Path of a file under tests/fixtures (from $TOKBENCH_FIXTURES). The last 8 paths returned stay
 * valid, so one call can name several fixtures. */
const char *tb_test_fixture(const char *rel);
/* Number of lines of s. */
int tb_test_count_lines(const char *s);

/* Entries of a directory, its hidden ones only when they are tokbench's temporary files. */
int tb_test_count_entries(const char *dir);
/* The JSON value at a dotted path ("check.passed"), or NULL. */
json_t *tb_test_path(json_t *root, const char *dotted);

/* x[i] = tb_rand_sym(seed, i): uniform in [-1, 1), the same for the same seed. */
void tb_test_fill(float *x, size_t n, uint64_t seed);

#endif
