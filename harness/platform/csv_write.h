/* The one CSV writer (RFC 4180), for the reports, the price tables and the commands: fields
 * separated by commas, quoted when they must be, quotes inside a quoted field doubled. It lives
 * in platform/ because pricing/ and report/ are peers that both write CSV. Not named csv.h:
 * libcsv's <csv.h> (the price-table reader) would then resolve to this file on every include
 * path that holds platform/. */
#ifndef TB_CSV_WRITE_H
#define TB_CSV_WRITE_H

#include <stdio.h>

/* One field, quoted when it holds a comma, a quote, CR or LF (RFC 4180), and also when it starts
 * with '#' or begins or ends with blanks: a price table written this way must read back
 * unchanged, and libcsv trims unquoted blanks while the table reader takes '#' for a comment. */
void tb_csv_field(FILE *f, const char *s);

/* One field, always quoted (for columns a reader should take as text, never as a number). */
void tb_csv_field_quoted(FILE *f, const char *s);

/* text as comment lines: each of its lines behind "# ". */
void tb_csv_comment(FILE *f, const char *text);

#endif
