/* Rendering bench cases for people (aligned text, Markdown) and for spreadsheets (CSV). JSON
 * output is the record itself. */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include <jansson.h>

#include "cli.h"

/* Prints the cases of a bench record in fmt (text, csv or md) to stdout. The ratio column
 * compares each case's median rate with the same shape's openblas case (else the first). */
void tb_output_bench_cases(const json_t *cases, tb_format fmt);

/* Prints bench stream / bench peak cases in fmt (text, csv or md): variant or tier, check, median,
 * its 95% CI, cv, n and GB/s (stream) or GFLOP/s (peak). */
void tb_output_probe_cases(const json_t *cases, tb_format fmt);

#endif
