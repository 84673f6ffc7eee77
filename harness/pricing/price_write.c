/* Writing a price table as CSV that the reader takes back (see prices.h). */
#include "prices.h"

#include <math.h>

#include "csv_write.h"

/* One CSV line of TB_PCOL_COUNT fields. tb_csv_field quotes what libcsv would otherwise read
 * back changed: blanks it trims, a leading '#' the reader takes for a comment. */
static void put_line(FILE *f, const char *const cells[TB_PCOL_COUNT])
{
    for (int c = 0; c < TB_PCOL_COUNT; c++) {
        if (c)
            fputc(',', f);
        tb_csv_field(f, cells[c]);
    }
    fputc('\n', f);
}

int tb_prices_write_csv(FILE *f, const tb_price_table *t, const char *comment)
{
    tb_csv_comment(f, comment);
    put_line(f, tb_price_column_names);
    for (size_t i = 0; i < t->n; i++) {
        const tb_price *p = &t->rows[i];
        if (!isnan(p->price_per_hour))
            put_line(f, (const char *const *)p->cell);
    }
    return ferror(f) ? -1 : 0;
}
