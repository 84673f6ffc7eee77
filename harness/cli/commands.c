/* The command table (commands.h). */
#include "commands.h"

#include <string.h>

#include "cmd_bench.h"
#include "cmd_compare.h"
#include "cmd_history.h"
#include "cmd_list.h"
#include "cmd_prices.h"
#include "cmd_report.h"
#include "cmd_run.h"
#include "cmd_sysinfo.h"

const tb_command tb_commands[] = {
    {"sysinfo", TB_CMD_SYSINFO, "the machine: CPU, ISA, caches, topology, memory, OS, instance", tb_cmd_sysinfo},
    {"list", TB_CMD_LIST, "[kernels|models|prices]: what exists, and which kernel this CPU gets", tb_cmd_list},
    {"bench", TB_CMD_BENCH,
     "OP [options]: one kernel family, checked then timed (gemm, gemv, attn-prefill, attn-decode, stream, peak)",
     tb_cmd_bench},
    {"run", TB_CMD_RUN, "[options]: a model shape -> prefill/decode tokens/s, TTFT/TPOT, roofline", tb_cmd_run},
    {"cost", TB_CMD_COST, "RESULT... [options]: $ per million tokens of saved run results, ranked", tb_cmd_cost},
    {"compare", TB_CMD_COMPARE,
     "BASE CANDIDATE: statistical comparison of two results (record files or folders); exit 4 on a regression, 5 "
     "when not comparable",
     tb_cmd_compare},
    {"report", TB_CMD_REPORT, "RESULT|DIR... -o FILE.html: one self-contained HTML page of trends, rooflines, costs",
     tb_cmd_report},
    {"prices", TB_CMD_PRICES, "import --from aws|azure|gcp FILE: a cloud's price list as a tokbench price table",
     tb_cmd_prices},
    {"history", TB_CMD_HISTORY,
     "[import DIR] [--benchmark GLOB] [--since DATE] [--machine FP] [--window N]: series of saved records from "
     "the history database with their detected steps and drifts, exit 4 when a series' latest point regressed "
     "(import: rebuild it from the JSON records under DIR)",
     tb_cmd_history},
};

const size_t tb_ncommands = sizeof tb_commands / sizeof *tb_commands;

const tb_command *tb_command_named(const char *name)
{
    for (size_t i = 0; i < tb_ncommands; i++)
        if (strcmp(name, tb_commands[i].name) == 0)
            return &tb_commands[i];
    return NULL;
}
