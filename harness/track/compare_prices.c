/* Price changes between the sides (compare_prices.h). */
#include "compare_prices.h"

#include <stdio.h>
#include <string.h>

#include "json_path.h"

/* key -> {price fields, "started_at"}: each (provider, region, instance, pricing) the side's rows
 * were priced at, from the latest record that has it (a later record wins a tie, as the records
 * are read in name order, which starts with the UTC time). */
static json_t *side_prices(const tb_cmp_side *s)
{
    json_t *map = json_object();
    for (size_t r = 0; map && r < s->nrec; r++) {
        const char *started = tb_json_str(s->rec[r], "started_at");
        size_t i, j;
        const json_t *row, *c;
        json_array_foreach(json_object_get(s->rec[r], "rows"), i, row)
        {
            json_array_foreach(json_object_get(row, "cost"), j, c)
            {
                char key[1024];
                snprintf(key, sizeof key, "%s|%s|%s|%s", tb_json_str(c, "provider"), tb_json_str(c, "region"),
                         tb_json_str(c, "instance"), tb_json_str(c, "pricing"));
                const json_t *had = json_object_get(map, key);
                if (had && strcmp(tb_json_str(had, "started_at"), started) > 0)
                    continue;
                json_object_set_new(map, key,
                                    json_pack("{s:s, s:s, s:s, s:s, s:O?, s:s, s:s, s:s, s:s}", "provider",
                                              tb_json_str(c, "provider"), "region", tb_json_str(c, "region"),
                                              "instance", tb_json_str(c, "instance"), "pricing",
                                              tb_json_str(c, "pricing"), "price_per_hour",
                                              json_object_get(c, "price_per_hour"), "currency",
                                              tb_json_str(c, "currency"), "price_date", tb_json_str(c, "price_date"),
                                              "price_source", tb_json_str(c, "price_source"), "started_at", started));
            }
        }
    }
    return map;
}

static json_t *price_of(const json_t *p)
{
    json_t *v = json_object_get(p, "price_per_hour");
    return json_pack("{s:O?, s:s, s:s, s:s}", "price_per_hour", v, "currency", tb_json_str(p, "currency"), "price_date",
                     tb_json_str(p, "price_date"), "price_source", tb_json_str(p, "price_source"));
}

json_t *tb_cmp_price_changes(const tb_cmp_side *base, const tb_cmp_side *cand)
{
    json_t *a = side_prices(base), *b = side_prices(cand), *out = json_array();
    const char *key;
    json_t *pa;
    json_object_foreach(a, key, pa)
    {
        const json_t *pb = json_object_get(b, key);
        if (!pb || (json_equal(json_object_get(pa, "price_per_hour"), json_object_get(pb, "price_per_hour")) &&
                    strcmp(tb_json_str(pa, "currency"), tb_json_str(pb, "currency")) == 0))
            continue;
        json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "provider", tb_json_str(pa, "provider"),
                                             "region", tb_json_str(pa, "region"), "instance",
                                             tb_json_str(pa, "instance"), "pricing", tb_json_str(pa, "pricing"),
                                             "base", price_of(pa), "candidate", price_of(pb)));
    }
    json_decref(a);
    json_decref(b);
    return out;
}
