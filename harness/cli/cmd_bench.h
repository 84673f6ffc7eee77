/* `tokbench bench OP`: one kernel family on a pinned team (bench.h), checked then timed, and the
 * record published (saved and rendered). */
#ifndef TB_CMD_BENCH_H
#define TB_CMD_BENCH_H

#include "options.h"

int tb_cmd_bench(const tb_opts *o);

#endif
