/* Bench tables: text, Markdown and CSV renderings of the same rows. */
#include "output.h"

#include <stdio.h>
#include <string.h>

static int same_shape(const json_t *x, const json_t *y)
{
    return json_equal(json_object_get(x, "shape"), json_object_get(y, "shape")) &&
           strcmp(tb_json_str(x, "op"), tb_json_str(y, "op")) == 0;
}

/* The case this one is compared with, for the same op and shape: the read probe when there is
 * one (weight bytes per second against what the machine reads in the same rounds), else the
 * peak probe, else OpenBLAS, else the first case (FLOP rate). *metric names the rate compared. */
static const json_t *baseline(const json_t *cases, const json_t *c, const char **metric)
{
    size_t i;
    json_t *x;
    const json_t *first = NULL, *blas = NULL, *read = NULL, *peak = NULL;
    json_array_foreach(cases, i, x) {
        if (!same_shape(x, c) || !json_is_object(json_object_get(x, "rate")))
            continue;
        if (!first)
            first = x;
        if (strcmp(tb_json_str(x, "backend"), "openblas") == 0)
            blas = x;
        if (strcmp(tb_json_str(x, "backend"), "read") == 0)
            read = x;
        if (strcmp(tb_json_str(x, "backend"), "peak") == 0)
            peak = x;
    }
    *metric = read ? "rate.weight_gbps" : "rate.gflops";
    return read ? read : peak ? peak : blas ? blas : first;
}

/* The GFLOP/s, W GB/s and "vs base" cells of a timed case. */
static void rate_cells(tb_table *t, const json_t *cases, const json_t *c)
{
    const char *metric;
    const json_t *base = baseline(cases, c, &metric);
    if (strcmp(tb_json_str(c, "backend"), "read") == 0)
        tb_table_cell(t, "-");
    else
        tb_table_cellf(t, "%.1f", tb_json_num(c, "rate.gflops"));
    tb_table_cellf(t, "%.1f", tb_json_num(c, "rate.weight_gbps"));
    if (strcmp(tb_json_str(c, "backend"), "peak") == 0 && base != c)
        tb_table_cell(t, "-"); /* a FLOP rate has no place against a bandwidth */
    else if (base)
        tb_table_cellf(t, "%.3gx", tb_json_num(c, metric) / tb_json_num(base, metric));
    else
        tb_table_cell(t, "");
}

/* One row of the text and Markdown table. */
static void add_row(tb_table *t, const json_t *cases, const json_t *c, const void *arg)
{
    (void)arg;
    tb_table_cell(t, tb_json_str(c, "op"));
    if (strcmp(tb_json_str(c, "backend"), "portable") == 0)
        tb_table_cellf(t, "portable/%s", tb_json_str(c, "isa"));
    else
        tb_table_cell(t, tb_json_str(c, "backend"));
    tb_table_cell(t, tb_json_str(c, "dtype"));
    tb_table_cellf(t, "%lldx%lldx%lld", tb_json_int(c, "shape.m"), tb_json_int(c, "shape.n"),
                   tb_json_int(c, "shape.k"));
    tb_table_cellf(t, "%lld", tb_json_int(c, "threads"));
    tb_table_case_cells(t, cases, c, rate_cells, 3);
}

static void add_csv_row(tb_table *t, const json_t *cases, const json_t *c, const void *arg)
{
    (void)cases, (void)arg;
    static const char *const str[] = {"op", "backend", "isa", "dtype"};
    static const char *const num[] = {"shape.m", "shape.n", "shape.k", "threads"}, *rates[] = {"gflops", "gbps"};
    tb_table_str_cells(t, c, str, 4);
    tb_table_int_cells(t, c, num, 4);
    tb_table_stat_csv_cells(t, c, rates, 2);
}

void tb_output_bench_cases(const json_t *cases, tb_format fmt)
{
    static const tb_col csv_cols[] = {{"op", 0, 0}, {"backend", 0, 0}, {"isa", 0, 0}, {"dtype", 0, 0},
                                      {"m", 0, 0},  {"n", 0, 0},       {"k", 0, 0},   {"threads", 0, 0},
                                      TB_STAT_CSV_COLS,
                                      {"gflops", 0, 0}, {"gbps", 0, 0}};
    static const tb_col cols[] = {{"op", 0, 0},
                                  {"backend", 0, 0},
                                  {"dtype", 0, 0},
                                  {"shape", 0, 0},
                                  {"thr", 0, 0},
                                  TB_STAT_COLS(0),
                                  {"GFLOP/s", 0, TB_COL_RIGHT | TB_COL_MD_RIGHT},
                                  {"W GB/s", 0, TB_COL_RIGHT | TB_COL_MD_RIGHT},
                                  {"vs base", 0, TB_COL_RIGHT | TB_COL_MD_RIGHT}};
    if (fmt == TB_FMT_CSV) {
        tb_print_cases(cases, csv_cols, sizeof csv_cols / sizeof *csv_cols, fmt, add_csv_row, NULL);
        return;
    }
    int noisy = tb_print_cases(cases, cols, sizeof cols / sizeof *cols, fmt, add_row, NULL);
    if (fmt == TB_FMT_TEXT) {
        tb_print_stat_note("check: max error / sum|a*w| vs the double reference; W GB/s: weight bytes per second; "
                           "vs base: W GB/s against the read probe when it ran, else GFLOP/s against the peak probe or "
                           "openblas");
        tb_print_noisy_note(noisy);
    }
}
