/* The checks over loaded rows that catch tables that lie: a key twice, a price from the future or
 * long ago, a Windows rate among Linux ones; and the warnings they lead to (see prices.h). */
#include "prices.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prices_internal.h"
#include "util.h"

/* A row whose price per vCPU is this far (either way) from its family's median is reported. */
#define OUTLIER_RATIO 2.0

/* A row's key (one row per key), and the group whose rows share a family median. */
static const tb_pcol row_key[3] = {TB_PCOL_PROVIDER, TB_PCOL_REGION, TB_PCOL_INSTANCE};
static const tb_pcol group_key[3] = {TB_PCOL_PROVIDER, TB_PCOL_REGION, TB_PCOL_CURRENCY};

/* By the three cells of key, then by pricing model. */
static int rows_cmp(const tb_price *a, const tb_price *b, const tb_pcol key[3])
{
    for (size_t i = 0; i < 3; i++) {
        int c = strcmp(a->cell[key[i]], b->cell[key[i]]);
        if (c)
            return c;
    }
    return (int)a->pricing - (int)b->pricing;
}

/* Row indices by key, then by position; ctx is the table (glibc's qsort_r). */
static int dup_order(const void *x, const void *y, void *ctx)
{
    const tb_price_table *t = ctx;
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    int c = rows_cmp(&t->rows[a], &t->rows[b], row_key);
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
    qsort_r(idx, t->n, sizeof *idx, dup_order, t);
    size_t bad = SIZE_MAX, orig = 0;
    for (size_t i = 1; i < t->n; i++)
        if (rows_cmp(&t->rows[idx[i - 1]], &t->rows[idx[i]], row_key) == 0 && idx[i] >= first_new && idx[i] < bad) {
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

/* By group (provider, region, currency, pricing), family, then price per vCPU; ctx is the table
 * (glibc's qsort_r). */
static int fam_order(const void *x, const void *y, void *ctx)
{
    const tb_price_table *t = ctx;
    const fam_entry *a = x, *b = y;
    int c = rows_cmp(&t->rows[a->row], &t->rows[b->row], group_key);
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
    qsort_r(e, n, sizeof *e, fam_order, t);
    for (size_t a = 0; a < n;) {
        size_t b = a + 1;
        while (b < n && rows_cmp(&t->rows[e[a].row], &t->rows[e[b].row], group_key) == 0 &&
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

int tb_prices_check_new_rows(tb_price_table *t, size_t first, const tb_price_checks *chk)
{
    int rc = check_duplicates(t, first);
    if (!rc) {
        check_dates(t, first, chk);
        check_outliers(t, first);
    }
    return rc;
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
