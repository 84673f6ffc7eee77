/* Rendering of a run record's rows: one line per sweep combination, as llama-bench prints. */
#include <stdio.h>

#include <tokbench/dtype.h>

#include "output.h"

/* One price row of the rows' cost objects (run --instance, or the instance DMI names). */
static void add_cost_row(tb_table *t, size_t row, const json_t *c)
{
    char ph[24], in[80], out[80], bl[80], fl[24];
    tb_fmt_money(tb_json_num(c, "usd_per_hour"), ph, sizeof ph);
    tb_fmt_money_ci(c, "usd_per_mtok_input", in, sizeof in);
    tb_fmt_money_ci(c, "usd_per_mtok_output", out, sizeof out);
    tb_fmt_money_ci(c, "usd_per_mtok_blended", bl, sizeof bl);
    tb_fmt_money(tb_json_num(c, "usd_per_mtok_blended_floor"), fl, sizeof fl);
    const char *region = tb_json_str(c, "region");
    tb_table_cellf(t, "%zu", row);
    const char *cells[] = {*region ? region : "-", tb_json_str(c, "pricing"), ph, in, out, bl, fl};
    for (size_t k = 0; k < sizeof cells / sizeof *cells; k++)
        tb_table_cell(t, cells[k]);
    if (json_is_true(json_object_get(c, "projected")))
        tb_table_cellf(t, "projected x%.2f", tb_json_num(c, "projection.factor"));
    else
        tb_table_cell(t, "measured");
}

/* The rows' cost objects, one line each under a line saying what they are. */
static void print_cost_lines(const json_t *rows)
{
    static const tb_col cols[] = {{"row", 4, 0},
                                  {"region", 16, 0},
                                  {"pricing", 10, 0},
                                  {"$/hour", 10, 0},
                                  {"input [95% CI]", 32, 0},
                                  {"output [95% CI]", 32, 0},
                                  {"blended [95% CI]", 32, 0},
                                  {"floor", 10, 0},
                                  {"basis", 0, 0}};
    tb_table t;
    tb_table_init(&t, cols, sizeof cols / sizeof *cols);
    t.sep = " ";
    t.indent = "  ";
    size_t i, j;
    json_t *r, *c;
    const json_t *first = NULL;
    json_array_foreach(rows, i, r) json_array_foreach(json_object_get(r, "cost"), j, c)
    {
        first = first ? first : c;
        add_cost_row(&t, i + 1, c);
    }
    if (first) {
        printf("cost on %s, US dollars per hour and per million tokens (input from prefill, output from decode; "
               "blended %s by token count, utilization %g; floor: blended at the roofline bound):\n",
               tb_json_str(first, "instance"), tb_json_str_or(first, "blend", "?"), tb_json_num(first, "utilization"));
        tb_table_print(&t, TB_FMT_TEXT, stdout);
    }
    tb_table_free(&t);
}

/* The sweep's columns as each format shows them: text sets the two shares of the bound in one
 * column, Markdown in two, CSV gives every figure raw. */
static const tb_col text_cols[] = {{"batch", 5, TB_COL_RIGHT | TB_COL_HEAD_RIGHT},
                                   {"threads", 7, TB_COL_RIGHT | TB_COL_HEAD_RIGHT},
                                   {"prompt", 6, TB_COL_RIGHT | TB_COL_HEAD_RIGHT},
                                   {"ctx", 6, TB_COL_RIGHT | TB_COL_HEAD_RIGHT},
                                   {"dtype", 5, 0},
                                   {"prefill tok/s [95% CI]", 28, 0},
                                   {"decode tok/s [95% CI]", 28, 0},
                                   {"TTFT ms med/p90", 17, 0},
                                   {"TPOT ms med/p90", 17, 0},
                                   {"% of bound pf/dec", 0, 0}};
static const tb_col md_cols[] = {{"batch", 0, 0},           {"threads", 0, 0},
                                 {"prompt", 0, 0},          {"ctx", 0, 0},
                                 {"dtype", 0, 0},           {"prefill tok/s [95% CI]", 0, 0},
                                 {"decode tok/s [95% CI]", 0, 0}, {"TTFT ms med/p90", 0, 0},
                                 {"TPOT ms med/p90", 0, 0}, {"% prefill bound", 0, 0},
                                 {"% decode bound", 0, 0}};
static const tb_col csv_cols[] = {
    {"batch", 0, 0},           {"threads", 0, 0},          {"prompt", 0, 0},           {"ctx", 0, 0},
    {"dtype", 0, 0},           {"prefill_tok_s", 0, 0},    {"prefill_ci95_low", 0, 0}, {"prefill_ci95_high", 0, 0},
    {"decode_tok_s", 0, 0},    {"decode_ci95_low", 0, 0},  {"decode_ci95_high", 0, 0}, {"ttft_ms_median", 0, 0},
    {"ttft_ms_p90", 0, 0},     {"tpot_ms_median", 0, 0},   {"tpot_ms_p90", 0, 0},      {"prefill_pct_of_bound", 0, 0},
    {"decode_pct_of_bound", 0, 0}};

/* One row of the sweep in fmt's columns. */
static void add_row(tb_table *t, const json_t *r, tb_format fmt)
{
    static const char *const ints[] = {"batch", "threads", "prompt", "ctx"};
    tb_table_int_cells(t, r, ints, 4);
    tb_table_cell(t, tb_json_str(r, "dtype"));
    double pm = tb_json_num(r, "prefill.tokens_per_s.median"), pl = tb_json_num(r, "prefill.tokens_per_s.ci95_low"),
           ph = tb_json_num(r, "prefill.tokens_per_s.ci95_high"), dm = tb_json_num(r, "decode.tokens_per_s.median"),
           dl = tb_json_num(r, "decode.tokens_per_s.ci95_low"), dh = tb_json_num(r, "decode.tokens_per_s.ci95_high");
    double tm = tb_json_num(r, "ttft_ms.median"), t9 = tb_json_num(r, "ttft_ms.p90");
    double om = tb_json_num(r, "tpot_ms.median"), o9 = tb_json_num(r, "tpot_ms.p90");
    double pp = tb_json_num(r, "roofline.prefill_pct_of_bound"), dp = tb_json_num(r, "roofline.decode_pct_of_bound");
    if (fmt == TB_FMT_CSV) {
        const double g6[] = {pm, pl, ph, dm, dl, dh, tm, t9, om, o9};
        for (size_t k = 0; k < sizeof g6 / sizeof *g6; k++)
            tb_table_cellf(t, "%.6g", g6[k]);
        tb_table_cellf(t, "%.4g", pp);
        tb_table_cellf(t, "%.4g", dp);
        return;
    }
    /* rates to 3 significant figures (the CI rarely supports more), times in whole ms */
    tb_table_cellf(t, "%.3g [%.3g, %.3g]", pm, pl, ph);
    tb_table_cellf(t, "%.3g [%.3g, %.3g]", dm, dl, dh);
    tb_table_cellf(t, tm < 100 ? "%.1f / %.1f" : "%.0f / %.0f", tm, t9);
    tb_table_cellf(t, om < 100 ? "%.1f / %.1f" : "%.0f / %.0f", om, o9);
    if (fmt == TB_FMT_MD) {
        tb_table_cellf(t, "%.1f%%", pp);
        tb_table_cellf(t, "%.1f%%", dp);
    } else if (json_is_number(tb_json_at(r, "roofline.prefill_pct_of_format_bound"))) {
        /* quantized rows: the int8 instruction's share, then the weight format's (see the notes) */
        double fp = tb_json_num(r, "roofline.prefill_pct_of_format_bound"),
               fd = tb_json_num(r, "roofline.decode_pct_of_format_bound");
        tb_table_cellf(t, "%.1f%%%s / %.1f%%%s; format %.1f%%%s / %.1f%%%s", pp, pp > 100 ? " !" : "", dp,
                       dp > 100 ? " !" : "", fp, fp > 100 ? " !" : "", fd, fd > 100 ? " !" : "");
    } else /* above 100%: a ceiling probe read low (see the note printed below the table) */
        tb_table_cellf(t, "%.1f%%%s / %.1f%%%s", pp, pp > 100 ? " !" : "", dp, dp > 100 ? " !" : "");
}

/* Which rows were scaled from fewer layers or sequences than the model has; returns whether
 * prefill was (so the note on --prefill-time is due). */
static int print_scaled_rows(const json_t *rows)
{
    size_t i;
    json_t *r;
    int any_scaled = 0;
    json_array_foreach(rows, i, r) {
        const json_t *x = json_object_get(r, "extrapolation");
        int ds = json_is_true(json_object_get(x, "decode_layers_sampled"));
        int pe = json_is_true(json_object_get(x, "prefill_extrapolated"));
        if (!ds && !pe)
            continue;
        printf("row %zu: ", i + 1);
        if (ds)
            printf("decode ran %lld of %lld layers (memory), scaled to full depth; ",
                   tb_json_int(x, "decode_layers_run"), tb_json_int(x, "model_layers"));
        any_scaled |= pe;
        if (pe)
            printf("prefill timed on %lld layer(s) x %lld sequence(s), scaled to %lld x %lld",
                   tb_json_int(x, "prefill_layers_run"), tb_json_int(x, "prefill_sequences_run"),
                   tb_json_int(x, "model_layers"), tb_json_int(r, "batch"));
        printf("\n");
    }
    return any_scaled;
}

/* Row 1's op shares and the roofline's ceilings. */
static void print_row1_notes(const json_t *first)
{
    printf("op shares (row 1): prefill");
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(json_object_get(first, "prefill"), "breakdown"), k, v)
        printf(" %s %.0f%%", k, 100 * tb_json_num(v, "share"));
    printf("; decode");
    json_object_foreach(json_object_get(json_object_get(first, "decode"), "breakdown"), k, v)
        printf(" %s %.0f%%", k, 100 * tb_json_num(v, "share"));
    printf("\n");
    tb_dtype dt;
    printf("roofline: peak %.1f GFLOP/s", tb_json_num(first, "roofline.peak_gflops"));
    if (tb_dtype_from_name(json_string_value(json_object_get(first, "dtype")), &dt) == 0 && tb_dtype_is_quantized(dt))
        printf(", int8 %.1f GOP/s (the weight products' instruction ceiling)",
               tb_json_num(first, "roofline.peak_int8_gops"));
    if (json_is_number(tb_json_at(first, "roofline.format_ceiling_gops")))
        printf(", %s format %.1f GOP/s (the tier's minimal %s product sequence: the second share)",
               tb_json_str(first, "dtype"), tb_json_num(first, "roofline.format_ceiling_gops"),
               tb_json_str(first, "dtype"));
    printf(", read bandwidth %.1f GB/s (probes on the same cores, this run)\n",
           tb_json_num(first, "roofline.bandwidth_gbps"));
}

/* The notes under the text table: shares above the bound, scaled rows, row 1, cost, SLO. */
static void print_notes(const json_t *rec, const json_t *rows)
{
    size_t i;
    json_t *r;
    int above = 0;
    json_array_foreach(rows, i, r) {
        above |= tb_json_num(r, "roofline.prefill_pct_of_bound") > 100;
        above |= tb_json_num(r, "roofline.decode_pct_of_bound") > 100;
        above |= tb_json_num(r, "roofline.prefill_pct_of_format_bound") > 100;
        above |= tb_json_num(r, "roofline.decode_pct_of_format_bound") > 100;
    }
    if (above)
        printf("! above 100%% of the bound: a ceiling probe read low although it was run before and after the rows "
               "(machine noise); roofline.probes in the record has both runs; rerun before trusting that share\n");
    if (print_scaled_rows(rows))
        printf("(prefill is scaled to keep a call near --prefill-time %g s at the roofline's ceilings; "
               "--prefill-time 0 times every layer and sequence)\n",
               tb_json_num(rec, "settings.prefill_time_s"));
    const json_t *first = json_array_get(rows, 0);
    if (first)
        print_row1_notes(first);
    print_cost_lines(rows);
    const json_t *slo = json_object_get(rec, "slo");
    if (!slo)
        return;
    printf("SLO (TTFT p90 <= %g ms, TPOT p90 <= %g ms): ", tb_json_num(slo, "ttft_p90_ms_max"),
           tb_json_num(slo, "tpot_p90_ms_max"));
    if (json_is_true(json_object_get(slo, "met")))
        printf("largest batch %lld at %lld threads\n", tb_json_int(slo, "batch"), tb_json_int(slo, "threads"));
    else
        printf("no row meets it\n");
}

void tb_output_run(const json_t *rec, tb_format fmt)
{
    const json_t *rows = json_object_get(rec, "rows"), *model = json_object_get(rec, "model");
    tb_table t;
    if (fmt == TB_FMT_CSV)
        tb_table_init(&t, csv_cols, sizeof csv_cols / sizeof *csv_cols);
    else if (fmt == TB_FMT_MD)
        tb_table_init(&t, md_cols, sizeof md_cols / sizeof *md_cols);
    else {
        tb_table_init(&t, text_cols, sizeof text_cols / sizeof *text_cols);
        t.sep = " ";
        printf("model %s (%lld params)\n", tb_json_str(model, "name"), tb_json_int(model, "params"));
    }
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) add_row(&t, r, fmt);
    tb_table_print(&t, fmt, stdout);
    tb_table_free(&t);
    if (fmt == TB_FMT_TEXT)
        print_notes(rec, rows);
}
