/* Tables of bench attn-prefill / attn-decode: text, Markdown and CSV renderings of the same rows.
 * Each kernel row is set against the probe timed in the same rounds: decode's KV GB/s against the
 * read probe's GB/s, prefill's GFLOP/s against the FMA peak. JSON output is the record itself. */
#include <stdio.h>
#include <string.h>

#include "output.h"

static int is_decode(const json_t *c) { return strcmp(tb_json_str(c, "op"), "attn-decode") == 0; }

static int same_case(const json_t *x, const json_t *y)
{
    return json_equal(json_object_get(x, "shape"), json_object_get(y, "shape")) &&
           strcmp(tb_json_str(x, "op"), tb_json_str(y, "op")) == 0;
}

/* The probe of the same case that bounds this one (decode: read, prefill: peak), and the rate
 * compared; NULL when it did not run. */
static const json_t *baseline(const json_t *cases, const json_t *c, const char **metric)
{
    const char *want = is_decode(c) ? "read" : "peak";
    *metric = is_decode(c) ? "rate.gbps" : "rate.gflops";
    size_t i;
    json_t *x;
    json_array_foreach(cases, i, x) {
        if (same_case(x, c) && json_is_object(json_object_get(x, "rate")) &&
            strcmp(tb_json_str(x, "backend"), want) == 0)
            return x;
    }
    return NULL;
}

static void shape_text(const json_t *c, char *buf, size_t cap)
{
    const json_t *sh = json_object_get(c, "shape");
    int n = snprintf(buf, cap, "%lld/%lldx%lld", tb_json_int(sh, "heads"), tb_json_int(sh, "kv_heads"),
                     tb_json_int(sh, "head_dim"));
    if (!is_decode(c)) {
        snprintf(buf + n, cap - (size_t)n, " S=%lld", tb_json_int(sh, "seq"));
        return;
    }
    const json_t *lens = json_object_get(sh, "lengths");
    size_t i, m = json_array_size(lens);
    json_t *l;
    int uniform = 1;
    json_array_foreach(lens, i, l) uniform &= json_integer_value(l) == tb_json_int(sh, "ctx");
    if (uniform) {
        snprintf(buf + n, cap - (size_t)n, " C=%lld B=%lld", tb_json_int(sh, "ctx"), tb_json_int(sh, "batch"));
        return;
    }
    n += snprintf(buf + n, cap - (size_t)n, " C=");
    json_array_foreach(lens, i, l) {
        if ((size_t)n + 24 >= cap) {
            snprintf(buf + n, cap - (size_t)n, ",..(%zu)", m);
            return;
        }
        n += snprintf(buf + n, cap - (size_t)n, "%s%lld", i ? "," : "", json_integer_value(l));
    }
}

/* The GFLOP/s, GB/s and "of probe" cells of a timed case. */
static void rate_cells(tb_table *t, const json_t *cases, const json_t *c)
{
    double gf = tb_json_num(c, "rate.gflops"), gb = tb_json_num(c, "rate.gbps");
    tb_table_cellf(t, gf > 0 ? "%.1f" : "-", gf);
    tb_table_cellf(t, gb > 0 ? "%.1f" : "-", gb);
    const char *metric;
    const json_t *base = baseline(cases, c, &metric);
    if (base && base != c)
        tb_table_cellf(t, "%.0f%%", 100.0 * tb_json_num(c, metric) / tb_json_num(base, metric));
    else
        tb_table_cell(t, "");
}

/* One row of the text and Markdown table. */
static void add_row(tb_table *t, const json_t *cases, const json_t *c, const void *arg)
{
    (void)arg;
    const char *bk = tb_json_str(c, "backend");
    char shape[96];
    shape_text(c, shape, sizeof shape);
    tb_table_cell(t, tb_json_str(c, "op"));
    if (strcmp(bk, "ref") == 0)
        tb_table_cell(t, "ref");
    else
        tb_table_cellf(t, "%s/%s", bk, tb_json_str(c, "isa"));
    tb_table_cell(t, tb_json_str(c, "dtype"));
    tb_table_cell(t, shape);
    tb_table_cellf(t, "%lld", tb_json_int(c, "threads"));
    tb_table_case_cells(t, cases, c, rate_cells, 3);
}

static void add_csv_row(tb_table *t, const json_t *cases, const json_t *c, const void *arg)
{
    (void)cases, (void)arg;
    static const char *const str[] = {"op", "backend", "isa", "kernel", "dtype"}, *rates[] = {"gflops", "gbps"};
    static const char *const num[] = {"shape.heads", "shape.kv_heads", "shape.head_dim"};
    tb_table_str_cells(t, c, str, 5);
    tb_table_int_cells(t, c, num, 3);
    if (is_decode(c)) { /* seq empty */
        tb_table_cell(t, "");
        tb_table_cellf(t, "%lld", tb_json_int(c, "shape.ctx"));
        tb_table_cellf(t, "%lld", tb_json_int(c, "shape.batch"));
    } else { /* ctx empty, one sequence */
        tb_table_cellf(t, "%lld", tb_json_int(c, "shape.seq"));
        tb_table_cell(t, "");
        tb_table_cell(t, "1");
    }
    tb_table_cellf(t, "%lld", tb_json_int(c, "threads"));
    tb_table_stat_csv_cells(t, c, rates, 2);
}

void tb_output_attn_cases(const json_t *cases, tb_format fmt)
{
    static const tb_col csv_cols[] = {{"op", 0, 0},       {"backend", 0, 0}, {"isa", 0, 0},      {"kernel", 0, 0},
                                      {"kv_dtype", 0, 0}, {"heads", 0, 0},   {"kv_heads", 0, 0}, {"head_dim", 0, 0},
                                      {"seq", 0, 0},      {"ctx", 0, 0},     {"batch", 0, 0},    {"threads", 0, 0},
                                      TB_STAT_CSV_COLS,   {"gflops", 0, 0},  {"gbps", 0, 0}};
    enum { R = TB_COL_RIGHT | TB_COL_MD_RIGHT };
    static const tb_col cols[] = {{"op", 0, 0},    {"backend", 0, 0}, {"kv", 0, 0},      {"shape", 0, 0},
                                  {"thr", 0, 0},   TB_STAT_COLS(R),   {"GFLOP/s", 0, R}, {"GB/s", 0, R},
                                  {"of probe", 0, R}};
    if (fmt == TB_FMT_CSV) {
        tb_print_cases(cases, csv_cols, sizeof csv_cols / sizeof *csv_cols, fmt, add_csv_row, NULL);
        return;
    }
    int noisy = tb_print_cases(cases, cols, sizeof cols / sizeof *cols, fmt, add_row, NULL);
    if (fmt != TB_FMT_TEXT)
        return;
    size_t i;
    json_t *c;
    int decode = 0, prefill = 0;
    json_array_foreach(cases, i, c) {
        decode |= is_decode(c);
        prefill |= !is_decode(c);
    }
    tb_print_stat_note("check: max |out - ref| / sum p|v| vs the double reference (kv: the KV-cache dtype)");
    if (prefill)
        printf("prefill: GFLOP/s of the causal pairs only (4 x head_dim per query head and pair); of probe: "
               "against the FMA peak (peak row) of the same rounds\n");
    if (decode)
        printf("decode: GB/s of K and V read; of probe: against the read-only probe kernel (read row) reading "
               "as many bytes in the same rounds\n");
    tb_print_noisy_note(noisy);
}
