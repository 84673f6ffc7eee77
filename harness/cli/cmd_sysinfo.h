/* `tokbench sysinfo`: the machine (sysinfo.h) with the LLC a default team would size its working
 * sets from, as text, JSON, or field=value rows in CSV and Markdown. */
#ifndef TB_CMD_SYSINFO_H
#define TB_CMD_SYSINFO_H

#include "options.h"

int tb_cmd_sysinfo(const tb_opts *o);

#endif
