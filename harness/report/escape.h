/* What a string read from a file may not do on its way out: one escaper per output format, used by
 * every renderer (table.c). Price tables, records and file names are written by other people, so
 * their strings are data, never control sequences, markup or formulas. */
#ifndef TB_ESCAPE_H
#define TB_ESCAPE_H

#include <stdio.h>

/* For a terminal: control bytes (ESC, CR, LF, ...: C0 and DEL) and bytes of ill-formed UTF-8 as
 * the text \xNN, so a name cannot move the cursor, recolour the screen or break a table's rows.
 * Caller frees; NULL on OOM. */
char *tb_esc_terminal(const char *s);

/* For a Markdown table cell: '|' and '\' backslashed, '<', '>' and '&' as entities (a viewer must
 * not take a name for HTML), control bytes as \xNN (a newline would end the row). */
void tb_esc_md_put(FILE *f, const char *s);

/* For a CSV cell a spreadsheet will open: 1 when s would be taken for a formula (it starts with
 * '=', '+', '-', '@', TAB or CR) and is not a plain number; the writer then puts a ' before it. */
int tb_esc_csv_is_formula(const char *s);

#endif
