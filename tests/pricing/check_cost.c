/* Cost arithmetic against values computed by hand, the interval carried the right way round,
 * projections and their refusals, currencies, and `tokbench cost` end to end. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cost.h"
#include "cost_records.h"
#include "prices.h"
#include "testmain.h"
#include "testutil.h"

#define TOL 1e-9

/* ---- arithmetic ---- */

START_TEST(usd_per_mtok_by_hand)
{
    /* 0.714 $/h at 200 tokens/s: 720 000 tokens an hour, so 0.714 / 0.72 = 0.991666... $/Mtok */
    ck_assert_double_eq_tol(tb_usd_per_mtok(0.714, 200, 1), 0.714 / 0.72, TOL);
    /* 20 tokens/s: ten times that */
    ck_assert_double_eq_tol(tb_usd_per_mtok(0.714, 20, 1), 9.916666666666, 1e-9);
    /* half the hour busy: twice the price */
    ck_assert_double_eq_tol(tb_usd_per_mtok(0.714, 200, 0.5), 2 * 0.714 / 0.72, TOL);
    /* 3.6 $/h at 1 token/s: 3600 tokens for 3.6 $, 1000 $/Mtok */
    ck_assert_double_eq_tol(tb_usd_per_mtok(3.6, 1, 1), 1000, 1e-9);
    /* nothing unknown or impossible turns into 0 or inf */
    ck_assert(isnan(tb_usd_per_mtok(0.714, 0, 1)));
    ck_assert(isnan(tb_usd_per_mtok(0.714, -5, 1)));
    ck_assert(isnan(tb_usd_per_mtok(0.714, NAN, 1)));
    ck_assert(isnan(tb_usd_per_mtok(NAN, 200, 1)));
    ck_assert(isnan(tb_usd_per_mtok(0.714, 200, 0)));
    ck_assert(isnan(tb_usd_per_mtok(0.714, 200, 1.5)));
}
END_TEST

START_TEST(interval_runs_the_other_way)
{
    tb_ci tps = {200, 190, 210};
    tb_ci c = tb_cost_ci(0.714, tps, 1);
    ck_assert_double_eq_tol(c.median, 0.714 / 0.72, TOL);
    ck_assert_double_eq_tol(c.lo, 0.714 / (210 * 3600.0) * 1e6, TOL); /* fastest: cheapest */
    ck_assert_double_eq_tol(c.hi, 0.714 / (190 * 3600.0) * 1e6, TOL);
    ck_assert(c.lo < c.median && c.median < c.hi);
    tb_ci unknown = {200, NAN, NAN};
    c = tb_cost_ci(0.714, unknown, 1);
    ck_assert(!isnan(c.median) && isnan(c.lo) && isnan(c.hi));
    tb_ci s = tb_ci_scale(tps, 2.5);
    ck_assert(s.median == 500 && s.lo == 475 && s.hi == 525);
}
END_TEST

START_TEST(blend_by_token_count)
{
    ck_assert_double_eq_tol(tb_cost_blend(1, 9, 3, 1), 3.0, TOL); /* (3x1 + 1x9) / 4 */
    ck_assert_double_eq_tol(tb_cost_blend(1, 9, 1, 1), 5.0, TOL);
    ck_assert_double_eq_tol(tb_cost_blend(2, NAN, 1, 0), 2.0, TOL); /* output not needed */
    ck_assert(isnan(tb_cost_blend(2, NAN, 3, 1)));
    ck_assert(isnan(tb_cost_blend(1, 2, 0, 0)));
    tb_ci in = {1, 0.9, 1.1}, out = {9, 8, 10};
    tb_ci b = tb_cost_blend_ci(in, out, 3, 1);
    ck_assert_double_eq_tol(b.median, 3.0, TOL);
    ck_assert_double_eq_tol(b.lo, (3 * 0.9 + 8) / 4, TOL);
    ck_assert_double_eq_tol(b.hi, (3 * 1.1 + 10) / 4, TOL);
    double i, o;
    ck_assert_int_eq(tb_blend_parse("3:1", &i, &o), 0);
    ck_assert(i == 3 && o == 1);
    ck_assert_int_eq(tb_blend_parse("1:0", &i, &o), 0);
    ck_assert_int_eq(tb_blend_parse("2.5:1", &i, &o), 0);
    static const char *const bad[] = {"0:0", "3", "a:b", "-1:2", "3:1:2", ":1", "1:", ""};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        ck_assert_msg(tb_blend_parse(bad[k], &i, &o) != 0, "%s accepted", bad[k]);
}
END_TEST

START_TEST(fx_rates)
{
    tb_fx fx;
    char err[256];
    ck_assert_int_eq(tb_fx_parse("EUR=1.08,GBP=1.27", &fx, err, sizeof err), 0);
    ck_assert_double_eq_tol(tb_fx_rate(&fx, "EUR"), 1.08, TOL);
    ck_assert_double_eq_tol(tb_fx_rate(&fx, "GBP"), 1.27, TOL);
    ck_assert(tb_fx_rate(&fx, "USD") == 1.0);
    ck_assert(isnan(tb_fx_rate(&fx, "JPY")));
    ck_assert_int_eq(tb_fx_parse(NULL, &fx, err, sizeof err), 0);
    ck_assert(isnan(tb_fx_rate(&fx, "EUR")));
    static const char *const bad[] = {"EUR", "eur=1.08", "EUR=0", "EUR=-1", "EUR=x", "EUR=1,EUR=2", "USD=2", "EURO=1"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
        ck_assert_msg(tb_fx_parse(bad[k], &fx, err, sizeof err) != 0, "%s accepted", bad[k]);
}
END_TEST

/* ---- projection rules ---- */

static const tb_price *row(tb_price_table *t, const char *prov, const char *inst, const char *cores, const char *arch)
{
    const char *cells[TB_PCOL_COUNT] = {0};
    cells[TB_PCOL_PROVIDER] = prov;
    cells[TB_PCOL_REGION] = "r";
    cells[TB_PCOL_INSTANCE] = inst;
    cells[TB_PCOL_PHYSICAL_CORES] = cores;
    cells[TB_PCOL_ARCH] = arch;
    cells[TB_PCOL_PRICING] = "on-demand";
    cells[TB_PCOL_PRICE_PER_HOUR] = "1";
    cells[TB_PCOL_CURRENCY] = "USD";
    cells[TB_PCOL_PRICE_DATE] = "2026-07-20";
    char err[256];
    ck_assert_int_eq(tb_prices_add(t, cells, "t.csv", (int)t->n + 2, err, sizeof err), 0);
    return &t->rows[t->n - 1];
}

START_TEST(projection_rules)
{
    tb_price_table t;
    tb_prices_init(&t);
    row(&t, "aws", "c7i.4xlarge", "8", "x86_64");
    row(&t, "aws", "c7a.4xlarge", "16", "x86_64");
    row(&t, "aws", "c7g.4xlarge", "16", "arm64");
    row(&t, "aws", "c7i.xlarge", "2", "x86_64");
    row(&t, "azure", "Standard_D16s_v5", "", "x86_64");
    row(&t, "aws", "mystery.large", "4", "");
    row(&t, "onprem", "devbox", "2", "amd64");
    row(&t, "gcp", "c3-standard-4", "2", "x86_64");
    row(&t, "gcp", "c3-standard-22", "11", "x86_64");
    tb_ran_on ran = {"aws", "c7i.4xlarge", "x86_64", 8, 4};
    double f;
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[0], 0, &f), TB_PROJ_SAME);
    ck_assert(f == 1);
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[1], 0, &f), TB_PROJ_NEED_FLAG);
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[1], 1, &f), TB_PROJ_OK);
    ck_assert(f == 4.0); /* 16 target cores / 4 used */
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[2], 1, &f), TB_PROJ_ARCH);
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[3], 1, &f), TB_PROJ_TOO_MANY);
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[4], 1, &f), TB_PROJ_CORES_UNKNOWN);
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[5], 1, &f), TB_PROJ_ARCH); /* unknown arch: no */
    ran.cores_used = NAN;
    ck_assert_int_eq(tb_cost_projection(&ran, &t.rows[1], 1, &f), TB_PROJ_CORES_UNKNOWN);
    /* a record that names no instance: on-prem with the same cores and arch is where it ran */
    tb_ran_on bare = {NULL, NULL, "x86_64", 2, 2};
    ck_assert_int_eq(tb_cost_projection(&bare, &t.rows[6], 0, &f), TB_PROJ_SAME);
    ck_assert_int_eq(tb_cost_projection(&bare, &t.rows[3], 0, &f), TB_PROJ_NEED_FLAG); /* a cloud would show in DMI */
    bare.machine_cores = 4;
    ck_assert_int_eq(tb_cost_projection(&bare, &t.rows[6], 0, &f), TB_PROJ_NEED_FLAG);
    /* GCP's DMI names the provider, not the type */
    tb_ran_on gcp = {"gcp", NULL, "x86_64", 2, 2};
    ck_assert_int_eq(tb_cost_projection(&gcp, &t.rows[7], 0, &f), TB_PROJ_SAME);
    ck_assert_int_eq(tb_cost_projection(&gcp, &t.rows[8], 0, &f), TB_PROJ_NEED_FLAG);
    ck_assert_int_eq(tb_cost_projection(&gcp, &t.rows[8], 1, &f), TB_PROJ_OK);
    ck_assert(f == 5.5);
    ck_assert_int_eq(tb_cost_projection(&gcp, &t.rows[6], 0, &f), TB_PROJ_NEED_FLAG);
    ck_assert_str_eq(tb_arch_normalize("aarch64"), "arm64");
    ck_assert_str_eq(tb_arch_normalize("amd64"), "x86_64");
    tb_prices_free(&t);
}
END_TEST

/* ---- end to end ---- */

static char args_buf[16384];

static const char *cost_args_at(const char *path, const char *extra)
{
    snprintf(args_buf, sizeof args_buf, "cost '%s' --max-age-days 100000 %s", path, extra);
    return args_buf;
}

static const char *cost_args(const char *result, const char *extra)
{
    return cost_args_at(tb_test_fixture(result), extra);
}

static const char *cost_prices(void)
{
    static char p[4200];
    snprintf(p, sizeof p, "--prices '%s'", tb_test_fixture("prices/cost.csv"));
    return p;
}

static json_t *find_row(json_t *rows, const char *inst, const char *pricing, int batch)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (!strcmp(json_string_value(json_object_get(r, "instance")), inst) &&
            !strcmp(json_string_value(json_object_get(r, "pricing")), pricing) &&
            json_integer_value(json_object_get(r, "batch")) == batch)
            return r;
    }
    return NULL;
}

static double num(json_t *r, const char *k) { return json_number_value(json_object_get(r, k)); }

#define ANY_ROWS SIZE_MAX

/* `tokbench cost` on a result fixture priced by prices/cost.csv, `options` after the prices;
 * asserts exit 0 and n_rows rows (ANY_ROWS: any number) and returns the document. */
static json_t *cost_json(const char *result, const char *options, size_t n_rows)
{
    char extra[4400];
    snprintf(extra, sizeof extra, "%s %s", cost_prices(), options);
    json_t *doc = tb_test_run_json(NULL, cost_args(result, extra), 0);
    if (n_rows != ANY_ROWS)
        ck_assert_uint_eq(json_array_size(json_object_get(doc, "rows")), n_rows);
    return doc;
}

typedef struct {
    const char *key;
    double want;
} cost_value;

/* Every key of the row holds its number within TOL. */
static void expect_values(json_t *row, const cost_value *values, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double got = num(row, values[k].key);
        tb_expect(fabs(got - values[k].want) < TOL, "%s = %.12g, not %.12g", values[k].key, got, values[k].want);
    }
}

/* ---- the ranking (pricing/cost_records.c) ---- */

static json_t *ranked_row(double blended, const char *provider, int batch)
{
    return json_pack("{s:o, s:s, s:s, s:s, s:s, s:s, s:i, s:i}", "usd_per_mtok_blended",
                     isnan(blended) ? json_null() : json_real(blended), "provider", provider, "region", "r",
                     "instance", "i", "pricing", "on-demand", "result", "f.json", "batch", batch, "threads", 1);
}

START_TEST(rank_cheapest_first_unknown_last)
{
    json_t *rows = json_array();
    json_array_append_new(rows, ranked_row(2.0, "b", 1));
    json_array_append_new(rows, ranked_row(NAN, "a", 1));
    json_array_append_new(rows, ranked_row(1.0, "z", 1));
    json_array_append_new(rows, ranked_row(2.0, "a", 8));
    json_array_append_new(rows, ranked_row(2.0, "a", 1));
    ck_assert_int_eq(tb_cost_rank(rows), 0);
    static const char *const provider[] = {"z", "a", "a", "b", "a"};
    static const int batch[] = {1, 1, 8, 1, 1};
    ck_assert_int_eq(json_array_size(rows), 5);
    for (size_t i = 0; i < 5; i++) {
        const json_t *r = json_array_get(rows, i);
        ck_assert_str_eq(json_string_value(json_object_get(r, "provider")), provider[i]);
        ck_assert_int_eq(json_integer_value(json_object_get(r, "batch")), batch[i]);
    }
    ck_assert(json_is_null(json_object_get(json_array_get(rows, 4), "usd_per_mtok_blended")));
    json_decref(rows);
}
END_TEST

START_TEST(cost_json_fields_and_values)
{
    /* 2 result rows x 2 priced rows (the empty spot price is not a price) */
    json_t *doc = cost_json("results/run-aws-c7i-4xlarge.json", "--format json", 4);
    json_t *rows = json_object_get(doc, "rows");
    static const char *const spec[] = {
        "provider", "region", "instance", "pricing", "usd_per_hour", "usd_per_mtok_input",
        "usd_per_mtok_input_ci95_low", "usd_per_mtok_input_ci95_high", "usd_per_mtok_output",
        "usd_per_mtok_output_ci95_low", "usd_per_mtok_output_ci95_high", "usd_per_mtok_blended",
        "usd_per_mtok_blended_ci95_low", "usd_per_mtok_blended_ci95_high", "projected", "result", "model", "batch",
        "threads"};
    size_t i;
    json_t *r;
    double prev = 0;
    json_array_foreach(rows, i, r) {
        for (size_t k = 0; k < sizeof spec / sizeof *spec; k++)
            ck_assert_msg(json_object_get(r, spec[k]) != NULL, "missing %s", spec[k]);
        ck_assert(json_is_false(json_object_get(r, "projected")));
        ck_assert(num(r, "usd_per_mtok_blended") >= prev); /* cheapest first */
        prev = num(r, "usd_per_mtok_blended");
    }
    r = find_row(rows, "c7i.4xlarge", "on-demand", 1);
    ck_assert_ptr_nonnull(r);
    double in = 0.714 / 0.72, out = 0.714 / 0.072;
    const cost_value c7i[] = {
        {"usd_per_hour", 0.714},
        {"usd_per_mtok_input", 0.714 / (200 * 3600.0) * 1e6},
        {"usd_per_mtok_input_ci95_low", 0.714 / (210 * 3600.0) * 1e6},
        {"usd_per_mtok_input_ci95_high", 0.714 / (190 * 3600.0) * 1e6},
        {"usd_per_mtok_output", 0.714 / (20 * 3600.0) * 1e6},
        {"usd_per_mtok_blended", (3 * in + out) / 4},
        /* the floor: the same price at the roofline bounds (400 and 25 tokens/s) */
        {"usd_per_mtok_input_floor", 0.714 / (400 * 3600.0) * 1e6},
        {"usd_per_mtok_output_floor", 0.714 / (25 * 3600.0) * 1e6},
    };
    expect_values(r, c7i, sizeof c7i / sizeof *c7i);
    ck_assert_str_eq(json_string_value(json_object_get(r, "model")), "llama-3.2-1b");
    ck_assert_int_eq(json_integer_value(json_object_get(r, "threads")), 8);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(r, "result")), "run-aws-c7i-4xlarge.json"));
    json_decref(doc);

    /* utilization and blend */
    doc = cost_json("results/run-aws-c7i-4xlarge.json",
                    "--format json --utilization 0.5 --blend 1:1 --pricing on-demand", 2);
    r = find_row(json_object_get(doc, "rows"), "c7i.4xlarge", "on-demand", 1);
    const cost_value busy_half[] = {
        {"usd_per_mtok_input", 2 * in},
        {"usd_per_mtok_blended", (2 * in + 2 * out) / 2},
        {"usd_per_mtok_blended_ci95_low", (2 * 0.714 / (210 * 3600.0) * 1e6 + 2 * 0.714 / (21 * 3600.0) * 1e6) / 2},
    };
    expect_values(r, busy_half, sizeof busy_half / sizeof *busy_half);
    json_decref(doc);
}
END_TEST

START_TEST(projection_is_labelled_everywhere)
{
    const char *c7a = "--instance c7a.4xlarge --project --format json";
    json_t *doc = cost_json("results/run-aws-c7i-4xlarge.json", c7a, 2);
    json_t *rows = json_object_get(doc, "rows");
    json_t *r = find_row(rows, "c7a.4xlarge", "on-demand", 4);
    ck_assert(json_is_true(json_object_get(r, "projected")));
    ck_assert_double_eq_tol(num(json_object_get(r, "projection"), "factor"), 4.0, TOL); /* 16 cores / 4 used */
    const cost_value scaled[] = {
        {"usd_per_mtok_input", 0.82112 / (150 * 4 * 3600.0) * 1e6},
        {"usd_per_mtok_output_ci95_low", 0.82112 / (52 * 4 * 3600.0) * 1e6},
    };
    expect_values(r, scaled, sizeof scaled / sizeof *scaled);
    r = find_row(rows, "c7a.4xlarge", "on-demand", 1);
    ck_assert_double_eq_tol(num(json_object_get(r, "projection"), "factor"), 2.0, TOL); /* 16 / 8 */
    json_decref(doc);

    /* 4 threads on 2 cores (SMT siblings, from the recorded placement): scaled from 2 cores */
    doc = cost_json("results/run-aws-c7i-4xlarge-smt.json", c7a, ANY_ROWS);
    r = find_row(json_object_get(doc, "rows"), "c7a.4xlarge", "on-demand", 4);
    ck_assert_double_eq_tol(num(json_object_get(r, "projection"), "factor"), 8.0, TOL);
    json_decref(doc);

    char extra[4400];
    static const char *const fmts[] = {"text", "md", "csv"};
    for (int k = 0; k < 3; k++) {
        snprintf(extra, sizeof extra, "%s --instance c7a.4xlarge,c7i.4xlarge --project --pricing on-demand --format %s",
                 cost_prices(), fmts[k]);
        tb_run_result res = tb_test_run(NULL, cost_args("results/run-aws-c7i-4xlarge.json", extra));
        ck_assert_int_eq(res.status, 0);
        ck_assert_msg(strstr(res.out, k == 2 ? ",true," : "projected"), "%s: %s", fmts[k], res.out);
        ck_assert_msg(strstr(res.out, k == 2 ? ",false," : "measured"), "%s: %s", fmts[k], res.out);
        ck_assert_int_eq(tb_test_count_lines(res.out), k == 2 ? 5 : k == 1 ? 8 : 9);
        tb_test_run_free(&res);
    }
}
END_TEST

static void expect_refusal(const char *result, const char *extra, const char *mention)
{
    tb_run_result r = tb_test_run(NULL, cost_args(result, extra));
    ck_assert_msg(r.status == 2, "%s: exit %d (%s)", args_buf, r.status, r.err);
    ck_assert_msg(strncmp(r.err, "tokbench: ", 10) == 0 && tb_test_count_lines(r.err) == 1, "%s: %s", args_buf, r.err);
    ck_assert_msg(strstr(r.err, mention) != NULL, "%s: '%s' not in %s", args_buf, mention, r.err);
    ck_assert_str_eq(r.out, "");
    tb_test_run_free(&r);
}

START_TEST(refusals_exit_2_with_one_line)
{
    char p[4400], x[4600];
    snprintf(p, sizeof p, "%s --quiet", cost_prices());
    const char *c7i = "results/run-aws-c7i-4xlarge.json";
    static const struct {
        const char *result; /* NULL: the c7i record */
        const char *options; /* after the prices and --quiet */
        const char *mention;
    } refusals[] = {
        {NULL, "--instance c7a.4xlarge", "--project"},
        {NULL, "--instance c7g.4xlarge --project", "architecture"},
        {NULL, "--instance c7i.xlarge --project", "beyond the target's cores"},
        {NULL, "--instance Standard_D16s_v5 --project", "physical cores unknown"},
        {NULL, "--instance m9.huge", "no price for instance m9.huge"},
        {NULL, "--pricing spot", "no price"},
        {"results/bench-gemm.json", "", "bench-gemm.json: a `bench` record"},
        {"results/sweep/machine-b", "", "no `tokbench run` records"}, /* only a bench record */
        {"results/run-onprem-2core.json", "", "--instance"},
        {"results/nonexistent.json", "", "nonexistent.json"},
        {NULL, "--utilization 0", "--utilization"},
        {NULL, "--utilization 1.5", "--utilization"},
        {NULL, "--blend 3-1", "--blend"},
        {NULL, "--pricing cheap", "--pricing"},
        {NULL, "--fx EUR", "--fx"},
    };
    for (size_t k = 0; k < sizeof refusals / sizeof *refusals; k++) {
        const char *options = refusals[k].options;
        snprintf(x, sizeof x, "%s%s%s", p, *options ? " " : "", options);
        expect_refusal(refusals[k].result ? refusals[k].result : c7i, x, refusals[k].mention);
    }
    tb_test_expect_printed(NULL, "cost --quiet", 2, NULL, (const char *const[]){"RESULT", NULL});
    /* part of a sweep beyond the target's cores: the rest is priced, the skip is said */
    json_decref(cost_json(c7i, "--instance c7a.xlarge --project --format json", 1));
}
END_TEST

START_TEST(currencies_are_never_mixed_unconverted)
{
    char x[9000];
    snprintf(x, sizeof x, "--quiet --prices '%s' --prices '%s' --instance ccx33,devbox --project",
             tb_test_fixture("prices/eur.csv"), tb_test_fixture("prices/onprem.csv"));
    expect_refusal("results/run-onprem-2core.json", x, "--fx EUR=");
    snprintf(x, sizeof x, "--quiet --prices '%s' --instance ccx33 --project", tb_test_fixture("prices/eur.csv"));
    expect_refusal("results/run-onprem-2core.json", x, "US dollars"); /* even alone: the output is in USD */
    snprintf(x, sizeof x, "--prices '%s' --prices '%s' --instance ccx33,devbox --project --fx EUR=1.08 --format json",
             tb_test_fixture("prices/eur.csv"), tb_test_fixture("prices/onprem.csv"));
    json_t *doc = tb_test_run_json(NULL, cost_args("results/run-onprem-2core.json", x), 0);
    json_t *rows = json_object_get(doc, "rows");
    ck_assert_uint_eq(json_array_size(rows), 2);
    json_t *eur = find_row(rows, "ccx33", "on-demand", 1), *dev = find_row(rows, "devbox", "on-demand", 1);
    const cost_value in_usd[] = {
        {"usd_per_hour", 0.108},
        {"usd_per_mtok_input", 0.108 / (40 * 2 * 3600.0) * 1e6},
    };
    expect_values(eur, in_usd, sizeof in_usd / sizeof *in_usd);
    ck_assert_str_eq(json_string_value(json_object_get(eur, "currency")), "EUR");
    ck_assert(json_is_true(json_object_get(eur, "projected"))); /* 4 cores, the record's machine has 2 */
    /* the on-prem row matches the record's cores and arch: measured, not projected */
    ck_assert(json_is_false(json_object_get(dev, "projected")));
    ck_assert_double_eq_tol(num(dev, "usd_per_mtok_input"), 0.0659 / (40 * 3600.0) * 1e6, 1e-9);
    json_decref(doc);
}
END_TEST

START_TEST(directories_of_results)
{
    char x[4400];
    snprintf(x, sizeof x, "%s --format json --pricing on-demand", cost_prices());
    /* every *.json at any depth; a bench record found there is skipped with a warning */
    tb_run_result r = tb_test_run(NULL, cost_args("results/sweep", x));
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_msg(strstr(r.err, "machine-b/bench-gemm.json: a `bench` record, skipped"), "%s", r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *rows = json_object_get(doc, "rows");
    ck_assert_uint_eq(json_array_size(rows), 2);
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(json_array_get(rows, 0), "result")),
                                 "sweep/machine-a/run-aws-c7i-4xlarge.json"));
    json_decref(doc);
    tb_test_run_free(&r);
}
END_TEST

/* A scratch folder holding a copy of the c7i record under `name`; tb_test_rmtree it. */
static char *folder_with_c7i(const char *name)
{
    char *dir = tb_test_tmpdir(), cmd[8800];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s/%s'", tb_test_fixture("results/run-aws-c7i-4xlarge.json"), dir, name);
    ck_assert_int_eq(system(cmd), 0);
    return dir;
}

/* A record's file name is bytes, not text: one that is not UTF-8 is carried as \xNN text, never
 * dropped (JSON strings must be UTF-8) and never a crash. */
START_TEST(a_file_name_that_is_not_utf8_is_carried_escaped)
{
    char *dir = folder_with_c7i("bad\xff.json"), x[4400];
    snprintf(x, sizeof x, "%s --format json --pricing on-demand", cost_prices());
    tb_run_result r = tb_test_run(NULL, cost_args_at(dir, x));
    ck_assert_msg(r.status == 0, "%s", r.err);
    json_t *doc = json_loads(r.out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    json_t *rows = json_object_get(doc, "rows");
    ck_assert_uint_ge(json_array_size(rows), 1);
    const char *res = json_string_value(json_object_get(json_array_get(rows, 0), "result"));
    ck_assert_msg(res && strstr(res, "bad\\xff.json"), "result: %s", res ? res : "(missing)");
    json_decref(doc);
    tb_test_run_free(&r);
    tb_test_rmtree(dir);
}
END_TEST

/* A FIFO named as a result is refused (exit 2) and one found in a folder of results is skipped
 * with a warning, never waited on (issue 18, item 3). */
START_TEST(a_fifo_among_results_is_never_read)
{
    char *dir = folder_with_c7i("run-aws-c7i-4xlarge.json"), cmd[8800], x[4400];
    snprintf(cmd, sizeof cmd, "mkfifo '%s/pipe.json'", dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(x, sizeof x, "%s --pricing on-demand", cost_prices());
    tb_run_result r = tb_test_run("timeout 20 ", cost_args_at(dir, x));
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "pipe.json: not a regular file, skipped"), "%s", r.err);
    tb_test_run_free(&r);
    snprintf(cmd, sizeof cmd, "%s/pipe.json", dir);
    tb_test_expect_usage_error("timeout 20 ", cost_args_at(cmd, x), "a FIFO");
    tb_test_rmtree(dir);
}
END_TEST

/* Nonsense numbers are refused, never priced or ranked (issue 18, item 6): a decode median far
 * outside its own interval, a zero or missing one, and a price of 1e300 per hour. */
static void expect_tampered_refused(const char *path, const char *value, const char *mention)
{
    json_t *rec = json_load_file(tb_test_fixture("results/run-aws-c7i-4xlarge.json"), 0, NULL);
    ck_assert_ptr_nonnull(rec);
    json_t *tps = tb_test_path(json_array_get(json_object_get(rec, "rows"), 0), "decode.tokens_per_s");
    ck_assert_ptr_nonnull(tps);
    if (value)
        json_object_set_new(tps, path, json_loads(value, JSON_DECODE_ANY, NULL));
    else
        json_object_del(tps, path);
    char *dir = tb_test_tmpdir(), file[1200], x[4400];
    snprintf(file, sizeof file, "%s/tampered.json", dir);
    ck_assert_int_eq(json_dump_file(rec, file, 0), 0);
    json_decref(rec);
    snprintf(x, sizeof x, "%s --pricing on-demand", cost_prices());
    tb_test_expect_usage_error(NULL, cost_args_at(file, x), mention);
    unlink(file);
    rmdir(dir);
    free(dir);
}

START_TEST(nonsense_numbers_are_refused)
{
    expect_tampered_refused("median", "1e308", "lies outside its 95% interval");
    expect_tampered_refused("median", "0", "missing, zero or negative");
    expect_tampered_refused("median", "-5", "missing, zero or negative");
    expect_tampered_refused("median", NULL, "missing, zero or negative");
    expect_tampered_refused("ci95_low", "\"x\"", "outside its 95% interval");
    char *dir = tb_test_tmpdir(), csv[1200], cmd[2600];
    snprintf(csv, sizeof csv, "%s/dear.csv", dir);
    FILE *f = fopen(csv, "w");
    ck_assert_ptr_nonnull(f);
    fputs("provider,instance,pricing,price_per_hour,currency,price_date\naws,c7i.4xlarge,on-demand,1e300,USD,"
          "2026-11-01\n",
          f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "list prices --prices '%s'", csv);
    tb_test_expect_usage_error(NULL, cmd, "not a plausible hourly price");
    unlink(csv);
    rmdir(dir);
    free(dir);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("cost");
    const TTest *const cost[] = {usd_per_mtok_by_hand, interval_runs_the_other_way, blend_by_token_count, fx_rates,
                                 projection_rules, rank_cheapest_first_unknown_last, cost_json_fields_and_values,
                                 projection_is_labelled_everywhere, refusals_exit_2_with_one_line,
                                 currencies_are_never_mixed_unconverted, directories_of_results,
                                 a_file_name_that_is_not_utf8_is_carried_escaped, a_fifo_among_results_is_never_read,
                                 nonsense_numbers_are_refused, NULL};
    tb_test_add_tcase(s, "cost", 120, cost);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
