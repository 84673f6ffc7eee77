/* `tokbench list models`. */
#ifndef TB_CMD_MODELS_H
#define TB_CMD_MODELS_H

#include "options.h"

int tb_cmd_list_models(const tb_opts *o);

#endif
