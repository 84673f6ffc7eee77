/* The HTML report page (html.h): escaping, the page around the charts, the cost ranking and the
 * records table. The page is one file: inline CSS and SVG only, no script and no URL, so it opens
 * offline and from an archive the same way. */
#include "html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "json_path.h"
#include "output.h"
#include "util.h"

/* One byte of text: the five characters HTML gives a meaning to as entities, a control character
 * (other than tab and newline) as the visible text \xNN, anything else as it is. */
static void put_byte(FILE *f, unsigned char c)
{
    if (c == '&')
        fputs("&amp;", f);
    else if (c == '<')
        fputs("&lt;", f);
    else if (c == '>')
        fputs("&gt;", f);
    else if (c == '"')
        fputs("&quot;", f);
    else if (c == '\'')
        fputs("&#39;", f);
    else if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
        fprintf(f, "\\x%02x", c);
    else
        fputc(c, f);
}

void tb_html_text(FILE *f, const char *str)
{
    /* ill-formed UTF-8 becomes \xNN first (tb_utf8_escaped), the one rule tokbench carries such
     * bytes by; without memory for that copy, every byte above ASCII is shown that way */
    char *valid = tb_utf8_escaped(str ? str : "");
    for (const unsigned char *s = (const unsigned char *)(valid ? valid : str ? str : ""); *s; s++)
        if (!valid && *s >= 0x80)
            fprintf(f, "\\x%02x", *s);
        else
            put_byte(f, *s);
    free(valid);
}

static void cell(FILE *f, const char *s)
{
    fputs("<td>", f);
    tb_html_text(f, s);
    fputs("</td>", f);
}

/* ---- cost ranking ---- */

/* The row kept for an (instance, pricing): a measured one over a projected one (each instance's
 * row comes from its own measurements where it has them), then the cheaper blended median. */
static int better(const json_t *a, const json_t *b)
{
    int pa = json_is_true(json_object_get(a, "projected")), pb = json_is_true(json_object_get(b, "projected"));
    if (pa != pb)
        return pa < pb;
    double ma = tb_json_num(a, "usd_per_mtok_blended"), mb = tb_json_num(b, "usd_per_mtok_blended");
    return isfinite(ma) && (!isfinite(mb) || ma < mb);
}

static void cost_candidates(json_t *best, const tb_report_input *in)
{
    size_t i, j;
    const json_t *r, *c;
    json_array_foreach(json_object_get(in->rec, "rows"), i, r) json_array_foreach(json_object_get(r, "cost"), j, c)
    {
        char key[1024];
        snprintf(key, sizeof key, "%s\x1f%s\x1f%s", tb_json_str(c, "provider"), tb_json_str(c, "instance"),
                 tb_json_str(c, "pricing"));
        const json_t *old = json_object_get(best, key);
        if (old && !better(c, old))
            continue;
        json_t *row = json_deep_copy(c);
        json_object_set_new(row, "model", json_string(tb_report_model_name(in->rec)));
        json_object_set(row, "batch", json_object_get(r, "batch"));
        json_object_set(row, "threads", json_object_get(r, "threads"));
        json_object_set_new(row, "result", json_string_nocheck(in->file)); /* a file name: any bytes */
        json_object_set_new(best, key, row);
    }
}

static int by_blended(const void *pa, const void *pb)
{
    double a = tb_json_num(*(json_t *const *)pa, "usd_per_mtok_blended");
    double b = tb_json_num(*(json_t *const *)pb, "usd_per_mtok_blended");
    if (!isfinite(a) || !isfinite(b))
        return isfinite(b) - isfinite(a);
    return (a > b) - (a < b);
}

/* The blended median as a bar and its 95% CI as a whisker, on a scale shared by the table. */
static void ci_bar(FILE *f, const json_t *r, double max)
{
    double m = tb_json_num(r, "usd_per_mtok_blended"), lo = tb_json_num(r, "usd_per_mtok_blended_ci95_low");
    double hi = tb_json_num(r, "usd_per_mtok_blended_ci95_high");
    fputs("<td><svg class=\"ci\" width=\"160\" height=\"14\" viewBox=\"0 0 160 14\">", f);
    if (isfinite(m) && max > 0)
        fprintf(f, "<rect class=\"bar\" x=\"0\" y=\"3\" width=\"%.1f\" height=\"8\"/>", 150 * m / max);
    if (isfinite(lo) && isfinite(hi) && max > 0)
        fprintf(f, "<line class=\"whisker\" x1=\"%.1f\" y1=\"7\" x2=\"%.1f\" y2=\"7\"/><line class=\"whisker\" "
                   "x1=\"%.1f\" y1=\"2\" x2=\"%.1f\" y2=\"12\"/><line class=\"whisker\" x1=\"%.1f\" y1=\"2\" "
                   "x2=\"%.1f\" y2=\"12\"/>", 150 * lo / max, 150 * hi / max, 150 * lo / max, 150 * lo / max,
                150 * hi / max, 150 * hi / max);
    fputs("</svg></td>", f);
}

static void cost_row(FILE *f, size_t rank, const json_t *r, double max)
{
    int proj = json_is_true(json_object_get(r, "projected"));
    char buf[96];
    fprintf(f, "<tr class=\"cost-row %s\" data-blended=\"%.17g\"><td>%zu</td>", proj ? "projected" : "measured",
            tb_json_num(r, "usd_per_mtok_blended"), rank);
    cell(f, tb_json_str(r, "provider"));
    cell(f, tb_json_str(r, "region"));
    cell(f, tb_json_str(r, "instance"));
    cell(f, tb_json_str(r, "pricing"));
    tb_fmt_money(tb_json_num(r, "usd_per_hour"), buf, sizeof buf);
    cell(f, buf);
    static const char *cols[] = {"usd_per_mtok_input", "usd_per_mtok_output", "usd_per_mtok_blended"};
    for (int k = 0; k < 3; k++) {
        tb_fmt_money_ci(r, cols[k], buf, sizeof buf);
        cell(f, buf);
    }
    ci_bar(f, r, max);
    cell(f, proj ? "projected (estimate)" : "measured");
    cell(f, tb_json_str(r, "model"));
    snprintf(buf, sizeof buf, "%lld", tb_json_int(r, "batch"));
    cell(f, buf);
    snprintf(buf, sizeof buf, "%lld", tb_json_int(r, "threads"));
    cell(f, buf);
    cell(f, tb_json_str(r, "result"));
    fputs("</tr>\n", f);
}

static int cost_section(FILE *f, const tb_report_input *in, size_t n)
{
    json_t *best = json_object();
    for (size_t i = 0; i < n; i++)
        cost_candidates(best, &in[i]);
    size_t nrows = json_object_size(best), k = 0;
    json_t **rows = calloc(nrows + 1, sizeof *rows);
    if (!rows) {
        json_decref(best);
        return -1;
    }
    const char *key;
    json_t *r;
    double max = 0;
    json_object_foreach(best, key, r) {
        rows[k++] = r;
        double hi = tb_json_num(r, "usd_per_mtok_blended_ci95_high"), m = tb_json_num(r, "usd_per_mtok_blended");
        max = fmax(max, isfinite(hi) ? hi : isfinite(m) ? m : 0);
    }
    qsort(rows, nrows, sizeof *rows, by_blended);
    fputs("<section id=\"cost\"><h2>Cost ranking</h2>\n<p class=\"note\">US dollars per million tokens from the "
          "run rows' saved prices (<code>cost[]</code>), cheapest blended first; one row per (instance, pricing): "
          "its measured row where there is one, else the cheapest projected one. Projected rows (measured on "
          "another instance and scaled) are in italics and labelled.</p>\n", f);
    if (!nrows)
        fputs("<p>No priced run rows among the records.</p>\n", f);
    else
        fputs("<table class=\"cost\"><thead><tr><th>#</th><th>provider</th><th>region</th><th>instance</th>"
              "<th>pricing</th><th>$/hour</th><th>input $/Mtok [95% CI]</th><th>output $/Mtok [95% CI]</th>"
              "<th>blended $/Mtok [95% CI]</th><th>blended, CI</th><th>basis</th><th>model</th><th>batch</th>"
              "<th>threads</th><th>record</th></tr></thead><tbody>\n", f);
    for (size_t i = 0; i < nrows; i++)
        cost_row(f, i + 1, rows[i], max);
    if (nrows)
        fputs("</tbody></table>\n", f);
    fputs("</section>\n", f);
    free(rows);
    json_decref(best);
    return 0;
}

/* ---- records ---- */

/* The scalar members of o as "k=v" lines, in a cell (arrays and objects other than skipped). */
static void scalars_cell(FILE *f, const json_t *o)
{
    const char *k;
    const json_t *v;
    fputs("<td class=\"kv\">", f);
    json_object_foreach((json_t *)o, k, v) {
        char num[64];
        const char *s = num;
        if (json_is_string(v))
            s = json_string_value(v);
        else if (json_is_integer(v))
            snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        else if (json_is_real(v))
            snprintf(num, sizeof num, "%g", json_real_value(v));
        else if (json_is_boolean(v))
            s = json_is_true(v) ? "true" : "false";
        else
            continue;
        tb_html_text(f, k);
        fputs("=", f);
        tb_html_text(f, s);
        fputs("<br>", f);
    }
    fputs("</td>", f);
}

static void record_row(FILE *f, const tb_report_input *in)
{
    const json_t *rec = in->rec;
    char machine[256], what[512];
    fputs("<tr>", f);
    cell(f, in->file);
    cell(f, tb_json_str(rec, "started_at"));
    cell(f, tb_json_str(rec, "tool.commit"));
    cell(f, json_is_false(json_object_get(rec, "complete")) ? "no (interrupted)" : "yes");
    const char *cmd = tb_json_str(rec, "settings.command");
    snprintf(what, sizeof what, "%s %s", cmd, json_object_get(rec, "rows") ? tb_report_model_name(rec) : tb_json_str(rec, "settings.op"));
    cell(f, what);
    cell(f, tb_report_machine_label(rec, machine, sizeof machine));
    cell(f, tb_json_str(rec, "machine.cpu.brand"));
    scalars_cell(f, json_object_get(rec, "build"));
    scalars_cell(f, json_object_get(rec, "libs"));
    scalars_cell(f, json_object_get(rec, "settings"));
    fputs("</tr>\n", f);
}

static void records_section(FILE *f, const tb_report_input *in, size_t n)
{
    fprintf(f, "<section id=\"records\"><h2>Records</h2>\n<details><summary>Machine, build and settings of the %zu "
               "record%s</summary>\n<table class=\"records\"><thead><tr><th>file</th><th>started</th>"
               "<th>tool.commit</th><th>complete</th><th>command</th><th>machine</th><th>CPU</th><th>build</th>"
               "<th>libraries</th><th>settings</th></tr></thead><tbody>\n", n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++)
        record_row(f, &in[i]);
    fputs("</tbody></table></details></section>\n", f);
}

/* ---- the page ---- */

static const char css[] =
    "body{font-family:sans-serif;margin:1.5em;color:#222;max-width:1400px}"
    "h2{border-bottom:1px solid #ccc;margin-top:1.5em}.note{color:#555;font-size:90%}"
    "figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}figcaption{font-size:85%;max-width:580px}"
    "svg.chart{background:#fff;border:1px solid #ddd}.frame{fill:none;stroke:#eee}"
    ".axis line{stroke:#444}.axis text{font-size:11px;fill:#333}.axis .title{font-size:12px}"
    ".band{fill:#8ab4f8;fill-opacity:.45;stroke:none}.line{fill:none;stroke:#1a56c4;stroke-width:1.5}"
    ".pt{fill:#1a56c4;stroke:#fff}.roofline .pt{fill:#d93025}"
    ".roof{fill:none;stroke:#188038;stroke-width:2}.roof-label{font-size:11px;fill:#188038}"
    "table{border-collapse:collapse;font-size:85%}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;"
    "vertical-align:top}tr.projected{font-style:italic;color:#666}.ci .bar{fill:#8ab4f8}"
    ".ci .whisker{stroke:#222}td.kv{font-family:monospace;font-size:90%;white-space:nowrap}";

static int by_start(const void *pa, const void *pb)
{
    const tb_report_input *a = pa, *b = pb;
    int c = strcmp(tb_json_str(a->rec, "started_at"), tb_json_str(b->rec, "started_at"));
    return c ? c : strcmp(a->file, b->file);
}

int tb_html_report(FILE *f, tb_report_input *in, size_t n)
{
    qsort(in, n, sizeof *in, by_start);
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tokbench report</title>\n"
               "<style>%s</style></head><body>\n<h1>tokbench report</h1>\n<p>%zu record%s: ", css, n, n == 1 ? "" : "s");
    if (n) {
        tb_html_text(f, tb_json_str(in[0].rec, "started_at"));
        fputs(" to ", f);
        tb_html_text(f, tb_json_str(in[n - 1].rec, "started_at"));
    }
    fputs(". <a href=\"#trends\">Trends</a> &middot; <a href=\"#rooflines\">Rooflines</a> &middot; "
          "<a href=\"#cost\">Cost ranking</a> &middot; <a href=\"#records\">Records</a></p>\n", f);
    int rc = tb_report_trends(f, in, n) | tb_report_rooflines(f, in, n) | cost_section(f, in, n);
    records_section(f, in, n);
    fputs("</body></html>\n", f);
    return rc || ferror(f) ? -1 : 0;
}
