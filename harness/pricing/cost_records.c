/* Pricing the records of `tokbench run` (see cost_records.h). */
#include "cost_records.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"
#include "util.h"

static json_t *jreal(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* key, key_ci95_low and key_ci95_high: SPEC.md's three fields of a price with its interval. */
static void set_ci(json_t *o, const char *key, tb_ci ci)
{
    char k[96];
    json_object_set_new(o, key, jreal(ci.median));
    snprintf(k, sizeof k, "%s_ci95_low", key);
    json_object_set_new(o, k, jreal(ci.lo));
    snprintf(k, sizeof k, "%s_ci95_high", key);
    json_object_set_new(o, k, jreal(ci.hi));
}

int tb_pricing_opt_parse(const tb_opts *o, int *filter)
{
    tb_pricing p;
    *filter = -1;
    if (!o->pricing)
        return 0;
    if (tb_pricing_parse(o->pricing, &p) != 0)
        return tb_fail(TB_EXIT_USAGE, "--pricing '%s': expected on-demand, spot, commit-1y or commit-3y", o->pricing);
    *filter = (int)p;
    return 0;
}

tb_price_checks tb_price_checks_from(const tb_opts *o)
{
    tb_price_checks c = {-1, o->max_age_days};
    return c;
}

int tb_strlist_add(tb_strlist *l, const char *s)
{
    char **p = tb_grow(l->s, &l->cap, l->n + 1, sizeof *p);
    if (!p)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    l->s = p;
    if (!(l->s[l->n] = strdup(s)))
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    l->n++;
    return 0;
}

void tb_strlist_free(tb_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

static tb_ci tokens_ci(const json_t *row, const char *phase)
{
    char p[64];
    tb_ci c;
    snprintf(p, sizeof p, "%s.tokens_per_s.median", phase);
    c.median = tb_json_num(row, p);
    snprintf(p, sizeof p, "%s.tokens_per_s.ci95_low", phase);
    c.lo = tb_json_num(row, p);
    snprintf(p, sizeof p, "%s.tokens_per_s.ci95_high", phase);
    c.hi = tb_json_num(row, p);
    return c;
}

/* Physical cores the row's threads ran on: rows[].cores when the record gives it, else the
 * distinct cores of the placement recorded for that thread count, else one thread per physical
 * core (tokbench's placement unless --smt). */
static double cores_used(const json_t *rec, const json_t *row)
{
    double c = tb_json_num(row, "cores");
    if (isfinite(c))
        return c;
    const json_t *settings = json_object_get(rec, "settings"), *pl;
    size_t i, j, k;
    json_array_foreach(json_object_get(settings, "placement_per_threads"), i, pl) {
        const json_t *threads = json_object_get(pl, "placement"), *t, *u;
        if (!json_equal(json_object_get(pl, "threads"), json_object_get(row, "threads")) || !json_array_size(threads))
            continue;
        size_t distinct = 0;
        json_array_foreach(threads, j, t) {
            int first = 1;
            for (k = 0; k < j && (u = json_array_get(threads, k)); k++)
                first &= !json_equal(json_object_get(u, "core"), json_object_get(t, "core"));
            distinct += first && json_is_integer(json_object_get(t, "core"));
        }
        if (distinct)
            return (double)distinct;
    }
    if (json_is_true(json_object_get(settings, "smt")))
        return NAN;
    c = tb_json_num(row, "threads");
    return isfinite(c) ? c : tb_json_num(rec, "settings.threads");
}

static int instance_wanted(const tb_cost_ctx *c, const char *inst, const char *record_type)
{
    if (!c->o->instance)
        return record_type && strcmp(inst, record_type) == 0;
    if (!c->want)
        return 1;
    for (size_t i = 0; i < c->nwant; i++)
        if (strcmp(c->want[i], inst) == 0)
            return 1;
    return 0;
}

/* One output row: a record row priced with one price row. */
static json_t *cost_row(const tb_cost_ctx *c, const char *file, const json_t *rec, const json_t *row, const tb_price *p,
                        const tb_ran_on *ran, tb_proj st, double factor, double fx)
{
    tb_ci pre = tb_ci_scale(tokens_ci(row, "prefill"), factor), dec = tb_ci_scale(tokens_ci(row, "decode"), factor);
    double pre_bound = tb_json_num(row, "roofline.prefill_tokens_per_s_bound") * factor;
    double dec_bound = tb_json_num(row, "roofline.decode_tokens_per_s_bound") * factor;
    double usd_h = p->price_per_hour * fx;
    tb_ci in = tb_cost_ci(usd_h, pre, c->util), out = tb_cost_ci(usd_h, dec, c->util);
    tb_ci bl = tb_cost_blend_ci(in, out, c->w_in, c->w_out);
    double in_floor = tb_usd_per_mtok(usd_h, pre_bound, c->util), out_floor = tb_usd_per_mtok(usd_h, dec_bound, c->util);
    const json_t *model = json_object_get(rec, "model");
    const char *model_name = json_is_string(model) ? json_string_value(model) : tb_json_str_or(rec, "model.name", NULL);
    char where[4200], blend[64];
    snprintf(where, sizeof where, "%s:%d", p->file, p->line);
    snprintf(blend, sizeof blend, "%g:%g", c->w_in, c->w_out);
    int projected = st == TB_PROJ_OK;
    json_t *proj = json_null();
    if (projected)
        proj = json_pack("{s:s?, s:f, s:f, s:f}", "from_instance", ran->type, "from_cores", ran->cores_used,
                         "to_cores", p->physical_cores, "factor", factor);
    json_t *o = json_object();
    json_object_set_new(o, "provider", json_string(p->cell[TB_PCOL_PROVIDER]));
    json_object_set_new(o, "region", json_string(p->cell[TB_PCOL_REGION]));
    json_object_set_new(o, "instance", json_string(p->cell[TB_PCOL_INSTANCE]));
    json_object_set_new(o, "pricing", json_string(tb_pricing_name(p->pricing)));
    json_object_set_new(o, "usd_per_hour", jreal(usd_h));
    set_ci(o, "usd_per_mtok_input", in);
    set_ci(o, "usd_per_mtok_output", out);
    set_ci(o, "usd_per_mtok_blended", bl);
    json_object_set_new(o, "usd_per_mtok_input_floor", jreal(in_floor));
    json_object_set_new(o, "usd_per_mtok_output_floor", jreal(out_floor));
    json_object_set_new(o, "usd_per_mtok_blended_floor", jreal(tb_cost_blend(in_floor, out_floor, c->w_in, c->w_out)));
    json_object_set_new(o, "projected", json_boolean(projected));
    json_object_set_new(o, "projection", proj);
    char *shown = tb_utf8_escaped(file); /* a file name is bytes: carried as text, never dropped */
    json_object_set_new(o, "result", json_string(shown ? shown : ""));
    free(shown);
    json_object_set_new(o, "model", model_name ? json_string(model_name) : json_null());
    static const char *const row_keys[] = {"batch", "threads", "prompt", "ctx", "dtype"};
    for (size_t k = 0; k < sizeof row_keys / sizeof *row_keys; k++)
        json_object_set_new(o, row_keys[k], json_deep_copy(json_object_get(row, row_keys[k])));
    json_object_set_new(o, "prefill_tokens_per_s", jreal(pre.median));
    json_object_set_new(o, "decode_tokens_per_s", jreal(dec.median));
    json_object_set_new(o, "utilization", json_real(c->util));
    json_object_set_new(o, "blend", json_string(blend));
    json_object_set_new(o, "currency", json_string(p->cell[TB_PCOL_CURRENCY]));
    json_object_set_new(o, "fx_usd_per_unit", json_real(fx));
    json_object_set_new(o, "price_per_hour", jreal(p->price_per_hour));
    json_object_set_new(o, "price_date", json_string(p->cell[TB_PCOL_PRICE_DATE]));
    json_object_set_new(o, "price_source", json_string(where));
    /* json_deep_copy(NULL) is NULL and set_new then drops the key: keep it, as null. */
    static const char *const keep[] = {"batch", "threads", "prompt", "ctx", "dtype"};
    for (size_t i = 0; i < sizeof keep / sizeof *keep; i++)
        if (!json_object_get(o, keep[i]))
            json_object_set_new(o, keep[i], json_null());
    return o;
}

/* Whether rec is a record that cost prices. 0 with *skip set when it is another command's record
 * found in a directory (warned and counted), or an exit code when it cannot be priced. */
static int check_record(tb_cost_ctx *c, const char *file, const json_t *rec, int found, int own, int *skip)
{
    const char *cmd = tb_json_str_or(rec, "settings.command", NULL);
    const json_t *rows = json_object_get(rec, "rows");
    *skip = 0;
    if (found && cmd && strcmp(cmd, "run") != 0) {
        tb_warn("%s: a `%s` record, skipped (cost prices the records of `tokbench run`)", file, cmd);
        c->skipped++;
        *skip = 1;
        return 0;
    }
    if (!cmd || strcmp(cmd, "run") != 0)
        return tb_fail(TB_EXIT_USAGE, "%s: a `%s` record: cost prices the records of `tokbench run` (model rows with "
                       "tokens/s)",
                       file, cmd ? cmd : "(unknown command)");
    if (!json_is_array(rows) || json_array_size(rows) == 0)
        return tb_fail(TB_EXIT_USAGE, "%s: no \"rows\" (a run record has one per batch x threads x prompt x ctx)",
                       file);
    if (!own && json_is_false(json_object_get(rec, "complete")))
        tb_warn("%s: an incomplete record (the run was interrupted)", file);
    return 0;
}

/* What pricing one record found, for the messages after it. */
typedef struct record_tally {
    size_t refused[8]; /* result row x price row pairs, by tb_proj */
    int saw_instance;  /* a price row for the instance, priced or not */
    tb_strlist unnamed; /* instances taken as the unnamed machine it ran on */
} record_tally;

/* Prices one result row with every price row that applies. */
static int price_row(tb_cost_ctx *c, const char *file, const json_t *rec, const json_t *row, tb_ran_on *ran,
                     record_tally *tl)
{
    ran->cores_used = cores_used(rec, row);
    for (size_t k = 0; k < c->t->n; k++) {
        const tb_price *p = &c->t->rows[k];
        if ((c->pricing >= 0 && (int)p->pricing != c->pricing) ||
            !instance_wanted(c, p->cell[TB_PCOL_INSTANCE], ran->type))
            continue;
        tl->saw_instance = 1;
        if (isnan(p->price_per_hour)) {
            c->used[k] = 1; /* its "no price" note is due */
            continue;
        }
        double factor;
        tb_proj st = tb_cost_projection(ran, p, c->o->project, &factor);
        if (st != TB_PROJ_SAME && st != TB_PROJ_OK) {
            tl->refused[st]++;
            continue;
        }
        double fx = tb_fx_rate(&c->fx, p->cell[TB_PCOL_CURRENCY]);
        if (isnan(fx))
            return tb_fail(TB_EXIT_USAGE, "%s:%d: column currency: %s, but the ranking is in US dollars: give --fx "
                           "%s=<USD per %s> (currencies are never mixed unconverted)",
                           p->file, p->line, p->cell[TB_PCOL_CURRENCY], p->cell[TB_PCOL_CURRENCY],
                           p->cell[TB_PCOL_CURRENCY]);
        if (st == TB_PROJ_SAME && !ran->type) {
            int seen = 0, rc;
            for (size_t u = 0; u < tl->unnamed.n; u++)
                seen |= !strcmp(tl->unnamed.s[u], p->cell[TB_PCOL_INSTANCE]);
            if (!seen && (rc = tb_strlist_add(&tl->unnamed, p->cell[TB_PCOL_INSTANCE])) != 0)
                return rc;
        }
        c->used[k] = 1;
        json_array_append_new(c->rows, cost_row(c, file, rec, row, p, ran, st, factor, fx));
    }
    return 0;
}

/* The error when a record got no row: no price row for the instance, none with a price, or every
 * pair refused (the most common reason is named). */
static int no_row_error(const tb_cost_ctx *c, const char *file, const tb_ran_on *ran, const record_tally *tl)
{
    size_t nref = 0;
    for (int s = 0; s < 8; s++)
        nref += tl->refused[s];
    char files[2048];
    tb_prices_list_files(c->t, files, sizeof files);
    if (!tl->saw_instance)
        return tb_fail(TB_EXIT_USAGE, "%s: no price for instance %s%s%s in %s (nothing is ever priced at $0)", file,
                       c->o->instance ? c->o->instance : ran->type, c->o->pricing ? " with --pricing " : "",
                       c->o->pricing ? c->o->pricing : "", files);
    if (!nref)
        return tb_fail(TB_EXIT_USAGE, "%s: the price rows for %s have no price (empty price_per_hour)", file,
                       c->o->instance ? c->o->instance : ran->type);
    tb_proj worst = TB_PROJ_NEED_FLAG;
    for (int s = 0; s < 8; s++)
        if (tl->refused[s] > tl->refused[worst])
            worst = (tb_proj)s;
    return tb_fail(TB_EXIT_USAGE, "%s (ran on %s, %s): cannot price on %s: %s", file,
                   ran->type ? ran->type : "an unnamed machine", ran->arch ? ran->arch : "unknown architecture",
                   c->o->instance ? c->o->instance : ran->type, tb_proj_reason(worst));
}

/* A row's throughputs as tokbench writes them: a finite, positive median inside its finite 95%
 * interval. Anything else (missing, zero, negative, 1e308 with an interval of [19, 21]) is not a
 * measurement and must not be priced, least of all ranked cheapest. */
static int check_rates(const char *file, size_t i, const json_t *row)
{
    static const char *const phases[] = {"prefill", "decode"};
    for (int k = 0; k < 2; k++) {
        tb_ci v = tokens_ci(row, phases[k]);
        if (!(isfinite(v.median) && v.median > 0))
            return tb_fail(TB_EXIT_USAGE, "%s: rows[%zu]: %s.tokens_per_s.median is missing, zero or negative: not a "
                           "measurement to price",
                           file, i, phases[k]);
        if (!(isfinite(v.lo) && isfinite(v.hi) && v.lo > 0 && v.lo <= v.median && v.median <= v.hi))
            return tb_fail(TB_EXIT_USAGE, "%s: rows[%zu]: %s.tokens_per_s.median %g lies outside its 95%% interval "
                           "[%g, %g]: not a measurement to price",
                           file, i, phases[k], v.median, v.lo, v.hi);
    }
    return 0;
}

int tb_cost_price_record(tb_cost_ctx *c, const char *file, const json_t *rec, int found, int own)
{
    int skip, rc = check_record(c, file, rec, found, own, &skip);
    if (rc || skip)
        return rc;
    const json_t *machine = json_object_get(rec, "machine");
    tb_ran_on ran = {tb_json_str_or(machine, "instance.provider", NULL), tb_json_str_or(machine, "instance.type", NULL),
                     tb_json_str_or(machine, "cpu.arch", NULL), tb_json_num(machine, "topology.cores"), NAN};
    if (!c->o->instance && !ran.type)
        return tb_fail(TB_EXIT_USAGE, "%s: the record does not name the instance it ran on (machine.instance%s): "
                       "give --instance NAME",
                       file, ran.provider ? ".type is null" : " is null");
    size_t before = json_array_size(c->rows);
    record_tally tl;
    memset(&tl, 0, sizeof tl);
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(rec, "rows"), i, row) {
        /* a run pricing its own rows prices what it measured, even a row an interrupt cut short */
        if ((!own && (rc = check_rates(file, i, row)) != 0) || (rc = price_row(c, file, rec, row, &ran, &tl)) != 0)
            break;
    }
    for (size_t u = 0; !rc && u < tl.unnamed.n && !own; u++)
        tb_warn("%s: the record does not name its instance: %s taken as the machine it ran on (provider, "
                "architecture and cores agree)",
                file, tl.unnamed.s[u]);
    if (!rc && json_array_size(c->rows) == before)
        rc = no_row_error(c, file, &ran, &tl);
    for (int s = 0; !rc && s < 8; s++)
        if (tl.refused[s])
            tb_warn("%s: %zu (result row x price row) pairs not priced: %s", file, tl.refused[s],
                    tb_proj_reason((tb_proj)s));
    tb_strlist_free(&tl.unnamed);
    return rc;
}

static int rank_order(const void *x, const void *y)
{
    const json_t *a = *(json_t *const *)x, *b = *(json_t *const *)y;
    double va = tb_json_num(a, "usd_per_mtok_blended"), vb = tb_json_num(b, "usd_per_mtok_blended");
    if (isnan(va) != isnan(vb))
        return isnan(va) ? 1 : -1; /* unknown last */
    if (!isnan(va) && va != vb)
        return va < vb ? -1 : 1;
    static const char *const keys[] = {"provider", "region", "instance", "pricing", "result"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        int c = strcmp(json_string_value(json_object_get(a, keys[i])), json_string_value(json_object_get(b, keys[i])));
        if (c)
            return c;
    }
    double ba = tb_json_num(a, "batch"), bb = tb_json_num(b, "batch");
    if (ba != bb)
        return ba < bb ? -1 : 1;
    double ta = tb_json_num(a, "threads"), tt = tb_json_num(b, "threads");
    return ta < tt ? -1 : ta > tt;
}

/* The options every pricing shares (cost and run): pricing model, utilization, blend, exchange
 * rates and the --instance list (its names point into *inst_copy). */
int tb_cost_setup(tb_cost_ctx *c, const tb_opts *o, tb_strlist *want, char **inst_copy)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    int rc = tb_pricing_opt_parse(o, &c->pricing);
    if (rc)
        return rc;
    c->util = o->utilization < 0 ? 1.0 : o->utilization; /* < 0: not given */
    if (!(c->util > 0 && c->util <= 1))
        return tb_fail(TB_EXIT_USAGE, "--utilization %g: expected a fraction 0 < U <= 1", c->util);
    if (tb_blend_parse(o->blend ? o->blend : "3:1", &c->w_in, &c->w_out) != 0)
        return tb_fail(TB_EXIT_USAGE, "--blend '%s': expected IN:OUT token counts such as 3:1", o->blend);
    char err[256];
    if (tb_fx_parse(o->fx, &c->fx, err, sizeof err) != 0)
        return tb_fail(TB_EXIT_USAGE, "--fx %s", err);
    if (o->instance && strcmp(o->instance, "all") != 0) {
        if (!(*inst_copy = strdup(o->instance)))
            return tb_fail(TB_EXIT_RUNTIME, "out of memory");
        for (char *save = NULL, *s = strtok_r(*inst_copy, ",", &save); s && !rc; s = strtok_r(NULL, ",", &save))
            rc = tb_strlist_add(want, s);
        c->want = want->s;
        c->nwant = want->n;
        if (!rc && want->n == 0)
            rc = tb_fail(TB_EXIT_USAGE, "--instance '%s': no instance name", o->instance);
    }
    return rc;
}

/* Loads the tables and makes the per-row "used" flags. */
int tb_cost_load(tb_cost_ctx *c, tb_price_table *t)
{
    tb_price_checks chk = tb_price_checks_from(c->o);
    int rc = tb_prices_load_sources(t, c->o->prices, c->o->nprices, &chk);
    c->t = t;
    c->rows = json_array();
    c->used = calloc(t->n + 1, 1);
    if (!rc && (!c->rows || !c->used))
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory");
    return rc;
}

/* Cheapest blended first. */
int tb_cost_rank(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_t **sorted = malloc((n + 1) * sizeof *sorted);
    if (!sorted)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_incref(json_array_get(rows, i));
    qsort(sorted, n, sizeof *sorted, rank_order);
    json_array_clear(rows);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(rows, sorted[i]);
    free(sorted);
    return 0;
}
