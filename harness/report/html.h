/* `tokbench report`: saved records as one self-contained HTML page (inline CSS and SVG, no script,
 * no network reference), and the escaping every string from a file goes through on its way in. */
#ifndef TB_HTML_H
#define TB_HTML_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

/* One loaded record and the file it came from. */
typedef struct tb_report_input {
    const char *file;
    const json_t *rec;
} tb_report_input;

/* s as HTML text, safe in an element and in a quoted attribute: & < > " ' become entities, and a
 * byte of ill-formed UTF-8 (or a control character other than tab and newline) is written as the
 * visible text \xNN, so nothing from a file is dropped or read as markup. */
void tb_html_text(FILE *f, const char *s);

/* The page for in[0..n) (sorted here by started_at). Returns 0, or -1 when writing failed. */
int tb_html_report(FILE *f, tb_report_input *in, size_t n);

#endif
