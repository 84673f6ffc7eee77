/* Small helpers shared by the table renderers. */
#include <math.h>
#include <stdio.h>

#include "output.h"

double tb_json_num(const json_t *o, const char *a, const char *b)
{
    const json_t *x = json_object_get(o, a);
    if (b)
        x = json_object_get(x, b);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

const char *tb_json_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

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
    int ok = json_is_true(json_object_get(json_object_get(c, "check"), "passed"));
    snprintf(out->check, sizeof out->check, "%s %.1e", ok ? "ok" : "FAIL", tb_json_num(c, "check", "max_rel_err"));
    const json_t *st = json_object_get(c, "stats");
    if (!json_is_object(st)) {
        snprintf(out->median, sizeof out->median, "%s", ok ? "(no sample)" : "(not timed)");
        out->ci[0] = out->cv[0] = out->n[0] = '\0';
        return 0;
    }
    char lo[16], hi[16];
    tb_fmt_time(tb_json_num(st, "median", NULL), out->median, sizeof out->median);
    tb_fmt_time(tb_json_num(st, "ci95_low", NULL), lo, sizeof lo);
    tb_fmt_time(tb_json_num(st, "ci95_high", NULL), hi, sizeof hi);
    snprintf(out->ci, sizeof out->ci, "[%s, %s]", lo, hi);
    double cv = tb_json_num(st, "cv", NULL);
    snprintf(out->cv, sizeof out->cv, "%.1f%%%s", cv * 100, cv > 0.05 ? " !" : "");
    snprintf(out->n, sizeof out->n, "%lld", json_integer_value(json_object_get(st, "n")));
    return 1;
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
    tb_fmt_money(tb_json_num(r, base, NULL), m, sizeof m);
    snprintf(k, sizeof k, "%s_ci95_low", base);
    tb_fmt_money(tb_json_num(r, k, NULL), lo, sizeof lo);
    snprintf(k, sizeof k, "%s_ci95_high", base);
    tb_fmt_money(tb_json_num(r, k, NULL), hi, sizeof hi);
    snprintf(buf, cap, "%s [%s, %s]", m, lo, hi);
}
