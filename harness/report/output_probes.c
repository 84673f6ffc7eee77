/* Tables of the roofline probes (bench stream, bench peak): text, Markdown and CSV renderings of
 * the same rows. JSON output is the record itself. */
#include "output.h"

#include <stdio.h>
#include <string.h>

static int is_stream(const json_t *c) { return strcmp(tb_json_str(c, "op"), "stream") == 0; }

/* bench peak --dtype q8_0|q4_0: the int8 dot ceiling and the format ceiling, in GOP/s */
static int is_int8(const json_t *c)
{
    return strcmp(tb_json_str(c, "variant"), "int8") == 0 || strcmp(tb_json_str(c, "variant"), "format") == 0;
}

/* The rate and unit cells of a timed case. */
static void rate_cells(tb_table *t, const json_t *cases, const json_t *c)
{
    (void)cases;
    const char *rate = is_stream(c) ? "rate.gbps" : is_int8(c) ? "rate.gops" : "rate.gflops";
    tb_table_cellf(t, "%.1f", tb_json_num(c, rate));
    tb_table_cell(t, is_stream(c) ? "GB/s" : is_int8(c) ? "GOP/s" : "GFLOP/s");
}

/* One row of the text and Markdown table; *(const int *)stream: the table has an isa column. */
static void add_row(tb_table *t, const json_t *cases, const json_t *c, const void *stream)
{
    if (is_int8(c)) /* two ceilings per tier: say which */
        tb_table_cellf(t, "%s %s", tb_json_str(c, "op"), tb_json_str(c, "variant"));
    else
        tb_table_cell(t, tb_json_str(c, "op"));
    tb_table_cell(t, is_stream(c) ? tb_json_str(c, "variant") : tb_json_str(c, "isa"));
    if (*(const int *)stream)
        tb_table_cell(t, tb_json_str(c, "isa"));
    tb_table_cellf(t, "%lld", tb_json_int(c, "threads"));
    tb_table_case_cells(t, cases, c, rate_cells, 2);
}

/* An integer field, or an empty cell where the case has none (peak has no array sizes). */
static void int_or_empty(tb_table *t, const json_t *o, const char *key)
{
    const json_t *x = tb_json_at(o, key);
    if (json_is_integer(x))
        tb_table_cellf(t, "%lld", (long long)json_integer_value(x));
    else
        tb_table_cell(t, "");
}

static void add_csv_row(tb_table *t, const json_t *cases, const json_t *c, const void *arg)
{
    (void)cases, (void)arg;
    static const char *const str[] = {"op", "variant", "isa", "dtype"}, *rates[] = {"gflops", "gbps", "gops"};
    tb_table_str_cells(t, c, str, 4);
    tb_table_cellf(t, "%lld", tb_json_int(c, "threads"));
    int_or_empty(t, c, "shape.elements");
    int_or_empty(t, c, "shape.bytes_per_array");
    int_or_empty(t, c, "shape.flops_per_call");
    tb_table_stat_csv_cells(t, c, rates, 3);
}

static void print_notes(const json_t *first, int stream, int noisy)
{
    if (stream)
        tb_print_stat_note("GB/s = 1e9 B/s with STREAM's byte counts (copy, scale 16 B, add, triad 24 B, read 8 B per "
                           "element); check: max relative error vs a scalar replay");
    else if (first && is_int8(first))
        tb_print_stat_note("GOP/s = 2 x the probe's multiply-adds x threads / median; int8: the dot instruction alone, "
                           "format: the tier's minimal sequence for the weight format (run grades q8_0/q4_0 rows "
                           "against both); check: exact vs a scalar replay");
    else
        tb_print_stat_note("GFLOP/s = lanes x 2 x chains x iterations x threads / median; check: exact vs a scalar "
                           "replay");
    tb_print_noisy_note(noisy);
}

void tb_output_probe_cases(const json_t *cases, tb_format fmt)
{
    static const tb_col csv_cols[] = {{"op", 0, 0},       {"variant", 0, 0},
                                      {"isa", 0, 0},      {"dtype", 0, 0},
                                      {"threads", 0, 0},  {"elements", 0, 0},
                                      {"bytes_per_array", 0, 0},
                                      {"flops_per_call", 0, 0},
                                      TB_STAT_CSV_COLS,
                                      {"gflops", 0, 0},   {"gbps", 0, 0},
                                      {"gops", 0, 0}};
    /* Peak has no separate isa column: it is the case itself. */
    static const tb_col stream_cols[] = {{"op", 0, 0}, {"variant", 0, 0}, {"isa", 0, 0}, {"thr", 0, 0}, TB_STAT_COLS(0),
                                         {"rate", 0, TB_COL_RIGHT | TB_COL_MD_RIGHT}, {"unit", 0, 0}};
    static const tb_col peak_cols[] = {{"op", 0, 0}, {"isa", 0, 0}, {"thr", 0, 0}, TB_STAT_COLS(0),
                                       {"rate", 0, TB_COL_RIGHT | TB_COL_MD_RIGHT}, {"unit", 0, 0}};
    if (fmt == TB_FMT_CSV) {
        tb_print_cases(cases, csv_cols, sizeof csv_cols / sizeof *csv_cols, fmt, add_csv_row, NULL);
        return;
    }
    const json_t *first = json_array_get(cases, 0);
    int stream = first && is_stream(first), noisy;
    if (stream)
        noisy = tb_print_cases(cases, stream_cols, sizeof stream_cols / sizeof *stream_cols, fmt, add_row, &stream);
    else
        noisy = tb_print_cases(cases, peak_cols, sizeof peak_cols / sizeof *peak_cols, fmt, add_row, &stream);
    if (fmt == TB_FMT_TEXT)
        print_notes(first, stream, noisy);
}
