/* `prices import --from aws`: the AWS Price List offer file for AmazonEC2 (see price_import.h). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "util.h"

const char tb_imp_aws_rules[] =
    "Linux, Shared tenancy, preInstalledSw NA, capacitystatus Used, OnDemand market, RunInstances; "
    "commit-1y/commit-3y = standard reserved, No Upfront preferred, then Partial, then All Upfront: "
    "hourly + upfront / (8760 h x years); arch from physicalProcessor (Graviton: arm64; Intel, AMD: "
    "x86_64); physical_cores is not in the offer file";

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
    const char *fam = tb_imp_jstr(prod, "productFamily");
    /* metal types are "Compute Instance (bare metal)" */
    if (!fam || (strcmp(fam, "Compute Instance") != 0 && strcmp(fam, "Compute Instance (bare metal)") != 0)) {
        snprintf(buf, cap, "productFamily %s (only Compute Instance)", fam ? fam : "missing");
        return buf;
    }
    for (size_t i = 0; i < sizeof req / sizeof *req; i++) {
        const char *v = tb_imp_jstr(a, req[i].attr);
        if (!v && req[i].optional)
            continue;
        if (!v || strcmp(v, req[i].want) != 0) {
            snprintf(buf, cap, "%s %s (only %s)", req[i].attr, v ? v : "missing", req[i].want);
            return buf;
        }
    }
    if (!tb_imp_jstr(a, "instanceType") || !tb_imp_jstr(a, "regionCode")) {
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
        const char *unit = tb_imp_jstr(dim, "unit");
        const json_t *ppu = json_object_get(dim, "pricePerUnit");
        if (!json_is_object(ppu) || json_object_size(ppu) != 1) {
            snprintf(why, cap, "%s: pricePerUnit does not hold exactly one currency", k);
            return -1;
        }
        const char *cur = json_object_iter_key(json_object_iter((json_t *)ppu));
        const char *val = json_string_value(json_object_iter_value(json_object_iter((json_t *)ppu)));
        char txt[48];
        if (tb_imp_dec_text(val, txt, sizeof txt) != 0) {
            snprintf(why, cap, "%s: price '%s' is not a decimal string", k, val ? val : "(not a string)");
            return -1;
        }
        if (!tb_currency_valid(cur) || (d->cur[0] && strcmp(d->cur, cur) != 0)) {
            snprintf(why, cap, "%s: currency '%s'", k, cur);
            return -1;
        }
        snprintf(d->cur, sizeof d->cur, "%s", cur);
        if (unit && strcmp(unit, "Hrs") == 0) {
            const char *b = tb_imp_jstr(dim, "beginRange"), *e = tb_imp_jstr(dim, "endRange");
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

/* The cells of a product's rows that come from its attributes; the text lives in the struct. */
typedef struct aws_shape {
    char vcpus[16], mem[24], gpus[16];
} aws_shape;

static void aws_shape_cells(const json_t *a, aws_shape *s, const char *cells[TB_PCOL_COUNT])
{
    if (tb_imp_dec_text(tb_imp_jstr(a, "vcpu"), s->vcpus, sizeof s->vcpus) != 0)
        s->vcpus[0] = '\0';
    s->mem[0] = '\0';
    const char *m = tb_imp_jstr(a, "memory");
    if (m) { /* "8 GiB": the number and its unit */
        char num[24];
        const char *sp = strchr(m, ' ');
        if (sp && (size_t)(sp - m) < sizeof num) {
            memcpy(num, m, (size_t)(sp - m));
            num[sp - m] = '\0';
            if (strcmp(sp + 1, "GiB") == 0 && tb_imp_dec_text(num, s->mem, sizeof s->mem) != 0)
                s->mem[0] = '\0';
        }
    }
    if (tb_imp_dec_text(tb_imp_jstr(a, "gpu"), s->gpus, sizeof s->gpus) != 0)
        s->gpus[0] = '\0';
    cells[TB_PCOL_PROVIDER] = "aws";
    cells[TB_PCOL_REGION] = tb_imp_jstr(a, "regionCode");
    cells[TB_PCOL_INSTANCE] = tb_imp_jstr(a, "instanceType");
    cells[TB_PCOL_VCPUS] = s->vcpus;
    cells[TB_PCOL_MEMORY_GIB] = s->mem;
    cells[TB_PCOL_CPU_MODEL] = tb_imp_jstr(a, "physicalProcessor");
    cells[TB_PCOL_ARCH] = aws_arch(tb_imp_jstr(a, "physicalProcessor"));
    cells[TB_PCOL_ACCELERATOR_COUNT] = s->gpus;
}

/* A term's effectiveDate as YYYY-MM-DD for the source text, or "?": cutting the raw text at 10
 * bytes could end inside a UTF-8 character, and the table would then refuse its own source. */
static const char *effective_date(const json_t *term, char out[11])
{
    return tb_imp_date10(tb_imp_jstr(term, "effectiveDate"), out, NULL) == 0 ? out : "?";
}

/* On demand: one term, one hourly dimension. terms: the product's OnDemand terms. */
static void aws_on_demand(tb_import *im, const char *sku, const char *what, const json_t *terms, const char *pubdate,
                          const char *const shape[TB_PCOL_COUNT])
{
    if (!json_is_object(terms) || json_object_size(terms) != 1) {
        tb_imp_cannot_price(im, what, "%s OnDemand term", json_is_object(terms) ? "more than one" : "no");
        return;
    }
    const json_t *term = json_object_iter_value(json_object_iter((json_t *)terms));
    aws_dims d;
    char why[256], date[11], src[512];
    if (aws_dims_read(term, &d, why, sizeof why) != 0)
        tb_imp_cannot_price(im, what, "OnDemand %s", why);
    else if (d.nhrs != 1 || d.nqty)
        tb_imp_cannot_price(im, what, "OnDemand term has %d hourly and %d upfront dimensions", d.nhrs, d.nqty);
    else if (!(d.hourly > 0))
        tb_imp_cannot_price(im, what, "OnDemand price %s is not a price", d.hourly_txt);
    else if (tb_imp_date10(pubdate ? pubdate : tb_imp_jstr(term, "effectiveDate"), date, NULL) != 0)
        tb_imp_cannot_price(im, what, "no publicationDate or effectiveDate");
    else {
        char eff[11];
        snprintf(src, sizeof src, "AWS Price List AmazonEC2; sku %s; term %s effective %s", sku,
                 tb_imp_jstr_or(term, "offerTermCode", "?"), effective_date(term, eff));
        const char *cells[TB_PCOL_COUNT];
        memcpy(cells, shape, sizeof cells);
        cells[TB_PCOL_PRICING] = "on-demand";
        cells[TB_PCOL_PRICE_PER_HOUR] = d.hourly_txt;
        cells[TB_PCOL_CURRENCY] = d.cur;
        cells[TB_PCOL_PRICE_DATE] = date;
        cells[TB_PCOL_SOURCE] = src;
        tb_imp_add_row(im, cells);
    }
}

/* Reserved: standard offering class; per term length the purchase option that needs no capital
 * first (comparable with GCP's and Azure's monthly-billed commitments), in this order. */
static const char *const aws_options[] = {"No Upfront", "Partial Upfront", "All Upfront"};

/* The reserved term kept for one length: rank in aws_options, 99 while there is none. */
typedef struct aws_reserved_pick {
    int rank;
    double eff;
    char src[512], cur[8], date[11];
} aws_reserved_pick;

/* One reserved term: skipped with its reason, or kept in best[0] (1 year) or best[1] (3 years)
 * when its purchase option comes before the one kept so far. */
static void aws_reserved_term(tb_import *im, const char *sku, const char *what, const json_t *term, const char *pubdate,
                              aws_reserved_pick best[2])
{
    const json_t *ta = json_object_get(term, "termAttributes");
    const char *cls = tb_imp_jstr(ta, "OfferingClass"), *len = tb_imp_jstr(ta, "LeaseContractLength"),
               *opt = tb_imp_jstr(ta, "PurchaseOption");
    int years = len && !strcmp(len, "1yr") ? 1 : len && !strcmp(len, "3yr") ? 3 : 0, rank = -1;
    for (int i = 0; i < 3; i++)
        if (opt && !strcmp(opt, aws_options[i]))
            rank = i;
    if (!cls || strcmp(cls, "standard") != 0) {
        tb_imp_skip(im, "reserved OfferingClass %s (standard only)", cls ? cls : "missing");
        return;
    }
    if (!years || rank < 0) {
        tb_imp_skip(im, "reserved term %s %s (1yr or 3yr; No, Partial or All Upfront)", len ? len : "?",
                    opt ? opt : "?");
        return;
    }
    aws_dims d;
    char why[256], date[11];
    if (aws_dims_read(term, &d, why, sizeof why) != 0) {
        tb_imp_cannot_price(im, what, "Reserved %s %s: %s", len, opt, why);
        return;
    }
    double eff = d.hourly + d.upfront / (HOURS_PER_YEAR * (double)years);
    if (d.nhrs != 1 || !(eff > 0)) {
        tb_imp_cannot_price(im, what, "Reserved %s %s: %d hourly dimensions, effective rate %g", len, opt, d.nhrs, eff);
        return;
    }
    if (tb_imp_date10(pubdate ? pubdate : tb_imp_jstr(term, "effectiveDate"), date, NULL) != 0) {
        tb_imp_cannot_price(im, what, "no publicationDate or effectiveDate");
        return;
    }
    aws_reserved_pick *b = &best[years == 1 ? 0 : 1];
    if (rank >= b->rank) {
        tb_imp_skip(im, "reserved %s (No Upfront preferred, then Partial, then All Upfront)", opt);
        return;
    }
    if (b->rank != 99)
        tb_imp_skip(im, "reserved %s (No Upfront preferred, then Partial, then All Upfront)", aws_options[b->rank]);
    b->rank = rank;
    b->eff = eff;
    snprintf(b->cur, sizeof b->cur, "%s", d.cur);
    snprintf(b->date, sizeof b->date, "%s", date);
    char effd[11];
    snprintf(b->src, sizeof b->src,
             "AWS Price List AmazonEC2; sku %s; reserved term %s effective %s; standard %s %s: %s/h + %g "
             "upfront / %d h",
             sku, tb_imp_jstr_or(term, "offerTermCode", "?"), effective_date(term, effd), len, opt, d.hourly_txt,
             d.upfront, HOURS_PER_YEAR * years);
}

/* A commit-1y and a commit-3y row from the product's Reserved terms, where one is kept. */
static void aws_reserved(tb_import *im, const char *sku, const char *what, const json_t *terms, const char *pubdate,
                         const char *const shape[TB_PCOL_COUNT])
{
    aws_reserved_pick best[2] = {{99, 0, "", "", ""}, {99, 0, "", "", ""}};
    const char *k;
    json_t *term;
    json_object_foreach((json_t *)terms, k, term)
        aws_reserved_term(im, sku, what, term, pubdate, best);
    for (int slot = 0; slot < 2; slot++) {
        if (best[slot].rank == 99)
            continue;
        char price[48];
        tb_imp_fmt_computed(best[slot].eff, price, sizeof price);
        const char *cells[TB_PCOL_COUNT];
        memcpy(cells, shape, sizeof cells);
        cells[TB_PCOL_PRICING] = slot ? "commit-3y" : "commit-1y";
        cells[TB_PCOL_PRICE_PER_HOUR] = price;
        cells[TB_PCOL_CURRENCY] = best[slot].cur;
        cells[TB_PCOL_PRICE_DATE] = best[slot].date;
        cells[TB_PCOL_SOURCE] = best[slot].src;
        tb_imp_add_row(im, cells);
    }
}

/* The rows of one product that passed aws_filter: on demand, then the reserved terms. */
static void aws_product(tb_import *im, const char *sku, const json_t *a, const json_t *od_terms,
                        const json_t *ri_terms, const char *pubdate)
{
    char what[160];
    snprintf(what, sizeof what, "%s %s (sku %s)", tb_imp_jstr(a, "instanceType"), tb_imp_jstr(a, "regionCode"), sku);
    aws_shape shape;
    const char *cells[TB_PCOL_COUNT] = {0};
    aws_shape_cells(a, &shape, cells);
    aws_on_demand(im, sku, what, json_object_get(od_terms, sku), pubdate, cells);
    aws_reserved(im, sku, what, json_object_get(ri_terms, sku), pubdate, cells);
}

int tb_imp_aws(tb_import *im, const json_t *root, const char *path)
{
    const json_t *products = json_object_get(root, "products"), *terms = json_object_get(root, "terms");
    if (!json_is_object(products) || !json_is_object(terms))
        return tb_fail(TB_EXIT_USAGE, "%s: not an AWS Price List offer file (no \"products\" and \"terms\" objects): "
                       "wrong --from?",
                       path);
    const char *pub = tb_imp_jstr(root, "publicationDate");
    tb_imp_comment_add(im, "AWS Price List offer %s version %s, publicationDate %s (price_date; each term's "
                           "effectiveDate is in source)",
                       tb_imp_jstr_or(root, "offerCode", "?"), tb_imp_jstr_or(root, "version", "?"), pub ? pub : "?");
    const char *sku;
    json_t *prod;
    json_object_foreach((json_t *)products, sku, prod) {
        im->seen++;
        const json_t *a = json_object_get(prod, "attributes");
        char why[256];
        const char *reason = aws_filter(prod, a, why, sizeof why);
        if (reason)
            tb_imp_skip(im, "%s", reason);
        else
            aws_product(im, sku, a, json_object_get(terms, "OnDemand"), json_object_get(terms, "Reserved"), pub);
    }
    return 0;
}
