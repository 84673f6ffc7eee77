/* What every fuzz target shares: the bytes libFuzzer hands it, as the parsers take them. */
#ifndef TB_FUZZ_INPUT_H
#define TB_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The date the price checks take as today (2026-12-01), so that a row's staleness, and with it
 * what a target does, depends on the input alone and not on the day the campaign runs. */
#define FUZZ_TODAY_DAYS 20788

/* The bytes as a file a parser opens by path: one memfd per process, rewritten for each input and
 * named by its /proc/self/fd path. The parsers are handed paths and refuse what is not a regular
 * file; a memfd is one, so the very code the commands run is fuzzed, its open and size checks
 * included, without a file on disk. Aborts when the memfd cannot be made or written: a broken
 * harness must not pass for a parser that accepts nothing. */
const char *fuzz_input_path(const uint8_t *data, size_t size);

/* The bytes up to the first NUL as a C string, in a buffer of its own (so ASan sees a read past
 * its end); the caller frees. Aborts on out of memory. */
char *fuzz_input_string(const uint8_t *data, size_t size);

/* /dev/null, opened once, for what the renderers write. */
FILE *fuzz_null_out(void);

#endif
