/* tokbench history [import DIR] (cmd_history.h): the database is --results-dir's history.sqlite. */
#include "cmd_history.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "history.h"
#include "util.h"

int tb_cmd_history(const tb_opts *o)
{
    int import = o->npositional > 0 && strcmp(o->positional[0], "import") == 0;
    if (import && o->npositional != 2)
        return tb_fail(TB_EXIT_USAGE, "history import: expected one folder of records (tokbench history import DIR)");
    if (!import && o->npositional > 0)
        return tb_fail(TB_EXIT_USAGE, "history: unexpected argument '%s' (see tokbench history --help)",
                       o->positional[0]);
    if (import && (o->bench_glob || o->since || o->machine || o->window))
        return tb_fail(TB_EXIT_USAGE,
                       "history import: --benchmark, --since, --machine and --window are for series, not records");
    /* an import may create the results folder; a query of a folder without one is an error */
    if (import && mkdir(o->results_dir, 0777) != 0 && errno != EEXIST)
        return tb_fail(TB_EXIT_RUNTIME, "%s: cannot create the results folder: %s", o->results_dir, strerror(errno));
    struct stat sb;
    if (stat(o->results_dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return tb_fail(TB_EXIT_USAGE, "--results-dir %s: not a folder", o->results_dir);
    char err[4600];
    tb_history *h = tb_history_open(o->results_dir, err, sizeof err);
    if (!h)
        return tb_fail(TB_EXIT_RUNTIME, "%s", err);
    int rc = import ? tb_history_import(h, o->positional[1]) : tb_history_print(h, o);
    tb_history_close(h);
    return rc;
}
