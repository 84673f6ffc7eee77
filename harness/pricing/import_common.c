/* `prices import`, the part every cloud shares (see price_import.h): the import's state, the
 * skip reasons and notes, the values as the clouds write them, reading a file and handing it to
 * its cloud's importer (import_aws.c, import_azure.c, import_gcp.c), and the pairing,
 * deduplication and sorting that make the table. Every value is read as the cloud wrote it:
 * decimal strings are copied, not round-tripped through a double, and GCP's units + nanos are
 * added as integers. */
#include "price_import.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "in_file.h"
#include "util.h"

static const char *const from_names[] = {"aws", "azure", "gcp"};

int tb_import_from_parse(const char *s, tb_import_from *out)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(s, from_names[i]) == 0) {
            *out = (tb_import_from)i;
            return 0;
        }
    return -1;
}

tb_import *tb_import_new(tb_import_from from, int today_days, int quiet)
{
    tb_import *im = calloc(1, sizeof *im);
    if (!im)
        return NULL;
    im->from = from;
    im->today = today_days >= 0 ? today_days : tb_today_days();
    im->quiet = quiet;
    return im;
}

static void cand_free(cand *c)
{
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        free(c->cell[i]);
}

void tb_import_free(tb_import *im)
{
    if (!im)
        return;
    for (size_t i = 0; i < im->nc; i++)
        cand_free(&im->c[i]);
    for (size_t i = 0; i < im->nt; i++)
        free(im->t[i].reason);
    for (size_t i = 0; i < im->ng; i++) {
        for (size_t r = 0; r < im->g[i].nregions; r++)
            free(im->g[i].regions[r]);
        free(im->g[i].regions);
    }
    free(im->c);
    free(im->t);
    free(im->g);
    free(im->comment);
    free(im);
}

const char *tb_import_comment(const tb_import *im) { return im->comment ? im->comment : ""; }

size_t tb_import_skipped(const tb_import *im, const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < im->nt; i++)
        if (strstr(im->t[i].reason, what))
            n += im->t[i].n;
    return n;
}

/* ---- bookkeeping: skip reasons, notes, the comment block ---- */

/* The message of a printf-style function's own arguments, cut to the array buf. */
#define FORMAT_ARGS(buf, fmt)                                                                          \
    do {                                                                                               \
        va_list ap_;                                                                                   \
        va_start(ap_, fmt);                                                                            \
        vsnprintf(buf, sizeof(buf), fmt, ap_);                                                         \
        va_end(ap_);                                                                                   \
    } while (0)

int tb_imp_skip(tb_import *im, const char *fmt, ...)
{
    char buf[512];
    FORMAT_ARGS(buf, fmt);
    for (size_t i = 0; i < im->nt; i++)
        if (strcmp(im->t[i].reason, buf) == 0) {
            im->t[i].n++;
            return 0;
        }
    tally *t = tb_grow(im->t, &im->capt, im->nt + 1, sizeof *t);
    if (!t)
        return 0;
    im->t = t;
    if ((im->t[im->nt].reason = strdup(buf)))
        im->t[im->nt++].n = 1;
    return 0;
}

void tb_imp_note(const tb_import *im, const char *fmt, ...)
{
    if (im->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    tb_vnote(fmt, ap);
    va_end(ap);
}

int tb_imp_cannot_price(tb_import *im, const char *what, const char *fmt, ...)
{
    char buf[512];
    FORMAT_ARGS(buf, fmt);
    tb_imp_note(im, "skipped %s: %s", what, buf);
    return tb_imp_skip(im, "cannot price (see the notes above)");
}

void tb_imp_comment_add(tb_import *im, const char *fmt, ...)
{
    char buf[1024];
    FORMAT_ARGS(buf, fmt);
    size_t old = im->comment ? strlen(im->comment) : 0, add = strlen(buf);
    char *c = realloc(im->comment, old + add + 2);
    if (!c)
        return;
    memcpy(c + old, buf, add);
    c[old + add] = '\n';
    c[old + add + 1] = '\0';
    im->comment = c;
}

/* ---- values as the clouds write them ---- */

const char *tb_imp_jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *tb_imp_jstr_or(const json_t *o, const char *k, const char *dflt)
{
    const char *s = tb_imp_jstr(o, k);
    return s ? s : dflt;
}

static void trim_zeros(char *s)
{
    if (!strchr(s, '.'))
        return;
    size_t n = strlen(s);
    while (n && s[n - 1] == '0')
        s[--n] = '\0';
    if (n && s[n - 1] == '.')
        s[--n] = '\0';
}

/* A decimal string as written, trailing zeros dropped ("0.1785000000" -> "0.1785"). */
int tb_imp_dec_text(const char *in, char *out, size_t cap)
{
    if (!in || !tb_decimal_valid(in) || strpbrk(in, "eE") || strlen(in) >= cap)
        return -1;
    snprintf(out, cap, "%s", in);
    trim_zeros(out);
    return 0;
}

/* A computed price: ten decimals are below any cloud's billing resolution. */
void tb_imp_fmt_computed(double v, char *out, size_t cap)
{
    snprintf(out, cap, "%.10f", v);
    trim_zeros(out);
}

/* A JSON number as its shortest decimal that reads back to the same double (0.192, not
 * 0.19200000000000001). */
void tb_imp_fmt_json_number(double v, char *out, size_t cap)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, cap, "%.*g", p, v);
        if (strtod(out, NULL) == v)
            break;
    }
    if (strpbrk(out, "eE"))
        tb_imp_fmt_computed(v, out, cap);
}

void tb_imp_fmt_nanos(int64_t nanos, char *out, size_t cap)
{
    snprintf(out, cap, "%" PRId64 ".%09" PRId64, nanos / 1000000000, nanos % 1000000000);
    trim_zeros(out);
}

/* "2026-01-15T20:38:41Z" -> "2026-01-15", when it is a date. */
int tb_imp_date10(const char *s, char out[11], int *days)
{
    if (!s || strlen(s) < 10)
        return -1;
    memcpy(out, s, 10);
    out[10] = '\0';
    int d;
    if (tb_date_parse(out, &d) != 0)
        return -1;
    if (days)
        *days = d;
    return 0;
}

int tb_imp_add_row(tb_import *im, const char *cells[TB_PCOL_COUNT])
{
    cand *grown = tb_grow(im->c, &im->capc, im->nc + 1, sizeof *grown);
    if (!grown)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory importing prices");
    im->c = grown;
    cand *c = &im->c[im->nc];
    memset(c, 0, sizeof *c);
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        if (!(c->cell[i] = strdup(cells[i] ? cells[i] : ""))) {
            cand_free(c);
            return tb_fail(TB_EXIT_RUNTIME, "out of memory importing prices");
        }
    c->price = strtod(c->cell[TB_PCOL_PRICE_PER_HOUR], NULL);
    if (tb_date_parse(c->cell[TB_PCOL_PRICE_DATE], &c->date) != 0)
        c->date = 0;
    c->order = im->nc++;
    return 0;
}

/* ---- reading a file, making the table ---- */

int tb_imp_read_page(tb_import *im, const json_t *root, const char *path, const tb_imp_listing *l)
{
    const json_t *items = json_object_get(root, l->items);
    if (!json_is_array(items))
        return tb_fail(TB_EXIT_USAGE, "%s: not %s (no \"%s\" array): wrong --from?", path, l->page, l->items);
    const char *next = tb_imp_jstr(root, l->next);
    if (next && *next)
        tb_imp_note(im, "%s: %s says more pages follow: import every page in one command (prices import --from %s "
                        "page1.json page2.json ...) or %s will be missing",
                    path, l->next, l->from, l->missing);
    size_t i;
    json_t *it;
    json_array_foreach((json_t *)items, i, it) {
        im->seen++;
        int rc = l->item(im, it);
        if (rc)
            return rc;
    }
    if (!strstr(tb_import_comment(im), l->said))
        tb_imp_comment_add(im, "%s", l->comment);
    return 0;
}

int tb_import_add_file(tb_import *im, const char *path)
{
    int rc;
    json_t *root = tb_in_load_json(path, TB_IN_MAX_PRICE_LIST, 0, &rc);
    if (!root)
        return rc;
    size_t used = strlen(im->files);
    snprintf(im->files + used, sizeof im->files - used, "%s%s", used ? ", " : "", path);
    rc = im->from == TB_IMPORT_AWS         ? tb_imp_aws(im, root, path)
             : im->from == TB_IMPORT_AZURE ? tb_imp_azure(im, root, path)
                                           : tb_imp_gcp(im, root, path);
    json_decref(root);
    return rc;
}

static int cand_key_cmp(const cand *a, const cand *b)
{
    static const tb_pcol key[] = {TB_PCOL_PROVIDER, TB_PCOL_REGION, TB_PCOL_INSTANCE};
    for (size_t i = 0; i < sizeof key / sizeof *key; i++) {
        int c = strcmp(a->cell[key[i]], b->cell[key[i]]);
        if (c)
            return c;
    }
    tb_pricing pa = TB_PRICING_COUNT, pb = TB_PRICING_COUNT;
    tb_pricing_parse(a->cell[TB_PCOL_PRICING], &pa);
    tb_pricing_parse(b->cell[TB_PCOL_PRICING], &pb);
    return (int)pa - (int)pb;
}

static int cand_order(const void *x, const void *y)
{
    const cand *a = x, *b = y;
    int c = cand_key_cmp(a, b);
    if (!c)
        c = b->date - a->date; /* latest first */
    if (!c)
        c = (a->order > b->order) - (a->order < b->order);
    return c;
}

/* One row per key: the latest effective date wins; two different prices on that date are a
 * conflict the importer will not guess at. Returns the rows added to out. */
static size_t keep_latest(tb_import *im, tb_price_table *out)
{
    size_t rows = 0;
    for (size_t a = 0; a < im->nc;) {
        size_t b = a + 1, same_date = 1;
        int conflict = 0;
        while (b < im->nc && cand_key_cmp(&im->c[a], &im->c[b]) == 0) {
            if (im->c[b].date == im->c[a].date) {
                same_date++;
                conflict |= im->c[b].price != im->c[a].price;
            }
            b++;
        }
        char what[200];
        snprintf(what, sizeof what, "%s %s %s %s", im->c[a].cell[TB_PCOL_PROVIDER], im->c[a].cell[TB_PCOL_REGION],
                 im->c[a].cell[TB_PCOL_INSTANCE], im->c[a].cell[TB_PCOL_PRICING]);
        if (conflict) {
            tb_imp_cannot_price(im, what, "%zu different prices with the same date", same_date);
        } else {
            for (size_t i = a + 1; i < b; i++)
                tb_imp_skip(im, i < a + same_date ? "the same price listed twice"
                                                  : "superseded by a later effective date");
            char err[512];
            if (tb_prices_add(out, (const char *const *)im->c[a].cell, im->files, 0, err, sizeof err) != 0)
                tb_imp_cannot_price(im, what, "%s", err);
            else
                rows++;
        }
        a = b;
    }
    return rows;
}

/* The comment block: the command that made the table first, then what each file said, then the
 * rules of the cloud when they are not said per file. */
static void finish_comment(tb_import *im)
{
    char head[1400];
    snprintf(head, sizeof head, "tokbench price table: `tokbench prices import --from %s %s`", from_names[im->from],
             im->files);
    char *body = im->comment;
    im->comment = NULL;
    tb_imp_comment_add(im, "%s", head);
    if (body) {
        size_t n = strlen(body);
        if (n && body[n - 1] == '\n')
            body[n - 1] = '\0';
        tb_imp_comment_add(im, "%s", body);
        free(body);
    }
    if (im->from == TB_IMPORT_AWS)
        tb_imp_comment_add(im, "%s", tb_imp_aws_rules);
}

/* A price table holds one currency (price_load.c refuses a second), and the clouds' lists give
 * one per request: pages fetched in two currencies are refused here, naming both, rather than
 * written as a table that `cost` and `list prices` would then refuse. */
static int one_currency(const tb_import *im, const tb_price_table *out)
{
    for (size_t i = 1; i < out->n; i++) {
        const char *a = out->rows[0].cell[TB_PCOL_CURRENCY], *b = out->rows[i].cell[TB_PCOL_CURRENCY];
        if (strcmp(a, b) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s: prices in %s and in %s: a price table holds one currency (import "
                           "each currency's pages on their own)", im->files, a, b);
    }
    return 0;
}

int tb_import_finish(tb_import *im, tb_price_table *out)
{
    if (im->from == TB_IMPORT_GCP)
        tb_imp_gcp_pair(im);
    if (im->nc)
        qsort(im->c, im->nc, sizeof *im->c, cand_order);
    size_t rows = keep_latest(im, out);
    finish_comment(im);

    size_t skipped = 0;
    for (size_t i = 0; i < im->nt; i++)
        skipped += im->t[i].n;
    if (im->nt && !im->quiet) {
        tb_note("%zu row%s imported from %zu item%s; not imported:", rows, rows == 1 ? "" : "s",
                im->seen, im->seen == 1 ? "" : "s");
        for (size_t i = 0; i < im->nt; i++)
            tb_note("  %5zu  %s", im->t[i].n, im->t[i].reason);
    }
    if (rows == 0)
        return tb_fail(TB_EXIT_USAGE, "%s: nothing could be imported as --from %s (%zu items, %zu skipped)", im->files,
                       from_names[im->from], im->seen, skipped);
    return one_currency(im, out);
}
