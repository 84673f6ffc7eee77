/* Writing a price table as CSV that the reader takes back (see prices.h). */
#include "prices.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

void tb_csv_put_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    /* libcsv trims unquoted blanks and a leading '#' would read as a comment: quote those too. */
    int quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == '#' ||
                (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])));
    if (!quote) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int tb_prices_write_csv(FILE *f, const tb_price_table *t, const char *comment)
{
    for (const char *s = comment; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(f, "# %.*s\n", (int)len, s);
        s += len + (nl != NULL);
    }
    for (int c = 0; c < TB_PCOL_COUNT; c++)
        fprintf(f, "%s%s", c ? "," : "", tb_price_column_names[c]);
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        const tb_price *p = &t->rows[i];
        if (isnan(p->price_per_hour))
            continue;
        for (int c = 0; c < TB_PCOL_COUNT; c++) {
            if (c)
                fputc(',', f);
            tb_csv_put_field(f, p->cell[c]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}
