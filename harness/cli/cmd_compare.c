/* tokbench compare (cmd_compare.h): reads both sides, compares (track/compare.h), prints the
 * result in --format and exits 0, 4 (a regression) or 5 (not comparable), SPEC.md's codes. */
#include "cmd_compare.h"

#include <stdio.h>

#include "compare.h"
#include "compare_render.h"
#include "util.h"

int tb_cmd_compare(const tb_opts *o)
{
    if (o->npositional != 2)
        return tb_fail(TB_EXIT_USAGE, "compare: give BASE and CANDIDATE (each a record file, a folder of records or "
                                      "@history[:FILTERS]), %d argument%s given",
                       o->npositional, o->npositional == 1 ? "" : "s");
    tb_cmp_side base = {0}, cand = {0};
    tb_cmp_rules rules = {0};
    /* the rules first: a typo in a glob fails before any record is read */
    int rc = tb_cmp_rules_parse(o->threshold_for, o->nthreshold_for, &rules);
    tb_norm_mode normalize = TB_NORM_NONE;
    if (!rc && o->normalize && tb_cmp_norm_parse(o->normalize, &normalize) != 0)
        rc = tb_fail(TB_EXIT_USAGE, "--normalize '%s': expected none, read or probe", o->normalize);
    if (!rc)
        rc = tb_cmp_side_load(o->positional[0], o->results_dir, normalize, &base);
    if (!rc)
        rc = tb_cmp_side_load(o->positional[1], o->results_dir, normalize, &cand);
    json_t *doc = NULL;
    int status = 0;
    if (!rc) {
        tb_cmp_opts co = {o->threshold_pct, o->allow_cross_machine, &rules, o->min_base_runs ? o->min_base_runs : 1,
                          normalize};
        rc = tb_compare(&base, &cand, &co, &doc, &status);
    }
    if (doc) {
        tb_cmp_render(doc, o->format, stdout);
        fflush(stdout);
    }
    json_decref(doc);
    tb_cmp_side_free(&base);
    tb_cmp_side_free(&cand);
    tb_cmp_rules_free(&rules);
    return rc ? rc : status;
}
