/* settings.tuning: the values come from the kernels' own table (tb_tuning_params), never from a
 * copy here, so the record cannot name a value other than the one the kernels were built with. */
#include "tuning_record.h"

#include <string.h>

#include <tokbench/tuning.h>

json_t *tb_tuning_json(unsigned tiers)
{
    json_t *by_tier = json_object();
    for (int isa = 0; isa < TB_ISA_COUNT; isa++) {
        if (!(tiers & TB_TIER_BIT(isa)))
            continue;
        const tb_tuning_param *p;
        int n = tb_tuning_params((tb_isa)isa, &p);
        json_t *params = json_object();
        for (int i = 0; i < n; i++)
            json_object_set_new(params, p[i].name, json_integer(p[i].value));
        json_object_set_new(by_tier, tb_isa_name((tb_isa)isa), params);
    }
    return json_pack("{s:s, s:s, s:s, s:o}", "set", tb_tuning_set_name(), "source", tb_tuning_source(), "basis",
                     tb_tuning_basis(), "tiers", by_tier);
}

unsigned tb_cases_tiers(const json_t *cases)
{
    unsigned tiers = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        const char *backend = json_string_value(json_object_get(c, "backend"));
        const char *name = json_string_value(json_object_get(c, "isa"));
        tb_isa isa;
        if (!name || (backend && (!strcmp(backend, "ref") || !strcmp(backend, "openblas"))) ||
            tb_isa_from_name(name, &isa) != 0)
            continue;
        tiers |= TB_TIER_BIT(isa);
    }
    return tiers;
}

void tb_record_set_tuning(json_t *rec, unsigned tiers)
{
    json_t *settings = json_object_get(rec, "settings");
    if (settings)
        json_object_set_new(settings, "tuning", tb_tuning_json(tiers));
}
