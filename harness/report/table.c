/* The table renderer (see table.h). */
#include "table.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv_write.h"
#include "escape.h"
#include "util.h"

void tb_table_init(tb_table *t, const tb_col *col, size_t ncols)
{
    memset(t, 0, sizeof *t);
    t->col = col;
    t->ncols = ncols;
    t->sep = "  ";
    t->indent = "";
}

void tb_table_free(tb_table *t)
{
    for (size_t i = 0; i < t->ncells; i++)
        free(t->cell[i]);
    free(t->cell);
    t->cell = NULL;
    t->ncells = t->cap = 0;
}

static int out_of_memory(tb_table *t)
{
    if (!t->failed)
        tb_fail(TB_EXIT_RUNTIME, "out of memory building a table");
    t->failed = 1;
    return TB_EXIT_RUNTIME;
}

/* Takes s (a heap string, or NULL when making it failed) as the next cell. */
static int append(tb_table *t, char *s)
{
    if (!s || t->failed) {
        free(s);
        return out_of_memory(t);
    }
    char **c = tb_grow(t->cell, &t->cap, t->ncells + 1, sizeof *c);
    if (!c) {
        free(s);
        return out_of_memory(t);
    }
    t->cell = c;
    t->cell[t->ncells++] = s;
    return 0;
}

int tb_table_cell(tb_table *t, const char *s) { return append(t, strdup(s ? s : "")); }

int tb_table_cellf(tb_table *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return append(t, n < 0 ? NULL : s);
}

int tb_table_row(tb_table *t, const char *const *cells)
{
    int rc = 0;
    for (size_t c = 0; c < t->ncols && !rc; c++)
        rc = tb_table_cell(t, cells[c]);
    return rc;
}

size_t tb_table_nrows(const tb_table *t) { return t->ncols ? t->ncells / t->ncols : 0; }

/* One line of aligned text: cells[c] padded to w[c] (see table.h for the last column). */
static void text_line(const tb_table *t, const char *const *cells, const size_t *w, int head, FILE *f)
{
    fputs(t->indent, f);
    for (size_t c = 0; c < t->ncols; c++) {
        unsigned fl = t->col[c].flags;
        int right = (fl & (head ? TB_COL_HEAD_RIGHT : TB_COL_RIGHT)) != 0;
        int last = c + 1 == t->ncols;
        int width = last && !(fl & TB_COL_RIGHT) ? 0 : (int)w[c];
        fprintf(f, right ? "%*s%s" : "%-*s%s", width, cells[c], last ? "\n" : t->sep);
    }
}

/* The text cells, escaped for a terminal (escape.h); NULL on OOM after one line. */
static char **terminal_cells(const tb_table *t)
{
    char **e = calloc(t->ncells + 1, sizeof *e);
    for (size_t i = 0; e && i < t->ncells; i++)
        if (!(e[i] = tb_esc_terminal(t->cell[i]))) {
            while (i--)
                free(e[i]);
            free(e);
            e = NULL;
        }
    if (!e)
        tb_fail(TB_EXIT_RUNTIME, "out of memory printing a table");
    return e;
}

static void print_text(const tb_table *t, FILE *f)
{
    char **cell = terminal_cells(t);
    if (!cell)
        return;
    size_t *w = calloc(t->ncols + 1, sizeof *w);
    const char **head = calloc(t->ncols + 1, sizeof *head);
    if (!w || !head) {
        tb_fail(TB_EXIT_RUNTIME, "out of memory printing a table");
        free(w);
        free((void *)head);
        for (size_t i = 0; i < t->ncells; i++)
            free(cell[i]);
        free(cell);
        return;
    }
    size_t nrows = tb_table_nrows(t);
    for (size_t c = 0; c < t->ncols; c++) {
        head[c] = t->col[c].head;
        w[c] = t->col[c].width > 0 ? (size_t)t->col[c].width : strlen(head[c]);
        for (size_t r = 0; r < nrows && t->col[c].width <= 0; r++) {
            /* r < nrows = ncells / ncols keeps the index below ncells; the analyzer does not follow
             * the division: NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
            size_t n = strlen(cell[r * t->ncols + c]);
            if (n > w[c])
                w[c] = n;
        }
    }
    text_line(t, head, w, 1, f);
    for (size_t r = 0; r < nrows; r++)
        text_line(t, (const char *const *)cell + r * t->ncols, w, 0, f);
    free(w);
    free((void *)head);
    for (size_t i = 0; i < t->ncells; i++)
        free(cell[i]);
    free(cell);
}

static void md_line(const tb_table *t, char *const *cells, FILE *f)
{
    for (size_t c = 0; c < t->ncols; c++) {
        fputs(c ? " | " : "| ", f);
        tb_esc_md_put(f, cells[c]);
    }
    fputs(" |\n", f);
}

static void print_md(const tb_table *t, FILE *f)
{
    fputs("| ", f);
    for (size_t c = 0; c < t->ncols; c++)
        fprintf(f, "%s%s", c ? " | " : "", t->col[c].head);
    fputs(" |\n|", f);
    for (size_t c = 0; c < t->ncols; c++)
        fputs(t->col[c].flags & TB_COL_MD_RIGHT ? "---:|" : "---|", f);
    fputc('\n', f);
    for (size_t r = 0; r < tb_table_nrows(t); r++)
        md_line(t, t->cell + r * t->ncols, f);
}

static void print_csv(const tb_table *t, FILE *f)
{
    for (size_t c = 0; c < t->ncols; c++) {
        if (c)
            fputc(',', f);
        tb_csv_field(f, t->col[c].head);
    }
    fputc('\n', f);
    for (size_t r = 0; r < tb_table_nrows(t); r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c)
                fputc(',', f);
            const char *s = t->cell[r * t->ncols + c];
            if (tb_esc_csv_is_formula(s)) { /* the OWASP rule: a leading ' keeps it text */
                size_t len = strlen(s);
                char *q = malloc(len + 2);
                if (q) {
                    q[0] = '\'';
                    memcpy(q + 1, s, len + 1);
                    tb_csv_field_quoted(f, q);
                    free(q);
                }
            } else if (t->col[c].flags & TB_COL_CSV_QUOTED)
                tb_csv_field_quoted(f, s);
            else
                tb_csv_field(f, s);
        }
        fputc('\n', f);
    }
}

void tb_table_print(const tb_table *t, tb_format fmt, FILE *f)
{
    if (fmt == TB_FMT_CSV)
        print_csv(t, f);
    else if (fmt == TB_FMT_MD)
        print_md(t, f);
    else
        print_text(t, f);
}
