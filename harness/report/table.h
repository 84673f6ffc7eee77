/* The one table renderer: columns with a header and an alignment, rows appended without a cap
 * (cells are copied), printed as aligned text for people, as Markdown, or as CSV. */
#ifndef TB_TABLE_H
#define TB_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "options.h"

enum {
    TB_COL_RIGHT = 1u << 0,      /* text: cells right-aligned so that figures line up */
    TB_COL_HEAD_RIGHT = 1u << 1, /* text: the header right-aligned too (else left) */
    TB_COL_MD_RIGHT = 1u << 2,   /* Markdown: the column marked right-aligned (---:) */
    TB_COL_CSV_QUOTED = 1u << 3, /* CSV: cells always quoted (the header only when it must be) */
};

typedef struct tb_col {
    const char *head;
    /* text: each cell padded to this width (a longer one overflows it); 0: to the widest cell of
     * the column, header included */
    int width;
    unsigned flags; /* TB_COL_* */
} tb_col;

/* Text rendering: indent, then the cells with sep between them. A cell is padded to its column's
 * width, except in a left-aligned last column (no trailing blanks). Markdown: "| a | b |" rows
 * under a "|---|---:|" rule, '|' in a cell escaped. CSV: csv.h's quoting. */
typedef struct tb_table {
    const tb_col *col; /* ncols, owned by the caller, alive until the table is printed */
    size_t ncols;
    const char *sep;    /* text: between two columns; "  " after tb_table_init */
    const char *indent; /* text: before each line; "" after tb_table_init */
    char **cell;        /* row after row, ncols each; the last row fills as cells are added */
    size_t ncells, cap;
    int failed; /* out of memory: said once, later cells dropped */
} tb_table;

void tb_table_init(tb_table *t, const tb_col *col, size_t ncols);
void tb_table_free(tb_table *t);

/* Appends one cell to the row being filled (the next row once ncols are in); NULL is an empty
 * cell. Returns 0, or TB_EXIT_RUNTIME (said on stderr) when out of memory. */
int tb_table_cell(tb_table *t, const char *s);
int tb_table_cellf(tb_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a whole row: ncols cells. */
int tb_table_row(tb_table *t, const char *const *cells);

size_t tb_table_nrows(const tb_table *t);

/* The header and every complete row, in fmt (TB_FMT_TEXT, TB_FMT_MD or TB_FMT_CSV). */
void tb_table_print(const tb_table *t, tb_format fmt, FILE *f);

#endif
