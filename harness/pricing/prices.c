/* Price tables: loading with libcsv, validation, and the checks that catch tables that lie
 * (stale prices, a Windows rate among Linux ones). See prices.h and prices/README.md. */
#include "prices.h"

#include <csv.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *const tb_price_column_names[TB_PCOL_COUNT] = {
    "provider",   "region",      "instance",          "vcpus",   "physical_cores", "threads_per_core",
    "memory_gib", "cpu_model",   "arch",              "accelerator", "accelerator_count", "pricing",
    "price_per_hour", "currency", "price_date",       "source",
};

static const tb_pcol required_cols[] = {TB_PCOL_PROVIDER, TB_PCOL_INSTANCE, TB_PCOL_PRICING,
                                        TB_PCOL_PRICE_PER_HOUR, TB_PCOL_CURRENCY, TB_PCOL_PRICE_DATE};

/* A row whose price per vCPU is this far (either way) from its family's median is reported. */
#define OUTLIER_RATIO 2.0

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

/* ---- small validators ---- */

int tb_currency_valid(const char *s)
{
    return strlen(s) == 3 && isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) &&
           isupper((unsigned char)s[2]);
}

int tb_decimal_valid(const char *s)
{
    const char *p = s;
    int digits = 0;
    while (isdigit((unsigned char)*p))
        p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p))
            p++, digits++;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return *p == '\0';
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int tb_date_parse(const char *s, int *days)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return -1;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    *days = days_from_civil(y, m, d);
    return 0;
}

int tb_today_days(void)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    return days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void tb_date_format(int days, char *buf, size_t cap)
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(buf, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

void tb_price_family(const char *inst, char *buf, size_t cap)
{
    size_t n = strlen(inst);
    const char *dot = strchr(inst, '.');
    const char *dash = strrchr(inst, '-');
    if (cap == 0)
        return;
    if (dot) { /* AWS: family.size */
        n = (size_t)(dot - inst);
    } else if (strncmp(inst, "Standard_", 9) == 0 || strncmp(inst, "Basic_", 6) == 0) {
        /* Azure: Standard_<letters><vCPUs><features>_<version>: drop the vCPU count. */
        const char *p = strchr(inst, '_') + 1;
        while (*p && !isdigit((unsigned char)*p))
            p++;
        const char *q = p;
        while (isdigit((unsigned char)*q))
            q++;
        snprintf(buf, cap, "%.*s%s", (int)(p - inst), inst, q);
        return;
    } else if (dash && isdigit((unsigned char)dash[1])) { /* GCP: family-size */
        n = (size_t)(dash - inst);
    }
    snprintf(buf, cap, "%.*s", (int)n, inst);
}

/* ---- the table ---- */

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

static const char *intern_file(tb_price_table *t, const char *path)
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
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        tb_price *r = realloc(t->rows, cap * sizeof *r);
        if (!r)
            return NULL;
        t->rows = r;
        t->cap = cap;
    }
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
    const tb_pcol cols[] = {TB_PCOL_VCPUS, TB_PCOL_PHYSICAL_CORES, TB_PCOL_THREADS_PER_CORE, TB_PCOL_MEMORY_GIB,
                            TB_PCOL_ACCELERATOR_COUNT};
    double *dst[] = {&p->vcpus, &p->physical_cores, &p->threads_per_core, &p->memory_gib, &p->accelerator_count};
    for (size_t i = 0; i < sizeof cols / sizeof *cols; i++)
        if (parse_quantity(cells[cols[i]], cols[i], dst[i], err, errcap) != 0)
            return -1;
    return 0;
}

static int store_row(tb_price_table *t, const char *const cells[TB_PCOL_COUNT], const char *file, int line,
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
    const char *f = intern_file(t, file ? file : "-");
    if (!f) {
        snprintf(err, errcap, "out of memory");
        return -1;
    }
    return store_row(t, c, f, line, err, errcap) == 0 ? 0 : -1;
}

/* ---- checks over loaded rows ---- */

static int key_cmp(const tb_price *a, const tb_price *b)
{
    static const tb_pcol key[] = {TB_PCOL_PROVIDER, TB_PCOL_REGION, TB_PCOL_INSTANCE};
    for (size_t i = 0; i < sizeof key / sizeof *key; i++) {
        int c = strcmp(a->cell[key[i]], b->cell[key[i]]);
        if (c)
            return c;
    }
    return (int)a->pricing - (int)b->pricing;
}

static const tb_price_table *sort_table; /* qsort has no context argument in C11 */

static int dup_order(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int c = key_cmp(&sort_table->rows[a], &sort_table->rows[b]);
    return c ? c : (a > b) - (a < b);
}

/* The same provider/region/instance/pricing twice, in this file or against an earlier one. */
static int check_duplicates(tb_price_table *t, size_t first_new)
{
    if (t->n < 2)
        return 0;
    size_t *idx = malloc(t->n * sizeof *idx);
    if (!idx)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory checking price rows");
    for (size_t i = 0; i < t->n; i++)
        idx[i] = i;
    sort_table = t;
    qsort(idx, t->n, sizeof *idx, dup_order);
    size_t bad = SIZE_MAX, orig = 0;
    for (size_t i = 1; i < t->n; i++)
        if (key_cmp(&t->rows[idx[i - 1]], &t->rows[idx[i]]) == 0 && idx[i] >= first_new && idx[i] < bad) {
            bad = idx[i];
            orig = idx[i - 1];
        }
    free(idx);
    if (bad == SIZE_MAX)
        return 0;
    const tb_price *p = &t->rows[bad], *q = &t->rows[orig];
    return tb_fail(TB_EXIT_USAGE,
                   "%s:%d: duplicate row: provider %s, region '%s', instance %s, column pricing %s already at %s:%d",
                   p->file, p->line, p->cell[TB_PCOL_PROVIDER], p->cell[TB_PCOL_REGION], p->cell[TB_PCOL_INSTANCE],
                   tb_pricing_name(p->pricing), q->file, q->line);
}

typedef struct {
    size_t row;
    char family[128];
    double per_vcpu;
} fam_entry;

static int fam_cmp_rows(const tb_price *a, const tb_price *b)
{
    static const tb_pcol key[] = {TB_PCOL_PROVIDER, TB_PCOL_REGION, TB_PCOL_CURRENCY};
    for (size_t i = 0; i < sizeof key / sizeof *key; i++) {
        int c = strcmp(a->cell[key[i]], b->cell[key[i]]);
        if (c)
            return c;
    }
    return (int)a->pricing - (int)b->pricing;
}

static int fam_order(const void *x, const void *y)
{
    const fam_entry *a = x, *b = y;
    int c = fam_cmp_rows(&sort_table->rows[a->row], &sort_table->rows[b->row]);
    if (!c)
        c = strcmp(a->family, b->family);
    if (!c)
        c = (a->per_vcpu > b->per_vcpu) - (a->per_vcpu < b->per_vcpu);
    return c;
}

/* Within one table, the price per vCPU of a family (same provider, region, pricing, currency) is
 * nearly constant; a row far from its family's median is most often an OS licence mixed in. */
static void check_outliers(tb_price_table *t, size_t first)
{
    size_t n = 0;
    fam_entry *e = malloc((t->n - first + 1) * sizeof *e);
    if (!e)
        return;
    for (size_t i = first; i < t->n; i++) {
        tb_price *p = &t->rows[i];
        if (isnan(p->price_per_hour) || isnan(p->vcpus))
            continue;
        e[n].row = i;
        tb_price_family(p->cell[TB_PCOL_INSTANCE], e[n].family, sizeof e[n].family);
        e[n].per_vcpu = p->price_per_hour / p->vcpus;
        n++;
    }
    sort_table = t;
    qsort(e, n, sizeof *e, fam_order);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && fam_cmp_rows(&t->rows[e[a].row], &t->rows[e[b].row]) == 0 &&
               strcmp(e[a].family, e[b].family) == 0)
            b++;
        size_t k = b - a; /* sorted by per-vCPU price within the group */
        double med = k % 2 ? e[a + k / 2].per_vcpu : 0.5 * (e[a + k / 2 - 1].per_vcpu + e[a + k / 2].per_vcpu);
        for (size_t i = a; i < b && k >= 3; i++) {
            tb_price *p = &t->rows[e[i].row];
            p->family_median = med;
            double r = e[i].per_vcpu / med;
            if (r > OUTLIER_RATIO || r < 1.0 / OUTLIER_RATIO)
                p->flags |= TB_PRICE_OUTLIER;
        }
        a = b;
    }
    free(e);
}

static void check_dates(tb_price_table *t, size_t first, const tb_price_checks *chk)
{
    int today = chk && chk->today_days >= 0 ? chk->today_days : tb_today_days();
    int max_age = chk && chk->max_age_days >= 0 ? chk->max_age_days : 180;
    for (size_t i = first; i < t->n; i++) {
        tb_price *p = &t->rows[i];
        if (p->date_days == INT_MIN)
            continue;
        p->age_days = today - p->date_days;
        p->max_age_days = max_age;
        if (p->age_days > max_age)
            p->flags |= TB_PRICE_STALE;
        if (p->age_days < -1) /* a day of slack for time zones */
            p->flags |= TB_PRICE_FUTURE;
    }
}

static void warn_row(const tb_price *p, int stale)
{
    const char *prov = p->cell[TB_PCOL_PROVIDER], *reg = p->cell[TB_PCOL_REGION], *inst = p->cell[TB_PCOL_INSTANCE];
    const char *pr = tb_pricing_name(p->pricing);
    if (isnan(p->price_per_hour)) {
        tb_warn("%s:%d: %s %s %s %s: price_per_hour is empty (unknown): not priced, never taken as 0", p->file,
                p->line, prov, *reg ? reg : "(any region)", inst, pr);
        return;
    }
    if (stale && (p->flags & TB_PRICE_STALE))
        tb_warn("%s:%d: %s %s %s %s: price_date %s is %d days old (more than %d; --max-age-days): check the "
                "price",
                p->file, p->line, prov, reg, inst, pr, p->cell[TB_PCOL_PRICE_DATE], p->age_days, p->max_age_days);
    if (p->flags & TB_PRICE_FUTURE)
        tb_warn("%s:%d: %s %s %s %s: price_date %s is in the future", p->file, p->line, prov, reg, inst, pr,
                p->cell[TB_PCOL_PRICE_DATE]);
    if (p->flags & TB_PRICE_OUTLIER) {
        char fam[128];
        tb_price_family(inst, fam, sizeof fam);
        double per = p->price_per_hour / p->vcpus;
        tb_warn("%s:%d: %s %s %s %s: %.4g %s per vCPU-hour is %.2fx the median of family %s in this table (%.4g): "
                "a Windows or other licensed rate among Linux ones?",
                p->file, p->line, prov, reg, inst, pr, per, p->cell[TB_PCOL_CURRENCY], per / p->family_median, fam,
                p->family_median);
    }
}

void tb_prices_warn(const tb_price_table *t, const unsigned char *select)
{
    for (size_t f = 0; f < t->nfiles; f++) {
        const char *file = t->files[f];
        size_t nstale = 0, oldest = 0;
        for (size_t i = 0; i < t->n; i++) {
            const tb_price *p = &t->rows[i];
            if (p->file != file || (select && !select[i]) || isnan(p->price_per_hour) || !(p->flags & TB_PRICE_STALE))
                continue;
            if (!nstale++ || p->age_days > t->rows[oldest].age_days)
                oldest = i;
        }
        int each = nstale <= 3; /* a whole stale table is one line, not hundreds */
        for (size_t i = 0; i < t->n; i++)
            if (t->rows[i].file == file && (!select || select[i]))
                warn_row(&t->rows[i], each);
        if (!each) {
            const tb_price *o = &t->rows[oldest];
            tb_warn("%s: %zu prices are more than %d days old (--max-age-days), the oldest %s (line %d, %d days): "
                    "check the prices",
                    file, nstale, o->max_age_days, o->cell[TB_PCOL_PRICE_DATE], o->line, o->age_days);
        }
    }
}

/* ---- reading a CSV file ---- */

typedef struct load_ctx {
    tb_price_table *t;
    const char *file;
    int line;         /* line where the current record starts */
    char **fields;
    size_t nf, capf;
    int header_line;
    int *colmap;      /* header position -> tb_pcol, or -1 (unknown column) */
    size_t ncols;
    char currency[8]; /* one currency per table */
    int currency_line;
    int rc;
} load_ctx;

static void free_fields(load_ctx *c)
{
    for (size_t i = 0; i < c->nf; i++)
        free(c->fields[i]);
    c->nf = 0;
}

static void on_field(void *s, size_t len, void *data)
{
    load_ctx *c = data;
    if (c->rc)
        return;
    if (c->nf == c->capf) {
        size_t cap = c->capf ? c->capf * 2 : 32;
        char **f = realloc(c->fields, cap * sizeof *f);
        if (!f) {
            c->rc = tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
            return;
        }
        c->fields = f;
        c->capf = cap;
    }
    if (len && memchr(s, '\0', len)) {
        c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: field %zu holds a NUL byte", c->file, c->line, c->nf + 1);
        return;
    }
    char *f = malloc(len + 1);
    if (!f) {
        c->rc = tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
        return;
    }
    if (len)
        memcpy(f, s, len);
    f[len] = '\0';
    c->fields[c->nf++] = f;
}

static int column_index(const char *name)
{
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        if (strcasecmp(name, tb_price_column_names[i]) == 0)
            return i;
    return -1;
}

static int on_header(load_ctx *c)
{
    int seen[TB_PCOL_COUNT];
    memset(seen, 0, sizeof seen);
    c->colmap = malloc((c->nf ? c->nf : 1) * sizeof *c->colmap);
    if (!c->colmap)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
    c->ncols = c->nf;
    c->header_line = c->line;
    char unknown[512] = "";
    size_t nunknown = 0;
    for (size_t i = 0; i < c->nf; i++) {
        int k = column_index(c->fields[i]);
        c->colmap[i] = k;
        if (k < 0) {
            size_t used = strlen(unknown);
            snprintf(unknown + used, sizeof unknown - used, "%s'%s'", nunknown ? ", " : "", c->fields[i]);
            nunknown++;
            continue;
        }
        if (seen[k])
            return tb_fail(TB_EXIT_USAGE, "%s:%d: column %s appears twice in the header", c->file, c->line,
                           tb_price_column_names[k]);
        seen[k] = 1;
    }
    for (size_t i = 0; i < sizeof required_cols / sizeof *required_cols; i++)
        if (!seen[required_cols[i]])
            return tb_fail(TB_EXIT_USAGE, "%s:%d: missing required column %s (the header needs provider, instance, "
                           "pricing, price_per_hour, currency, price_date)",
                           c->file, c->line, tb_price_column_names[required_cols[i]]);
    if (nunknown)
        tb_warn("%s:%d: unknown column%s ignored: %s", c->file, c->line, nunknown > 1 ? "s" : "", unknown);
    return 0;
}

static int on_data(load_ctx *c)
{
    if (c->nf != c->ncols)
        return tb_fail(TB_EXIT_USAGE, "%s:%d: %zu fields, but the header (line %d) has %zu columns", c->file, c->line,
                       c->nf, c->header_line, c->ncols);
    const char *cells[TB_PCOL_COUNT];
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        cells[i] = "";
    for (size_t i = 0; i < c->nf; i++)
        if (c->colmap[i] >= 0)
            cells[c->colmap[i]] = c->fields[i];
    char err[512];
    int r = store_row(c->t, cells, c->file, c->line, err, sizeof err);
    if (r == -2)
        return tb_fail(TB_EXIT_RUNTIME, "%s", err);
    if (r)
        return tb_fail(TB_EXIT_USAGE, "%s:%d: %s", c->file, c->line, err);
    const char *cur = cells[TB_PCOL_CURRENCY];
    if (*cur) {
        if (!c->currency[0]) {
            snprintf(c->currency, sizeof c->currency, "%s", cur);
            c->currency_line = c->line;
        } else if (strcmp(cur, c->currency) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s:%d: column currency: %s, but line %d is in %s (one currency per table)",
                           c->file, c->line, cur, c->currency_line, c->currency);
    }
    return 0;
}

static void on_record(int term, void *data)
{
    (void)term;
    load_ctx *c = data;
    if (!c->rc && c->nf)
        c->rc = c->colmap ? on_data(c) : on_header(c);
    free_fields(c);
}

static int read_all(const char *path, char **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return tb_fail(errno == ENOENT ? TB_EXIT_USAGE : TB_EXIT_RUNTIME, "%s: cannot read: %s", path,
                       strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!b)
        return tb_fail(TB_EXIT_RUNTIME, "%s: out of memory reading it", path);
    if (err) {
        free(b);
        return tb_fail(TB_EXIT_RUNTIME, "%s: read error", path);
    }
    *buf = b;
    *len = n;
    return 0;
}

/* libcsv knows neither comments nor line numbers, so the text is first cut into logical records:
 * a record ends at a newline outside quotes (RFC 4180 doubles quotes inside a quoted field, so
 * the parity of the quotes seen tells). Each record then goes through libcsv on its own, with
 * the line it started on; a comment is a record whose first character is '#'. */
static int parse_text(load_ctx *c, const char *s, size_t len)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
    int line = 1;
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte order mark */
        i = 3;
    while (i < len && !c->rc) {
        size_t start = i;
        int start_line = line, quoted = 0;
        if (s[i] == '#') { /* a comment runs to the end of its line, quotes and all */
            while (i < len && s[i] != '\n')
                i++;
            i += i < len;
            line++;
            continue;
        }
        while (i < len) {
            char ch = s[i++];
            if (ch == '"')
                quoted = !quoted;
            else if (ch == '\n') {
                line++;
                if (!quoted)
                    break;
            }
        }
        c->line = start_line;
        size_t n = i - start;
        if (csv_parse(&p, s + start, n, on_field, on_record, c) != n && !c->rc)
            c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: malformed CSV (%s): quote a field that holds a quote, comma or "
                            "line break",
                            c->file, start_line, csv_strerror(csv_error(&p)));
        if (!c->rc && csv_fini(&p, on_field, on_record, c) != 0 && !c->rc)
            c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: malformed CSV: a quoted field is not closed", c->file, start_line);
    }
    free_fields(c);
    csv_free(&p);
    return c->rc;
}

int tb_prices_load_file(tb_price_table *t, const char *path, const tb_price_checks *chk)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = read_all(path, &buf, &len);
    if (rc)
        return rc;
    load_ctx c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.file = intern_file(t, path);
    if (!c.file) {
        free(buf);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", path);
    }
    size_t first = t->n;
    rc = parse_text(&c, buf, len);
    free(buf);
    free(c.fields);
    int had_header = c.colmap != NULL;
    free(c.colmap);
    if (!rc && !had_header)
        rc = tb_fail(TB_EXIT_USAGE, "%s:1: no header row (an empty price table)", path);
    if (!rc)
        rc = check_duplicates(t, first);
    if (!rc) {
        check_dates(t, first, chk);
        check_outliers(t, first);
    }
    return rc;
}

static int name_cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int tb_prices_load_path(tb_price_table *t, const char *path, const tb_price_checks *chk)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot read price table: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return tb_prices_load_file(t, path, chk);
    DIR *d = opendir(path);
    if (!d)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot open directory: %s", path, strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        if (e->d_name[0] == '.' || l < 5 || strcmp(e->d_name + l - 4, ".csv") != 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                rc = tb_fail(TB_EXIT_RUNTIME, "out of memory listing %s", path);
                break;
            }
            names = nn;
        }
        size_t need = strlen(path) + l + 2;
        if (!(names[n] = malloc(need))) {
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory listing %s", path);
            break;
        }
        snprintf(names[n], need, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    if (!rc && n == 0)
        rc = tb_fail(TB_EXIT_USAGE, "%s: no *.csv price tables in this directory", path);
    if (names)
        qsort(names, n, sizeof *names, name_cmp);
    for (size_t i = 0; i < n && !rc; i++)
        rc = tb_prices_load_file(t, names[i], chk);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int default_dir(char *buf, size_t cap, int quiet)
{
    const char *env = getenv("TOKBENCH_PRICES_DIR");
    if (env && *env) {
        if (!is_dir(env))
            return quiet ? -1 : tb_fail(TB_EXIT_USAGE, "TOKBENCH_PRICES_DIR=%s: not a directory", env);
        snprintf(buf, cap, "%s", env);
        return 0;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = '\0';
        static const char *const rel[] = {"/../../prices", "/../share/tokbench/prices"};
        for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
            char cand[4200];
            snprintf(cand, sizeof cand, "%s%s", exe, rel[i]);
            char *real = realpath(cand, NULL);
            if (real && is_dir(real)) {
                snprintf(buf, cap, "%s", real);
                free(real);
                return 0;
            }
            free(real);
        }
    }
    if (quiet)
        return -1;
    return tb_fail(TB_EXIT_USAGE, "no price tables found: give --prices FILE|DIR or set TOKBENCH_PRICES_DIR (looked "
                   "for prices/ at %s/../../prices)",
                   n > 0 ? exe : "<executable>");
}

int tb_prices_default_dir(char *buf, size_t cap) { return default_dir(buf, cap, 0); }

int tb_prices_have_default_dir(void)
{
    char dir[4096];
    return default_dir(dir, sizeof dir, 1) == 0;
}

int tb_prices_load_sources(tb_price_table *t, const char *const *paths, int n, const tb_price_checks *chk)
{
    if (n == 0) {
        char dir[4096];
        int rc = tb_prices_default_dir(dir, sizeof dir);
        return rc ? rc : tb_prices_load_path(t, dir, chk);
    }
    for (int i = 0; i < n; i++) {
        int rc = tb_prices_load_path(t, paths[i], chk);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- writing ---- */

void tb_csv_put_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    /* libcsv trims unquoted blanks and a leading '#' would read as a comment: quote those too. */
    int quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == '#' ||
                (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])));
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int tb_prices_write_csv(FILE *f, const tb_price_table *t, const char *comment)
{
    for (const char *s = comment; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(f, "# %.*s\n", (int)len, s);
        s += len + (nl != NULL);
    }
    for (int c = 0; c < TB_PCOL_COUNT; c++)
        fprintf(f, "%s%s", c ? "," : "", tb_price_column_names[c]);
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        const tb_price *p = &t->rows[i];
        if (isnan(p->price_per_hour))
            continue;
        for (int c = 0; c < TB_PCOL_COUNT; c++) {
            if (c)
                fputc(',', f);
            tb_csv_put_field(f, p->cell[c]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}
