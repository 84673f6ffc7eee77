/* Price tables: the rows and their validation, shared by the CSV reader and the importers.
 * Reading a file is price_load.c, finding the tables price_sources.c, the checks over loaded rows
 * price_checks.c, writing price_write.c, the cell formats (dates, decimals) price_values.c. See
 * prices.h and prices/README.md. */
#include "prices.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "prices_internal.h"
#include "util.h"

const char *const tb_price_column_names[TB_PCOL_COUNT] = {
    "provider",   "region",      "instance",          "vcpus",   "physical_cores", "threads_per_core",
    "memory_gib", "cpu_model",   "arch",              "accelerator", "accelerator_count", "pricing",
    "price_per_hour", "currency", "price_date",       "source",
};

static const char *const pricing_names[TB_PRICING_COUNT] = {"on-demand", "spot", "commit-1y", "commit-3y"};

const char *tb_pricing_name(tb_pricing p) { return p < TB_PRICING_COUNT ? pricing_names[p] : "?"; }

int tb_pricing_parse(const char *s, tb_pricing *out)
{
    for (int i = 0; i < TB_PRICING_COUNT; i++)
        if (strcmp(s, pricing_names[i]) == 0) {
            *out = (tb_pricing)i;
            return 0;
        }
    return -1;
}

void tb_prices_init(tb_price_table *t) { memset(t, 0, sizeof *t); }

static void row_free(tb_price *p)
{
    for (int c = 0; c < TB_PCOL_COUNT; c++)
        free(p->cell[c]);
}

void tb_prices_free(tb_price_table *t)
{
    for (size_t i = 0; i < t->n; i++)
        row_free(&t->rows[i]);
    for (size_t i = 0; i < t->nfiles; i++)
        free(t->files[i]);
    free(t->rows);
    free(t->files);
    memset(t, 0, sizeof *t);
}

const char *tb_prices_intern_file(tb_price_table *t, const char *path)
{
    for (size_t i = 0; i < t->nfiles; i++)
        if (strcmp(t->files[i], path) == 0)
            return t->files[i];
    char **f = realloc(t->files, (t->nfiles + 1) * sizeof *f);
    if (!f)
        return NULL;
    t->files = f;
    if (!(f[t->nfiles] = strdup(path)))
        return NULL;
    return f[t->nfiles++];
}

static tb_price *push_row(tb_price_table *t)
{
    tb_price *r = tb_grow(t->rows, &t->cap, t->n + 1, sizeof *r);
    if (!r)
        return NULL;
    t->rows = r;
    tb_price *p = &t->rows[t->n];
    memset(p, 0, sizeof *p);
    return p;
}

/* A count or size: empty is unknown (NAN); 0 is refused because it is how tables spell
 * "unknown" by mistake, except for accelerator_count where 0 means none. */
static int parse_quantity(const char *s, tb_pcol col, double *out, char *err, size_t errcap)
{
    *out = NAN;
    if (!*s)
        return 0;
    const char *name = tb_price_column_names[col];
    if (s[0] == '-' && tb_decimal_valid(s + 1)) {
        snprintf(err, errcap, "column %s: '%s' is negative", name, s);
        return -1;
    }
    if (!tb_decimal_valid(s)) {
        snprintf(err, errcap, "column %s: '%s' is not a number", name, s);
        return -1;
    }
    double v = strtod(s, NULL);
    if (!isfinite(v)) {
        snprintf(err, errcap, "column %s: '%s' is out of range", name, s);
        return -1;
    }
    if (v == 0 && col != TB_PCOL_ACCELERATOR_COUNT) {
        snprintf(err, errcap, "column %s: 0 (leave the cell empty when it is unknown)", name);
        return -1;
    }
    *out = v;
    return 0;
}

/* Validates cells into p (which owns nothing yet). 0, or -1 with the reason in err. */
static int validate_row(const char *const cells[TB_PCOL_COUNT], tb_price *p, char *err, size_t errcap)
{
    if (!*cells[TB_PCOL_PROVIDER] || !*cells[TB_PCOL_INSTANCE]) {
        snprintf(err, errcap, "column %s: empty (it is required)",
                 *cells[TB_PCOL_PROVIDER] ? "instance" : "provider");
        return -1;
    }
    if (tb_pricing_parse(cells[TB_PCOL_PRICING], &p->pricing) != 0) {
        snprintf(err, errcap, "column pricing: unknown pricing model '%s' (on-demand, spot, commit-1y, commit-3y)",
                 cells[TB_PCOL_PRICING]);
        return -1;
    }
    const char *price = cells[TB_PCOL_PRICE_PER_HOUR];
    p->price_per_hour = NAN;
    if (*price) {
        if (price[0] == '-' && tb_decimal_valid(price + 1)) {
            snprintf(err, errcap, "column price_per_hour: '%s' is negative", price);
            return -1;
        }
        if (!tb_decimal_valid(price) || !isfinite(strtod(price, NULL))) {
            snprintf(err, errcap, "column price_per_hour: '%s' is not a number", price);
            return -1;
        }
        p->price_per_hour = strtod(price, NULL);
        if (p->price_per_hour == 0) {
            snprintf(err, errcap, "column price_per_hour: 0 is not a price (leave the cell empty when it is unknown)");
            return -1;
        }
        if (p->price_per_hour > TB_PRICE_MAX_PER_HOUR) {
            snprintf(err, errcap, "column price_per_hour: '%s' is not a plausible hourly price (at most %g)", price,
                     TB_PRICE_MAX_PER_HOUR);
            return -1;
        }
    }
    /* A row without a price may leave its currency and date empty too: all of it is unknown. */
    const char *cur = cells[TB_PCOL_CURRENCY], *date = cells[TB_PCOL_PRICE_DATE];
    if ((*cur || *price) && !tb_currency_valid(cur)) {
        snprintf(err, errcap, "column currency: '%s' is not an ISO 4217 code (three upper-case letters, e.g. USD)", cur);
        return -1;
    }
    p->date_days = INT_MIN;
    if ((*date || *price) && tb_date_parse(date, &p->date_days) != 0) {
        snprintf(err, errcap, "column price_date: '%s' is not a date (YYYY-MM-DD)", date);
        return -1;
    }
    for (tb_pcol c = 0; c < TB_PCOL_COUNT; c++) {
        /* p is this function's own row: the parser writes the numbers the getter reads */
        double *dst = c == TB_PCOL_PRICE_PER_HOUR ? NULL : (double *)tb_price_number(p, c);
        if (dst && parse_quantity(cells[c], c, dst, err, errcap) != 0)
            return -1;
    }
    return 0;
}

const double *tb_price_number(const tb_price *p, tb_pcol c)
{
    const tb_pcol cols[] = {TB_PCOL_PRICE_PER_HOUR, TB_PCOL_VCPUS,      TB_PCOL_PHYSICAL_CORES,
                            TB_PCOL_THREADS_PER_CORE, TB_PCOL_MEMORY_GIB, TB_PCOL_ACCELERATOR_COUNT};
    const double *const values[] = {&p->price_per_hour,   &p->vcpus,      &p->physical_cores,
                                    &p->threads_per_core, &p->memory_gib, &p->accelerator_count};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (cols[i] == c)
            return values[i];
    return NULL;
}

int tb_prices_store_row(tb_price_table *t, const char *const cells[TB_PCOL_COUNT], const char *file, int line,
                        char *err, size_t errcap)
{
    tb_price tmp;
    memset(&tmp, 0, sizeof tmp);
    if (validate_row(cells, &tmp, err, errcap) != 0)
        return -1;
    tb_price *p = push_row(t);
    if (!p) {
        snprintf(err, errcap, "out of memory");
        return -2;
    }
    *p = tmp;
    p->file = file;
    p->line = line;
    p->family_median = NAN;
    for (int c = 0; c < TB_PCOL_COUNT; c++)
        if (!(p->cell[c] = strdup(cells[c] ? cells[c] : ""))) {
            row_free(p);
            snprintf(err, errcap, "out of memory");
            return -2;
        }
    t->n++;
    return 0;
}

int tb_prices_add(tb_price_table *t, const char *const cells[TB_PCOL_COUNT], const char *file, int line, char *err,
                  size_t errcap)
{
    const char *c[TB_PCOL_COUNT];
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        c[i] = cells[i] ? cells[i] : "";
    const char *f = tb_prices_intern_file(t, file ? file : "-");
    if (!f) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    return tb_prices_store_row(t, c, f, line, err, errcap) == 0 ? 0 : -1;
}

void tb_prices_list_files(const tb_price_table *t, char *buf, size_t cap)
{
    buf[0] = '\0';
    for (size_t i = 0; i < t->nfiles; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", t->files[i]);
    }
}
