/* The report's chart sections (charts.h): which series and points the records hold, each drawn by
 * svg.c. A benchmark is one series per machine (fingerprint): a trend across machines would mix
 * hardware into what looks like a change over time. */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "html.h"
#include "json_path.h"
#include "svg.h"

static json_t *jnum(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* The scalar members of o as "k=v k=v" (a shape, say). */
static void scalars_text(const json_t *o, char *buf, size_t cap)
{
    const char *k;
    const json_t *v;
    size_t used = 0;
    buf[0] = '\0';
    json_object_foreach((json_t *)o, k, v) {
        char val[128];
        if (json_is_integer(v))
            snprintf(val, sizeof val, "%lld", (long long)json_integer_value(v));
        else if (json_is_number(v))
            snprintf(val, sizeof val, "%g", json_number_value(v));
        else if (json_is_string(v))
            snprintf(val, sizeof val, "%s", json_string_value(v));
        else
            continue;
        int w = snprintf(buf + used, cap - used, "%s%s=%s", used ? " " : "", k, val);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

const char *tb_report_machine_label(const json_t *rec, char *buf, size_t cap)
{
    const char *type = tb_json_str_or(rec, "machine.instance.type", NULL);
    snprintf(buf, cap, "%s%s%s", type ? type : "", type ? " " : "", tb_json_str_or(rec, "machine.fingerprint", "?"));
    return buf;
}

const char *tb_report_model_name(const json_t *rec)
{
    const json_t *model = json_object_get(rec, "model");
    return json_is_string(model) ? json_string_value(model) : tb_json_str_or(rec, "model.name", "?");
}

static tb_trend_changes_fn trend_changes;

void tb_report_on_trend_changes(tb_trend_changes_fn fn) { trend_changes = fn; }

/* Appends one point to the series named key (made with its unit on first use); samples (the raw
 * times, or NULL) are for the change detector. */
static void add_point(json_t *series, const char *key, const char *unit, const tb_report_input *in, double med,
                      double lo, double hi, const char *what, const json_t *samples)
{
    json_t *s = json_object_get(series, key);
    if (!s) {
        s = json_pack("{s:s, s:[]}", "unit", unit, "points");
        json_object_set_new(series, key, s);
    }
    const char *commit = tb_json_str_or(in->rec, "tool.commit", "?");
    char title[1024];
    snprintf(title, sizeof title, "%s (%s): %s %.4g [%.4g, %.4g] from %s", commit,
             tb_json_str_or(in->rec, "started_at", "?"), what, med, lo, hi, in->file);
    json_t *p = json_pack("{s:o, s:o, s:o, s:s}", "median", jnum(med), "lo", jnum(lo), "hi", jnum(hi), "label", commit);
    /* the title holds a file name, which need not be UTF-8: the escaping shows such bytes */
    json_object_set_new(p, "title", json_string_nocheck(title));
    if (json_is_array(samples))
        json_object_set(p, "samples_ns", (json_t *)samples);
    json_array_append_new(json_object_get(s, "points"), p);
}

static void bench_series(json_t *series, const tb_report_input *in, const char *machine)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(in->rec, "cases"), i, c) {
        double med = tb_json_num(c, "stats.median");
        if (!isfinite(med))
            continue;
        char shape[256], key[1024];
        scalars_text(json_object_get(c, "shape"), shape, sizeof shape);
        const char *variant = tb_json_str_or(c, "variant", "");
        snprintf(key, sizeof key, "bench %s%s%s %s %s %s threads=%lld%s on %s", tb_json_str(c, "op"),
                 *variant ? " " : "", variant, tb_json_str(c, "backend"), tb_json_str(c, "dtype"), shape,
                 tb_json_int(c, "threads"), json_is_true(tb_json_at(c, "cold_weights.enabled")) ? " cold" : "", machine);
        add_point(series, key, "µs per call (lower is better)", in, med / 1e3,
                  tb_json_num(c, "stats.ci95_low") / 1e3, tb_json_num(c, "stats.ci95_high") / 1e3, "median us",
                  json_object_get(c, "samples_ns"));
    }
}

static void run_series(json_t *series, const tb_report_input *in, const char *machine)
{
    static const char *phases[] = {"prefill", "decode"};
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(in->rec, "rows"), i, r) {
        for (int ph = 0; ph < 2; ph++) {
            char p[64], key[1024];
            snprintf(p, sizeof p, "%s.tokens_per_s.median", phases[ph]);
            double med = tb_json_num(r, p);
            if (!isfinite(med))
                continue;
            snprintf(key, sizeof key, "run %s %s batch=%lld threads=%lld prompt=%lld ctx=%lld %s on %s",
                     tb_report_model_name(in->rec), tb_json_str(r, "dtype"), tb_json_int(r, "batch"),
                     tb_json_int(r, "threads"), tb_json_int(r, "prompt"), tb_json_int(r, "ctx"), phases[ph], machine);
            snprintf(p, sizeof p, "%s.tokens_per_s.ci95_low", phases[ph]);
            double lo = tb_json_num(r, p);
            snprintf(p, sizeof p, "%s.tokens_per_s.ci95_high", phases[ph]);
            add_point(series, key, "tokens/s (higher is better)", in, med, lo, tb_json_num(r, p), "median tokens/s",
                      json_object_get(tb_json_at(r, phases[ph]), "samples_ns"));
        }
    }
}

/* Hands each change to the point where it begins, as that point's "change". */
static void mark_changes(const char *key, json_t *s)
{
    if (!trend_changes)
        return;
    int run = strncmp(key, "run ", 4) == 0; /* tokens/s, end to end; else a kernel's time */
    json_t *pts = json_object_get(s, "points"), *changes = trend_changes(pts, run, run);
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c) {
        json_t *p = json_array_get(pts, (size_t)tb_json_int(c, "index"));
        if (p)
            json_object_set(p, "change", c);
    }
    json_decref(changes);
}

int tb_report_trends(FILE *f, const tb_report_input *in, size_t n)
{
    json_t *series = json_object();
    for (size_t i = 0; i < n; i++) {
        char machine[256];
        tb_report_machine_label(in[i].rec, machine, sizeof machine);
        bench_series(series, &in[i], machine);
        run_series(series, &in[i], machine);
    }
    fprintf(f, "<section id=\"trends\"><h2>Trends</h2>\n<p class=\"note\">One chart per benchmark and machine: "
               "the median of each record, with its 95%% confidence interval as the band, in the order the records "
               "started; the x labels are tool.commit. A dashed line marks where a step or a drift was detected "
               "(the same rule as compare against the 7 records before; hover its triangle for the figures).</p>\n");
    if (json_object_size(series) == 0)
        fprintf(f, "<p>No timed bench case or run row among the records.</p>\n");
    const char *key;
    json_t *s;
    json_object_foreach(series, key, s) {
        fprintf(f, "<figure class=\"trend\"><figcaption>");
        tb_html_text(f, key);
        fprintf(f, "</figcaption>\n");
        mark_changes(key, s);
        tb_svg_trend(f, json_object_get(s, "points"), tb_json_str(s, "unit"));
        fprintf(f, "</figure>\n");
    }
    fprintf(f, "</section>\n");
    json_decref(series);
    return 0;
}

/* The machine's entry: its label, the highest ceilings seen, its points. */
static json_t *roof_machine(json_t *machines, const json_t *rec)
{
    const char *fp = tb_json_str_or(rec, "machine.fingerprint", "?");
    json_t *m = json_object_get(machines, fp);
    if (!m) {
        char label[256];
        m = json_pack("{s:s, s:f, s:f, s:[]}", "label", tb_report_machine_label(rec, label, sizeof label), "peak", 0.0,
                      "bw", 0.0, "points");
        json_object_set_new(machines, fp, m);
    }
    return m;
}

static void raise_to(json_t *m, const char *key, double v)
{
    if (isfinite(v) && v > tb_json_num(m, key))
        json_object_set_new(m, key, json_real(v));
}

static void add_roof_point(json_t *m, double ai, double gflops, const char *title)
{
    if (isfinite(ai) && ai > 0 && isfinite(gflops) && gflops > 0)
        json_array_append_new(json_object_get(m, "points"), json_pack("{s:f, s:f, s:o}", "ai", ai, "gflops", gflops,
                                                                      "title", json_string_nocheck(title)));
}

/* Bench cases: peak and stream cases set the ceilings, the others are points. */
static void bench_roof(json_t *m, const tb_report_input *in)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(in->rec, "cases"), i, c) {
        const char *op = tb_json_str(c, "op");
        double g = tb_json_num(c, "rate.gflops"), b = tb_json_num(c, "rate.gbps");
        if (strcmp(op, "peak") == 0) {
            raise_to(m, "peak", g);
            continue;
        }
        if (strcmp(op, "stream") == 0) {
            raise_to(m, "bw", b);
            continue;
        }
        char shape[256], title[1024];
        scalars_text(json_object_get(c, "shape"), shape, sizeof shape);
        snprintf(title, sizeof title, "bench %s %s %s %s: %.4g GFLOP/s at %.4g flop/byte (%s)", op,
                 tb_json_str(c, "backend"), tb_json_str(c, "dtype"), shape, g, g / b, in->file);
        add_roof_point(m, g / b, g, title);
    }
}

/* Run rows: their ceilings, and each phase at its analytic flops and bytes per call. */
static void run_roof(json_t *m, const tb_report_input *in)
{
    static const char *phases[] = {"prefill", "decode"};
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(in->rec, "rows"), i, r) {
        raise_to(m, "peak", tb_json_num(r, "roofline.peak_gflops"));
        raise_to(m, "bw", tb_json_num(r, "roofline.bandwidth_gbps"));
        for (int ph = 0; ph < 2; ph++) {
            const json_t *cost = json_object_get(json_object_get(r, "roofline"), phases[ph]);
            char p[64], title[1024];
            snprintf(p, sizeof p, "%s.tokens_per_s.median", phases[ph]);
            double tps = tb_json_num(r, p), flops = tb_json_num(cost, "flops");
            double bytes = tb_json_num(cost, "weight_bytes") + tb_json_num(cost, "kv_bytes") + tb_json_num(cost, "act_bytes");
            double tokens = (double)tb_json_int(r, "batch") * (ph == 0 ? (double)tb_json_int(r, "prompt") : 1.0);
            double g = flops * tps / tokens / 1e9;
            snprintf(title, sizeof title, "run %s %s batch=%lld threads=%lld %s: %.4g GFLOP/s at %.4g flop/byte (%s)",
                     tb_report_model_name(in->rec), tb_json_str(r, "dtype"), tb_json_int(r, "batch"),
                     tb_json_int(r, "threads"), phases[ph], g, flops / bytes, in->file);
            add_roof_point(m, flops / bytes, g, title);
        }
    }
}

int tb_report_rooflines(FILE *f, const tb_report_input *in, size_t n)
{
    json_t *machines = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *m = roof_machine(machines, in[i].rec);
        bench_roof(m, &in[i]);
        run_roof(m, &in[i]);
    }
    fprintf(f, "<section id=\"rooflines\"><h2>Rooflines</h2>\n<p class=\"note\">One chart per machine "
               "(fingerprint), log-log: the measured compute peak and memory bandwidth (the highest any record of "
               "that machine holds) as the roof, each kernel case and each run phase (prefill, decode) as a point; "
               "hover a point for what it is.</p>\n");
    const char *fp;
    json_t *m;
    json_object_foreach(machines, fp, m) {
        double peak = tb_json_num(m, "peak"), bw = tb_json_num(m, "bw");
        fprintf(f, "<figure class=\"roofline\"><figcaption>");
        tb_html_text(f, tb_json_str(m, "label"));
        if (!(peak > 0 && bw > 0))
            fprintf(f, " (no measured peak and bandwidth in these records: no roof drawn)");
        fprintf(f, "</figcaption>\n");
        tb_svg_roofline(f, json_object_get(m, "points"), peak, bw);
        fprintf(f, "</figure>\n");
    }
    fprintf(f, "</section>\n");
    json_decref(machines);
    return 0;
}
