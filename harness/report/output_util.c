/* Small helpers shared by the table renderers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

void tb_fmt_time(double ns, char *buf, size_t cap)
{
    if (isnan(ns))
        snprintf(buf, cap, "-");
    else if (ns < 1e3)
        snprintf(buf, cap, "%.3g ns", ns);
    else if (ns < 1e6)
        snprintf(buf, cap, "%.3g us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, cap, "%.3g ms", ns / 1e6);
    else
        snprintf(buf, cap, "%.3g s", ns / 1e9);
}

int tb_fmt_stat_cells(const json_t *c, tb_stat_cells *out)
{
    int ok = json_is_true(tb_json_at(c, "check.passed"));
    snprintf(out->check, sizeof out->check, "%s %.1e", ok ? "ok" : "FAIL", tb_json_num(c, "check.max_rel_err"));
    const json_t *st = json_object_get(c, "stats");
    if (!json_is_object(st)) {
        snprintf(out->median, sizeof out->median, "%s", ok ? "(no sample)" : "(not timed)");
        out->ci[0] = out->cv[0] = out->n[0] = '\0';
        return 0;
    }
    char lo[16], hi[16];
    tb_fmt_time(tb_json_num(st, "median"), out->median, sizeof out->median);
    tb_fmt_time(tb_json_num(st, "ci95_low"), lo, sizeof lo);
    tb_fmt_time(tb_json_num(st, "ci95_high"), hi, sizeof hi);
    snprintf(out->ci, sizeof out->ci, "[%s, %s]", lo, hi);
    double cv = tb_json_num(st, "cv");
    snprintf(out->cv, sizeof out->cv, "%.1f%%%s", cv * 100, cv > 0.05 ? " !" : "");
    snprintf(out->n, sizeof out->n, "%lld", tb_json_int(st, "n"));
    return 1;
}

void tb_table_case_cells(tb_table *t, const json_t *cases, const json_t *c, tb_rate_cells *rates, int nrates)
{
    tb_stat_cells s;
    int timed = tb_fmt_stat_cells(c, &s);
    const char *cells[] = {s.check, s.median, s.ci, s.cv, s.n};
    for (size_t i = 0; i < sizeof cells / sizeof *cells; i++)
        tb_table_cell(t, cells[i]);
    if (timed)
        rates(t, cases, c);
    else
        for (int k = 0; k < nrates; k++)
            tb_table_cell(t, "");
}

void tb_table_stat_csv_cells(tb_table *t, const json_t *c, const char *const *rates, size_t nrates)
{
    const json_t *st = json_object_get(c, "stats");
    tb_table_cell(t, json_is_true(tb_json_at(c, "check.passed")) ? "true" : "false");
    tb_table_cellf(t, "%.3e", tb_json_num(c, "check.max_rel_err"));
    tb_table_cellf(t, "%lld", tb_json_int(st, "n"));
    tb_table_cellf(t, "%.1f", tb_json_num(st, "median"));
    tb_table_cellf(t, "%.1f", tb_json_num(st, "ci95_low"));
    tb_table_cellf(t, "%.1f", tb_json_num(st, "ci95_high"));
    tb_table_cellf(t, "%.4f", tb_json_num(st, "cv"));
    tb_table_cellf(t, "%.1f", tb_json_num(st, "p90"));
    tb_table_cellf(t, "%.1f", tb_json_num(st, "p99"));
    const json_t *rate = json_object_get(c, "rate");
    for (size_t k = 0; k < nrates; k++)
        tb_table_cellf(t, "%.3f", tb_json_num(rate, rates[k]));
}

void tb_table_str_cells(tb_table *t, const json_t *o, const char *const *paths, size_t n)
{
    for (size_t k = 0; k < n; k++)
        tb_table_cell(t, tb_json_str(o, paths[k]));
}

void tb_table_int_cells(tb_table *t, const json_t *o, const char *const *paths, size_t n)
{
    for (size_t k = 0; k < n; k++)
        tb_table_cellf(t, "%lld", tb_json_int(o, paths[k]));
}

int tb_print_cases(const json_t *cases, const tb_col *cols, size_t ncols, tb_format fmt, tb_case_row *row,
                   const void *arg)
{
    tb_table t;
    tb_table_init(&t, cols, ncols);
    size_t i;
    json_t *c;
    int noisy = 0;
    json_array_foreach(cases, i, c) {
        row(&t, cases, c, arg);
        noisy |= tb_json_num(c, "stats.cv") > 0.05; /* the " !" of tb_fmt_stat_cells */
    }
    tb_table_print(&t, fmt, stdout);
    tb_table_free(&t);
    return noisy;
}

void tb_print_stat_note(const char *how)
{
    printf("median of n samples per call; 95%% CI of the median from order statistics; %s\n", how);
}

void tb_print_noisy_note(int noisy)
{
    if (noisy)
        printf("! cv above 5%%: this machine was noisy during the run, compare medians with care\n");
}

void tb_print_json(const json_t *j, int real_precision)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(real_precision));
    if (s) {
        puts(s);
        free(s);
    }
}

/* Money for people: four significant figures, no exponent; "-" when unknown. */
void tb_fmt_money(double v, char *buf, size_t cap)
{
    if (!isfinite(v))
        snprintf(buf, cap, "-");
    else if (v >= 1000)
        snprintf(buf, cap, "%.0f", v);
    else if (v >= 100)
        snprintf(buf, cap, "%.1f", v);
    else if (v >= 10)
        snprintf(buf, cap, "%.2f", v);
    else if (v >= 1)
        snprintf(buf, cap, "%.3f", v);
    else
        snprintf(buf, cap, "%#.4g", v); /* 0.7500, not 0.75 beside 0.3750 */
}

void tb_fmt_money_ci(const json_t *r, const char *base, char *buf, size_t cap)
{
    char k[80], m[24], lo[24], hi[24];
    tb_fmt_money(tb_json_num(r, base), m, sizeof m);
    snprintf(k, sizeof k, "%s_ci95_low", base);
    tb_fmt_money(tb_json_num(r, k), lo, sizeof lo);
    snprintf(k, sizeof k, "%s_ci95_high", base);
    tb_fmt_money(tb_json_num(r, k), hi, sizeof hi);
    snprintf(buf, cap, "%s [%s, %s]", m, lo, hi);
}
