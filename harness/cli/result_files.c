/* Record files from the command line (result_files.h). */
#include "result_files.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history.h"
#include "in_file.h"
#include "util.h"

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int add_found(const char *path, void *arg) { return tb_strlist_add(arg, path); }

/* The records an @history query selects (track/history.h), as if found in a folder. */
static int add_selected(const char *arg, const char *results_dir, tb_strlist *found)
{
    tb_history_selection sel;
    int rc = tb_history_select(arg, results_dir, &sel);
    for (size_t i = 0; !rc && i < sel.n; i++)
        rc = tb_strlist_add(found, sel.pick[i].path);
    tb_history_selection_free(&sel);
    return rc;
}

/* Files named on the command line go to files, those found under a directory or selected from
 * the history to found: a record of another command is refused when named, skipped with a
 * warning when found. */
int tb_result_files(const tb_opts *o, tb_strlist *files, tb_strlist *found)
{
    for (int i = 0; i < o->npositional; i++) {
        const char *p = o->positional[i];
        if (tb_history_is_query(p)) {
            int rc = add_selected(p, o->results_dir, found);
            if (rc)
                return rc;
            continue;
        }
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
        int rc = tb_in_walk_json(p, add_found, found);
        if (rc)
            return rc;
        if (found->n == before)
            return tb_fail(TB_EXIT_USAGE, "%s: no *.json records in this directory", p);
        qsort(found->s + before, found->n - before, sizeof *found->s, str_cmp);
    }
    return 0;
}
