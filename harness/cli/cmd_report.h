/* `tokbench report RESULT|DIR... -o FILE.html`: saved records (bench and run, from any number of
 * machines) as one self-contained HTML page. Returns 0 or an exit code after one "tokbench: ..."
 * line (util.h). */
#ifndef TB_CMD_REPORT_H
#define TB_CMD_REPORT_H

#include "options.h"

int tb_cmd_report(const tb_opts *o);

#endif
