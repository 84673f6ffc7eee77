/* Record files from the command line (result_files.h). */
#include "result_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "in_file.h"
#include "util.h"

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every *.json under dir, at any depth. */
static int collect_json(const char *dir, tb_strlist *out, int depth)
{
    if (depth > 32)
        return tb_fail(TB_EXIT_USAGE, "%s: directories nested too deep", dir);
    DIR *d = opendir(dir);
    if (!d)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot open directory: %s", dir, strerror(errno));
    int rc = 0;
    for (struct dirent *e; !rc && (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        size_t need = strlen(dir) + strlen(e->d_name) + 2;
        char *p = malloc(need);
        if (!p) {
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory");
            break;
        }
        snprintf(p, need, "%s/%s", dir, e->d_name);
        struct stat st;
        size_t l = strlen(e->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rc = collect_json(p, out, depth + 1);
        else if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0 && !tb_in_is_regular(p))
            tb_warn("%s: not a regular file, skipped", p); /* a FIFO would block the whole walk */
        else if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
            rc = tb_strlist_add(out, p);
        free(p);
    }
    closedir(d);
    return rc;
}

/* Files named on the command line go to files, those found under a directory to found: a
 * record of another command is refused when named, skipped with a warning when found. */
int tb_result_files(const tb_opts *o, tb_strlist *files, tb_strlist *found)
{
    for (int i = 0; i < o->npositional; i++) {
        const char *p = o->positional[i];
        struct stat st;
        if (stat(p, &st) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s: cannot read: %s", p, strerror(errno));
        if (!S_ISDIR(st.st_mode)) {
            int rc = tb_strlist_add(files, p);
            if (rc)
                return rc;
            continue;
        }
        size_t before = found->n;
        int rc = collect_json(p, found, 0);
        if (rc)
            return rc;
        if (found->n == before)
            return tb_fail(TB_EXIT_USAGE, "%s: no *.json records in this directory", p);
        qsort(found->s + before, found->n - before, sizeof *found->s, str_cmp);
    }
    return 0;
}
