/* tokbench report: the HTML page of the fixture records (one file, no URL, each chart with its
 * axes and one point per measurement, the cost table cheapest first), a record with markup in its
 * names shown as text, the escaping itself, and the refusals. Where chromium-headless-shell is on
 * PATH the page is also rendered: the points and axes are in the DOM, no script element is, and a
 * screenshot is taken. */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "html.h"
#include "testmain.h"
#include "testutil.h"

#define XSS "<script>alert(1)</script>"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s: cannot open", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_of(const char *s, const char *what)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
        n++;
    return n;
}

/* Points each chart kind should have, counted from the records the way SPEC.md defines them: a
 * trend point per timed case and per run phase with a median; a roofline point per case with
 * both rates (not peak or stream) and per run phase with its analytic flops. */
typedef struct expect {
    int trend, roof;
} expect;

static void expect_record(const json_t *rec, expect *e)
{
    size_t i;
    const json_t *c;
    json_array_foreach(json_object_get(rec, "cases"), i, c) {
        e->trend += tb_test_path((json_t *)c, "stats.median") != NULL;
        const char *op = json_string_value(json_object_get(c, "op"));
        e->roof += json_is_number(tb_test_path((json_t *)c, "rate.gflops")) &&
                   json_is_number(tb_test_path((json_t *)c, "rate.gbps")) && strcmp(op, "peak") && strcmp(op, "stream");
    }
    json_array_foreach(json_object_get(rec, "rows"), i, c) {
        e->trend += (tb_test_path((json_t *)c, "prefill.tokens_per_s.median") != NULL) +
                    (tb_test_path((json_t *)c, "decode.tokens_per_s.median") != NULL);
        e->roof += (tb_test_path((json_t *)c, "roofline.prefill.flops") != NULL) +
                   (tb_test_path((json_t *)c, "roofline.decode.flops") != NULL);
    }
}

static void expect_dir(const char *dir, expect *e)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *ent; (ent = readdir(d));) {
        char p[4096];
        struct stat st;
        if (ent->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, ent->d_name);
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
            expect_dir(p, e);
        } else if (strstr(ent->d_name, ".json")) {
            json_t *rec = json_load_file(p, 0, NULL);
            ck_assert_ptr_nonnull(rec);
            expect_record(rec, e);
            json_decref(rec);
        }
    }
    closedir(d);
}

/* Each <svg class="chart KIND"> has two axes; the points of all charts of a kind add up. */
static void check_charts(const char *html, const char *kind, int want_points)
{
    char open[64];
    snprintf(open, sizeof open, "<svg class=\"chart %s\"", kind);
    int points = 0, charts = 0;
    for (const char *p = html; (p = strstr(p, open)); p++) {
        const char *end = strstr(p, "</svg>");
        ck_assert_ptr_nonnull(end);
        size_t len = (size_t)(end - p);
        char *svg = strndup(p, len);
        ck_assert_int_eq(count_of(svg, "<g class=\"axis\">"), 2);
        points += count_of(svg, "class=\"pt\"");
        free(svg);
        charts++;
    }
    ck_assert_msg(charts > 0, "no %s chart", kind);
    ck_assert_int_eq(points, want_points);
}

static void check_offline(const char *html)
{
    ck_assert_ptr_null(strstr(html, "http://"));
    ck_assert_ptr_null(strstr(html, "https://"));
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "<link"));
    ck_assert_ptr_nonnull(strstr(html, "<details>"));
}

/* Runs report on args (writing out) and returns the page. */
static char *report(const char *args, const char *out)
{
    char cmd[16384];
    snprintf(cmd, sizeof cmd, "report %s -o '%s'", args, out);
    tb_run_result r = tb_test_run(NULL, cmd);
    ck_assert_msg(r.status == 0, "report %s: exit %d: %s", args, r.status, r.err);
    tb_test_run_free(&r);
    return read_all(out);
}

static int have_chromium(void) { return system("command -v chromium-headless-shell >/dev/null 2>&1") == 0; }

/* The DOM chromium builds from page, serialized. */
static char *rendered_dom(const char *page)
{
    char cmd[16384], dom[4200];
    snprintf(dom, sizeof dom, "%s.dom", page);
    snprintf(cmd, sizeof cmd, "chromium-headless-shell --headless --no-sandbox --disable-gpu --dump-dom 'file://%s' "
                              ">'%s' 2>/dev/null", page, dom);
    ck_assert_int_eq(system(cmd), 0);
    char *html = read_all(dom);
    unlink(dom);
    return html;
}

/* The DOM chromium builds from page: the chart elements are there and no script is. */
static void check_rendered(const char *page, const char *png, int trend_pts, int roof_pts)
{
    char cmd[16384];
    char *html = rendered_dom(page);
    check_charts(html, "trend", trend_pts);
    check_charts(html, "roofline", roof_pts);
    ck_assert_ptr_null(strstr(html, "<script"));
    free(html);
    snprintf(cmd, sizeof cmd, "chromium-headless-shell --headless --no-sandbox --disable-gpu --screenshot='%s' "
                              "--window-size=1280,2000 'file://%s' >/dev/null 2>&1", png, page);
    ck_assert_int_eq(system(cmd), 0);
    struct stat st;
    ck_assert_int_eq(stat(png, &st), 0);
    ck_assert_int_gt(st.st_size, 0);
}

START_TEST(fixtures_make_one_offline_page)
{
    char *dir = tb_test_tmpdir(), out[4096];
    snprintf(out, sizeof out, "%s/report.html", dir);
    expect e = {0, 0};
    expect_dir(tb_test_fixture("results"), &e);
    char *html = report(tb_test_fixture("results"), out);
    check_offline(html);
    check_charts(html, "trend", e.trend);
    check_charts(html, "roofline", e.roof);
    free(html);
    /* two machines' folders merge into one page, and only the page is left in the directory */
    expect m = {0, 0};
    expect_dir(tb_test_fixture("results/sweep/machine-a"), &m);
    expect_dir(tb_test_fixture("results/sweep/machine-b"), &m);
    char args[8192];
    snprintf(args, sizeof args, "'%s' '%s'", tb_test_fixture("results/sweep/machine-a"),
             tb_test_fixture("results/sweep/machine-b"));
    html = report(args, out);
    check_charts(html, "trend", m.trend);
    check_charts(html, "roofline", m.roof);
    ck_assert_int_eq(tb_test_count_entries(dir), 1);
    if (have_chromium()) {
        char png[4200];
        snprintf(png, sizeof png, "%s/report.png", dir);
        check_rendered(out, png, m.trend, m.roof);
        unlink(png);
    }
    free(html);
    unlink(out);
    rmdir(dir);
    free(dir);
}
END_TEST

/* The <figure> of the trend whose caption holds caption, as a new string. */
static char *trend_figure(const char *html, const char *caption)
{
    const char *cap = strstr(html, caption);
    ck_assert_msg(cap != NULL, "no trend '%s'", caption);
    const char *end = strstr(cap, "</figure>");
    ck_assert_ptr_nonnull(end);
    return strndup(cap, (size_t)(end - cap));
}

/* The nightly series of tests/fixtures/steps (check_steps.c has each one's answer): a change is a
 * dashed line with a titled triangle on its trend, in the page and in the DOM chromium renders. */
START_TEST(detected_changes_are_marked_on_their_trends)
{
    char *dir = tb_test_tmpdir(), out[4096];
    snprintf(out, sizeof out, "%s/steps.html", dir);
    char *page = report(tb_test_fixture("steps"), out);
    char *doms[2] = {page, have_chromium() ? rendered_dom(out) : NULL};
    for (int d = 0; d < 2 && doms[d]; d++) {
        const char *html = doms[d];
        /* step20, faster20, step20-latest and outlier-latest: steps; drift: a drift */
        ck_assert_int_eq(count_of(html, "<g class=\"change "), 5);
        char *fig = trend_figure(html, "gemm step20 portable");
        ck_assert_int_eq(count_of(fig, "<g class=\"change step regressed\">"), 1);
        ck_assert_ptr_nonnull(strstr(fig, "<title>step regressed at n14: time ratio 1.1"));
        free(fig);
        fig = trend_figure(html, "gemm drift portable");
        ck_assert_int_eq(count_of(fig, "<g class=\"change drift regressed\">"), 1);
        free(fig);
        fig = trend_figure(html, "gemm faster20 portable");
        ck_assert_int_eq(count_of(fig, "<g class=\"change step improved\">"), 1);
        free(fig);
        const char *quiet[] = {"gemm noise ", "gemm step3 ", "gemm outlier ", "gemm bimodal ", "gemm one-sample "};
        for (size_t i = 0; i < sizeof quiet / sizeof *quiet; i++) {
            fig = trend_figure(html, quiet[i]);
            ck_assert_msg(strstr(fig, "class=\"change") == NULL, "%s: marked", quiet[i]);
            free(fig);
        }
    }
    free(doms[1]);
    free(page);
    unlink(out);
    rmdir(dir);
    free(dir);
}
END_TEST

static json_t *cost(const char *inst, const char *pricing, double blended, int projected)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b}", "provider", "aws",
                     "region", "us-east-1", "instance", inst, "pricing", pricing, "usd_per_hour", 0.7,
                     "usd_per_mtok_input", blended / 2, "usd_per_mtok_input_ci95_low", blended / 2.2,
                     "usd_per_mtok_input_ci95_high", blended / 1.8, "usd_per_mtok_output", blended * 2,
                     "usd_per_mtok_output_ci95_low", blended * 1.8, "usd_per_mtok_output_ci95_high", blended * 2.2,
                     "usd_per_mtok_blended", blended, "usd_per_mtok_blended_ci95_low", blended * 0.9,
                     "usd_per_mtok_blended_ci95_high", blended * 1.1, "projected", projected);
}

/* A run fixture whose instance and model are markup, whose rows carry prices and analytic phase
 * costs, saved under a file name that is not UTF-8. */
static void write_crafted(const char *dir, char *path, size_t cap)
{
    json_t *rec = json_load_file(tb_test_fixture("results/run-aws-c7i-4xlarge.json"), 0, NULL);
    ck_assert_ptr_nonnull(rec);
    json_object_set_new(json_object_get(json_object_get(rec, "machine"), "instance"), "type", json_string(XSS));
    json_object_set_new(rec, "model", json_string(XSS));
    size_t i;
    json_t *r;
    json_array_foreach(json_object_get(rec, "rows"), i, r) {
        json_t *roof = json_object_get(r, "roofline");
        json_object_set_new(roof, "prefill", json_pack("{s:f, s:f, s:f, s:f}", "flops", 1.2e12, "weight_bytes", 7e8,
                                                       "kv_bytes", 1e7, "act_bytes", 1e7));
        json_object_set_new(roof, "decode", json_pack("{s:f, s:f, s:f, s:f}", "flops", 2.4e9, "weight_bytes", 7e8,
                                                      "kv_bytes", 1e7, "act_bytes", 1e6));
        json_t *c = json_array();
        json_array_append_new(c, cost(i ? "m7i.xlarge" : XSS, "spot", i ? 0.9 : 0.2, 0));
        json_array_append_new(c, cost("c7a.xlarge", "on-demand", i ? 0.5 : 0.6, 1));
        json_array_append_new(c, cost("c7i.4xlarge", "on-demand", 0.4 + 0.1 * (double)i, 0));
        json_object_set_new(r, "cost", c);
    }
    snprintf(path, cap, "%s/bad-\xff.json", dir);
    ck_assert_int_eq(json_dump_file(rec, path, JSON_INDENT(1)), 0);
    json_decref(rec);
}

START_TEST(markup_in_a_record_stays_text)
{
    char *dir = tb_test_tmpdir(), *in = tb_test_tmpdir(), out[4096], rec[4096];
    write_crafted(in, rec, sizeof rec);
    snprintf(out, sizeof out, "%s/crafted.html", dir);
    char args[4200];
    snprintf(args, sizeof args, "'%s'", in);
    char *html = report(args, out);
    check_offline(html);
    ck_assert_ptr_null(strstr(html, XSS));
    ck_assert_ptr_nonnull(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    ck_assert_ptr_nonnull(strstr(html, "bad-\\xff.json"));
    check_charts(html, "roofline", 4);
    /* one row per (instance, pricing), cheapest first, the projected one marked */
    ck_assert_int_eq(count_of(html, "<tr class=\"cost-row "), 4);
    ck_assert_int_eq(count_of(html, "<tr class=\"cost-row projected\""), 1);
    double last = -1;
    for (const char *p = html; (p = strstr(p, "data-blended=\"")); p++) {
        double v = strtod(p + 14, NULL);
        ck_assert_msg(v >= last, "cost rows out of order: %g after %g", v, last);
        last = v;
    }
    ck_assert_double_eq_tol(last, 0.9, 1e-9);
    if (have_chromium()) {
        char png[4200];
        snprintf(png, sizeof png, "%s/crafted.png", dir);
        check_rendered(out, png, 4, 4);
        unlink(png);
    }
    free(html);
    unlink(out);
    unlink(rec);
    rmdir(dir);
    rmdir(in);
    free(dir);
    free(in);
}
END_TEST

static char *escaped(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tb_html_text(f, s);
    fclose(f);
    return buf;
}

static void expect_escaped(const char *s, const char *want)
{
    char *got = escaped(s);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(escaping_keeps_every_byte_visible)
{
    expect_escaped("a&b<c>d\"e'f", "a&amp;b&lt;c&gt;d&quot;e&#39;f");
    expect_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    expect_escaped("x\xffy", "x\\xffy");
    expect_escaped("\xc3", "\\xc3");                   /* cut short */
    expect_escaped("\xc0\xaf", "\\xc0\\xaf");           /* overlong '/' */
    expect_escaped("\xed\xa0\x80", "\\xed\\xa0\\x80"); /* a surrogate */
    expect_escaped("a\x01\tb", "a\\x01\tb");
    expect_escaped("<\xff>", "&lt;\\xff&gt;");
    expect_escaped("", "");
}
END_TEST

START_TEST(refusals_leave_no_file)
{
    tb_test_expect_usage_error(NULL, "report tests/fixtures/results", "-o");
    tb_test_expect_usage_error(NULL, "report -o /tmp/never.html", "RESULT");
    char *dir = tb_test_tmpdir(), args[8192], out[4096];
    /* a folder at the target is refused before anything is read */
    snprintf(args, sizeof args, "report '%s' -o '%s'", tb_test_fixture("results"), dir);
    tb_test_expect_usage_error(NULL, args, dir);
    /* a record that is not JSON: exit 2 naming it, and neither the page nor a temporary file */
    snprintf(out, sizeof out, "%s/bad.json", dir);
    FILE *f = fopen(out, "w");
    fputs("{\"schema\": ", f);
    fclose(f);
    snprintf(args, sizeof args, "report '%s' -o '%s/page.html'", dir, dir);
    tb_test_expect_usage_error(NULL, args, "bad.json");
    ck_assert_int_eq(tb_test_count_entries(dir), 1);
    unlink(out);
    rmdir(dir);
    free(dir);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("html");
    const TTest *const core[] = {fixtures_make_one_offline_page, markup_in_a_record_stays_text,
                                 escaping_keeps_every_byte_visible, refusals_leave_no_file,
                                 detected_changes_are_marked_on_their_trends, NULL};
    tb_test_add_tcase(s, "core", 120, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
