/* Where the price tables are: a file, every *.csv of a directory, the --prices list, or the
 * repository's prices/ folder (see prices.h). */
#include "prices.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "in_file.h"
#include "util.h"

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int tb_prices_load_path(tb_price_table *t, const char *path, const tb_price_checks *chk)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot read price table: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return tb_prices_load_file(t, path, chk);
    DIR *d = opendir(path);
    if (!d)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot open directory: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".csv") != 0)
            continue;
        char **nn = tb_grow(names, &cap, n + 1, sizeof *nn);
        if (!nn) {
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory listing %s", path);
            break;
        }
        names = nn;
        size_t need = strlen(path) + l + 2;
        if (!(names[n] = malloc(need))) {
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory listing %s", path);
            break;
        }
        snprintf(names[n], need, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    if (!rc && n == 0)
        rc = tb_fail(TB_EXIT_USAGE, "%s: no *.csv price tables in this directory", path);
    if (names)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n && !rc; i++) {
        if (!tb_in_is_regular(names[i])) /* a FIFO found in a folder is passed over, never waited on */
            tb_warn("%s: not a regular file, skipped", names[i]);
        else
            rc = tb_prices_load_file(t, names[i], chk);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int default_dir(char *buf, size_t cap, int quiet)
{
    const char *env = getenv("TOKBENCH_PRICES_DIR");
    if (env && *env) {
        if (!is_dir(env))
            return quiet ? -1 : tb_fail(TB_EXIT_USAGE, "TOKBENCH_PRICES_DIR=%s: not a directory", env);
        snprintf(buf, cap, "%s", env);
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        static const char *const rel[] = {"/../../prices", "/../share/tokbench/prices"};
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            char cand[4200];
            snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
            char *real = realpath(cand, NULL);
            if (real && is_dir(real)) {
                snprintf(buf, cap, "%s", real);
                free(real);
                return 0;
            }
            free(real);
        }
    }
    if (quiet)
        return -1;
    return tb_fail(TB_EXIT_USAGE, "no price tables found: give --prices FILE|DIR or set TOKBENCH_PRICES_DIR (looked "
                   "for prices/ at %s/../../prices)",
                   n > 0 ? exe : "<executable>");
}

int tb_prices_default_dir(char *buf, size_t cap) { return default_dir(buf, cap, 0); }

int tb_prices_have_default_dir(void)
{
    char dir[4096];
    return default_dir(dir, sizeof dir, 1) == 0;
}

int tb_prices_load_sources(tb_price_table *t, const char *const *paths, int n, const tb_price_checks *chk)
{
    if (n == 0) {
        char dir[4096];
        int rc = tb_prices_default_dir(dir, sizeof dir);
        return rc ? rc : tb_prices_load_path(t, dir, chk);
    }
    for (int i = 0; i < n; i++) {
        int rc = tb_prices_load_path(t, paths[i], chk);
        if (rc)
            return rc;
    }
    return 0;
}
