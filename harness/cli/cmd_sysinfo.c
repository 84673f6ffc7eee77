/* tokbench sysinfo (cmd_sysinfo.h). */
#include "cmd_sysinfo.h"

#include <stdio.h>
#include <stdlib.h>

#include "llc.h"
#include "output.h"
#include "sysinfo.h"
#include "team.h"
#include "topo.h"
#include "util.h"

/* path=value rows for csv/md renderings of nested objects (the value as JSON text). */
static void flat_rows(tb_table *t, const json_t *j, const char *prefix)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            char p[256];
            snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", k);
            flat_rows(t, v, p);
        }
        return;
    }
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    tb_table_cell(t, prefix);
    tb_table_cell(t, s ? s : "");
    free(s);
}

static void print_flat(const json_t *j, tb_format fmt)
{
    static const tb_col cols[] = {{"field", 0, 0}, {"value", 0, TB_COL_CSV_QUOTED}};
    tb_table t;
    tb_table_init(&t, cols, 2);
    flat_rows(&t, j, "");
    tb_table_print(&t, fmt, stdout);
    tb_table_free(&t);
}

int tb_cmd_sysinfo(const tb_opts *o)
{
    if (o->npositional)
        return tb_fail(TB_EXIT_USAGE, "sysinfo takes no argument '%s' (options only)", o->positional[0]);
    tb_topo tp;
    int rc = tb_topo_load(&tp, NULL);
    if (rc)
        return rc;
    /* The LLC is the one a default team (one thread per allowed core) would size its working sets
     * from: measuring it needs that team pinned. */
    tb_place_req req = {0, NULL, 0};
    static tb_plan plan;
    tb_team *team = NULL;
    tb_llc llc;
    json_t *si = tb_sysinfo_json(&tp, o->dmi_dir);
    if (!si)
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory describing the machine");
    if (!rc && !(rc = tb_topo_plan(&tp, &req, &plan)) && !(rc = tb_team_create(&team, &tp, &plan)))
        rc = tb_llc_resolve_machine(&tp, team, o->llc_bytes, o->measure_llc, o->quiet, si, &llc);
    tb_team_destroy(team);
    tb_topo_destroy(&tp);
    if (rc) {
        json_decref(si);
        return rc;
    }
    if (o->format == TB_FMT_JSON)
        tb_print_json(si, 17);
    else if (o->format == TB_FMT_TEXT)
        tb_sysinfo_print_text(si);
    else
        print_flat(si, o->format);
    json_decref(si);
    return 0;
}
