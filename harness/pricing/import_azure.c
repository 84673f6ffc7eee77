/* `prices import --from azure`: Azure Retail Prices API pages (see price_import.h). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "import_internal.h"
#include "util.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* One item of a page: skipped with its reason, or a row. 0, or an exit code. */
static int azure_item(tb_import *im, const json_t *it)
{
    const char *svc = tb_imp_jstr(it, "serviceName"), *type = tb_imp_jstr(it, "type");
    const char *prod = tb_imp_jstr(it, "productName"), *sku = tb_imp_jstr(it, "skuName");
    const char *meter = tb_imp_jstr(it, "meterName"), *unit = tb_imp_jstr(it, "unitOfMeasure");
    const char *arm = tb_imp_jstr(it, "armSkuName"), *region = tb_imp_jstr(it, "armRegionName");
    const char *cur = tb_imp_jstr(it, "currencyCode");
    const char *term = tb_imp_jstr(it, "reservationTerm");
    char what[200];
    snprintf(what, sizeof what, "%s %s %s (meterId %s)", arm ? arm : "?", region ? region : "?", type ? type : "?",
             tb_imp_jstr_or(it, "meterId", "?"));
    if (!svc || strcmp(svc, "Virtual Machines") != 0)
        return tb_imp_skip(im, "serviceName %s (only Virtual Machines)", svc ? svc : "missing");
    if (type && strcmp(type, "DevTestConsumption") == 0)
        return tb_imp_skip(im, "type DevTestConsumption (dev/test rates are not list prices)");
    if (!type || (strcmp(type, "Consumption") != 0 && strcmp(type, "Reservation") != 0))
        return tb_imp_skip(im, "type %s", type ? type : "missing");
    /* No OS field: Windows is the productName suffix, and only "... Series" / "... Series Linux"
     * products are plain Linux VMs (other names carry other rates, e.g. Cloud Services). */
    if (!prod || ends_with(prod, " Windows"))
        return tb_imp_skip(im, "Windows (productName ends in \" Windows\")");
    if (!ends_with(prod, " Series") && !ends_with(prod, " Series Linux"))
        return tb_imp_skip(im, "productName not \"... Series\" or \"... Series Linux\" (not a plain Linux VM meter)");
    if ((sku && strstr(sku, "Low Priority")) || (meter && strstr(meter, "Low Priority")))
        return tb_imp_skip(im, "Low Priority meter");
    if (json_object_get(it, "savingsPlan"))
        tb_imp_skip(im, "savingsPlan rates (left out: commit-1y/commit-3y come from Reservation items)");
    if (!unit || strcmp(unit, "1 Hour") != 0)
        return tb_imp_skip(im, "unitOfMeasure %s (only 1 Hour)", unit ? unit : "missing");
    int spot = (sku && ends_with(sku, " Spot")) || (meter && ends_with(meter, " Spot"));
    const char *pricing = spot ? "spot" : "on-demand";
    double hours = 0;
    if (strcmp(type, "Reservation") == 0) {
        if (term && strcmp(term, "1 Year") == 0)
            pricing = "commit-1y", hours = HOURS_PER_YEAR;
        else if (term && strcmp(term, "3 Years") == 0)
            pricing = "commit-3y", hours = 3.0 * HOURS_PER_YEAR;
        else
            return tb_imp_skip(im, "reservationTerm %s (1 Year and 3 Years only)", term ? term : "missing");
    }
    const json_t *rp = json_object_get(it, "retailPrice");
    char date[11], end[11], price[48], src[512];
    int days, end_days;
    if (!arm || !*arm || !region || !*region)
        return tb_imp_cannot_price(im, what, "no armSkuName or armRegionName");
    if (!json_is_number(rp) || !(json_number_value(rp) > 0))
        return tb_imp_cannot_price(im, what, "retailPrice is missing or not above 0");
    if (!cur || !tb_currency_valid(cur))
        return tb_imp_cannot_price(im, what, "currencyCode '%s'", cur ? cur : "missing");
    if (tb_imp_date10(tb_imp_jstr(it, "effectiveStartDate"), date, &days) != 0)
        return tb_imp_cannot_price(im, what, "no effectiveStartDate");
    if (tb_imp_date10(tb_imp_jstr(it, "effectiveEndDate"), end, &end_days) == 0 && end_days < im->today)
        return tb_imp_skip(im, "expired (effectiveEndDate before today)");
    if (days > im->today)
        return tb_imp_skip(im, "not in effect yet (effectiveStartDate after today)");
    if (hours > 0) /* a reservation's retailPrice is the whole term, despite "1 Hour" */
        tb_imp_fmt_computed(json_number_value(rp) / hours, price, sizeof price);
    else
        tb_imp_fmt_json_number(json_number_value(rp), price, sizeof price);
    if (hours > 0)
        snprintf(src, sizeof src, "Azure Retail Prices; meterId %s; %s; Reservation %s: %g for the term / %.0f h",
                 tb_imp_jstr_or(it, "meterId", "?"), prod, term, json_number_value(rp), hours);
    else
        snprintf(src, sizeof src, "Azure Retail Prices; meterId %s; %s; %s %s", tb_imp_jstr_or(it, "meterId", "?"),
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
    return tb_imp_add_row(im, cells);
}

static const tb_imp_listing azure_listing = {
    .page = "an Azure Retail Prices page",
    .items = "Items",
    .next = "NextPageLink",
    .from = "azure",
    .missing = "instances",
    .item = azure_item,
    .said = "Azure Retail Prices",
    .comment = "Azure Retail Prices API pages; price_date is each meter's effectiveStartDate (a page carries no "
               "retrieval date); commit-1y/commit-3y = Reservation retailPrice (the whole term) / 8760 or 26280 h; "
               "Linux = productName \"... Series\" or \"... Series Linux\"; Windows, DevTest, Low Priority and "
               "savings plans left out; vCPUs and cores are not in this API",
};

int tb_imp_azure(tb_import *im, const json_t *root, const char *path)
{
    return tb_imp_read_page(im, root, path, &azure_listing);
}
