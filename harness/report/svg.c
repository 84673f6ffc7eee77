/* Inline SVG charts (svg.h). Coordinates are computed here and written as numbers; every string
 * from a record (labels, tooltips) goes through tb_html_text. */
#include "svg.h"

#include <math.h>
#include <string.h>

#include "html.h"
#include "json_path.h"

/* The plot area inside a W x H chart: margins leave room for the tick labels. */
enum { W = 580, H = 320, ML = 72, MR = 24, MT = 20, MB = 64 };
#define PW ((double)(W - ML - MR))
#define PH ((double)(H - MT - MB))

typedef struct scale {
    double lo, hi;
    int log;
} scale;

static double to_unit(const scale *s, double v)
{
    if (s->log)
        return (log10(v) - log10(s->lo)) / (log10(s->hi) - log10(s->lo));
    return (v - s->lo) / (s->hi - s->lo);
}

static double sx(const scale *s, double v) { return ML + PW * to_unit(s, v); }
static double sy(const scale *s, double v) { return MT + PH * (1.0 - to_unit(s, v)); }

/* A tick value as short text: 3 significant digits, no exponent below a million. */
static void tick_text(double v, char *buf, size_t cap)
{
    if (fabs(v) >= 1e6 || (v != 0 && fabs(v) < 1e-3))
        snprintf(buf, cap, "%.2g", v);
    else
        snprintf(buf, cap, "%.4g", v);
}

/* A step of 1, 2 or 5 times a power of ten that cuts the span into about five. */
static double nice_step(double span)
{
    double raw = span / 5, p = pow(10, floor(log10(raw))), m = raw / p;
    return p * (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10);
}

static void open_chart(FILE *f, const char *kind)
{
    fprintf(f, "<svg class=\"chart %s\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n", kind, W, H,
            W, H);
    fprintf(f, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%g\" height=\"%g\"/>\n", ML, MT, PW, PH);
}

/* The y axis with its ticks and title: linear ticks at a nice step, log ticks at each decade. */
static void y_axis(FILE *f, const scale *s, const char *title)
{
    char t[32];
    fprintf(f, "<g class=\"axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%g\"/>\n", ML, MT, ML, MT + PH);
    double step = s->log ? 0 : nice_step(s->hi - s->lo);
    double v = s->log ? pow(10, ceil(log10(s->lo) - 1e-9)) : ceil(s->lo / step) * step;
    /* NOLINTNEXTLINE(cert-flp30-c): the ticks are values; the integer i bounds the loop */
    for (int i = 0; v <= s->hi * (1 + 1e-9) && i < 40; i++, v = s->log ? v * 10 : v + step) {
        tick_text(v, t, sizeof t);
        fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/><text class=\"tick\" x=\"%d\" y=\"%.1f\" "
                   "text-anchor=\"end\">%s</text>\n", ML - 5, sy(s, v), ML, sy(s, v), ML - 8, sy(s, v) + 4, t);
    }
    fprintf(f, "<text class=\"title\" transform=\"translate(16 %g) rotate(-90)\" text-anchor=\"middle\">", MT + PH / 2);
    tb_html_text(f, title);
    fprintf(f, "</text></g>\n");
}

/* The x axis line and its title; the ticks are the caller's. */
static void x_axis_open(FILE *f, const char *title)
{
    fprintf(f, "<g class=\"axis\"><line x1=\"%d\" y1=\"%g\" x2=\"%g\" y2=\"%g\"/>\n", ML, MT + PH, ML + PW, MT + PH);
    fprintf(f, "<text class=\"title\" x=\"%g\" y=\"%d\" text-anchor=\"middle\">", ML + PW / 2, H - 6);
    tb_html_text(f, title);
    fprintf(f, "</text>\n");
}

static void point(FILE *f, double x, double y, const json_t *p)
{
    fprintf(f, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"4\"><title>", x, y);
    tb_html_text(f, tb_json_str(p, "title"));
    fprintf(f, "</title></circle>\n");
}

/* A detected change at x: a dashed line across the plot and a triangle at its top, whose title
 * gives the figures: <g class="change KIND VERDICT">. */
static void change_mark(FILE *f, double x, const json_t *c, const char *label)
{
    const char *kind = tb_json_str(c, "kind"), *verdict = tb_json_str(c, "verdict");
    const char *colour = strcmp(verdict, "regressed") == 0 ? "#c62828" : "#2e7d32";
    fprintf(f, "<g class=\"change ");
    tb_html_text(f, kind);
    fprintf(f, " ");
    tb_html_text(f, verdict);
    fprintf(f, "\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%g\" stroke=\"%s\" stroke-dasharray=\"5 4\"/>"
               "<path d=\"M%.1f %d l-6 -10 h12 z\" fill=\"%s\"/><title>", x, MT, x, MT + PH, colour, x, MT + 10, colour);
    const json_t *base = json_object_get(c, "baseline");
    char text[512];
    snprintf(text, sizeof text, "%s %s at %s: time ratio %.4g [%.4g, %.4g] against records %lld to %lld, p adjusted %.3g",
             kind, verdict, label, tb_json_num(c, "ratio"), tb_json_num(c, "ci95_low"), tb_json_num(c, "ci95_high"),
             (long long)json_integer_value(json_array_get(base, 0)) + 1,
             (long long)json_integer_value(json_array_get(base, 1)) + 1, tb_json_num(c, "p_adjusted"));
    tb_html_text(f, text);
    fprintf(f, "</title></g>\n");
}

/* The y range of a trend: every lo and hi (the median where the interval is missing), padded. */
static scale trend_scale(const json_t *pts)
{
    scale s = {INFINITY, -INFINITY, 0};
    size_t i;
    const json_t *p;
    json_array_foreach(pts, i, p) {
        static const char *keys[] = {"lo", "hi", "median"};
        for (int k = 0; k < 3; k++) {
            double v = tb_json_num(p, keys[k]);
            if (isfinite(v)) {
                s.lo = fmin(s.lo, v);
                s.hi = fmax(s.hi, v);
            }
        }
    }
    double pad = s.hi > s.lo ? 0.1 * (s.hi - s.lo) : fmax(fabs(s.hi) * 0.1, 1);
    s.lo = fmax(0, s.lo - pad);
    s.hi += pad;
    return s;
}

static double trend_x(size_t i, size_t n) { return n < 2 ? ML + PW / 2 : ML + PW * (0.05 + 0.9 * (double)i / (double)(n - 1)); }

/* The CI band as one polygon: lo left to right, then hi right to left. */
static void trend_band(FILE *f, const json_t *pts, const scale *s)
{
    size_t n = json_array_size(pts);
    if (n == 1) {
        /* one record: a band as wide as its point, so it shows */
        const json_t *p = json_array_get(pts, 0);
        double lo = tb_json_num(p, "lo"), hi = tb_json_num(p, "hi");
        if (isfinite(lo) && isfinite(hi))
            fprintf(f, "<rect class=\"band\" x=\"%.1f\" y=\"%.1f\" width=\"16\" height=\"%.1f\"/>\n", trend_x(0, 1) - 8,
                    sy(s, hi), sy(s, lo) - sy(s, hi));
        return;
    }
    fprintf(f, "<polygon class=\"band\" points=\"");
    for (size_t k = 0; k < 2 * n; k++) {
        size_t i = k < n ? k : 2 * n - 1 - k;
        const json_t *p = json_array_get(pts, i);
        double v = tb_json_num(p, k < n ? "lo" : "hi");
        if (!isfinite(v))
            v = tb_json_num(p, "median");
        fprintf(f, "%.1f,%.1f ", trend_x(i, n), sy(s, v));
    }
    fprintf(f, "\"/>\n");
}

void tb_svg_trend(FILE *f, const json_t *pts, const char *unit)
{
    size_t n = json_array_size(pts), i;
    const json_t *p;
    scale s = trend_scale(pts);
    open_chart(f, "trend");
    trend_band(f, pts, &s);
    fprintf(f, "<polyline class=\"line\" points=\"");
    json_array_foreach(pts, i, p) fprintf(f, "%.1f,%.1f ", trend_x(i, n), sy(&s, tb_json_num(p, "median")));
    fprintf(f, "\"/>\n");
    y_axis(f, &s, unit);
    x_axis_open(f, "record (by start time), labelled by tool.commit");
    /* as many labels as fit side by side (about 6 px a character at the tick font), evenly spaced */
    size_t longest = 1;
    json_array_foreach(pts, i, p) {
        size_t len = strlen(tb_json_str(p, "label"));
        longest = len > longest ? len : longest;
    }
    size_t fit = (size_t)(PW / (6.0 * (double)longest + 10.0));
    fit = fit ? fit : 1;
    size_t every = n > fit ? (n + fit - 1) / fit : 1;
    json_array_foreach(pts, i, p) {
        if (i % every)
            continue;
        double x = trend_x(i, n);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\"/><text class=\"tick\" x=\"%.1f\" y=\"%g\" "
                   "text-anchor=\"middle\">", x, MT + PH, x, MT + PH + 5, x, MT + PH + 18);
        tb_html_text(f, tb_json_str(p, "label"));
        fprintf(f, "</text>\n");
    }
    fprintf(f, "</g>\n");
    json_array_foreach(pts, i, p) {
        double m = tb_json_num(p, "median");
        if (isfinite(m))
            point(f, trend_x(i, n), sy(&s, m), p);
    }
    json_array_foreach(pts, i, p) if (json_object_get(p, "change"))
        change_mark(f, trend_x(i, n), json_object_get(p, "change"), tb_json_str(p, "label"));
    fprintf(f, "</svg>\n");
}

/* Decades around every point and the ridge (peak / bandwidth), so the roof's corner shows. */
static void roof_scales(const json_t *pts, double peak, double bw, scale *x, scale *y)
{
    *x = (scale){INFINITY, -INFINITY, 1};
    *y = (scale){INFINITY, -INFINITY, 1};
    size_t i;
    const json_t *p;
    json_array_foreach(pts, i, p) {
        double a = tb_json_num(p, "ai"), g = tb_json_num(p, "gflops");
        x->lo = fmin(x->lo, a), x->hi = fmax(x->hi, a);
        y->lo = fmin(y->lo, g), y->hi = fmax(y->hi, g);
    }
    if (peak > 0 && bw > 0) {
        x->lo = fmin(x->lo, peak / bw / 10), x->hi = fmax(x->hi, peak / bw * 10);
        y->hi = fmax(y->hi, peak);
        y->lo = fmin(y->lo, bw * x->lo);
    }
    if (!(x->lo <= x->hi))
        *x = (scale){0.1, 100, 1};
    if (!(y->lo <= y->hi))
        *y = (scale){1, 1000, 1};
    x->lo = pow(10, floor(log10(x->lo))), x->hi = pow(10, ceil(log10(x->hi) + 1e-9));
    y->lo = pow(10, floor(log10(y->lo))), y->hi = pow(10, ceil(log10(y->hi) + 1e-9));
}

/* The roof: y = min(peak, bw * ai) from the left edge to the right one, with its two labels. */
static void roof_line(FILE *f, const scale *x, const scale *y, double peak, double bw)
{
    if (!(peak > 0 && bw > 0))
        return;
    double ridge = peak / bw, a0 = x->lo, a1 = x->hi;
    fprintf(f, "<polyline class=\"roof\" points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"/>\n", sx(x, a0), sy(y, bw * a0),
            sx(x, ridge), sy(y, peak), sx(x, a1), sy(y, peak));
    fprintf(f, "<text class=\"roof-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">peak %.4g GFLOP/s</text>\n",
            sx(x, a1) - 4, sy(y, peak) - 6, peak);
    fprintf(f, "<text class=\"roof-label\" x=\"%.1f\" y=\"%.1f\">bandwidth %.4g GB/s</text>\n", sx(x, a0) + 4,
            sy(y, bw * a0) - 6, bw);
}

void tb_svg_roofline(FILE *f, const json_t *pts, double peak_gflops, double bw_gbps)
{
    scale x, y;
    char t[32];
    roof_scales(pts, peak_gflops, bw_gbps, &x, &y);
    open_chart(f, "roofline");
    roof_line(f, &x, &y, peak_gflops, bw_gbps);
    y_axis(f, &y, "GFLOP/s");
    x_axis_open(f, "arithmetic intensity (flop/byte)");
    /* Decades. The integer i bounds the loop: a point at intensity 0 makes x.lo 0, which * 10 never
     * leaves. */
    double v = x.lo;
    /* NOLINTNEXTLINE(cert-flp30-c) */
    for (int i = 0; v <= x.hi * (1 + 1e-9) && i < 40; i++, v *= 10) {
        tick_text(v, t, sizeof t);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\"/><text class=\"tick\" x=\"%.1f\" y=\"%g\" "
                   "text-anchor=\"middle\">%s</text>\n", sx(&x, v), MT + PH, sx(&x, v), MT + PH + 5, sx(&x, v),
                MT + PH + 18, t);
    }
    fprintf(f, "</g>\n");
    size_t i;
    const json_t *p;
    json_array_foreach(pts, i, p) point(f, sx(&x, tb_json_num(p, "ai")), sy(&y, tb_json_num(p, "gflops")), p);
    fprintf(f, "</svg>\n");
}
