/* settings.tuning of a record: the kernel parameter set that ran and where it came from. */
#ifndef TB_TUNING_RECORD_H
#define TB_TUNING_RECORD_H

#include <jansson.h>

#include <tokbench/kernels.h>

/* A set of tiers: bit (1u << tier). */
#define TB_TIER_BIT(isa) (1u << (unsigned)(isa))

/* {"set": name, "source": "built-in" or "build override", "basis": "...", "tiers": {TIER: {param: value, ...}}} for
 * the tiers in the mask (tokbench/tuning.h). NULL on OOM. */
json_t *tb_tuning_json(unsigned tiers);

/* The tiers of a bench record's cases that ran our kernels (their isa names a tier; the ref and
 * openblas backends' cases do not count). */
unsigned tb_cases_tiers(const json_t *cases);

/* Sets rec's settings.tuning for those tiers. */
void tb_record_set_tuning(json_t *rec, unsigned tiers);

#endif
