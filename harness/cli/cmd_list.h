/* `tokbench list [kernels|models|prices]`: which kernel this CPU gets per op, dtype and backend
 * (the default), the model presets, or the loaded price rows. */
#ifndef TB_CMD_LIST_H
#define TB_CMD_LIST_H

#include "options.h"

int tb_cmd_list(const tb_opts *o);

#endif
