/* Rendering bench cases for people (aligned text, Markdown) and for spreadsheets (CSV). JSON
 * output is the record itself. */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include <jansson.h>

#include "options.h"

/* Helpers every table renderer shares (output_util.c). */
/* o.a (or o.a.b) as a double; NaN when absent or not a number. */
double tb_json_num(const json_t *o, const char *a, const char *b);
/* o.key as a string; "" when absent. */
const char *tb_json_str(const json_t *o, const char *key);
/* A duration in ns as "123 us": three significant figures in the unit that fits; "-" for NaN. */
void tb_fmt_time(double ns, char *buf, size_t cap);
/* A dollar figure to 3-4 significant digits without the sign ("-" when not finite), and one
 * with its interval from the JSON fields BASE, BASE_ci95_low, BASE_ci95_high: "m [lo, hi]". */
void tb_fmt_money(double v, char *buf, size_t cap);
void tb_fmt_money_ci(const json_t *o, const char *base, char *buf, size_t cap);

/* The cells every bench table shows for a case: its check ("ok 1.2e-08", "FAIL ..."), median time,
 * the median's 95% CI, cv (" !" above 5%) and n. An untimed case gets "(not timed)" or
 * "(no sample)" as its median and empty cells; returns 1 when the case was timed. */
typedef struct tb_stat_cells {
    char check[24], median[24], ci[48], cv[16], n[16];
} tb_stat_cells;
int tb_fmt_stat_cells(const json_t *c, tb_stat_cells *out);

/* Prints the cases of a bench record in fmt (text, csv or md) to stdout. The ratio column
 * compares each case's median rate with the same shape's openblas case (else the first). */
void tb_output_bench_cases(const json_t *cases, tb_format fmt);

/* Prints bench stream / bench peak cases in fmt (text, csv or md): variant or tier, check, median,
 * its 95% CI, cv, n and GB/s (stream) or GFLOP/s (peak). */
void tb_output_probe_cases(const json_t *cases, tb_format fmt);

/* Prints bench attn-prefill / attn-decode cases in fmt (text, csv or md), each kernel's rate set
 * against the probe of the same rounds (decode: read GB/s, prefill: peak GFLOP/s). */
void tb_output_attn_cases(const json_t *cases, tb_format fmt);

/* Prints the rows of a run record (text, csv or md) to stdout. */
void tb_output_run(const json_t *rec, tb_format fmt);

#endif
