/* `tokbench list prices`, `tokbench prices import`, `tokbench cost` (see cmd_prices.h). */
#include "cmd_prices.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "cost.h"
#include "csv_write.h"
#include "output.h"
#include "price_import.h"
#include "prices.h"
#include "record.h"
#include "util.h"

/* ---- shared helpers ---- */

static json_t *jreal(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *jcell(const char *s) { return *s ? json_string(s) : json_null(); }

static int parse_pricing_opt(const tb_opts *o, int *filter)
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

static tb_price_checks checks_from(const tb_opts *o)
{
    tb_price_checks c = {-1, o->max_age_days};
    return c;
}

static void list_tables(const tb_price_table *t, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < t->nfiles; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", t->files[i]);
    }
}

static json_t *price_row_json(const tb_price *p)
{
    json_t *o = json_object();
    for (int c = 0; c < TB_PCOL_COUNT; c++) {
        const char *name = tb_price_column_names[c];
        switch (c) {
        case TB_PCOL_VCPUS:
            json_object_set_new(o, name, jreal(p->vcpus));
            break;
        case TB_PCOL_PHYSICAL_CORES:
            json_object_set_new(o, name, jreal(p->physical_cores));
            break;
        case TB_PCOL_THREADS_PER_CORE:
            json_object_set_new(o, name, jreal(p->threads_per_core));
            break;
        case TB_PCOL_MEMORY_GIB:
            json_object_set_new(o, name, jreal(p->memory_gib));
            break;
        case TB_PCOL_ACCELERATOR_COUNT:
            json_object_set_new(o, name, jreal(p->accelerator_count));
            break;
        case TB_PCOL_PRICE_PER_HOUR:
            json_object_set_new(o, name, jreal(p->price_per_hour));
            break;
        default:
            json_object_set_new(o, name, jcell(p->cell[c]));
        }
    }
    json_object_set_new(o, "file", json_string(p->file));
    json_object_set_new(o, "line", json_integer(p->line));
    return o;
}

/* Rows of a price table in fmt; CSV is itself a valid price table. */
static int print_price_rows(const tb_price *const *rows, size_t n, const tb_price_table *t, tb_format fmt,
                            const char *comment)
{
    if (fmt == TB_FMT_JSON) {
        json_t *arr = json_array(), *files = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, price_row_json(rows[i]));
        for (size_t i = 0; i < t->nfiles; i++)
            json_array_append_new(files, json_string(t->files[i]));
        json_t *doc = json_pack("{s:o, s:o}", "tables", files, "prices", arr);
        tb_print_json(doc, 12);
        json_decref(doc);
        return 0;
    }
    if (fmt == TB_FMT_CSV) {
        tb_col cols[TB_PCOL_COUNT];
        for (int c = 0; c < TB_PCOL_COUNT; c++)
            cols[c] = (tb_col){tb_price_column_names[c], 0, 0};
        tb_table tb;
        tb_table_init(&tb, cols, TB_PCOL_COUNT);
        int rc = 0;
        for (size_t i = 0; i < n && !rc; i++)
            rc = tb_table_row(&tb, (const char *const *)rows[i]->cell);
        if (!rc) {
            tb_csv_comment(stdout, comment);
            tb_table_print(&tb, TB_FMT_CSV, stdout);
        }
        tb_table_free(&tb);
        return rc;
    }
    static const tb_col cols[] = {{"provider", 0, 0}, {"region", 0, 0},     {"instance", 0, 0}, {"pricing", 0, 0},
                                  {"per hour", 0, 0}, {"currency", 0, 0},   {"vcpus", 0, 0},    {"cores", 0, 0},
                                  {"arch", 0, 0},     {"price_date", 0, 0}, {"table", 0, 0}};
    tb_table tb;
    tb_table_init(&tb, cols, sizeof cols / sizeof *cols);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        const tb_price *p = rows[i];
        char where[4200];
        snprintf(where, sizeof where, "%s:%d", p->file, p->line);
        const char *cells[] = {p->cell[TB_PCOL_PROVIDER],       p->cell[TB_PCOL_REGION],   p->cell[TB_PCOL_INSTANCE],
                               tb_pricing_name(p->pricing),     p->cell[TB_PCOL_PRICE_PER_HOUR],
                               p->cell[TB_PCOL_CURRENCY],       *p->cell[TB_PCOL_VCPUS] ? p->cell[TB_PCOL_VCPUS] : "-",
                               *p->cell[TB_PCOL_PHYSICAL_CORES] ? p->cell[TB_PCOL_PHYSICAL_CORES] : "-",
                               *p->cell[TB_PCOL_ARCH] ? p->cell[TB_PCOL_ARCH] : "-", p->cell[TB_PCOL_PRICE_DATE], where};
        rc = tb_table_row(&tb, cells);
    }
    if (!rc)
        tb_table_print(&tb, fmt, stdout);
    tb_table_free(&tb);
    if (!rc && fmt == TB_FMT_TEXT) {
        char files[2048];
        list_tables(t, files, sizeof files);
        printf("\n%zu priced row%s from %s (an empty cell is unknown, never 0)\n", n, n == 1 ? "" : "s", files);
    }
    return rc;
}

/* ---- list prices ---- */

int tb_cmd_list_prices(const tb_opts *o)
{
    int filter, rc;
    if ((rc = parse_pricing_opt(o, &filter)) != 0)
        return rc;
    tb_price_table t;
    tb_prices_init(&t);
    tb_price_checks chk = checks_from(o);
    rc = tb_prices_load_sources(&t, o->prices, o->nprices, &chk);
    const tb_price **rows = rc ? NULL : calloc(t.n + 1, sizeof *rows);
    if (!rc && !rows)
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory listing prices");
    size_t n = 0;
    unsigned char *sel = rc ? NULL : calloc(t.n + 1, 1);
    if (!rc && !sel)
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory listing prices");
    for (size_t i = 0; !rc && i < t.n; i++) {
        const tb_price *p = &t.rows[i];
        if (filter >= 0 && (int)p->pricing != filter)
            continue;
        sel[i] = 1;
        if (!isnan(p->price_per_hour))
            rows[n++] = p;
    }
    if (!rc)
        tb_prices_warn(&t, sel);
    free(sel);
    if (!rc && n == 0) {
        char files[2048];
        list_tables(&t, files, sizeof files);
        rc = tb_fail(TB_EXIT_USAGE, "no priced rows%s%s in %s", o->pricing ? " for --pricing " : "",
                     o->pricing ? o->pricing : "", files);
    }
    if (!rc)
        rc = print_price_rows(rows, n, &t, o->format, NULL);
    free(rows);
    tb_prices_free(&t);
    return rc;
}

/* ---- prices import ---- */

static int write_output(const char *out, const tb_price_table *t, const char *comment)
{
    size_t len = strlen(out) + 16;
    char *tmp = malloc(len);
    if (!tmp)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    snprintf(tmp, len, "%s.tmp-XXXXXX", out);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return tb_fail(TB_EXIT_RUNTIME, "--output %s: cannot create it: %s", out, strerror(e));
    }
    FILE *f = fdopen(fd, "w");
    int bad = !f || tb_prices_write_csv(f, t, comment) != 0;
    bad |= f && fflush(f) != 0;
    bad |= f && fsync(fileno(f)) != 0;
    if (f)
        bad |= fclose(f) != 0;
    else
        close(fd);
    if (bad || rename(tmp, out) != 0) {
        int e = errno;
        unlink(tmp);
        free(tmp);
        return tb_fail(TB_EXIT_RUNTIME, "--output %s: write failed: %s", out, strerror(e));
    }
    free(tmp);
    return 0;
}

int tb_cmd_prices(const tb_opts *o)
{
    if (o->npositional < 1 || strcmp(o->positional[0], "import") != 0)
        return tb_fail(TB_EXIT_USAGE, "prices: expected 'import' (tokbench prices import --from aws|azure|gcp FILE...)");
    if (!o->from)
        return tb_fail(TB_EXIT_USAGE, "prices import: --from aws|azure|gcp is required (the format of FILE)");
    tb_import_from from;
    if (tb_import_from_parse(o->from, &from) != 0)
        return tb_fail(TB_EXIT_USAGE, "--from '%s': expected aws, azure or gcp", o->from);
    if (o->npositional < 2)
        return tb_fail(TB_EXIT_USAGE, "prices import: give the price-list FILE to convert");
    tb_import *im = tb_import_new(from, -1, o->quiet);
    if (!im)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    int rc = 0;
    for (int i = 1; i < o->npositional && !rc; i++)
        rc = tb_import_add_file(im, o->positional[i]);
    tb_price_table t;
    tb_prices_init(&t);
    if (!rc)
        rc = tb_import_finish(im, &t);
    if (!rc && o->output) {
        rc = write_output(o->output, &t, tb_import_comment(im));
        if (!rc && !o->quiet)
            fprintf(stderr, "tokbench: wrote %zu rows to %s\n", t.n, o->output);
    } else if (!rc) {
        const tb_price **rows = calloc(t.n + 1, sizeof *rows);
        for (size_t i = 0; rows && i < t.n; i++)
            rows[i] = &t.rows[i];
        rc = rows ? print_price_rows(rows, t.n, &t, o->format == TB_FMT_TEXT ? TB_FMT_CSV : o->format,
                                     tb_import_comment(im))
                  : tb_fail(TB_EXIT_RUNTIME, "out of memory");
        free(rows);
    }
    tb_prices_free(&t);
    tb_import_free(im);
    return rc;
}

/* ---- cost ---- */

typedef struct strlist {
    char **s;
    size_t n, cap;
} strlist;

static int strlist_add(strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        char **p = realloc(l->s, cap * sizeof *p);
        if (!p)
            return tb_fail(TB_EXIT_RUNTIME, "out of memory");
        l->s = p;
        l->cap = cap;
    }
    if (!(l->s[l->n] = strdup(s)))
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    l->n++;
    return 0;
}

static void strlist_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->s[i]);
    free(l->s);
    memset(l, 0, sizeof *l);
}

static int str_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every *.json under dir, at any depth. */
static int collect_json(const char *dir, strlist *out, int depth)
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
        else if (l > 5 && strcmp(e->d_name + l - 5, ".json") == 0)
            rc = strlist_add(out, p);
        free(p);
    }
    closedir(d);
    return rc;
}

/* Files named on the command line go to files, those found under a directory to found: a
 * record of another command is refused when named, skipped with a warning when found. */
static int result_files(const tb_opts *o, strlist *files, strlist *found)
{
    if (o->npositional == 0)
        return tb_fail(TB_EXIT_USAGE, "cost: give one or more RESULT files or directories (records of tokbench run)");
    for (int i = 0; i < o->npositional; i++) {
        const char *p = o->positional[i];
        struct stat st;
        if (stat(p, &st) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s: cannot read: %s", p, strerror(errno));
        if (!S_ISDIR(st.st_mode)) {
            int rc = strlist_add(files, p);
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

typedef struct cost_ctx {
    const tb_opts *o;
    const tb_price_table *t;
    int pricing; /* -1: all */
    double util, w_in, w_out;
    tb_fx fx;
    char **want; /* instance names; NULL: every instance */
    size_t nwant;
    unsigned char *used; /* per price row: used (its warnings are due) */
    size_t skipped;      /* records of other commands found in directories */
    json_t *rows;
} cost_ctx;

static int instance_wanted(const cost_ctx *c, const char *inst, const char *record_type)
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
static json_t *cost_row(const cost_ctx *c, const char *file, const json_t *rec, const json_t *row, const tb_price *p,
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
    json_object_set_new(o, "usd_per_mtok_input", jreal(in.median));
    json_object_set_new(o, "usd_per_mtok_input_ci95_low", jreal(in.lo));
    json_object_set_new(o, "usd_per_mtok_input_ci95_high", jreal(in.hi));
    json_object_set_new(o, "usd_per_mtok_output", jreal(out.median));
    json_object_set_new(o, "usd_per_mtok_output_ci95_low", jreal(out.lo));
    json_object_set_new(o, "usd_per_mtok_output_ci95_high", jreal(out.hi));
    json_object_set_new(o, "usd_per_mtok_blended", jreal(bl.median));
    json_object_set_new(o, "usd_per_mtok_blended_ci95_low", jreal(bl.lo));
    json_object_set_new(o, "usd_per_mtok_blended_ci95_high", jreal(bl.hi));
    json_object_set_new(o, "usd_per_mtok_input_floor", jreal(in_floor));
    json_object_set_new(o, "usd_per_mtok_output_floor", jreal(out_floor));
    json_object_set_new(o, "usd_per_mtok_blended_floor", jreal(tb_cost_blend(in_floor, out_floor, c->w_in, c->w_out)));
    json_object_set_new(o, "projected", json_boolean(projected));
    json_object_set_new(o, "projection", proj);
    json_object_set_new(o, "result", json_string(file));
    json_object_set_new(o, "model", model_name ? json_string(model_name) : json_null());
    json_object_set_new(o, "batch", json_deep_copy(json_object_get(row, "batch")));
    json_object_set_new(o, "threads", json_deep_copy(json_object_get(row, "threads")));
    json_object_set_new(o, "prompt", json_deep_copy(json_object_get(row, "prompt")));
    json_object_set_new(o, "ctx", json_deep_copy(json_object_get(row, "ctx")));
    json_object_set_new(o, "dtype", json_deep_copy(json_object_get(row, "dtype")));
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

/* Prices every row of one record (file: its name in messages and rows); refusals are counted by
 * reason. found: it came from a directory walk, where records of other commands are skipped.
 * own: the record of the run in progress, which is not complete yet and whose instance the user
 * named: the two warnings about saved records would be noise. */
static int cost_doc(cost_ctx *c, const char *file, const json_t *rec, int found, int own)
{
    int rc = 0;
    strlist unnamed = {0}; /* instances taken as the unnamed machine it ran on */
    const char *cmd = tb_json_str_or(rec, "settings.command", NULL);
    const json_t *rows = json_object_get(rec, "rows");
    if (found && cmd && strcmp(cmd, "run") != 0) {
        tb_warn("%s: a `%s` record, skipped (cost prices the records of `tokbench run`)", file, cmd);
        c->skipped++;
        goto out;
    }
    if (!cmd || strcmp(cmd, "run") != 0) {
        rc = tb_fail(TB_EXIT_USAGE, "%s: a `%s` record: cost prices the records of `tokbench run` (model rows with "
                     "tokens/s)",
                     file, cmd ? cmd : "(unknown command)");
        goto out;
    }
    if (!json_is_array(rows) || json_array_size(rows) == 0) {
        rc = tb_fail(TB_EXIT_USAGE, "%s: no \"rows\" (a run record has one per batch x threads x prompt x ctx)", file);
        goto out;
    }
    if (!own && json_is_false(json_object_get(rec, "complete")))
        tb_warn("%s: an incomplete record (the run was interrupted)", file);
    const json_t *machine = json_object_get(rec, "machine");
    tb_ran_on ran = {tb_json_str_or(machine, "instance.provider", NULL), tb_json_str_or(machine, "instance.type", NULL),
                     tb_json_str_or(machine, "cpu.arch", NULL), tb_json_num(machine, "topology.cores"), NAN};
    if (!c->o->instance && !ran.type) {
        rc = tb_fail(TB_EXIT_USAGE, "%s: the record does not name the instance it ran on (machine.instance%s): give "
                     "--instance NAME",
                     file, ran.provider ? ".type is null" : " is null");
        goto out;
    }
    size_t before = json_array_size(c->rows);
    size_t refused[8] = {0};
    int saw_instance = 0;
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        ran.cores_used = cores_used(rec, row);
        for (size_t k = 0; k < c->t->n; k++) {
            const tb_price *p = &c->t->rows[k];
            if ((c->pricing >= 0 && (int)p->pricing != c->pricing) ||
                !instance_wanted(c, p->cell[TB_PCOL_INSTANCE], ran.type))
                continue;
            saw_instance = 1;
            if (isnan(p->price_per_hour)) {
                c->used[k] = 1; /* its "no price" note is due */
                continue;
            }
            double factor;
            tb_proj st = tb_cost_projection(&ran, p, c->o->project, &factor);
            if (st != TB_PROJ_SAME && st != TB_PROJ_OK) {
                refused[st]++;
                continue;
            }
            double fx = tb_fx_rate(&c->fx, p->cell[TB_PCOL_CURRENCY]);
            if (isnan(fx)) {
                rc = tb_fail(TB_EXIT_USAGE, "%s:%d: column currency: %s, but the ranking is in US dollars: give --fx "
                             "%s=<USD per %s> (currencies are never mixed unconverted)",
                             p->file, p->line, p->cell[TB_PCOL_CURRENCY], p->cell[TB_PCOL_CURRENCY],
                             p->cell[TB_PCOL_CURRENCY]);
                goto out;
            }
            if (st == TB_PROJ_SAME && !ran.type) {
                int seen = 0;
                for (size_t u = 0; u < unnamed.n; u++)
                    seen |= !strcmp(unnamed.s[u], p->cell[TB_PCOL_INSTANCE]);
                if (!seen && (rc = strlist_add(&unnamed, p->cell[TB_PCOL_INSTANCE])) != 0)
                    goto out;
            }
            c->used[k] = 1;
            json_array_append_new(c->rows, cost_row(c, file, rec, row, p, &ran, st, factor, fx));
        }
    }
    for (size_t u = 0; u < unnamed.n && !own; u++)
        tb_warn("%s: the record does not name its instance: %s taken as the machine it ran on (provider, "
                "architecture and cores agree)",
                file, unnamed.s[u]);
    size_t nref = 0;
    for (int s = 0; s < 8; s++)
        nref += refused[s];
    if (json_array_size(c->rows) == before) {
        char files[2048];
        list_tables(c->t, files, sizeof files);
        if (!saw_instance)
            rc = tb_fail(TB_EXIT_USAGE, "%s: no price for instance %s%s%s in %s (nothing is ever priced at $0)", file,
                         c->o->instance ? c->o->instance : ran.type, c->o->pricing ? " with --pricing " : "",
                         c->o->pricing ? c->o->pricing : "", files);
        else if (!nref)
            rc = tb_fail(TB_EXIT_USAGE, "%s: the price rows for %s have no price (empty price_per_hour)", file,
                         c->o->instance ? c->o->instance : ran.type);
        else {
            tb_proj worst = TB_PROJ_NEED_FLAG;
            for (int s = 0; s < 8; s++)
                if (refused[s] > refused[worst])
                    worst = (tb_proj)s;
            rc = tb_fail(TB_EXIT_USAGE, "%s (ran on %s, %s): cannot price on %s: %s", file,
                         ran.type ? ran.type : "an unnamed machine", ran.arch ? ran.arch : "unknown architecture",
                         c->o->instance ? c->o->instance : ran.type, tb_proj_reason(worst));
        }
        goto out;
    }
    for (int s = 0; s < 8; s++)
        if (refused[s])
            tb_warn("%s: %zu (result row x price row) pairs not priced: %s", file, refused[s],
                    tb_proj_reason((tb_proj)s));
out:
    strlist_free(&unnamed);
    return rc;
}

static int cost_record(cost_ctx *c, const char *file, int found)
{
    json_t *rec;
    int rc = tb_record_load(file, &rec);
    if (rc)
        return rc;
    rc = cost_doc(c, file, rec, found, 0);
    json_decref(rec);
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

static void num_text(const json_t *v, char *buf, size_t cap)
{
    if (json_is_integer(v))
        snprintf(buf, cap, "%lld", (long long)json_integer_value(v));
    else if (json_is_number(v))
        snprintf(buf, cap, "%g", json_number_value(v));
    else if (json_is_string(v))
        snprintf(buf, cap, "%s", json_string_value(v));
    else
        snprintf(buf, cap, "-");
}

/* The cost rows as CSV: their JSON fields, flat (projection as its factor). */
static void print_cost_csv(const json_t *rows)
{
    const json_t *first = json_array_get(rows, 0);
    tb_col *cols = calloc(json_object_size(first) + 1, sizeof *cols);
    if (!cols) {
        tb_fail(TB_EXIT_RUNTIME, "out of memory");
        return;
    }
    const char *k;
    json_t *v;
    size_t ncols = 0;
    json_object_foreach((json_t *)first, k, v)
        cols[ncols++] = (tb_col){strcmp(k, "projection") ? k : "projection_factor", 0, 0};
    tb_table tb;
    tb_table_init(&tb, cols, ncols);
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) json_object_foreach(r, k, v)
    {
        if (strcmp(k, "projection") == 0)
            v = json_object_get(v, "factor");
        char buf[4200];
        if (json_is_real(v))
            snprintf(buf, sizeof buf, "%.10g", json_real_value(v));
        else if (json_is_boolean(v))
            snprintf(buf, sizeof buf, "%s", json_is_true(v) ? "true" : "false");
        else if (json_is_null(v) || !v)
            buf[0] = '\0';
        else
            num_text(v, buf, sizeof buf);
        tb_table_cell(&tb, buf);
    }
    tb_table_print(&tb, TB_FMT_CSV, stdout);
    tb_table_free(&tb);
    free(cols);
}

static void print_cost(const cost_ctx *c, tb_format fmt)
{
    const json_t *rows = c->rows;
    if (fmt == TB_FMT_JSON) {
        json_t *doc = json_pack("{s:s, s:f, s:{s:f, s:f}, s:O}", "currency", "USD", "utilization", c->util, "blend",
                                "input", c->w_in, "output", c->w_out, "rows", rows);
        tb_print_json(doc, 12);
        json_decref(doc);
        return;
    }
    if (fmt == TB_FMT_CSV) {
        print_cost_csv(rows);
        return;
    }
    static const tb_col cols[] = {{"#", 0, 0},        {"provider", 0, 0},
                                  {"region", 0, 0},   {"instance", 0, 0},
                                  {"pricing", 0, 0},  {"$/hour", 0, 0},
                                  {"input $/Mtok [95% CI]", 0, 0}, {"output $/Mtok [95% CI]", 0, 0},
                                  {"blended $/Mtok [95% CI]", 0, 0}, {"floor", 0, 0},
                                  {"basis", 0, 0},    {"model", 0, 0},
                                  {"batch", 0, 0},    {"threads", 0, 0},
                                  {"result", 0, 0}};
    tb_table tb;
    tb_table_init(&tb, cols, sizeof cols / sizeof *cols);
    int nproj = 0;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        char rank[24], usd_h[24], in[80], out[80], bl[80], floor[24], basis[64], batch[24], threads[24];
        snprintf(rank, sizeof rank, "%zu", i + 1);
        tb_fmt_money(tb_json_num(r, "usd_per_hour"), usd_h, sizeof usd_h);
        tb_fmt_money_ci(r, "usd_per_mtok_input", in, sizeof in);
        tb_fmt_money_ci(r, "usd_per_mtok_output", out, sizeof out);
        tb_fmt_money_ci(r, "usd_per_mtok_blended", bl, sizeof bl);
        tb_fmt_money(tb_json_num(r, "usd_per_mtok_blended_floor"), floor, sizeof floor);
        if (json_is_true(json_object_get(r, "projected"))) {
            nproj++;
            snprintf(basis, sizeof basis, "projected x%.2f", json_number_value(tb_json_at(r, "projection.factor")));
        } else
            snprintf(basis, sizeof basis, "measured");
        num_text(json_object_get(r, "batch"), batch, sizeof batch);
        num_text(json_object_get(r, "threads"), threads, sizeof threads);
        const char *cells[] = {rank,  tb_json_str(r, "provider"), tb_json_str(r, "region"), tb_json_str(r, "instance"),
                               tb_json_str(r, "pricing"), usd_h, in, out, bl, floor, basis,
                               tb_json_str_or(r, "model", "-"), batch, threads, tb_json_str(r, "result")};
        if (tb_table_row(&tb, cells))
            break;
    }
    if (fmt == TB_FMT_TEXT)
        printf("US dollars per million tokens, cheapest blended first: input from prefill, output from decode tokens/s, "
               "blended %g:%g by token count, utilization %g; floor = blended at the roofline bound\n\n",
               c->w_in, c->w_out, c->util);
    tb_table_print(&tb, fmt, stdout);
    tb_table_free(&tb);
    if (nproj)
        printf("\nprojected: measured on another instance and scaled by physical cores (target / used), same "
               "architecture: an estimate, not a measurement\n");
    for (int k = 0; k < c->fx.n; k++)
        printf("%s converted at %g USD per %s (--fx; approximate)\n", c->fx.code[k], c->fx.usd_per_unit[k],
               c->fx.code[k]);
}

/* The options every pricing shares (cost and run): pricing model, utilization, blend, exchange
 * rates and the --instance list (its names point into *inst_copy). */
static int cost_ctx_setup(cost_ctx *c, const tb_opts *o, strlist *want, char **inst_copy)
{
    memset(c, 0, sizeof *c);
    c->o = o;
    int rc = parse_pricing_opt(o, &c->pricing);
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
            rc = strlist_add(want, s);
        c->want = want->s;
        c->nwant = want->n;
        if (!rc && want->n == 0)
            rc = tb_fail(TB_EXIT_USAGE, "--instance '%s': no instance name", o->instance);
    }
    return rc;
}

/* Loads the tables and makes the per-row "used" flags. */
static int cost_ctx_load(cost_ctx *c, tb_price_table *t)
{
    tb_price_checks chk = checks_from(c->o);
    int rc = tb_prices_load_sources(t, c->o->prices, c->o->nprices, &chk);
    c->t = t;
    c->rows = json_array();
    c->used = calloc(t->n + 1, 1);
    if (!rc && (!c->rows || !c->used))
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory");
    return rc;
}

/* Cheapest blended first. */
static int sort_rows(json_t *rows)
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

int tb_cmd_cost(const tb_opts *o)
{
    cost_ctx c;
    strlist want = {0}, files = {0}, found = {0};
    char *inst_copy = NULL;
    tb_price_table t;
    tb_prices_init(&t);
    int rc = cost_ctx_setup(&c, o, &want, &inst_copy);
    if (!rc)
        rc = result_files(o, &files, &found);
    if (!rc)
        rc = cost_ctx_load(&c, &t);
    for (size_t i = 0; !rc && i < files.n; i++)
        rc = cost_record(&c, files.s[i], 0);
    for (size_t i = 0; !rc && i < found.n; i++)
        rc = cost_record(&c, found.s[i], 1);
    if (!rc && json_array_size(c.rows) == 0)
        rc = tb_fail(TB_EXIT_USAGE, "no `tokbench run` records among the RESULTs (%zu other records skipped)", c.skipped);
    if (!rc)
        tb_prices_warn(&t, c.used);
    if (!rc && (rc = sort_rows(c.rows)) == 0)
        print_cost(&c, o->format);
    json_decref(c.rows);
    free(c.used);
    tb_prices_free(&t);
    strlist_free(&want);
    strlist_free(&files);
    strlist_free(&found);
    free(inst_copy);
    return rc;
}

/* ---- the cost lines of `tokbench run` ---- */

struct tb_run_pricing {
    cost_ctx c;
    tb_price_table t;
    strlist want;
    char *inst_copy;
};

void tb_run_pricing_close(tb_run_pricing *p)
{
    if (!p)
        return;
    json_decref(p->c.rows);
    free(p->c.used);
    tb_prices_free(&p->t);
    strlist_free(&p->want);
    free(p->inst_copy);
    free(p);
}

int tb_run_pricing_open(const tb_opts *o, const json_t *machine, tb_run_pricing **out)
{
    *out = NULL;
    const char *detected = tb_json_str_or(machine, "instance.type", NULL);
    if (!o->instance && (!detected || (o->nprices == 0 && !tb_prices_have_default_dir()))) {
        if (o->nprices || o->pricing || o->utilization >= 0 || o->blend || o->fx)
            tb_warn("no instance detected (DMI) and no --instance: the rows are not priced");
        return 0;
    }
    if (o->instance && (strcmp(o->instance, "all") == 0 || strchr(o->instance, ',')))
        return tb_fail(TB_EXIT_USAGE, "--instance '%s': run prices the one instance it runs on (`tokbench cost` "
                       "ranks several)",
                       o->instance);
    tb_run_pricing *p = calloc(1, sizeof *p);
    if (!p)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    tb_prices_init(&p->t);
    int rc = cost_ctx_setup(&p->c, o, &p->want, &p->inst_copy);
    if (!rc)
        rc = cost_ctx_load(&p->c, &p->t);
    const char *name = o->instance ? o->instance : detected;
    int priced = 0;
    for (size_t k = 0; !rc && k < p->t.n; k++) {
        const tb_price *r = &p->t.rows[k];
        priced |= strcmp(r->cell[TB_PCOL_INSTANCE], name) == 0 &&
                  (p->c.pricing < 0 || (int)r->pricing == p->c.pricing) && !isnan(r->price_per_hour);
    }
    if (!rc && !priced) {
        char files[2048];
        list_tables(&p->t, files, sizeof files);
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
    cost_ctx *c = &p->c;
    json_array_clear(c->rows);
    int rc = cost_doc(c, "this run", rec, 0, 1);
    if (!rc)
        rc = sort_rows(c->rows);
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

