/* Reading one CSV price table with libcsv: the header, the rows and their line numbers, comments
 * (see prices.h). */
#include "prices.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "prices_internal.h"
#include "in_file.h"
#include "util.h"

static const tb_pcol required_cols[] = {TB_PCOL_PROVIDER, TB_PCOL_INSTANCE, TB_PCOL_PRICING,
                                        TB_PCOL_PRICE_PER_HOUR, TB_PCOL_CURRENCY, TB_PCOL_PRICE_DATE};

typedef struct load_ctx {
    tb_price_table *t;
    const char *file;
    int line;         /* line where the current record starts */
    char **fields;
    size_t nf, capf;
    int header_line;
    int *colmap;      /* header position -> tb_pcol, or -1 (unknown column) */
    size_t ncols;
    char currency[8]; /* one currency per table */
    int currency_line;
    int rc;
} load_ctx;

static void free_fields(load_ctx *c)
{
    for (size_t i = 0; i < c->nf; i++)
        free(c->fields[i]);
    c->nf = 0;
}

static void on_field(void *s, size_t len, void *data)
{
    load_ctx *c = data;
    if (c->rc)
        return;
    char **fields = tb_grow(c->fields, &c->capf, c->nf + 1, sizeof *fields);
    if (!fields) {
        c->rc = tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
        return;
    }
    c->fields = fields;
    if (len && memchr(s, '\0', len)) {
        c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: field %zu holds a NUL byte", c->file, c->line, c->nf + 1);
        return;
    }
    /* a price row's names reach JSON, CSV and HTML, which all carry UTF-8 only: refused here, where
     * the file and line can still be named */
    if (!tb_utf8_valid(s, len)) {
        c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: field %zu is not valid UTF-8", c->file, c->line, c->nf + 1);
        return;
    }
    char *f = malloc(len + 1);
    if (!f) {
        c->rc = tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
        return;
    }
    if (len)
        memcpy(f, s, len);
    f[len] = '\0';
    c->fields[c->nf++] = f;
}

static int column_index(const char *name)
{
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        if (strcasecmp(name, tb_price_column_names[i]) == 0)
            return i;
    return -1;
}

static int on_header(load_ctx *c)
{
    int seen[TB_PCOL_COUNT];
    memset(seen, 0, sizeof seen);
    c->colmap = malloc((c->nf ? c->nf : 1) * sizeof *c->colmap);
    if (!c->colmap)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
    c->ncols = c->nf;
    c->header_line = c->line;
    char unknown[512] = "";
    size_t nunknown = 0;
    for (size_t i = 0; i < c->nf; i++) {
        int k = column_index(c->fields[i]);
        c->colmap[i] = k;
        if (k < 0) {
            size_t used = strlen(unknown);
            snprintf(unknown + used, sizeof unknown - used, "%s'%s'", nunknown ? ", " : "", c->fields[i]);
            nunknown++;
            continue;
        }
        if (seen[k])
            return tb_fail(TB_EXIT_USAGE, "%s:%d: column %s appears twice in the header", c->file, c->line,
                           tb_price_column_names[k]);
        seen[k] = 1;
    }
    for (size_t i = 0; i < sizeof required_cols / sizeof *required_cols; i++)
        if (!seen[required_cols[i]])
            return tb_fail(TB_EXIT_USAGE, "%s:%d: missing required column %s (the header needs provider, instance, "
                           "pricing, price_per_hour, currency, price_date)",
                           c->file, c->line, tb_price_column_names[required_cols[i]]);
    if (nunknown)
        tb_warn("%s:%d: unknown column%s ignored: %s", c->file, c->line, nunknown > 1 ? "s" : "", unknown);
    return 0;
}

static int on_data(load_ctx *c)
{
    if (c->nf != c->ncols)
        return tb_fail(TB_EXIT_USAGE, "%s:%d: %zu fields, but the header (line %d) has %zu columns", c->file, c->line,
                       c->nf, c->header_line, c->ncols);
    const char *cells[TB_PCOL_COUNT];
    for (int i = 0; i < TB_PCOL_COUNT; i++)
        cells[i] = "";
    for (size_t i = 0; i < c->nf; i++)
        if (c->colmap[i] >= 0)
            cells[c->colmap[i]] = c->fields[i];
    char err[512];
    int r = tb_prices_store_row(c->t, cells, c->file, c->line, err, sizeof err);
    if (r == -2)
        return tb_fail(TB_EXIT_RUNTIME, "%s", err);
    if (r)
        return tb_fail(TB_EXIT_USAGE, "%s:%d: %s", c->file, c->line, err);
    const char *cur = cells[TB_PCOL_CURRENCY];
    if (*cur) {
        if (!c->currency[0]) {
            snprintf(c->currency, sizeof c->currency, "%s", cur);
            c->currency_line = c->line;
        } else if (strcmp(cur, c->currency) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s:%d: column currency: %s, but line %d is in %s (one currency per table)",
                           c->file, c->line, cur, c->currency_line, c->currency);
    }
    return 0;
}

static void on_record(int term, void *data)
{
    (void)term;
    load_ctx *c = data;
    if (!c->rc && c->nf)
        c->rc = c->colmap ? on_data(c) : on_header(c);
    free_fields(c);
}

/* libcsv knows neither comments nor line numbers, so the text is first cut into logical records:
 * a record ends at a newline outside quotes (RFC 4180 doubles quotes inside a quoted field, so
 * the parity of the quotes seen tells). Each record then goes through libcsv on its own, with
 * the line it started on; a comment is a record whose first character is '#'. */
static int parse_text(load_ctx *c, const char *s, size_t len)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", c->file);
    int line = 1;
    size_t i = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) /* UTF-8 byte order mark */
        i = 3;
    while (i < len && !c->rc) {
        size_t start = i;
        int start_line = line, quoted = 0;
        if (s[i] == '#') { /* a comment runs to the end of its line, quotes and all */
            while (i < len && s[i] != '\n')
                i++;
            i += i < len;
            line++;
            continue;
        }
        while (i < len) {
            char ch = s[i++];
            if (ch == '"')
                quoted = !quoted;
            else if (ch == '\n') {
                line++;
                if (!quoted)
                    break;
            }
        }
        c->line = start_line;
        size_t n = i - start;
        if (csv_parse(&p, s + start, n, on_field, on_record, c) != n && !c->rc)
            c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: malformed CSV (%s): quote a field that holds a quote, comma or "
                            "line break",
                            c->file, start_line, csv_strerror(csv_error(&p)));
        if (!c->rc && csv_fini(&p, on_field, on_record, c) != 0 && !c->rc)
            c->rc = tb_fail(TB_EXIT_USAGE, "%s:%d: malformed CSV: a quoted field is not closed", c->file, start_line);
    }
    free_fields(c);
    csv_free(&p);
    return c->rc;
}

int tb_prices_load_file(tb_price_table *t, const char *path, const tb_price_checks *chk)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tb_in_read(path, TB_IN_MAX_PRICE_TABLE, &buf, &len);
    if (rc)
        return rc;
    load_ctx c;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.file = tb_prices_intern_file(t, path);
    if (!c.file) {
        free(buf);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory reading %s", path);
    }
    size_t first = t->n;
    rc = parse_text(&c, buf, len);
    free(buf);
    free(c.fields);
    int had_header = c.colmap != NULL;
    free(c.colmap);
    if (!rc && !had_header)
        rc = tb_fail(TB_EXIT_USAGE, "%s:1: no header row (an empty price table)", path);
    if (!rc)
        rc = tb_prices_check_new_rows(t, first, chk);
    return rc;
}
