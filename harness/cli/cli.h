/* Command-line parsing: one table of options, each valid for some commands; every error names
 * the flag and exits 2 (SPEC.md). Options also read TOKBENCH_<NAME> environment twins. */
#ifndef TB_CLI_H
#define TB_CLI_H

#include "options.h"

/* Fills o. Returns 0 to go on, TB_EXIT_USAGE after an error line, or -1 when --help or
 * --version was printed (the caller exits 0). */
int tb_cli_parse(int argc, char **argv, tb_opts *o);

void tb_cli_usage(void);

#endif
