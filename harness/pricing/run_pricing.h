/* `tokbench run`'s cost lines. The tables are read and the instance looked up before anything is
 * measured, so a bad table or an unpriced --instance fails in a second, not after the run. Each
 * function returning int returns 0 or an exit code after one "tokbench: ..." line (util.h). */
#ifndef TB_RUN_PRICING_H
#define TB_RUN_PRICING_H

#include <jansson.h>

#include "options.h"

typedef struct tb_run_pricing tb_run_pricing;
/* *out stays NULL when the run is not priced: no --instance and no instance detected from DMI
 * (machine is the record's sysinfo object), or a detected one without a price row (a warning). */
int tb_run_pricing_open(const tb_opts *o, const json_t *machine, tb_run_pricing **out);
/* Sets every row's "cost" to its priced rows, cheapest blended first, as `tokbench cost` would
 * price the saved record. 0, or an exit code after one error line (the rows keep "cost": []). */
int tb_run_pricing_apply(tb_run_pricing *p, json_t *rec);
void tb_run_pricing_close(tb_run_pricing *p);

#endif
