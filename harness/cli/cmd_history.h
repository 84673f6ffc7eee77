/* tokbench history: the series of saved records, and history import DIR. */
#ifndef TB_CMD_HISTORY_H
#define TB_CMD_HISTORY_H

#include "options.h"

int tb_cmd_history(const tb_opts *o);

#endif
