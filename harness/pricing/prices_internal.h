/* What the price-table files share among themselves (prices.c, price_load.c, price_checks.c); not
 * part of the pricing layer's interface, which is prices.h. */
#ifndef TB_PRICES_INTERNAL_H
#define TB_PRICES_INTERNAL_H

#include <stddef.h>

#include "prices.h"

/* The table's copy of a file name, added on first use, so that rows can point at it; NULL when
 * out of memory. */
const char *tb_prices_intern_file(tb_price_table *t, const char *path);

/* Validates cells and appends them as a row (file: an interned name). 0; -1 when a cell does not
 * validate; -2 when out of memory (why in err either way). */
int tb_prices_store_row(tb_price_table *t, const char *const cells[TB_PCOL_COUNT], const char *file, int line,
                        char *err, size_t errcap);

/* The checks over the rows from first on, once a file is read: a key seen twice (in this file or
 * against an earlier one) fails with an exit code after one line; then the dates and the outliers
 * per vCPU are stored in each row's flags for tb_prices_warn. */
int tb_prices_check_new_rows(tb_price_table *t, size_t first, const tb_price_checks *chk);

#endif
