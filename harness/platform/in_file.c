/* Reading an input file whole, refusing what is not a regular file of a sane size. */
#include "in_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int tb_in_is_regular(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int tb_in_read(const char *path, size_t max_bytes, char **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return tb_fail(errno == ENOENT || errno == EACCES || errno == ENOTDIR ? TB_EXIT_USAGE : TB_EXIT_RUNTIME,
                       "%s: cannot read: %s", path, strerror(errno));
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0)
        rc = tb_fail(TB_EXIT_RUNTIME, "%s: cannot read: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = tb_fail(TB_EXIT_USAGE, "%s: %s, not a regular file: tokbench reads only regular files", path,
                     tb_file_kind(st.st_mode));
    else if ((unsigned long long)st.st_size > max_bytes) {
        char lim[32];
        tb_format_bytes((double)max_bytes, lim, sizeof lim);
        rc = tb_fail(TB_EXIT_USAGE, "%s: larger than %s, the most tokbench reads of such a file", path, lim);
    }
    char *b = rc ? NULL : malloc((size_t)st.st_size + 1);
    if (!rc && !b)
        rc = tb_fail(TB_EXIT_RUNTIME, "%s: out of memory reading it", path);
    size_t n = 0;
    /* the size can change under us: read what is there, never past the limit */
    while (!rc && n < (size_t)st.st_size) {
        ssize_t r = read(fd, b + n, (size_t)st.st_size - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = tb_fail(TB_EXIT_RUNTIME, "%s: read failed: %s", path, strerror(errno));
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    if (rc || !b) { /* !b implies rc (out of memory); said for the analyzer, which cannot know */
        free(b);
        return rc;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

json_t *tb_in_load_json(const char *path, size_t max_bytes, size_t flags, int *rc)
{
    char *buf;
    size_t len;
    if ((*rc = tb_in_read(path, max_bytes, &buf, &len)) != 0)
        return NULL;
    json_error_t err;
    json_t *j = json_loadb(buf, len, flags, &err);
    free(buf);
    if (!j)
        *rc = tb_fail(TB_EXIT_USAGE, "%s:%d: not valid JSON: %s", path, err.line, err.text);
    return j;
}

static int walk(const char *dir, int depth, int (*fn)(const char *path, void *arg), void *arg)
{
    if (depth > 32)
        return tb_fail(TB_EXIT_USAGE, "%s: folders nested too deep", dir);
    struct dirent **ents;
    int k = scandir(dir, &ents, NULL, alphasort);
    if (k < 0)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot open folder: %s", dir, strerror(errno));
    int rc = 0;
    for (int i = 0; i < k; i++) {
        const char *e = ents[i]->d_name;
        size_t l = strlen(e), need = strlen(dir) + l + 2;
        char *p = rc || e[0] == '.' ? NULL : malloc(need);
        if (!rc && e[0] != '.' && !p)
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory");
        if (p) {
            snprintf(p, need, "%s/%s", dir, e);
            struct stat st;
            int json = l > 5 && strcmp(e + l - 5, ".json") == 0;
            if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
                rc = walk(p, depth + 1, fn, arg);
            else if (json && !tb_in_is_regular(p))
                tb_warn("%s: not a regular file, skipped", p);
            else if (json)
                rc = fn(p, arg);
            free(p);
        }
        free(ents[i]);
    }
    free(ents);
    return rc;
}

int tb_in_walk_json(const char *dir, int (*fn)(const char *path, void *arg), void *arg)
{
    return walk(dir, 0, fn, arg);
}
