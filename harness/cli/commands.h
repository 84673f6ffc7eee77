/* The commands: one table of name, id, help and handler, which the parser reads for the names
 * and the help (cli.c) and main() for the dispatch, so a command exists in one place. */
#ifndef TB_COMMANDS_H
#define TB_COMMANDS_H

#include <stddef.h>

#include "options.h"

typedef struct tb_command {
    const char *name;
    tb_cmd cmd;
    const char *help;             /* its arguments and what it does, after "tokbench NAME " */
    int (*run)(const tb_opts *o); /* 0, or an exit code after one "tokbench: ..." line (util.h) */
} tb_command;

extern const tb_command tb_commands[];
extern const size_t tb_ncommands;

/* The command called name, or NULL. */
const tb_command *tb_command_named(const char *name);

#endif
