/* libFuzzer target: a whole command line through tb_cli_parse (the option table, each flag's
 * value checks, the list checks that sit in front of the value parsers). The input is argv[1..]
 * separated by NUL bytes; argv[0] is "tokbench". Nothing runs: only what main() parses first. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* one copy with a NUL after the last argument; argv points into it */
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    char *argv[MAX_ARGS + 2] = {"tokbench"};
    int argc = 1;
    for (size_t i = 0; i < size && argc <= MAX_ARGS; i += strlen(text + i) + 1)
        argv[argc++] = text + i;
    argv[argc] = NULL;
    tb_opts o;
    (void)tb_cli_parse(argc, argv, &o);
    free(text);
    return 0;
}
