/* The price table writer's promise, checked on whatever a fuzzed parser accepted. */
#ifndef TB_FUZZ_PRICES_ROUNDTRIP_H
#define TB_FUZZ_PRICES_ROUNDTRIP_H

#include "prices.h"

/* Writes t as a tokbench CSV (comment first) and reads it back with the table loader: every
 * priced row must come back, in order, with the same cells (price_write.c says the reader takes
 * back what it writes; `prices import` output is read by `cost`). Aborts, after saying which row
 * and column differ, when one does not: libFuzzer then keeps the input as a crash. */
void fuzz_prices_roundtrip(const tb_price_table *t, const char *comment);

#endif
