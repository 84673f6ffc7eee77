/* The command table (commands.h). */
#include "commands.h"

#include <string.h>

#include "cmd_bench.h"
#include "cmd_list.h"
#include "cmd_prices.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "cmd_sysinfo.h"
#include "tb_config.h"
#include "util.h"

/* compare is named in the usage but not built yet: it says so, as a usage error. */
static int not_built(const tb_opts *o)
{
    return tb_fail(TB_EXIT_USAGE, "%s: not available in tokbench %s yet", o->cmd_name, TB_VERSION);
}

const tb_command tb_commands[] = {
    {"sysinfo", TB_CMD_SYSINFO, "the machine: CPU, ISA, caches, topology, memory, OS, instance", tb_cmd_sysinfo},
    {"list", TB_CMD_LIST, "[kernels|models|prices]: what exists, and which kernel this CPU gets", tb_cmd_list},
    {"bench", TB_CMD_BENCH,
     "OP [options]: one kernel family, checked then timed (gemm, gemv, attn-prefill, attn-decode, stream, peak)",
     tb_cmd_bench},
    {"run", TB_CMD_RUN, "[options]: a model shape -> prefill/decode tokens/s, TTFT/TPOT, roofline", tb_cmd_run},
    {"cost", TB_CMD_COST, "RESULT... [options]: $ per million tokens of saved run results, ranked", tb_cmd_cost},
    {"compare", TB_CMD_COMPARE, "BASE CANDIDATE: statistical comparison of two results (not yet built)", not_built},
    {"report", TB_CMD_REPORT, "RESULT|DIR... -o FILE.html: one self-contained HTML page of trends, rooflines, costs",
     tb_cmd_report},
    {"prices", TB_CMD_PRICES, "import --from aws|azure|gcp FILE: a cloud's price list as a tokbench price table",
     tb_cmd_prices},
};

const size_t tb_ncommands = sizeof tb_commands / sizeof *tb_commands;

const tb_command *tb_command_named(const char *name)
{
    for (size_t i = 0; i < tb_ncommands; i++)
        if (strcmp(name, tb_commands[i].name) == 0)
            return &tb_commands[i];
    return NULL;
}
