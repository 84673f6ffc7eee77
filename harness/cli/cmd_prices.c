/* `tokbench list prices`, `tokbench prices import`, `tokbench cost` (see cmd_prices.h). */
#include "cmd_prices.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cost_records.h"
#include "csv_write.h"
#include "out_file.h"
#include "output.h"
#include "price_import.h"
#include "prices.h"
#include "record.h"
#include "result_files.h"
#include "util.h"

/* ---- shared helpers ---- */

static json_t *jreal(double v) { return isfinite(v) ? json_real(v) : json_null(); }

static json_t *jcell(const char *s) { return *s ? json_string(s) : json_null(); }

static json_t *price_row_json(const tb_price *p)
{
    json_t *o = json_object();
    for (tb_pcol c = 0; c < TB_PCOL_COUNT; c++) {
        const double *v = tb_price_number(p, c);
        json_object_set_new(o, tb_price_column_names[c], v ? jreal(*v) : jcell(p->cell[c]));
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
        tb_prices_list_files(t, files, sizeof files);
        printf("\n%zu priced row%s from %s (an empty cell is unknown, never 0)\n", n, n == 1 ? "" : "s", files);
    }
    return rc;
}

/* ---- list prices ---- */

int tb_cmd_list_prices(const tb_opts *o)
{
    int filter, rc;
    if ((rc = tb_pricing_opt_parse(o, &filter)) != 0)
        return rc;
    tb_price_table t;
    tb_prices_init(&t);
    tb_price_checks chk = tb_price_checks_from(o);
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
        tb_prices_list_files(&t, files, sizeof files);
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
    tb_out_file of;
    int rc = tb_out_open(&of, "--output", out);
    if (rc)
        return rc;
    if (tb_prices_write_csv(of.f, t, comment) != 0) {
        tb_out_abort(&of);
        return tb_fail(TB_EXIT_RUNTIME, "--output %s: write failed", out);
    }
    return tb_out_commit(&of);
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
    int rc = o->output ? tb_out_check("--output", o->output) : 0; /* before reading anything */
    if (rc)
        return rc;
    tb_import *im = tb_import_new(from, -1, o->quiet);
    if (!im)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
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

static int cost_record(tb_cost_ctx *c, const char *file, int found)
{
    json_t *rec;
    int rc = tb_record_load(file, &rec);
    if (rc)
        return rc;
    rc = tb_cost_price_record(c, file, rec, found, 0);
    json_decref(rec);
    return rc;
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

static void print_cost(const tb_cost_ctx *c, tb_format fmt)
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

int tb_cmd_cost(const tb_opts *o)
{
    tb_cost_ctx c;
    tb_strlist want = {0}, files = {0}, found = {0};
    char *inst_copy = NULL;
    tb_price_table t;
    tb_prices_init(&t);
    int rc = tb_cost_setup(&c, o, &want, &inst_copy);
    if (!rc && o->npositional == 0)
        rc = tb_fail(TB_EXIT_USAGE, "cost: give one or more RESULT files or directories (records of tokbench run)");
    if (!rc)
        rc = tb_result_files(o, &files, &found);
    if (!rc)
        rc = tb_cost_load(&c, &t);
    for (size_t i = 0; !rc && i < files.n; i++)
        rc = cost_record(&c, files.s[i], 0);
    for (size_t i = 0; !rc && i < found.n; i++)
        rc = cost_record(&c, found.s[i], 1);
    if (!rc && json_array_size(c.rows) == 0)
        rc = tb_fail(TB_EXIT_USAGE, "no `tokbench run` records among the RESULTs (%zu other records skipped)", c.skipped);
    if (!rc)
        tb_prices_warn(&t, c.used);
    if (!rc && (rc = tb_cost_rank(c.rows)) == 0)
        print_cost(&c, o->format);
    json_decref(c.rows);
    free(c.used);
    tb_prices_free(&t);
    tb_strlist_free(&want);
    tb_strlist_free(&files);
    tb_strlist_free(&found);
    free(inst_copy);
    return rc;
}
