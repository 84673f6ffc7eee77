/* Running the binary and reading what it printed. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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

const char *tb_test_fixture(const char *rel)
{
    static char path[4096];
    const char *base = getenv("TOKBENCH_FIXTURES");
    snprintf(path, sizeof path, "%s/%s", base ? base : "tests/fixtures", rel);
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
    char buf[256];
    snprintf(buf, sizeof buf, "%s", dotted);
    json_t *cur = root;
    for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
        cur = json_object_get(cur, t);
    return cur;
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
