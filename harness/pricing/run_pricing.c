/* `tokbench run`'s cost lines (see run_pricing.h): the record of the run in progress priced as
 * `tokbench cost` prices a saved one (cost_records.h). */
#include "run_pricing.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cost_records.h"
#include "json_path.h"
#include "prices.h"
#include "util.h"

struct tb_run_pricing {
    tb_cost_ctx c;
    tb_price_table t;
    tb_strlist want;
    char *inst_copy;
};

void tb_run_pricing_close(tb_run_pricing *p)
{
    if (!p)
        return;
    json_decref(p->c.rows);
    free(p->c.used);
    tb_prices_free(&p->t);
    tb_strlist_free(&p->want);
    free(p->inst_copy);
    free(p);
}

int tb_run_pricing_open(const tb_opts *o, const json_t *machine, tb_run_pricing **out)
{
    *out = NULL;
    const char *detected = tb_json_str_or(machine, "instance.type", NULL);
    int nowhere = !o->instance && (!detected || (o->nprices == 0 && !tb_prices_have_default_dir()));
    int asked = o->nprices || o->pricing || o->utilization >= 0 || o->blend || o->fx;
    if (nowhere && !asked)
        return 0;
    if (o->instance && (strcmp(o->instance, "all") == 0 || strchr(o->instance, ',')))
        return tb_fail(TB_EXIT_USAGE, "--instance '%s': run prices the one instance it runs on (`tokbench cost` "
                       "ranks several)",
                       o->instance);
    tb_run_pricing *p = calloc(1, sizeof *p);
    if (!p)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    tb_prices_init(&p->t);
    /* Every pricing option and table given is checked even when nothing will be priced: a typo must
     * stop the run before its minutes of measuring, not after them. */
    int rc = tb_cost_setup(&p->c, o, &p->want, &p->inst_copy);
    if (!rc && (!nowhere || o->nprices))
        rc = tb_cost_load(&p->c, &p->t);
    if (!rc && nowhere) {
        tb_warn("no instance detected (DMI) and no --instance: the rows are not priced");
        tb_run_pricing_close(p);
        return 0;
    }
    const char *name = o->instance ? o->instance : detected;
    int priced = 0;
    for (size_t k = 0; !rc && k < p->t.n; k++) {
        const tb_price *r = &p->t.rows[k];
        priced |= strcmp(r->cell[TB_PCOL_INSTANCE], name) == 0 &&
                  (p->c.pricing < 0 || (int)r->pricing == p->c.pricing) && !isnan(r->price_per_hour);
    }
    if (!rc && !priced) {
        char files[2048];
        tb_prices_list_files(&p->t, files, sizeof files);
        if (o->instance)
            rc = tb_fail(TB_EXIT_USAGE, "--instance %s: no price%s%s in %s (nothing is ever priced at $0)", name,
                         o->pricing ? " with --pricing " : "", o->pricing ? o->pricing : "", files);
        else
            tb_warn("this is %s (DMI), which has no price%s%s in %s: the rows are not priced", name,
                    o->pricing ? " with --pricing " : "", o->pricing ? o->pricing : "", files);
        if (!rc) {
            tb_run_pricing_close(p);
            return 0;
        }
    }
    if (rc) {
        tb_run_pricing_close(p);
        return rc;
    }
    *out = p;
    return 0;
}

static int same_field(const json_t *a, const json_t *b, const char *key)
{
    return json_equal(json_object_get(a, key), json_object_get(b, key));
}

int tb_run_pricing_apply(tb_run_pricing *p, json_t *rec)
{
    tb_cost_ctx *c = &p->c;
    json_array_clear(c->rows);
    int rc = tb_cost_price_record(c, "this run", rec, 0, 1);
    if (!rc)
        rc = tb_cost_rank(c->rows);
    if (rc)
        return rc;
    tb_prices_warn(&p->t, c->used);
    size_t i, j;
    json_t *row, *cr;
    json_array_foreach(json_object_get(rec, "rows"), i, row) {
        json_t *mine = json_array();
        json_array_foreach(c->rows, j, cr) {
            if (!same_field(row, cr, "batch") || !same_field(row, cr, "threads") || !same_field(row, cr, "prompt") ||
                !same_field(row, cr, "ctx"))
                continue;
            json_t *copy = json_deep_copy(cr);
            json_object_del(copy, "result"); /* the record is this run's own */
            json_array_append_new(mine, copy);
        }
        json_object_set_new(row, "cost", mine);
    }
    return 0;
}
