/* Importers for the clouds' own price lists (see price_import.h). Every value is read as the
 * cloud wrote it: decimal strings are copied, not round-tripped through a double, and GCP's
 * units + nanos are added as integers. */
#include "price_import.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define HOURS_PER_YEAR 8760 /* AWS's and Azure's own figure for a reserved term */

typedef struct cand {
    char *cell[TB_PCOL_COUNT];
    double price;
    int date;
    size_t order; /* input order, for a stable result */
} cand;

typedef struct tally {
    char *reason;
    size_t n;
} tally;

typedef struct gcp_sku {
    char family[16], id[64], currency[8], date[11];
    tb_pricing pricing;
    int ram;
    char **regions;
    size_t nregions;
    int64_t nanos; /* per vCPU-hour or per GiB-hour, in 1e-9 of the currency */
    double fx;     /* currencyConversionRate */
} gcp_sku;

struct tb_import {
    tb_import_from from;
    int today, quiet;
    cand *c;
    size_t nc, capc;
    tally *t;
    size_t nt, capt;
    gcp_sku *g;
    size_t ng, capg;
    char *comment;
    size_t seen;
    char files[1024];
};

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

/* Counts a skipped item under its reason. Returns 0 so that `return skip(...)` reads well. */
static int skip(tb_import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int skip(tb_import *im, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (size_t i = 0; i < im->nt; i++)
        if (strcmp(im->t[i].reason, buf) == 0) {
            im->t[i].n++;
            return 0;
        }
    if (im->nt == im->capt) {
        size_t cap = im->capt ? im->capt * 2 : 16;
        tally *t = realloc(im->t, cap * sizeof *t);
        if (!t)
            return 0;
        im->t = t;
        im->capt = cap;
    }
    if ((im->t[im->nt].reason = strdup(buf)))
        im->t[im->nt++].n = 1;
    return 0;
}

static void note(const tb_import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const tb_import *im, const char *fmt, ...)
{
    if (im->quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("tokbench: note: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* A row that should have been importable but cannot be priced: said on its own line, and
 * counted as "cannot price". */
static int cannot_price(tb_import *im, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int cannot_price(tb_import *im, const char *what, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    note(im, "skipped %s: %s", what, buf);
    return skip(im, "cannot price (see the notes above)");
}

static void comment_add(tb_import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void comment_add(tb_import *im, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    size_t old = im->comment ? strlen(im->comment) : 0, add = strlen(buf);
    char *c = realloc(im->comment, old + add + 2);
    if (!c)
        return;
    memcpy(c + old, buf, add);
    c[old + add] = '\n';
    c[old + add + 1] = '\0';
    im->comment = c;
}

/* ---- small helpers ---- */

static const char *jstr(const json_t *o, const char *k)
{
    const json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
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
static int dec_text(const char *in, char *out, size_t cap)
{
    if (!in || !tb_decimal_valid(in) || strpbrk(in, "eE") || strlen(in) >= cap)
        return -1;
    snprintf(out, cap, "%s", in);
    trim_zeros(out);
    return 0;
}

/* A computed price: ten decimals are below any cloud's billing resolution. */
static void fmt_computed(double v, char *out, size_t cap)
{
    snprintf(out, cap, "%.10f", v);
    trim_zeros(out);
}

/* A JSON number as its shortest decimal that reads back to the same double (0.192, not
 * 0.19200000000000001). */
static void fmt_json_number(double v, char *out, size_t cap)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(out, cap, "%.*g", p, v);
        if (strtod(out, NULL) == v)
            break;
    }
    if (strpbrk(out, "eE"))
        fmt_computed(v, out, cap);
}

static void fmt_nanos(int64_t nanos, char *out, size_t cap)
{
    snprintf(out, cap, "%" PRId64 ".%09" PRId64, nanos / 1000000000, nanos % 1000000000);
    trim_zeros(out);
}

/* "2026-01-15T20:38:41Z" -> "2026-01-15", when it is a date. */
static int date10(const char *s, char out[11], int *days)
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

static int add_cand(tb_import *im, const char *cells[TB_PCOL_COUNT])
{
    if (im->nc == im->capc) {
        size_t cap = im->capc ? im->capc * 2 : 64;
        cand *c = realloc(im->c, cap * sizeof *c);
        if (!c)
            return tb_fail(TB_EXIT_RUNTIME, "out of memory importing prices");
        im->c = c;
        im->capc = cap;
    }
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

/* ---- AWS Price List offer file ---- */

/* Why a product is not a Linux, shared-tenancy, on-demand-market instance row; NULL if it is. */
static const char *aws_filter(const json_t *prod, const json_t *a, char *buf, size_t cap)
{
    static const struct {
        const char *attr, *want;
        int optional; /* older files have no marketoption */
    } req[] = {
        {"operatingSystem", "Linux", 0},      {"tenancy", "Shared", 0},
        {"preInstalledSw", "NA", 0},          {"capacitystatus", "Used", 0},
        {"licenseModel", "No License required", 0}, {"marketoption", "OnDemand", 1},
        {"operation", "RunInstances", 0},
    };
    const char *fam = jstr(prod, "productFamily");
    /* metal types are "Compute Instance (bare metal)" */
    if (!fam || (strcmp(fam, "Compute Instance") != 0 && strcmp(fam, "Compute Instance (bare metal)") != 0)) {
        snprintf(buf, cap, "productFamily %s (only Compute Instance)", fam ? fam : "missing");
        return buf;
    }
    for (size_t i = 0; i < sizeof req / sizeof *req; i++) {
        const char *v = jstr(a, req[i].attr);
        if (!v && req[i].optional)
            continue;
        if (!v || strcmp(v, req[i].want) != 0) {
            snprintf(buf, cap, "%s %s (only %s)", req[i].attr, v ? v : "missing", req[i].want);
            return buf;
        }
    }
    if (!jstr(a, "instanceType") || !jstr(a, "regionCode")) {
        snprintf(buf, cap, "no instanceType or regionCode attribute");
        return buf;
    }
    return NULL;
}

typedef struct aws_dims {
    double hourly, upfront;
    char hourly_txt[48], cur[8];
    int nhrs, nqty;
} aws_dims;

/* Sums a term's price dimensions: "Hrs" is the hourly rate, "Quantity" an upfront fee. Any
 * other unit, a tiered range or a second currency makes the term unusable. */
static int aws_dims_read(const json_t *term, aws_dims *d, char *why, size_t cap)
{
    memset(d, 0, sizeof *d);
    const json_t *dims = json_object_get(term, "priceDimensions");
    const char *k;
    json_t *dim;
    if (!json_is_object(dims) || json_object_size(dims) == 0) {
        snprintf(why, cap, "no priceDimensions");
        return -1;
    }
    json_object_foreach((json_t *)dims, k, dim) {
        const char *unit = jstr(dim, "unit");
        const json_t *ppu = json_object_get(dim, "pricePerUnit");
        if (!json_is_object(ppu) || json_object_size(ppu) != 1) {
            snprintf(why, cap, "%s: pricePerUnit does not hold exactly one currency", k);
            return -1;
        }
        const char *cur = json_object_iter_key(json_object_iter((json_t *)ppu));
        const char *val = json_string_value(json_object_iter_value(json_object_iter((json_t *)ppu)));
        char txt[48];
        if (dec_text(val, txt, sizeof txt) != 0) {
            snprintf(why, cap, "%s: price '%s' is not a decimal string", k, val ? val : "(not a string)");
            return -1;
        }
        if (!tb_currency_valid(cur) || (d->cur[0] && strcmp(d->cur, cur) != 0)) {
            snprintf(why, cap, "%s: currency '%s'", k, cur);
            return -1;
        }
        snprintf(d->cur, sizeof d->cur, "%s", cur);
        if (unit && strcmp(unit, "Hrs") == 0) {
            const char *b = jstr(dim, "beginRange"), *e = jstr(dim, "endRange");
            if ((b && strcmp(b, "0") != 0) || (e && strcmp(e, "Inf") != 0)) {
                snprintf(why, cap, "%s: tiered hours (%s to %s)", k, b ? b : "?", e ? e : "?");
                return -1;
            }
            d->nhrs++;
            d->hourly += strtod(txt, NULL);
            snprintf(d->hourly_txt, sizeof d->hourly_txt, "%s", txt);
        } else if (unit && strcmp(unit, "Quantity") == 0) {
            d->nqty++;
            d->upfront += strtod(txt, NULL);
        } else {
            snprintf(why, cap, "%s: unit '%s' (only Hrs and an upfront Quantity)", k, unit ? unit : "missing");
            return -1;
        }
    }
    return 0;
}

static const char *aws_arch(const char *proc)
{
    if (!proc)
        return "";
    if (strstr(proc, "Graviton"))
        return "arm64";
    if (strstr(proc, "Intel") || strstr(proc, "AMD"))
        return "x86_64";
    return "";
}

static void aws_product(tb_import *im, const char *sku, const json_t *a, const json_t *od_terms,
                        const json_t *ri_terms, const char *pubdate)
{
    const char *inst = jstr(a, "instanceType");
    char what[160], why[256], vcpus[16] = "", mem[24] = "", gpus[16] = "";
    snprintf(what, sizeof what, "%s %s (sku %s)", inst, jstr(a, "regionCode"), sku);
    if (dec_text(jstr(a, "vcpu"), vcpus, sizeof vcpus) != 0)
        vcpus[0] = '\0';
    const char *m = jstr(a, "memory");
    if (m) { /* "8 GiB": the number and its unit */
        char num[24];
        const char *sp = strchr(m, ' ');
        if (sp && (size_t)(sp - m) < sizeof num) {
            memcpy(num, m, (size_t)(sp - m));
            num[sp - m] = '\0';
            if (strcmp(sp + 1, "GiB") == 0 && dec_text(num, mem, sizeof mem) != 0)
                mem[0] = '\0';
        }
    }
    if (dec_text(jstr(a, "gpu"), gpus, sizeof gpus) != 0)
        gpus[0] = '\0';
    const char *cells[TB_PCOL_COUNT] = {0};
    cells[TB_PCOL_PROVIDER] = "aws";
    cells[TB_PCOL_REGION] = jstr(a, "regionCode");
    cells[TB_PCOL_INSTANCE] = inst;
    cells[TB_PCOL_VCPUS] = vcpus;
    cells[TB_PCOL_MEMORY_GIB] = mem;
    cells[TB_PCOL_CPU_MODEL] = jstr(a, "physicalProcessor");
    cells[TB_PCOL_ARCH] = aws_arch(jstr(a, "physicalProcessor"));
    cells[TB_PCOL_ACCELERATOR_COUNT] = gpus;

    /* On demand: one term, one hourly dimension. */
    const json_t *terms = json_object_get(od_terms, sku);
    if (!json_is_object(terms) || json_object_size(terms) != 1) {
        cannot_price(im, what, "%s OnDemand term", json_is_object(terms) ? "more than one" : "no");
    } else {
        const json_t *term = json_object_iter_value(json_object_iter((json_t *)terms));
        aws_dims d;
        char date[11], src[512];
        if (aws_dims_read(term, &d, why, sizeof why) != 0)
            cannot_price(im, what, "OnDemand %s", why);
        else if (d.nhrs != 1 || d.nqty)
            cannot_price(im, what, "OnDemand term has %d hourly and %d upfront dimensions", d.nhrs, d.nqty);
        else if (!(d.hourly > 0))
            cannot_price(im, what, "OnDemand price %s is not a price", d.hourly_txt);
        else if (date10(pubdate ? pubdate : jstr(term, "effectiveDate"), date, NULL) != 0)
            cannot_price(im, what, "no publicationDate or effectiveDate");
        else {
            snprintf(src, sizeof src, "AWS Price List AmazonEC2; sku %s; term %s effective %.10s", sku,
                     jstr(term, "offerTermCode") ? jstr(term, "offerTermCode") : "?",
                     jstr(term, "effectiveDate") ? jstr(term, "effectiveDate") : "?");
            cells[TB_PCOL_PRICING] = "on-demand";
            cells[TB_PCOL_PRICE_PER_HOUR] = d.hourly_txt;
            cells[TB_PCOL_CURRENCY] = d.cur;
            cells[TB_PCOL_PRICE_DATE] = date;
            cells[TB_PCOL_SOURCE] = src;
            add_cand(im, cells);
        }
    }

    /* Reserved: standard offering class; per term length the purchase option that needs no
     * capital first (comparable with GCP's and Azure's monthly-billed commitments). */
    static const char *const options[] = {"No Upfront", "Partial Upfront", "All Upfront"};
    const json_t *ri = json_object_get(ri_terms, sku);
    struct {
        int rank;
        double eff;
        char src[512], cur[8], date[11];
    } best[2] = {{99, 0, "", "", ""}, {99, 0, "", "", ""}};
    const char *k;
    json_t *term;
    json_object_foreach((json_t *)ri, k, term) {
        const json_t *ta = json_object_get(term, "termAttributes");
        const char *cls = jstr(ta, "OfferingClass"), *len = jstr(ta, "LeaseContractLength"),
                   *opt = jstr(ta, "PurchaseOption");
        int years = len && !strcmp(len, "1yr") ? 1 : len && !strcmp(len, "3yr") ? 3 : 0, rank = -1;
        for (int i = 0; i < 3; i++)
            if (opt && !strcmp(opt, options[i]))
                rank = i;
        if (!cls || strcmp(cls, "standard") != 0) {
            skip(im, "reserved OfferingClass %s (standard only)", cls ? cls : "missing");
            continue;
        }
        if (!years || rank < 0) {
            skip(im, "reserved term %s %s (1yr or 3yr; No, Partial or All Upfront)", len ? len : "?", opt ? opt : "?");
            continue;
        }
        aws_dims d;
        char date[11];
        if (aws_dims_read(term, &d, why, sizeof why) != 0) {
            cannot_price(im, what, "Reserved %s %s: %s", len, opt, why);
            continue;
        }
        double eff = d.hourly + d.upfront / (HOURS_PER_YEAR * (double)years);
        if (d.nhrs != 1 || !(eff > 0)) {
            cannot_price(im, what, "Reserved %s %s: %d hourly dimensions, effective rate %g", len, opt, d.nhrs, eff);
            continue;
        }
        if (date10(pubdate ? pubdate : jstr(term, "effectiveDate"), date, NULL) != 0) {
            cannot_price(im, what, "no publicationDate or effectiveDate");
            continue;
        }
        int slot = years == 1 ? 0 : 1;
        if (rank >= best[slot].rank) {
            skip(im, "reserved %s (No Upfront preferred, then Partial, then All Upfront)", opt);
            continue;
        }
        if (best[slot].rank != 99)
            skip(im, "reserved %s (No Upfront preferred, then Partial, then All Upfront)", options[best[slot].rank]);
        best[slot].rank = rank;
        best[slot].eff = eff;
        snprintf(best[slot].cur, sizeof best[slot].cur, "%s", d.cur);
        snprintf(best[slot].date, sizeof best[slot].date, "%s", date);
        snprintf(best[slot].src, sizeof best[slot].src,
                 "AWS Price List AmazonEC2; sku %s; reserved term %s effective %.10s; standard %s %s: %s/h + %g "
                 "upfront / %d h",
                 sku, jstr(term, "offerTermCode") ? jstr(term, "offerTermCode") : "?",
                 jstr(term, "effectiveDate") ? jstr(term, "effectiveDate") : "?", len, opt, d.hourly_txt, d.upfront,
                 HOURS_PER_YEAR * years);
    }
    for (int slot = 0; slot < 2; slot++) {
        if (best[slot].rank == 99)
            continue;
        char price[48];
        fmt_computed(best[slot].eff, price, sizeof price);
        cells[TB_PCOL_PRICING] = slot ? "commit-3y" : "commit-1y";
        cells[TB_PCOL_PRICE_PER_HOUR] = price;
        cells[TB_PCOL_CURRENCY] = best[slot].cur;
        cells[TB_PCOL_PRICE_DATE] = best[slot].date;
        cells[TB_PCOL_SOURCE] = best[slot].src;
        add_cand(im, cells);
    }
}

static int import_aws(tb_import *im, const json_t *root, const char *path)
{
    const json_t *products = json_object_get(root, "products"), *terms = json_object_get(root, "terms");
    if (!json_is_object(products) || !json_is_object(terms))
        return tb_fail(TB_EXIT_USAGE, "%s: not an AWS Price List offer file (no \"products\" and \"terms\" objects): "
                       "wrong --from?",
                       path);
    const char *pub = jstr(root, "publicationDate");
    comment_add(im, "AWS Price List offer %s version %s, publicationDate %s (price_date; each term's effectiveDate is "
                "in source)",
                jstr(root, "offerCode") ? jstr(root, "offerCode") : "?", jstr(root, "version") ? jstr(root, "version") : "?",
                pub ? pub : "?");
    const char *sku;
    json_t *prod;
    json_object_foreach((json_t *)products, sku, prod) {
        im->seen++;
        const json_t *a = json_object_get(prod, "attributes");
        char why[256];
        const char *reason = aws_filter(prod, a, why, sizeof why);
        if (reason)
            skip(im, "%s", reason);
        else
            aws_product(im, sku, a, json_object_get(terms, "OnDemand"), json_object_get(terms, "Reserved"), pub);
    }
    return 0;
}

/* ---- Azure Retail Prices API page ---- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int azure_item(tb_import *im, const json_t *it)
{
    const char *svc = jstr(it, "serviceName"), *type = jstr(it, "type"), *prod = jstr(it, "productName");
    const char *sku = jstr(it, "skuName"), *meter = jstr(it, "meterName"), *unit = jstr(it, "unitOfMeasure");
    const char *arm = jstr(it, "armSkuName"), *region = jstr(it, "armRegionName"), *cur = jstr(it, "currencyCode");
    const char *term = jstr(it, "reservationTerm");
    char what[200];
    snprintf(what, sizeof what, "%s %s %s (meterId %s)", arm ? arm : "?", region ? region : "?", type ? type : "?",
             jstr(it, "meterId") ? jstr(it, "meterId") : "?");
    if (!svc || strcmp(svc, "Virtual Machines") != 0)
        return skip(im, "serviceName %s (only Virtual Machines)", svc ? svc : "missing");
    if (type && strcmp(type, "DevTestConsumption") == 0)
        return skip(im, "type DevTestConsumption (dev/test rates are not list prices)");
    if (!type || (strcmp(type, "Consumption") != 0 && strcmp(type, "Reservation") != 0))
        return skip(im, "type %s", type ? type : "missing");
    /* No OS field: Windows is the productName suffix, and only "... Series" / "... Series Linux"
     * products are plain Linux VMs (other names carry other rates, e.g. Cloud Services). */
    if (!prod || ends_with(prod, " Windows"))
        return skip(im, "Windows (productName ends in \" Windows\")");
    if (!ends_with(prod, " Series") && !ends_with(prod, " Series Linux"))
        return skip(im, "productName not \"... Series\" or \"... Series Linux\" (not a plain Linux VM meter)");
    if ((sku && strstr(sku, "Low Priority")) || (meter && strstr(meter, "Low Priority")))
        return skip(im, "Low Priority meter");
    if (json_object_get(it, "savingsPlan"))
        skip(im, "savingsPlan rates (left out: commit-1y/commit-3y come from Reservation items)");
    if (!unit || strcmp(unit, "1 Hour") != 0)
        return skip(im, "unitOfMeasure %s (only 1 Hour)", unit ? unit : "missing");
    int spot = (sku && ends_with(sku, " Spot")) || (meter && ends_with(meter, " Spot"));
    const char *pricing = spot ? "spot" : "on-demand";
    double hours = 0;
    if (strcmp(type, "Reservation") == 0) {
        if (term && strcmp(term, "1 Year") == 0)
            pricing = "commit-1y", hours = HOURS_PER_YEAR;
        else if (term && strcmp(term, "3 Years") == 0)
            pricing = "commit-3y", hours = 3.0 * HOURS_PER_YEAR;
        else
            return skip(im, "reservationTerm %s (1 Year and 3 Years only)", term ? term : "missing");
    }
    const json_t *rp = json_object_get(it, "retailPrice");
    char date[11], end[11], price[48], src[512];
    int days, end_days;
    if (!arm || !*arm || !region || !*region)
        return cannot_price(im, what, "no armSkuName or armRegionName");
    if (!json_is_number(rp) || !(json_number_value(rp) > 0))
        return cannot_price(im, what, "retailPrice is missing or not above 0");
    if (!cur || !tb_currency_valid(cur))
        return cannot_price(im, what, "currencyCode '%s'", cur ? cur : "missing");
    if (date10(jstr(it, "effectiveStartDate"), date, &days) != 0)
        return cannot_price(im, what, "no effectiveStartDate");
    if (date10(jstr(it, "effectiveEndDate"), end, &end_days) == 0 && end_days < im->today)
        return skip(im, "expired (effectiveEndDate before today)");
    if (days > im->today)
        return skip(im, "not in effect yet (effectiveStartDate after today)");
    if (hours > 0) /* a reservation's retailPrice is the whole term, despite "1 Hour" */
        fmt_computed(json_number_value(rp) / hours, price, sizeof price);
    else
        fmt_json_number(json_number_value(rp), price, sizeof price);
    if (hours > 0)
        snprintf(src, sizeof src, "Azure Retail Prices; meterId %s; %s; Reservation %s: %g for the term / %.0f h",
                 jstr(it, "meterId") ? jstr(it, "meterId") : "?", prod, term, json_number_value(rp), hours);
    else
        snprintf(src, sizeof src, "Azure Retail Prices; meterId %s; %s; %s %s", jstr(it, "meterId") ? jstr(it, "meterId") : "?",
                 prod, type, sku ? sku : "");
    const char *cells[TB_PCOL_COUNT] = {0};
    cells[TB_PCOL_PROVIDER] = "azure";
    cells[TB_PCOL_REGION] = region;
    cells[TB_PCOL_INSTANCE] = arm;
    cells[TB_PCOL_ARCH] = "";
    cells[TB_PCOL_PRICING] = pricing;
    cells[TB_PCOL_PRICE_PER_HOUR] = price;
    cells[TB_PCOL_CURRENCY] = cur;
    cells[TB_PCOL_PRICE_DATE] = date;
    cells[TB_PCOL_SOURCE] = src;
    return add_cand(im, cells);
}

static int import_azure(tb_import *im, const json_t *root, const char *path)
{
    const json_t *items = json_object_get(root, "Items");
    if (!json_is_array(items))
        return tb_fail(TB_EXIT_USAGE, "%s: not an Azure Retail Prices page (no \"Items\" array): wrong --from?", path);
    const char *next = jstr(root, "NextPageLink");
    if (next && *next)
        note(im, "%s: NextPageLink says more pages follow: import every page in one command (prices import --from "
             "azure page1.json page2.json ...) or instances will be missing",
             path);
    size_t i;
    json_t *it;
    json_array_foreach((json_t *)items, i, it) {
        im->seen++;
        int rc = azure_item(im, it);
        if (rc)
            return rc;
    }
    if (!strstr(tb_import_comment(im), "Azure Retail Prices"))
        comment_add(im, "Azure Retail Prices API pages; price_date is each meter's effectiveStartDate (a page carries no "
                    "retrieval date); commit-1y/commit-3y = Reservation retailPrice (the whole term) / 8760 or 26280 h; "
                    "Linux = productName \"... Series\" or \"... Series Linux\"; Windows, DevTest, Low Priority and "
                    "savings plans left out; vCPUs and cores are not in this API");
    return 0;
}

/* ---- GCP Cloud Billing Catalog SKUs ---- */

/* The catalog prices resources, not machines: tokbench's own table of machine shapes, from
 * Google's machine-type pages (C3 sizes) and prices-seed.csv (the others). threads per core from
 * Google's "CPU platforms" page (C4A and T2A: one vCPU per core). */
static const struct gcp_series {
    const char *family, *prefix;
    int quarter_gib_per_vcpu, threads_per_core;
    const char *cpu, *arch;
    int sizes[8];
} gcp_series[] = {
    {"c3", "c3-standard", 16, 2, "Intel Sapphire Rapids", "x86_64", {4, 8, 22, 44, 88, 176}},
    {"c3", "c3-highcpu", 8, 2, "Intel Sapphire Rapids", "x86_64", {4, 8, 22, 44, 88, 176}},
    {"c3", "c3-highmem", 32, 2, "Intel Sapphire Rapids", "x86_64", {4, 8, 22, 44, 88, 176}},
    {"n2", "n2-standard", 16, 2, "Intel Cascade Lake or Ice Lake", "x86_64", {4, 16, 64}},
    {"c4", "c4-standard", 15, 2, "Intel Emerald Rapids or Granite Rapids", "x86_64", {4, 16, 96}},
    {"c4a", "c4a-standard", 16, 1, "Google Axion (Arm)", "arm64", {4, 16, 72}},
    {"t2a", "t2a-standard", 16, 1, "Ampere Altra (Neoverse-N1)", "arm64", {4, 16, 48}},
};

static int gcp_family_known(const char *fam)
{
    for (size_t i = 0; i < sizeof gcp_series / sizeof *gcp_series; i++)
        if (strcmp(gcp_series[i].family, fam) == 0)
            return 1;
    return 0;
}

/* "C3 Instance Core running in Americas", "Spot Preemptible C3 Instance Ram running in ...",
 * "Commitment v1: C3 Cpu in Americas for 1 Year". kind: 0 on demand, 1 spot, 2 commitment. Any
 * other wording (custom, sole tenancy, extended memory, licences) is -1. */
static int gcp_desc(const char *d, char *fam, size_t cap, int *ram, int *kind, int *years)
{
    const char *p = d;
    *kind = 0;
    *years = 0;
    if (!strncmp(p, "Spot Preemptible ", 17))
        p += 17, *kind = 1;
    else if (!strncmp(p, "Preemptible ", 12))
        p += 12, *kind = 1;
    else if (!strncmp(p, "Commitment v1: ", 15))
        p += 15, *kind = 2;
    size_t n = 0;
    while (isalnum((unsigned char)p[n]))
        n++;
    if (!n || n >= cap || p[n] != ' ')
        return -1;
    for (size_t i = 0; i < n; i++)
        fam[i] = (char)tolower((unsigned char)p[i]);
    fam[n] = '\0';
    p += n + 1;
    if (*kind == 2) {
        if (!strncmp(p, "Cpu in ", 7))
            *ram = 0;
        else if (!strncmp(p, "Ram in ", 7))
            *ram = 1;
        else
            return -1;
        const char *f = strstr(p, " for ");
        if (!f)
            return -1;
        char *end;
        long y = strtol(f + 5, &end, 10);
        if (y < 1 || y > 9 || (strcmp(end, " Year") != 0 && strcmp(end, " Years") != 0))
            return -1;
        *years = (int)y;
        return 0;
    }
    if (!strncmp(p, "Instance Core running in ", 25))
        *ram = 0;
    else if (!strncmp(p, "Instance Ram running in ", 24))
        *ram = 1;
    else
        return -1;
    return 0;
}

static int gcp_sku_read(tb_import *im, const json_t *s)
{
    const json_t *cat = json_object_get(s, "category");
    const char *rf = jstr(cat, "resourceFamily"), *rg = jstr(cat, "resourceGroup"), *ut = jstr(cat, "usageType");
    const char *desc = jstr(s, "description"), *id = jstr(s, "skuId");
    char what[200];
    snprintf(what, sizeof what, "sku %s \"%s\"", id ? id : "?", desc ? desc : "?");
    if (!rf || strcmp(rf, "Compute") != 0)
        return skip(im, "resourceFamily %s (only Compute)", rf ? rf : "missing");
    if (!rg || (strcmp(rg, "CPU") != 0 && strcmp(rg, "RAM") != 0))
        return skip(im, "resourceGroup %s (only CPU and RAM)", rg ? rg : "missing");
    tb_pricing pricing;
    int want_kind, want_years = 0;
    if (ut && !strcmp(ut, "OnDemand"))
        pricing = TB_PRICING_ON_DEMAND, want_kind = 0;
    else if (ut && !strcmp(ut, "Preemptible"))
        pricing = TB_PRICING_SPOT, want_kind = 1;
    else if (ut && !strcmp(ut, "Commit1Yr"))
        pricing = TB_PRICING_COMMIT_1Y, want_kind = 2, want_years = 1;
    else if (ut && !strcmp(ut, "Commit3Yr"))
        pricing = TB_PRICING_COMMIT_3Y, want_kind = 2, want_years = 3;
    else
        return skip(im, "usageType %s", ut ? ut : "missing");
    char fam[16];
    int ram, kind, years;
    if (!desc || gcp_desc(desc, fam, sizeof fam, &ram, &kind, &years) != 0 || kind != want_kind ||
        years != want_years || ram != !strcmp(rg, "RAM"))
        return skip(im, "description is not a plain per-vCPU or per-GiB machine SKU (custom, sole tenancy, extended "
                    "memory, licences ...)");
    if (!gcp_family_known(fam))
        return skip(im, "family %s: no machine shapes in tokbench's table (shared-core and custom types are priced "
                    "otherwise)",
                    fam);
    const json_t *pi = json_object_get(s, "pricingInfo");
    const json_t *last = json_array_get(pi, json_array_size(pi) ? json_array_size(pi) - 1 : 0); /* a timeline */
    const json_t *ex = json_object_get(last, "pricingExpression");
    const char *unit = jstr(ex, "usageUnit"), *want = ram ? "GiBy.h" : "h";
    if (!unit || strcmp(unit, want) != 0)
        return cannot_price(im, what, "usageUnit %s (expected %s)", unit ? unit : "missing", want);
    const json_t *tiers = json_object_get(ex, "tieredRates");
    const json_t *tier = json_array_get(tiers, 0);
    if (json_array_size(tiers) != 1 || json_number_value(json_object_get(tier, "startUsageAmount")) != 0)
        return cannot_price(im, what, "%zu price tiers (expected one from 0)", json_array_size(tiers));
    const json_t *up = json_object_get(tier, "unitPrice");
    const char *units = jstr(up, "units"), *cur = jstr(up, "currencyCode");
    const json_t *nanos = json_object_get(up, "nanos");
    char *end = NULL;
    long long u = units ? strtoll(units, &end, 10) : 0;
    if (!units || !*units || *end || !json_is_integer(nanos) || u < 0 || u > 1000000000LL)
        return cannot_price(im, what, "unitPrice has no units string and nanos integer");
    int64_t total = (int64_t)u * 1000000000 + (int64_t)json_integer_value(nanos);
    if (total <= 0)
        return cannot_price(im, what, "unit price %lld units %lld nanos is not a price", u,
                            (long long)json_integer_value(nanos));
    if (!cur || !tb_currency_valid(cur))
        return cannot_price(im, what, "currencyCode '%s'", cur ? cur : "missing");
    char date[11];
    if (date10(jstr(last, "effectiveTime"), date, NULL) != 0)
        return cannot_price(im, what, "no effectiveTime");
    const json_t *regions = json_object_get(s, "serviceRegions");
    if (!json_is_array(regions) || !json_array_size(regions))
        return cannot_price(im, what, "no serviceRegions");
    if (im->ng == im->capg) {
        size_t cap = im->capg ? im->capg * 2 : 32;
        gcp_sku *g = realloc(im->g, cap * sizeof *g);
        if (!g)
            return tb_fail(TB_EXIT_RUNTIME, "out of memory importing prices");
        im->g = g;
        im->capg = cap;
    }
    gcp_sku *g = &im->g[im->ng];
    memset(g, 0, sizeof *g);
    snprintf(g->family, sizeof g->family, "%s", fam);
    snprintf(g->id, sizeof g->id, "%s", id ? id : "?");
    snprintf(g->currency, sizeof g->currency, "%s", cur);
    snprintf(g->date, sizeof g->date, "%s", date);
    g->pricing = pricing;
    g->ram = ram;
    g->nanos = total;
    const json_t *fx = json_object_get(last, "currencyConversionRate");
    g->fx = json_is_number(fx) ? json_number_value(fx) : 1.0;
    g->regions = calloc(json_array_size(regions), sizeof *g->regions);
    if (!g->regions)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory importing prices");
    size_t i;
    json_t *r;
    json_array_foreach((json_t *)regions, i, r) {
        if (json_is_string(r) && (g->regions[g->nregions] = strdup(json_string_value(r))))
            g->nregions++;
    }
    im->ng++;
    return 0;
}

static int import_gcp(tb_import *im, const json_t *root, const char *path)
{
    const json_t *skus = json_object_get(root, "skus");
    if (!json_is_array(skus))
        return tb_fail(TB_EXIT_USAGE, "%s: not a Cloud Billing Catalog SKU page (no \"skus\" array): wrong --from?", path);
    const char *next = jstr(root, "nextPageToken");
    if (next && *next)
        note(im, "%s: nextPageToken says more pages follow: import every page in one command (prices import --from "
             "gcp page1.json page2.json ...) or machine types will be missing",
             path);
    size_t i;
    json_t *s;
    json_array_foreach((json_t *)skus, i, s) {
        im->seen++;
        int rc = gcp_sku_read(im, s);
        if (rc)
            return rc;
    }
    if (!strstr(tb_import_comment(im), "Cloud Billing Catalog"))
        comment_add(im, "GCP Cloud Billing Catalog SKU pages (Compute Engine): hourly(machine) = vCPUs x Core rate + GiB x "
                    "Ram rate; machine shapes and CPU platforms from tokbench's table (harness/price_import.c); "
                    "physical_cores = vCPUs / threads per core (Google's CPU platforms page); spot = Preemptible SKUs, "
                    "commit-1y/commit-3y = Commit1Yr/Commit3Yr SKUs; price_date = effectiveTime (about the time of "
                    "the query)");
    return 0;
}

static int covers(const gcp_sku *g, const char *region)
{
    for (size_t i = 0; i < g->nregions; i++)
        if (strcmp(g->regions[i], region) == 0)
            return 1;
    return 0;
}

/* Pairs each CPU SKU with the RAM SKU of the same family, usage and region, and prices every
 * machine shape of that family from the two rates, in integer nano-units. */
static void gcp_pair(tb_import *im)
{
    for (size_t a = 0; a < im->ng; a++) {
        const gcp_sku *cpu = &im->g[a];
        if (cpu->ram)
            continue;
        for (size_t r = 0; r < cpu->nregions; r++) {
            const char *region = cpu->regions[r];
            const gcp_sku *ram = NULL;
            int ncpu = 0, nram = 0, first = 1;
            for (size_t b = 0; b < im->ng; b++) {
                const gcp_sku *o = &im->g[b];
                if (strcmp(o->family, cpu->family) != 0 || o->pricing != cpu->pricing || !covers(o, region))
                    continue;
                if (o->ram)
                    nram++, ram = o;
                else {
                    ncpu++;
                    if (b < a)
                        first = 0;
                }
            }
            char what[128];
            snprintf(what, sizeof what, "%s %s %s", cpu->family, region, tb_pricing_name(cpu->pricing));
            if (ncpu > 1 || nram > 1) {
                if (first)
                    cannot_price(im, what, "%d CPU and %d RAM SKUs cover it (ambiguous)", ncpu, nram);
                continue;
            }
            if (!ram) {
                cannot_price(im, what, "CPU sku %s has no RAM SKU for this region", cpu->id);
                continue;
            }
            if (strcmp(ram->currency, cpu->currency) != 0) {
                cannot_price(im, what, "CPU in %s, RAM in %s", cpu->currency, ram->currency);
                continue;
            }
            for (size_t s = 0; s < sizeof gcp_series / sizeof *gcp_series; s++) {
                const struct gcp_series *se = &gcp_series[s];
                if (strcmp(se->family, cpu->family) != 0)
                    continue;
                for (int z = 0; z < 8 && se->sizes[z]; z++) {
                    int v = se->sizes[z];
                    int64_t qgib = (int64_t)v * se->quarter_gib_per_vcpu;
                    if (qgib % 4) /* every listed shape has whole GiB; keep the arithmetic exact */
                        continue;
                    int64_t nanos = v * cpu->nanos + (qgib / 4) * ram->nanos;
                    char name[48], vc[16], cores[16], tpc[8], mem[24], price[48], src[512];
                    snprintf(name, sizeof name, "%s-%d", se->prefix, v);
                    snprintf(vc, sizeof vc, "%d", v);
                    snprintf(cores, sizeof cores, "%d", v / se->threads_per_core);
                    snprintf(tpc, sizeof tpc, "%d", se->threads_per_core);
                    snprintf(mem, sizeof mem, "%" PRId64, qgib / 4);
                    fmt_nanos(nanos, price, sizeof price);
                    char cr[32], rr[32];
                    fmt_nanos(cpu->nanos, cr, sizeof cr);
                    fmt_nanos(ram->nanos, rr, sizeof rr);
                    snprintf(src, sizeof src,
                             "GCP Cloud Billing Catalog; CPU sku %s %s/vCPU-h + RAM sku %s %s/GiB-h; %d vCPU + %s GiB%s",
                             cpu->id, cr, ram->id, rr, v, mem, cpu->fx != 1.0 ? "; converted by Google (currencyConversionRate)" : "");
                    const char *cells[TB_PCOL_COUNT] = {0};
                    cells[TB_PCOL_PROVIDER] = "gcp";
                    cells[TB_PCOL_REGION] = region;
                    cells[TB_PCOL_INSTANCE] = name;
                    cells[TB_PCOL_VCPUS] = vc;
                    cells[TB_PCOL_PHYSICAL_CORES] = cores;
                    cells[TB_PCOL_THREADS_PER_CORE] = tpc;
                    cells[TB_PCOL_MEMORY_GIB] = mem;
                    cells[TB_PCOL_CPU_MODEL] = se->cpu;
                    cells[TB_PCOL_ARCH] = se->arch;
                    cells[TB_PCOL_PRICING] = tb_pricing_name(cpu->pricing);
                    cells[TB_PCOL_PRICE_PER_HOUR] = price;
                    cells[TB_PCOL_CURRENCY] = cpu->currency;
                    cells[TB_PCOL_PRICE_DATE] = strcmp(cpu->date, ram->date) <= 0 ? cpu->date : ram->date;
                    cells[TB_PCOL_SOURCE] = src;
                    add_cand(im, cells);
                }
            }
        }
    }
}

/* ---- driver ---- */

int tb_import_add_file(tb_import *im, const char *path)
{
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root) {
        FILE *f = fopen(path, "rb");
        if (!f)
            return tb_fail(TB_EXIT_USAGE, "%s: cannot read: %s", path, err.text);
        fclose(f);
        return tb_fail(TB_EXIT_USAGE, "%s:%d: not valid JSON: %s", path, err.line, err.text);
    }
    size_t used = strlen(im->files);
    snprintf(im->files + used, sizeof im->files - used, "%s%s", used ? ", " : "", path);
    int rc = im->from == TB_IMPORT_AWS     ? import_aws(im, root, path)
             : im->from == TB_IMPORT_AZURE ? import_azure(im, root, path)
                                           : import_gcp(im, root, path);
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

int tb_import_finish(tb_import *im, tb_price_table *out)
{
    if (im->from == TB_IMPORT_GCP)
        gcp_pair(im);
    if (im->nc)
        qsort(im->c, im->nc, sizeof *im->c, cand_order);
    /* One row per key: the latest effective date wins; two different prices on that date are a
     * conflict the importer will not guess at. */
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
            cannot_price(im, what, "%zu different prices with the same date", same_date);
        } else {
            for (size_t i = a + 1; i < b; i++)
                skip(im, i < a + same_date ? "the same price listed twice" : "superseded by a later effective date");
            char err[512];
            if (tb_prices_add(out, (const char *const *)im->c[a].cell, im->files, 0, err, sizeof err) != 0)
                cannot_price(im, what, "%s", err);
            else
                rows++;
        }
        a = b;
    }
    char head[1400];
    snprintf(head, sizeof head, "tokbench price table: `tokbench prices import --from %s %s`", from_names[im->from],
             im->files);
    char *body = im->comment;
    im->comment = NULL;
    comment_add(im, "%s", head);
    if (body) {
        size_t n = strlen(body);
        if (n && body[n - 1] == '\n')
            body[n - 1] = '\0';
        comment_add(im, "%s", body);
        free(body);
    }
    if (im->from == TB_IMPORT_AWS)
        comment_add(im, "Linux, Shared tenancy, preInstalledSw NA, capacitystatus Used, OnDemand market, RunInstances; "
                    "commit-1y/commit-3y = standard reserved, No Upfront preferred, then Partial, then All Upfront: "
                    "hourly + upfront / (8760 h x years); arch from physicalProcessor (Graviton: arm64; Intel, AMD: "
                    "x86_64); physical_cores is not in the offer file");

    size_t skipped = 0;
    for (size_t i = 0; i < im->nt; i++)
        skipped += im->t[i].n;
    if (im->nt && !im->quiet) {
        fprintf(stderr, "tokbench: note: %zu row%s imported from %zu item%s; not imported:\n", rows, rows == 1 ? "" : "s",
                im->seen, im->seen == 1 ? "" : "s");
        for (size_t i = 0; i < im->nt; i++)
            fprintf(stderr, "tokbench: note:   %5zu  %s\n", im->t[i].n, im->t[i].reason);
    }
    if (rows == 0)
        return tb_fail(TB_EXIT_USAGE, "%s: nothing could be imported as --from %s (%zu items, %zu skipped)", im->files,
                       from_names[im->from], im->seen, skipped);
    return 0;
}
