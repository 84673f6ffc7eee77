/* tokbench compare BASE CANDIDATE: the statistical comparison of two records or folders. */
#ifndef TB_CMD_COMPARE_H
#define TB_CMD_COMPARE_H

#include "options.h"

int tb_cmd_compare(const tb_opts *o);

#endif
