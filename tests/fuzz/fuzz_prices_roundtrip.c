/* fuzz_prices_roundtrip.h */
#include "fuzz_prices_roundtrip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"

static void fail(const char *what, size_t row, int col, const char *csv)
{
    fprintf(stderr, "fuzz: price table round trip: %s (row %zu, column %d)\n--- written:\n%s\n", what, row, col, csv);
    abort();
}

void fuzz_prices_roundtrip(const tb_price_table *t, const char *comment)
{
    char *csv = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&csv, &len);
    if (!f || tb_prices_write_csv(f, t, comment) != 0 || fclose(f) != 0)
        abort();
    tb_price_table back;
    tb_prices_init(&back);
    tb_price_checks chk = {FUZZ_TODAY_DAYS, 365};
    if (tb_prices_load_file(&back, fuzz_input_path((const uint8_t *)csv, len), &chk) != 0)
        fail("the written table does not load", 0, -1, csv);
    size_t j = 0;
    for (size_t i = 0; i < t->n; i++) {
        const tb_price *p = &t->rows[i];
        if (isnan(p->price_per_hour))
            continue; /* rows without a price are not written */
        if (j == back.n)
            fail("a priced row is missing", i, -1, csv);
        for (int c = 0; c < TB_PCOL_COUNT; c++)
            if (strcmp(p->cell[c], back.rows[j].cell[c]) != 0)
                fail("a cell changed", i, c, csv);
        j++;
    }
    if (j != back.n)
        fail("rows were added", j, -1, csv);
    tb_prices_free(&back);
    free(csv);
}
