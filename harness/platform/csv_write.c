/* The CSV writer (see csv_write.h). */
#include "csv_write.h"

#include <ctype.h>
#include <string.h>

void tb_csv_field_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void tb_csv_field(FILE *f, const char *s)
{
    size_t n = strlen(s);
    int quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == '#' ||
                (n && (isspace((unsigned char)s[0]) || isspace((unsigned char)s[n - 1])));
    if (quote)
        tb_csv_field_quoted(f, s);
    else
        fputs(s, f);
}

void tb_csv_comment(FILE *f, const char *text)
{
    for (const char *s = text; s && *s;) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(f, "# %.*s\n", (int)len, s);
        s += len + (nl != NULL);
    }
}
