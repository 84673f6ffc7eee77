/* Escaping strings for the terminal, Markdown and spreadsheets. */
#include "escape.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

char *tb_esc_terminal(const char *s)
{
    char *u = tb_utf8_escaped(s); /* ill-formed bytes first: what remains is UTF-8 */
    if (!u)
        return NULL;
    size_t n = strlen(u);
    char *out = malloc(4 * n + 1), *o = out;
    if (out) {
        for (const unsigned char *p = (const unsigned char *)u; *p; p++)
            if (*p < 0x20 || *p == 0x7f)
                o += sprintf(o, "\\x%02x", *p);
            else
                *o++ = (char)*p;
        *o = '\0';
    }
    free(u);
    return out;
}

void tb_esc_md_put(FILE *f, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '|' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p == '<')
            fputs("&lt;", f);
        else if (*p == '>')
            fputs("&gt;", f);
        else if (*p == '&')
            fputs("&amp;", f);
        else if (*p < 0x20 || *p == 0x7f)
            fprintf(f, "\\x%02x", *p);
        else
            fputc(*p, f);
    }
}

int tb_esc_csv_is_formula(const char *s)
{
    if (!strchr("=+-@\t\r", s[0]) || !s[0])
        return 0;
    double v;
    return tb_parse_double(s, &v) != 0; /* -5 and +1e3 are numbers, -cmd and =1+1 are not */
}
