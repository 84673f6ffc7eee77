/* What the importers share: the state of one `prices import`, its bookkeeping (skip reasons,
 * notes, the comment block), the value formatting every cloud uses, and one entry per cloud.
 * import_common.c holds the shared part and import_aws.c, import_azure.c, import_gcp.c one
 * cloud each; this header is not part of the pricing layer's interface (price_import.h is). */
#ifndef TB_IMPORT_INTERNAL_H
#define TB_IMPORT_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "price_import.h"

#define HOURS_PER_YEAR 8760 /* AWS's and Azure's own figure for a reserved term */

/* A row read from a price list, before pairing and deduplication. */
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

/* A GCP SKU prices one resource (vCPU or RAM) of a family; rows come from pairing them. */
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

/* ---- bookkeeping (import_common.c) ---- */

/* Counts a skipped item under its reason. Returns 0 so that `return tb_imp_skip(...)` reads well. */
int tb_imp_skip(tb_import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One "tokbench: note: ..." line on stderr, unless quiet. */
void tb_imp_note(const tb_import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A row that should have been importable but cannot be priced: said on its own line, and
 * counted as "cannot price". Returns 0, as tb_imp_skip. */
int tb_imp_cannot_price(tb_import *im, const char *what, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends one line to the comment block of the CSV. */
void tb_imp_comment_add(tb_import *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Keeps a row read from a price list (cells copied; NULL cells become ""). 0, or an exit code. */
int tb_imp_add_row(tb_import *im, const char *cells[TB_PCOL_COUNT]);

/* ---- values as the clouds write them (import_common.c) ---- */

/* o.k when it is a string, else NULL; the other with dflt in its place. */
const char *tb_imp_jstr(const json_t *o, const char *k);
const char *tb_imp_jstr_or(const json_t *o, const char *k, const char *dflt);
/* A decimal string as written, trailing zeros dropped ("0.1785000000" -> "0.1785"). 0, or -1
 * when in is not a plain decimal that fits. */
int tb_imp_dec_text(const char *in, char *out, size_t cap);
/* A computed price: ten decimals are below any cloud's billing resolution. */
void tb_imp_fmt_computed(double v, char *out, size_t cap);
/* A JSON number as its shortest decimal that reads back to the same double (0.192, not
 * 0.19200000000000001). */
void tb_imp_fmt_json_number(double v, char *out, size_t cap);
/* An amount in 1e-9 units as a decimal, exactly. */
void tb_imp_fmt_nanos(int64_t nanos, char *out, size_t cap);
/* "2026-01-15T20:38:41Z" -> "2026-01-15", when it is a date (days: its day number, or NULL). */
int tb_imp_date10(const char *s, char out[11], int *days);

/* A listing the API returns in pages (Azure's Retail Prices, GCP's Catalog SKUs). */
typedef struct tb_imp_listing {
    const char *page;    /* what a page is, for the error when a file is not one */
    const char *items;   /* the page's array of items */
    const char *next;    /* the field that says more pages follow */
    const char *from;    /* --from */
    const char *missing; /* what a page left out takes away */
    int (*item)(tb_import *im, const json_t *it); /* one item: 0, or an exit code */
    const char *said;    /* the comment already describes this listing when it holds this */
    const char *comment; /* the listing's line in the comment block */
} tb_imp_listing;

/* Reads one page: its items in order, a note when more pages follow, the comment line once. 0, or
 * an exit code when the file is not such a page or an item fails. */
int tb_imp_read_page(tb_import *im, const json_t *root, const char *path, const tb_imp_listing *l);

/* ---- one entry per cloud: the products of one parsed file; 0, or an exit code ---- */

int tb_imp_aws(tb_import *im, const json_t *root, const char *path);
/* The rules tb_imp_aws applies, for the comment block. */
extern const char tb_imp_aws_rules[];
int tb_imp_azure(tb_import *im, const json_t *root, const char *path);
int tb_imp_gcp(tb_import *im, const json_t *root, const char *path);
/* GCP prices resources, not machines: once every page is read, pairs the CPU and RAM SKUs into
 * rows, one per machine shape. */
void tb_imp_gcp_pair(tb_import *im);

#endif
