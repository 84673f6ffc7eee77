/* Price changes between the two sides of `tokbench compare`. A run record's rows carry their cost
 * lines (SPEC.md: rows[].cost[], each with the price row it used: instance, pricing,
 * price_per_hour, currency, price_date, price_source). A new price table changes $/Mtok without
 * any change in speed, so it is reported on its own, never as a verdict: compare judges times
 * per call and per step only, and $/Mtok is not one of its benchmarks. */
#ifndef TB_COMPARE_PRICES_H
#define TB_COMPARE_PRICES_H

#include <jansson.h>

#include "compare_input.h"

/* One object per (provider, region, instance, pricing) priced on both sides at a different price
 * per hour or currency: {"provider", "region", "instance", "pricing", "base": {"price_per_hour",
 * "currency", "price_date", "price_source"}, "candidate": {...}}. A side's price is the one of its
 * latest record (by started_at) that has the key. An empty array when nothing changed; NULL when
 * out of memory. */
json_t *tb_cmp_price_changes(const tb_cmp_side *base, const tb_cmp_side *cand);

#endif
