/* `prices import --from gcp`: Cloud Billing Catalog SKU pages for Compute Engine (see
 * price_import.h). The catalog prices a vCPU-hour and a GiB-hour per family; the machine shapes
 * come from tokbench's own table below. */
#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"
#include "util.h"

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

/* A usageType as the pricing model, and the description's kind and years that must match it
 * (see gcp_desc). 0, or -1 for any other usage. */
static int gcp_usage(const char *ut, tb_pricing *pricing, int *kind, int *years)
{
    *years = 0;
    if (ut && !strcmp(ut, "OnDemand"))
        *pricing = TB_PRICING_ON_DEMAND, *kind = 0;
    else if (ut && !strcmp(ut, "Preemptible"))
        *pricing = TB_PRICING_SPOT, *kind = 1;
    else if (ut && !strcmp(ut, "Commit1Yr"))
        *pricing = TB_PRICING_COMMIT_1Y, *kind = 2, *years = 1;
    else if (ut && !strcmp(ut, "Commit3Yr"))
        *pricing = TB_PRICING_COMMIT_3Y, *kind = 2, *years = 3;
    else
        return -1;
    return 0;
}

/* Keeps a priced SKU for tb_imp_gcp_pair, with a copy of its serviceRegions. 0, or an exit code. */
static int gcp_sku_add(tb_import *im, const gcp_sku *sku, const json_t *regions)
{
    gcp_sku *grown = tb_grow(im->g, &im->capg, im->ng + 1, sizeof *grown);
    if (!grown)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory importing prices");
    im->g = grown;
    gcp_sku *g = &im->g[im->ng];
    *g = *sku;
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

/* One SKU of a page: skipped with its reason, or kept when it is the plain per-vCPU or per-GiB
 * rate of a family tokbench knows the shapes of. */
static int gcp_sku_read(tb_import *im, const json_t *s)
{
    const json_t *cat = json_object_get(s, "category");
    const char *rf = tb_imp_jstr(cat, "resourceFamily"), *rg = tb_imp_jstr(cat, "resourceGroup"),
               *ut = tb_imp_jstr(cat, "usageType");
    const char *desc = tb_imp_jstr(s, "description"), *id = tb_imp_jstr(s, "skuId");
    char what[200];
    snprintf(what, sizeof what, "sku %s \"%s\"", id ? id : "?", desc ? desc : "?");
    if (!rf || strcmp(rf, "Compute") != 0)
        return tb_imp_skip(im, "resourceFamily %s (only Compute)", rf ? rf : "missing");
    if (!rg || (strcmp(rg, "CPU") != 0 && strcmp(rg, "RAM") != 0))
        return tb_imp_skip(im, "resourceGroup %s (only CPU and RAM)", rg ? rg : "missing");
    tb_pricing pricing;
    int want_kind, want_years;
    if (gcp_usage(ut, &pricing, &want_kind, &want_years) != 0)
        return tb_imp_skip(im, "usageType %s", ut ? ut : "missing");
    char fam[16];
    int ram, kind, years;
    if (!desc || gcp_desc(desc, fam, sizeof fam, &ram, &kind, &years) != 0 || kind != want_kind ||
        years != want_years || ram != !strcmp(rg, "RAM"))
        return tb_imp_skip(im, "description is not a plain per-vCPU or per-GiB machine SKU (custom, sole tenancy, "
                           "extended memory, licences ...)");
    if (!gcp_family_known(fam))
        return tb_imp_skip(im, "family %s: no machine shapes in tokbench's table (shared-core and custom types are "
                           "priced otherwise)",
                           fam);
    const json_t *pi = json_object_get(s, "pricingInfo");
    const json_t *last = json_array_get(pi, json_array_size(pi) ? json_array_size(pi) - 1 : 0); /* a timeline */
    const json_t *ex = json_object_get(last, "pricingExpression");
    const char *unit = tb_imp_jstr(ex, "usageUnit"), *want = ram ? "GiBy.h" : "h";
    if (!unit || strcmp(unit, want) != 0)
        return tb_imp_cannot_price(im, what, "usageUnit %s (expected %s)", unit ? unit : "missing", want);
    const json_t *tiers = json_object_get(ex, "tieredRates");
    const json_t *tier = json_array_get(tiers, 0);
    if (json_array_size(tiers) != 1 || json_number_value(json_object_get(tier, "startUsageAmount")) != 0)
        return tb_imp_cannot_price(im, what, "%zu price tiers (expected one from 0)", json_array_size(tiers));
    const json_t *up = json_object_get(tier, "unitPrice");
    const char *units = tb_imp_jstr(up, "units"), *cur = tb_imp_jstr(up, "currencyCode");
    const json_t *nanos = json_object_get(up, "nanos");
    char *end = NULL;
    long long u = units ? strtoll(units, &end, 10) : 0;
    if (!units || !*units || *end || !json_is_integer(nanos) || u < 0 || u > 1000000000LL)
        return tb_imp_cannot_price(im, what, "unitPrice has no units string and nanos integer");
    int64_t total = (int64_t)u * 1000000000 + (int64_t)json_integer_value(nanos);
    if (total <= 0)
        return tb_imp_cannot_price(im, what, "unit price %lld units %lld nanos is not a price", u,
                                   (long long)json_integer_value(nanos));
    if (!cur || !tb_currency_valid(cur))
        return tb_imp_cannot_price(im, what, "currencyCode '%s'", cur ? cur : "missing");
    char date[11];
    if (tb_imp_date10(tb_imp_jstr(last, "effectiveTime"), date, NULL) != 0)
        return tb_imp_cannot_price(im, what, "no effectiveTime");
    const json_t *regions = json_object_get(s, "serviceRegions");
    if (!json_is_array(regions) || !json_array_size(regions))
        return tb_imp_cannot_price(im, what, "no serviceRegions");
    gcp_sku g;
    memset(&g, 0, sizeof g);
    snprintf(g.family, sizeof g.family, "%s", fam);
    snprintf(g.id, sizeof g.id, "%s", id ? id : "?");
    snprintf(g.currency, sizeof g.currency, "%s", cur);
    snprintf(g.date, sizeof g.date, "%s", date);
    g.pricing = pricing;
    g.ram = ram;
    g.nanos = total;
    const json_t *fx = json_object_get(last, "currencyConversionRate");
    g.fx = json_is_number(fx) ? json_number_value(fx) : 1.0;
    return gcp_sku_add(im, &g, regions);
}

static const tb_imp_listing gcp_listing = {
    .page = "a Cloud Billing Catalog SKU page",
    .items = "skus",
    .next = "nextPageToken",
    .from = "gcp",
    .missing = "machine types",
    .item = gcp_sku_read,
    .said = "Cloud Billing Catalog",
    .comment = "GCP Cloud Billing Catalog SKU pages (Compute Engine): hourly(machine) = vCPUs x Core rate + GiB x "
               "Ram rate; machine shapes and CPU platforms from tokbench's table (harness/price_import.c); "
               "physical_cores = vCPUs / threads per core (Google's CPU platforms page); spot = Preemptible SKUs, "
               "commit-1y/commit-3y = Commit1Yr/Commit3Yr SKUs; price_date = effectiveTime (about the time of "
               "the query)",
};

int tb_imp_gcp(tb_import *im, const json_t *root, const char *path)
{
    return tb_imp_read_page(im, root, path, &gcp_listing);
}

static int covers(const gcp_sku *g, const char *region)
{
    for (size_t i = 0; i < g->nregions; i++)
        if (strcmp(g->regions[i], region) == 0)
            return 1;
    return 0;
}

/* The row of one machine shape: series se with v vCPUs in region, priced from the CPU and the RAM
 * SKU in integer nano-units. */
static void gcp_shape_row(tb_import *im, const struct gcp_series *se, int v, const gcp_sku *cpu, const gcp_sku *ram,
                          const char *region)
{
    int64_t qgib = (int64_t)v * se->quarter_gib_per_vcpu;
    if (qgib % 4) /* every listed shape has whole GiB; keep the arithmetic exact */
        return;
    int64_t nanos = v * cpu->nanos + (qgib / 4) * ram->nanos;
    char name[48], vc[16], cores[16], tpc[8], mem[24], price[48], src[512];
    snprintf(name, sizeof name, "%s-%d", se->prefix, v);
    snprintf(vc, sizeof vc, "%d", v);
    snprintf(cores, sizeof cores, "%d", v / se->threads_per_core);
    snprintf(tpc, sizeof tpc, "%d", se->threads_per_core);
    snprintf(mem, sizeof mem, "%" PRId64, qgib / 4);
    tb_imp_fmt_nanos(nanos, price, sizeof price);
    char cr[32], rr[32];
    tb_imp_fmt_nanos(cpu->nanos, cr, sizeof cr);
    tb_imp_fmt_nanos(ram->nanos, rr, sizeof rr);
    snprintf(src, sizeof src,
             "GCP Cloud Billing Catalog; CPU sku %s %s/vCPU-h + RAM sku %s %s/GiB-h; %d vCPU + %s GiB%s", cpu->id, cr,
             ram->id, rr, v, mem, cpu->fx != 1.0 ? "; converted by Google (currencyConversionRate)" : "");
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
    tb_imp_add_row(im, cells);
}

/* The CPU SKU im->g[a] in one of its regions: paired with the one RAM SKU of the same family,
 * usage and region, and every shape of the family priced; or the reason it cannot be. */
static void gcp_pair_region(tb_import *im, size_t a, const char *region)
{
    const gcp_sku *cpu = &im->g[a], *ram = NULL;
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
        if (first) /* said once, by the first CPU SKU of the clash */
            tb_imp_cannot_price(im, what, "%d CPU and %d RAM SKUs cover it (ambiguous)", ncpu, nram);
        return;
    }
    if (!ram) {
        tb_imp_cannot_price(im, what, "CPU sku %s has no RAM SKU for this region", cpu->id);
        return;
    }
    if (strcmp(ram->currency, cpu->currency) != 0) {
        tb_imp_cannot_price(im, what, "CPU in %s, RAM in %s", cpu->currency, ram->currency);
        return;
    }
    for (size_t s = 0; s < sizeof gcp_series / sizeof *gcp_series; s++) {
        const struct gcp_series *se = &gcp_series[s];
        if (strcmp(se->family, cpu->family) != 0)
            continue;
        for (int z = 0; z < 8 && se->sizes[z]; z++)
            gcp_shape_row(im, se, se->sizes[z], cpu, ram, region);
    }
}

void tb_imp_gcp_pair(tb_import *im)
{
    for (size_t a = 0; a < im->ng; a++) {
        if (im->g[a].ram)
            continue;
        for (size_t r = 0; r < im->g[a].nregions; r++)
            gcp_pair_region(im, a, im->g[a].regions[r]);
    }
}
