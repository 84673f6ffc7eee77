/* Printing a comparison (compare.h's document) as JSON, as a text table for people, as Markdown
 * for a pull-request comment, or as CSV (one row per benchmark and a geomean row). */
#ifndef TB_COMPARE_RENDER_H
#define TB_COMPARE_RENDER_H

#include <jansson.h>
#include <stdio.h>

#include "options.h"

void tb_cmp_render(const json_t *doc, tb_format fmt, FILE *f);

#endif
