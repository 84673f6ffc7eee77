/* The renderings of a comparison (compare_render.h), tables through report/table.h. */
#include "compare_render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json_path.h"
#include "table.h"

#define R (TB_COL_RIGHT | TB_COL_HEAD_RIGHT | TB_COL_MD_RIGHT)

/* People's columns: the interval in one cell. */
static const tb_col people_cols[] = {
    {"benchmark", 0, 0}, {"n base", 0, R}, {"n cand", 0, R}, {"ratio", 0, R}, {"95% CI", 0, R},
    {"p", 0, R},         {"p holm", 0, R}, {"thr %", 0, R},  {"verdict", 0, 0},
};
/* CSV: one figure per column, named as in the JSON. */
static const tb_col csv_cols[] = {
    {"benchmark", 0, TB_COL_CSV_QUOTED}, {"n_base", 0, 0}, {"n_candidate", 0, 0}, {"ratio", 0, 0},
    {"ci95_low", 0, 0}, {"ci95_high", 0, 0}, {"p_value", 0, 0}, {"p_adjusted", 0, 0}, {"verdict", 0, 0},
    {"threshold_pct", 0, 0},
};

/* A figure with fmt, or "-" (CSV: empty) when it is null. */
static void cell_num(tb_table *t, const json_t *j, const char *path, const char *fmt, int csv)
{
    double v = tb_json_num(j, path);
    if (isfinite(v))
        tb_table_cellf(t, fmt, v);
    else
        tb_table_cell(t, csv ? "" : "-");
}

static void add_row(tb_table *t, const json_t *b, int csv)
{
    tb_table_cell(t, tb_json_str(b, "benchmark"));
    tb_table_cellf(t, "%lld", tb_json_int(b, "n_base"));
    tb_table_cellf(t, "%lld", tb_json_int(b, "n_candidate"));
    cell_num(t, b, "ratio", csv ? "%.6g" : "%.3f", csv);
    if (csv) {
        cell_num(t, b, "ci95_low", "%.6g", 1);
        cell_num(t, b, "ci95_high", "%.6g", 1);
    } else if (isfinite(tb_json_num(b, "ci95_low")))
        tb_table_cellf(t, "%.3f-%.3f", tb_json_num(b, "ci95_low"), tb_json_num(b, "ci95_high"));
    else
        tb_table_cell(t, "-");
    cell_num(t, b, "p_value", "%.3g", csv);
    cell_num(t, b, "p_adjusted", "%.3g", csv);
    if (!csv)
        cell_num(t, b, "threshold_pct", "%.3g", 0);
    if (!csv && json_is_false(json_object_get(b, "judged")))
        tb_table_cellf(t, "%s (probe: not judged)", tb_json_str(b, "verdict"));
    else
        tb_table_cell(t, tb_json_str(b, "verdict"));
    if (csv)
        cell_num(t, b, "threshold_pct", "%g", 1);
}

/* The benchmarks and a last "geomean" row (ratio only), as Google Benchmark's OVERALL_GEOMEAN. */
static void print_table(const json_t *doc, tb_format fmt, FILE *f)
{
    int csv = fmt == TB_FMT_CSV;
    tb_table t;
    tb_table_init(&t, csv ? csv_cols : people_cols, csv ? 10 : 9);
    size_t i;
    const json_t *b;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, b) add_row(&t, b, csv);
    tb_table_cell(&t, "geomean");
    tb_table_cell(&t, NULL);
    tb_table_cell(&t, NULL);
    cell_num(&t, doc, "summary.geomean_ratio", csv ? "%.6g" : "%.3f", csv);
    for (size_t c = 4; c < t.ncols; c++)
        tb_table_cell(&t, NULL);
    tb_table_print(&t, fmt, f);
    tb_table_free(&t);
}

static void print_differences(const json_t *doc, int md, FILE *f)
{
    const json_t *diffs = json_object_get(doc, "differences");
    if (json_array_size(diffs) == 0)
        return;
    const char *msg = json_is_true(json_object_get(doc, "cross_machine"))
                          ? "CROSS-MACHINE comparison (--allow-cross-machine): these differ"
                          : "not comparable: these differ";
    fprintf(f, md ? "**%s**\n\n" : "%s\n", msg);
    size_t i;
    const json_t *d;
    json_array_foreach(diffs, i, d)
    {
        const char *bench = tb_json_str(d, "benchmark");
        fprintf(f, "%s%s%s%s%s: base %s, candidate %s\n", md ? "- `" : "  ", tb_json_str(d, "field"), *bench ? " of " : "",
                bench, md ? "`" : "", tb_json_str(d, "base"), tb_json_str(d, "candidate"));
    }
    fputc('\n', f);
}

/* "price change: c7a.xlarge on-demand 0.1632 -> 0.17 USD/h (table 2026-10-01 -> 2026-12-01)": on its
 * own lines, before any verdict, because $/Mtok moves with it while the times do not. */
static void print_price_changes(const json_t *doc, int md, FILE *f)
{
    const json_t *changes = json_object_get(doc, "price_changes");
    size_t i;
    const json_t *c;
    json_array_foreach(changes, i, c)
    {
        const char *cur_b = tb_json_str(c, "base.currency"), *cur_c = tb_json_str(c, "candidate.currency");
        fprintf(f, "%sprice change: %s%s%s %s %.6g%s%s -> %.6g %s/h (table %s -> %s)\n", md ? "- " : "",
                tb_json_str(c, "instance"), *tb_json_str(c, "region") ? " " : "", tb_json_str(c, "region"),
                tb_json_str(c, "pricing"), tb_json_num(c, "base.price_per_hour"), strcmp(cur_b, cur_c) ? " " : "",
                strcmp(cur_b, cur_c) ? cur_b : "", tb_json_num(c, "candidate.price_per_hour"), cur_c,
                tb_json_str(c, "base.price_date"), tb_json_str(c, "candidate.price_date"));
    }
    if (json_array_size(changes))
        fprintf(f, "%s(a price change moves $/Mtok, not the times compared below: it is never a verdict)\n\n",
                md ? "\n" : "");
}

static void print_summary(const json_t *doc, int md, FILE *f)
{
    const json_t *s = json_object_get(doc, "summary");
    double g = tb_json_num(s, "geomean_ratio");
    fprintf(f, "\n%sgeomean ratio %s%.3f%s over %lld benchmark%s: %lld regressed, %lld improved, %lld unchanged, "
               "%lld inconclusive\n",
            md ? "**" : "", isfinite(g) ? "" : "(none) ", isfinite(g) ? g : 0, md ? "**" : "", tb_json_int(s, "compared"),
            tb_json_int(s, "compared") == 1 ? "" : "s",
            tb_json_int(s, "regressed"), tb_json_int(s, "improved"), tb_json_int(s, "unchanged"),
            tb_json_int(s, "inconclusive"));
    fprintf(f, "%sratio = candidate / base median time per call (> 1: slower; a run row's tokens/s is its inverse); "
               "95%% CI: percentile bootstrap, %lld resamples; regressed or improved: Holm-adjusted Mann-Whitney "
               "p < %.2f and the whole CI beyond %g%% (kernels) / %g%% (end to end)",
            md ? "\n" : "", tb_json_int(s, "bootstrap_resamples"), tb_json_num(s, "alpha"),
            tb_json_num(s, "threshold_pct_kernel"), tb_json_num(s, "threshold_pct_end_to_end"));
    size_t i;
    const json_t *r, *rules = json_object_get(s, "threshold_rules");
    json_array_foreach(rules, i, r)
        fprintf(f, "%s%s=%g", i ? ", " : ", or where the first --threshold-for glob matches: ", tb_json_str(r, "glob"),
                tb_json_num(r, "pct"));
    fprintf(f, "; a base of %d or more runs of a benchmark raises its threshold to %g robust SDs of the runs' medians, "
               "or the widest departure of one run from them, where that is wider (thr %%)",
            TB_CMP_NOISE_MIN_RUNS, TB_CMP_NOISE_SIGMAS);
    if (strcmp(tb_json_str(s, "normalize"), "none") != 0)
        fprintf(f, "; --normalize %s: a benchmark named \"/ read\" or \"/ peak\" is its time over that probe's in "
                   "the same rounds, \"/ bound\" a run's step over its roofline bound; the %lld probe%s beside them %s "
                   "the machine's own change, not judged",
                tb_json_str(s, "normalize"), tb_json_int(s, "probes_not_judged"),
                tb_json_int(s, "probes_not_judged") == 1 ? "" : "s",
                tb_json_int(s, "probes_not_judged") == 1 ? "shows" : "show");
    fputc('\n', f);
}

static void print_warnings(const json_t *doc, int md, FILE *f)
{
    size_t i;
    const json_t *b;
    json_array_foreach(json_object_get(doc, "benchmarks"), i, b)
    {
        const char *w = tb_json_str(b, "warning");
        if (*w)
            fprintf(f, "%s%s: %s\n", md ? "- " : "warning: ", tb_json_str(b, "benchmark"), w);
    }
}

void tb_cmp_render(const json_t *doc, tb_format fmt, FILE *f)
{
    if (fmt == TB_FMT_JSON) {
        json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        fputc('\n', f);
        return;
    }
    int compared = json_array_size(json_object_get(doc, "benchmarks")) > 0;
    if (fmt == TB_FMT_CSV) {
        if (compared)
            print_table(doc, fmt, f);
        return;
    }
    int md = fmt == TB_FMT_MD;
    if (md)
        fputs("### tokbench compare\n\n", f);
    fprintf(f, "base %s%s%s, candidate %s%s%s\n\n", md ? "`" : "", tb_json_str(doc, "base"), md ? "`" : "",
            md ? "`" : "", tb_json_str(doc, "candidate"), md ? "`" : "");
    print_differences(doc, md, f);
    print_price_changes(doc, md, f);
    if (!compared)
        return;
    print_table(doc, fmt, f);
    print_summary(doc, md, f);
    if (md) /* text readers have them on stderr already */
        print_warnings(doc, md, f);
}
