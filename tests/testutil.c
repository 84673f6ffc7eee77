/* Running the binary and reading what it printed; fixtures, scratch directories, test data. */
#include "testutil.h"

#include "json_path.h"
#include "testmain.h"

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <tokbench/rng.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

char *tb_test_tmpdir(void)
{
    const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char *path = malloc(strlen(base) + 32);
    sprintf(path, "%s/tokbench-test-XXXXXX", base);
    if (!mkdtemp(path)) {
        free(path);
        return NULL;
    }
    return path;
}

void tb_test_rmtree(char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(dir);
}

tb_run_result tb_test_run(const char *env_prefix, const char *args)
{
    tb_run_result r = {0, NULL, NULL};
    char *dir = tb_test_tmpdir();
    const char *bin = getenv("TOKBENCH_BIN");
    size_t cap = strlen(args) + 4096;
    char *cmd = malloc(cap);
    snprintf(cmd, cap, "%s'%s' %s >'%s/out' 2>'%s/err' </dev/null", env_prefix ? env_prefix : "", bin ? bin : "tokbench",
             args, dir, dir);
    int st = system(cmd);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
    snprintf(cmd, cap, "%s/out", dir);
    r.out = slurp(cmd);
    unlink(cmd);
    snprintf(cmd, cap, "%s/err", dir);
    r.err = slurp(cmd);
    unlink(cmd);
    rmdir(dir);
    free(dir);
    free(cmd);
    return r;
}

void tb_test_run_free(tb_run_result *r)
{
    free(r->out);
    free(r->err);
}

json_t *tb_test_run_json(const char *env_prefix, const char *args, int want_status)
{
    tb_run_result r = tb_test_run(env_prefix, args);
    ck_assert_msg(r.status == want_status, "'%s': exit %d, not %d: %s", args, r.status, want_status, r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    ck_assert_msg(doc != NULL, "'%s': stdout is not JSON: %s", args, e.text);
    tb_test_run_free(&r);
    return doc;
}

void tb_test_expect_usage_error(const char *env_prefix, const char *args, const char *must_mention)
{
    /* called in loops over tables of command lines: tb_expect reaches Check only on a failure */
    tb_run_result r = tb_test_run(env_prefix, args);
    tb_expect(r.status == 2, "'%s' exited %d, not 2 (stderr: %s)", args, r.status, r.err);
    tb_expect(strncmp(r.err, "tokbench: ", 10) == 0, "'%s': error does not start with 'tokbench: ': %s", args, r.err);
    tb_expect(tb_test_count_lines(r.err) == 1, "'%s': error is not one line: %s", args, r.err);
    tb_expect(strstr(r.err, must_mention) != NULL, "'%s': error does not mention '%s': %s", args, must_mention,
              r.err);
    tb_test_run_free(&r);
}

void tb_test_expect_usage_errors(const char *env_prefix, const tb_usage_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        tb_test_expect_usage_error(env_prefix, cases[i].args, cases[i].must_mention);
}

static void expect_all_in(const char *args, const char *stream, const char *text, const char *const *wants)
{
    for (; wants && *wants; wants++)
        tb_expect(strstr(text, *wants) != NULL, "'%s': %s lacks '%s': %s", args, stream, *wants, text);
}

void tb_test_expect_printed(const char *env_prefix, const char *args, int want_status, const char *const *on_stdout,
                            const char *const *on_stderr)
{
    tb_run_result r = tb_test_run(env_prefix, args);
    ck_assert_msg(r.status == want_status, "'%s': exit %d, not %d: %s", args, r.status, want_status, r.err);
    expect_all_in(args, "stdout", r.out, on_stdout);
    expect_all_in(args, "stderr", r.err, on_stderr);
    tb_test_run_free(&r);
}

void tb_test_expect_table(const char *args, int lines, const char *header)
{
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_msg(r.status == 0, "'%s': exit %d: %s", args, r.status, r.err);
    ck_assert_msg(tb_test_count_lines(r.out) == lines, "'%s': %d lines, not %d: %s", args, tb_test_count_lines(r.out),
                  lines, r.out);
    ck_assert_msg(strncmp(r.out, header, strlen(header)) == 0, "'%s': does not start with '%s': %s", args, header,
                  r.out);
    tb_test_run_free(&r);
}

json_t *tb_test_case_for(json_t *doc, const char *backend)
{
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        if (strcmp(json_string_value(json_object_get(c, "backend")), backend) == 0)
            return c;
    }
    return NULL;
}

void tb_test_expect_failed_untimed(json_t *doc, const char *failed, const char *passed)
{
    json_t *bad = tb_test_case_for(doc, failed), *good = tb_test_case_for(doc, passed);
    ck_assert(json_is_false(tb_test_path(bad, "check.passed")));
    ck_assert_int_eq((int)json_array_size(json_object_get(bad, "samples_ns")), 0);
    ck_assert(json_is_null(json_object_get(bad, "rate")));
    ck_assert(json_is_true(tb_test_path(good, "check.passed")));
    ck_assert(json_is_object(json_object_get(good, "rate")));
}

const char *tb_test_fixture(const char *rel)
{
    static char paths[8][4096];
    static int slot;
    char *path = paths[slot++ % 8];
    const char *base = getenv("TOKBENCH_FIXTURES");
    snprintf(path, sizeof paths[0], "%s/%s", base ? base : "tests/fixtures", rel);
    return path;
}

int tb_test_count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

json_t *tb_test_path(json_t *root, const char *dotted)
{
    return (json_t *)tb_json_at(root, dotted); /* the harness's one getter; tests hold non-const documents */
}

int tb_test_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += e->d_name[0] != '.' || (strncmp(e->d_name, ".tokbench-", 10) == 0);
    if (d)
        closedir(d);
    return n;
}

void tb_test_fill(float *x, size_t n, uint64_t seed)
{
    for (size_t i = 0; i < n; i++)
        x[i] = tb_rand_sym(seed, i);
}
