/* `tokbench run`: a model's forward pass, checked against the reference, then prefill and decode
 * timed over a sweep of batch × threads × prompt × ctx, with the roofline bounds of the same run. */
#ifndef TB_CMD_RUN_H
#define TB_CMD_RUN_H

#include <jansson.h>

#include "options.h"

int tb_cmd_run(const tb_opts *o);

#endif
