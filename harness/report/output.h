/* Rendering bench cases for people (aligned text, Markdown) and for spreadsheets (CSV). JSON
 * output is the record itself. */
#ifndef TB_OUTPUT_H
#define TB_OUTPUT_H

#include <jansson.h>

#include "json_path.h"
#include "options.h"
#include "table.h"

/* Helpers every table renderer shares (output_util.c). */
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

/* Their columns in a text or Markdown table (n right-aligned in text, nflags added to its flags).
 * tb_table_case_cells appends them to the row being filled, then the nrates cells rates appends
 * for a timed case (its rates, set against other cases), or as many empty ones. */
#define TB_STAT_COLS(nflags)                                                                                 \
    {"check", 0, 0}, {"median", 0, 0}, {"95% CI (median)", 0, 0}, {"cv", 0, 0}, {"n", 0, TB_COL_RIGHT | (nflags)}
typedef void tb_rate_cells(tb_table *t, const json_t *cases, const json_t *c);
void tb_table_case_cells(tb_table *t, const json_t *cases, const json_t *c, tb_rate_cells *rates, int nrates);

/* A case's check and statistics as CSV columns (raw figures, ns), and their cells followed by
 * those of its rates (rate.KEY to 3 decimals, for each of the nrates keys). */
#define TB_STAT_CSV_COLS                                                                                     \
    {"check_passed", 0, 0}, {"max_rel_err", 0, 0}, {"samples", 0, 0}, {"median_ns", 0, 0}, {"ci95_low_ns", 0, 0}, \
        {"ci95_high_ns", 0, 0}, {"cv", 0, 0}, {"p90_ns", 0, 0}, {"p99_ns", 0, 0}
void tb_table_stat_csv_cells(tb_table *t, const json_t *c, const char *const *rates, size_t nrates);

/* The string (as tb_json_str) or integer at each of the n dotted paths under o, as cells. */
void tb_table_str_cells(tb_table *t, const json_t *o, const char *const *paths, size_t n);
void tb_table_int_cells(tb_table *t, const json_t *o, const char *const *paths, size_t n);

/* Prints a table of a bench record's cases in fmt: columns cols, one row per case appended by
 * row (its cells, in the columns' order; arg passed along). Returns whether the table is noisy:
 * some timed case's cv above 5%, as its cv cell flags. */
typedef void tb_case_row(tb_table *t, const json_t *cases, const json_t *c, const void *arg);
int tb_print_cases(const json_t *cases, const tb_col *cols, size_t ncols, tb_format fmt, tb_case_row *row,
                   const void *arg);

/* The line under a bench table that says how its figures were taken, ending with how (the check
 * and the rates of this table); and the warning when noisy (a cv cell has its " !"). */
void tb_print_stat_note(const char *how);
void tb_print_noisy_note(int noisy);

/* Prints j on stdout: indented, in key order, reals to real_precision significant digits. */
void tb_print_json(const json_t *j, int real_precision);

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
