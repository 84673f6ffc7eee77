/* `tokbench run`: a model's forward pass, checked against the reference, then prefill and decode
 * timed over a sweep of batch × threads × prompt × ctx, with the roofline bounds of the same run. */
#ifndef TB_CMD_RUN_H
#define TB_CMD_RUN_H

#include <jansson.h>

#include "cli.h"

int tb_cmd_run(const tb_opts *o);

/* Prints the rows of a run record (text, csv or md) to stdout (output_run.c). */
void tb_output_run(const json_t *rec, tb_format fmt);

#endif
