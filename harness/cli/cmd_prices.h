/* The price commands: `tokbench list prices`, `tokbench prices import` and `tokbench cost`.
 * Each returns 0 or an exit code after one "tokbench: ..." line (util.h). */
#ifndef TB_CMD_PRICES_H
#define TB_CMD_PRICES_H

#include "options.h"

/* tokbench cost RESULT... [--prices ...] [--instance NAME|LIST|all] [--pricing P]
 * [--utilization U] [--blend IN:OUT] [--project] [--fx CUR=RATE,...] */
int tb_cmd_cost(const tb_opts *o);

/* tokbench prices import --from aws|azure|gcp FILE... [--output OUT.csv] */
int tb_cmd_prices(const tb_opts *o);
/* tokbench list prices [--prices ...] [--pricing P]: the loaded rows, with their warnings. */
int tb_cmd_list_prices(const tb_opts *o);

#endif
