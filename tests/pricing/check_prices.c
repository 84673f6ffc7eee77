/* Price tables and importers: every liberty the CSV format allows, every error with its
 * file:line and exit code, the warnings that catch lying tables, an empty price that never
 * becomes 0, and the three cloud formats with their traps. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "price_import.h"
#include "prices.h"
#include "testmain.h"
#include "testutil.h"
#include "util.h"

static char *tmpdir_path;

static void setup(void) { tmpdir_path = tb_test_tmpdir(); }

static void teardown(void)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir_path);
    ck_assert_int_eq(system(cmd), 0);
    free(tmpdir_path);
}

/* Writes text to name under the test's directory; returns the path (static buffer per slot). */
static const char *write_tmp(const char *name, const char *text)
{
    static char paths[4][4200];
    static int slot;
    char *p = paths[slot++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", tmpdir_path, name);
    FILE *f = fopen(p, "wb");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    return p;
}

static const tb_price_checks no_age = {-1, 100000};

/* The providers' price files the importers read, cut to a few products. */
#define AWS_SAMPLE "price-formats/aws-offer-ec2-sample.json"
#define AZURE_SAMPLE "price-formats/azure-retail-prices-sample.json"
#define GCP_SAMPLE "price-formats/gcp-billing-catalog-skus-sample.json"

static const tb_price *find(const tb_price_table *t, const char *inst, const char *pricing)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].cell[TB_PCOL_INSTANCE], inst) && !strcmp(tb_pricing_name(t->rows[i].pricing), pricing))
            return &t->rows[i];
    return NULL;
}

static const tb_price *find_in(const tb_price_table *t, const char *region, const char *inst, const char *pricing)
{
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->rows[i].cell[TB_PCOL_REGION], region) && !strcmp(t->rows[i].cell[TB_PCOL_INSTANCE], inst) &&
            !strcmp(tb_pricing_name(t->rows[i].pricing), pricing))
            return &t->rows[i];
    return NULL;
}

/* ---- parsing ---- */

START_TEST(liberal_table_bom_crlf_comments_quotes_any_order)
{
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, tb_test_fixture("prices/liberal.csv"), &no_age), 0);
    ck_assert_uint_eq(t.n, 3);
    const tb_price *big = find(&t, "m1.big", "on-demand"), *small = find(&t, "m1.small", "on-demand");
    ck_assert_ptr_nonnull(big);
    ck_assert_ptr_nonnull(small);
    ck_assert_str_eq(big->cell[TB_PCOL_PROVIDER], "acme"); /* the BOM is not part of the first name */
    ck_assert_str_eq(big->cell[TB_PCOL_CPU_MODEL], "Chip \"X\" 9000");
    ck_assert_str_eq(big->cell[TB_PCOL_SOURCE], "line one\r\nline two");
    ck_assert_str_eq(big->cell[TB_PCOL_REGION], "west");
    ck_assert(big->price_per_hour == 0.5 && big->vcpus == 8);
    ck_assert_int_eq(big->line, 4);
    ck_assert_int_eq(small->line, 8); /* after a two-line field, a blank line and a comment */
    ck_assert(small->price_per_hour == 0.25);
    /* the empty price is unknown: kept out of pricing, never 0 */
    const tb_price *spot = find(&t, "m1.small", "spot");
    ck_assert_ptr_nonnull(spot);
    ck_assert(isnan(spot->price_per_hour));
    ck_assert_int_eq(spot->line, 9);
    ck_assert(isnan(small->physical_cores)); /* a column that is absent is unknown too */
    tb_prices_free(&t);
}
END_TEST

/* The UTF-8 rule of platform/util.c: well-formed sequences pass, each ill-formed byte shows as \xNN. */
START_TEST(utf8_rule)
{
    ck_assert(tb_utf8_valid("c7i \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 13));
    static const char *const bad[] = {"\xff", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3",
                                      "\xe2\x82"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!tb_utf8_valid(bad[i], strlen(bad[i])), "case %zu", i);
    char *e = tb_utf8_escaped("a\xff" "b\xc3\xa9");
    ck_assert_str_eq(e, "a\\xff" "b\xc3\xa9");
    free(e);
}
END_TEST

START_TEST(column_order_does_not_matter)
{
    const char *a = write_tmp("a.csv", "provider,region,instance,vcpus,pricing,price_per_hour,currency,price_date\n"
                                       "aws,us-east-1,c7i.xlarge,4,on-demand,0.1785,USD,2026-07-20\n");
    const char *b = write_tmp("b.csv", "price_date,Currency,PRICE_PER_HOUR,pricing,vcpus,instance,region,provider\n"
                                       "2026-07-20,USD,0.1785,on-demand,4,c7i.xlarge,us-east-2,aws\n");
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, a, &no_age), 0);
    ck_assert_int_eq(tb_prices_load_file(&t, b, &no_age), 0);
    ck_assert_uint_eq(t.n, 2);
    for (int c = 0; c < TB_PCOL_COUNT; c++)
        if (c != TB_PCOL_REGION)
            ck_assert_str_eq(t.rows[0].cell[c], t.rows[1].cell[c]);
    tb_prices_free(&t);
}
END_TEST

START_TEST(csv_written_reads_back_identically)
{
    tb_price_table t, back;
    tb_prices_init(&t);
    tb_prices_init(&back);
    ck_assert_int_eq(tb_prices_load_file(&t, tb_test_fixture("prices/liberal.csv"), &no_age), 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/out.csv", tmpdir_path);
    FILE *f = fopen(path, "w");
    ck_assert_int_eq(tb_prices_write_csv(f, &t, "a comment, with \"quotes\"\nand two lines"), 0);
    fclose(f);
    ck_assert_int_eq(tb_prices_load_file(&back, path, &no_age), 0);
    ck_assert_uint_eq(back.n, 2); /* the row without a price is not written */
    for (size_t i = 0; i < back.n; i++)
        for (int c = 0; c < TB_PCOL_COUNT; c++)
            ck_assert_str_eq(back.rows[i].cell[c], t.rows[i].cell[c]);
    tb_prices_free(&t);
    tb_prices_free(&back);
}
END_TEST

/* ---- errors: exit 2, one line, FILE:LINE and the column ---- */

static void expect_table_error(const char *content, int line, const char *mention)
{
    const char *p = write_tmp("bad.csv", content);
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, p, &no_age), 2);
    tb_prices_free(&t);
    char args[4400], want[4300];
    snprintf(args, sizeof args, "list prices --quiet --prices '%s'", p);
    tb_run_result r = tb_test_run(NULL, args);
    snprintf(want, sizeof want, "tokbench: %s:%d: ", p, line);
    ck_assert_msg(r.status == 2, "%s: exit %d (%s)", content, r.status, r.err);
    ck_assert_msg(tb_test_count_lines(r.err) == 1, "not one line: %s", r.err);
    ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "expected '%s...', got %s", want, r.err);
    ck_assert_msg(strstr(r.err, mention) != NULL, "'%s' not in %s", mention, r.err);
    ck_assert_str_eq(r.out, "");
    tb_test_run_free(&r);
}

#define HDR "provider,region,instance,vcpus,physical_cores,pricing,price_per_hour,currency,price_date\n"
#define OK_ROW "aws,us-east-1,c7i.xlarge,4,2,on-demand,0.1785,USD,2026-07-20\n"

START_TEST(every_error_names_file_line_and_column)
{
    expect_table_error("provider,instance,pricing,price_per_hour,price_date\n" OK_ROW, 1, "column currency");
    expect_table_error("# comment\nprovider,instance,pricing,currency,price_date\n", 2, "column price_per_hour");
    expect_table_error(HDR OK_ROW "aws,us-east-1,c7i.2xlarge,8,4,on-demand,abc,USD,2026-07-20\n", 3,
                       "column price_per_hour: 'abc' is not a number");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,-0.5,USD,2026-07-20\n", 2, "negative");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0x10,USD,2026-07-20\n", 2, "column price_per_hour");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0,USD,2026-07-20\n", 2, "0 is not a price");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,inf,USD,2026-07-20\n", 2, "column price_per_hour");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,reserved,0.3,USD,2026-07-20\n", 2,
                       "column pricing: unknown pricing model 'reserved'");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,usd,2026-07-20\n", 2, "column currency");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,US$,2026-07-20\n", 2, "column currency");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,USD,2026-02-29\n", 2, "column price_date");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,USD,2026/07/20\n", 2, "column price_date");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,USD,\n", 2, "column price_date");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,four,4,on-demand,0.3,USD,2026-07-20\n", 2, "column vcpus");
    expect_table_error(HDR "aws,us-east-1,c7i.2xlarge,8,0,on-demand,0.3,USD,2026-07-20\n", 2, "column physical_cores");
    expect_table_error(HDR OK_ROW OK_ROW, 3, "duplicate row");
    expect_table_error(HDR OK_ROW "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3\n", 3, "7 fields, but the header");
    expect_table_error(HDR OK_ROW "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,USD,2026-07-20,extra\n", 3,
                       "10 fields");
    expect_table_error(HDR "aws,us-east-1,\"c7i.2xlarge,8,4,on-demand,0.3,USD,2026-07-20\n", 2, "not closed");
    expect_table_error(HDR "aws,us-east-1,c7i\"2xlarge,8,4,on-demand,0.3,USD,2026-07-20\n", 2, "malformed CSV");
    expect_table_error(HDR OK_ROW "aws,us-east-1,c7i.2xlarge,8,4,on-demand,0.3,EUR,2026-07-20\n", 3,
                       "one currency per table");
    expect_table_error(HDR ",us-east-1,c7i.2xlarge,8,4,on-demand,0.3,USD,2026-07-20\n", 2, "column provider");
    expect_table_error("provider,instance,pricing,price_per_hour,currency,price_date,Pricing\n", 1,
                       "column pricing appears twice");
    expect_table_error("# only a comment\n\n", 1, "no header row");
    /* names reach JSON, CSV and HTML: ill-formed UTF-8 (a stray byte, an overlong '/') is refused */
    expect_table_error(HDR "aws,us-east-1,c7\xffi.2xlarge,8,4,on-demand,0.3,USD,2026-07-20\n", 2, "not valid UTF-8");
    expect_table_error(HDR OK_ROW "aws,us-east-1,c7i.\xc0\xafx,8,4,on-demand,0.3,USD,2026-07-20\n", 3, "not valid UTF-8");
    /* CRLF and a BOM do not shift line numbers */
    expect_table_error("\xEF\xBB\xBF# c\r\n" "provider,instance,pricing,price_per_hour,currency,price_date\r\n"
                       "aws,x.large,on-demand,1,USD,2026-07-20\r\naws,y.large,on-demand,-1,USD,2026-07-20\r\n",
                       4, "negative");
}
END_TEST

START_TEST(duplicates_across_tables_name_both)
{
    const char *a = write_tmp("one.csv", HDR OK_ROW);
    const char *b = write_tmp("two.csv", HDR "aws,us-east-1,c7a.xlarge,4,4,on-demand,0.20528,USD,2026-07-20\n" OK_ROW);
    char args[9000];
    snprintf(args, sizeof args, "list prices --quiet --prices '%s' --prices '%s'", a, b);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_eq(tb_test_count_lines(r.err), 1);
    char want[4300];
    snprintf(want, sizeof want, "tokbench: %s:3: duplicate row", b);
    ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "%s", r.err);
    snprintf(want, sizeof want, "%s:2", a);
    ck_assert_msg(strstr(r.err, want) != NULL, "%s", r.err);
    tb_test_run_free(&r);
    /* the same instance in another region or with another pricing model is no duplicate */
    b = write_tmp("three.csv", HDR "aws,us-east-2,c7i.xlarge,4,2,on-demand,0.1785,USD,2026-07-20\n"
                               "aws,us-east-1,c7i.xlarge,4,2,commit-1y,0.11,USD,2026-07-20\n");
    snprintf(args, sizeof args, "list prices --quiet --prices '%s' --prices '%s'", a, b);
    r = tb_test_run(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(missing_files_and_directories)
{
    tb_test_expect_printed(NULL, "list prices --prices /nonexistent/prices.csv", 2, NULL,
                           (const char *const[]){"/nonexistent/prices.csv", NULL});
    char args[4400];
    snprintf(args, sizeof args, "list prices --prices '%s'", tmpdir_path);
    tb_test_expect_printed(NULL, args, 2, NULL, (const char *const[]){"no *.csv", NULL});
    tb_test_expect_printed("TOKBENCH_PRICES_DIR=/nonexistent ", "list prices", 2, NULL,
                           (const char *const[]){"TOKBENCH_PRICES_DIR", NULL});
    tb_test_expect_printed(NULL, "list prices --pricing reserved", 2, NULL, (const char *const[]){"--pricing", NULL});
}
END_TEST

/* ---- warnings ---- */

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

START_TEST(old_prices_warn_unless_quiet_or_allowed)
{
    char args[4400];
    const char *f = tb_test_fixture("prices/stale.csv");
    snprintf(args, sizeof args, "list prices --prices '%s'", f);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.err, "tokbench: warning: ") && strstr(r.err, "stale.csv:2") && strstr(r.err, "days old"),
                  "%s", r.err);
    tb_test_run_free(&r);
    snprintf(args, sizeof args, "list prices --quiet --prices '%s'", f);
    r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    tb_test_run_free(&r);
    snprintf(args, sizeof args, "list prices --max-age-days 100000 --prices '%s'", f);
    r = tb_test_run(NULL, args);
    ck_assert_str_eq(r.err, "");
    tb_test_run_free(&r);

    /* unit level, with a fixed today: 2024-03-04 is 181 days before 2024-09-01 */
    int today;
    ck_assert_int_eq(tb_date_parse("2024-09-01", &today), 0);
    tb_price_checks chk = {today, 180};
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, f, &chk), 0);
    ck_assert(t.rows[0].flags & TB_PRICE_STALE);
    ck_assert_int_eq(t.rows[0].age_days, 181);
    tb_prices_free(&t);
    chk.max_age_days = 181;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, f, &chk), 0);
    ck_assert(!(t.rows[0].flags & TB_PRICE_STALE));
    tb_prices_free(&t);
}
END_TEST

START_TEST(windows_rate_among_linux_ones_is_an_outlier)
{
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, tb_test_fixture("prices/windows-outlier.csv"), &no_age), 0);
    for (size_t i = 0; i < t.n; i++)
        ck_assert_int_eq(!!(t.rows[i].flags & TB_PRICE_OUTLIER),
                         strcmp(t.rows[i].cell[TB_PCOL_INSTANCE], "Standard_D64ps_v6") == 0);
    tb_prices_free(&t);
    char args[4400];
    snprintf(args, sizeof args, "list prices --max-age-days 100000 --prices '%s'",
             tb_test_fixture("prices/windows-outlier.csv"));
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(count(r.err, "tokbench: warning:"), 1);
    ck_assert_msg(strstr(r.err, "windows-outlier.csv:5") && strstr(r.err, "Standard_Dps_v6") &&
                      strstr(r.err, "median"),
                  "%s", r.err);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(unknown_columns_warn_once_and_empty_price_is_never_zero)
{
    char args[4400];
    snprintf(args, sizeof args, "list prices --max-age-days 100000 --format json --prices '%s'",
             tb_test_fixture("prices/liberal.csv"));
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(count(r.err, "unknown column"), 1);
    ck_assert_ptr_nonnull(strstr(r.err, "'note'"));
    ck_assert_msg(strstr(r.err, "liberal.csv:9") && strstr(r.err, "never taken as 0"), "%s", r.err);
    json_error_t e;
    json_t *doc = json_loads(r.out, 0, &e);
    ck_assert_ptr_nonnull(doc);
    json_t *rows = json_object_get(doc, "prices");
    ck_assert_uint_eq(json_array_size(rows), 2);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        ck_assert(json_number_value(json_object_get(row, "price_per_hour")) > 0);
        ck_assert_str_ne(json_string_value(json_object_get(row, "pricing")), "spot");
        ck_assert(json_is_null(json_object_get(row, "physical_cores"))); /* unknown, not 0 */
    }
    json_decref(doc);
    tb_test_run_free(&r);
    /* --pricing spot: the only spot row has no price: an error, not an empty success */
    snprintf(args, sizeof args, "list prices --quiet --pricing spot --prices '%s'",
             tb_test_fixture("prices/liberal.csv"));
    tb_test_expect_printed(NULL, args, 2, NULL, (const char *const[]){"no priced rows", NULL});
}
END_TEST

/* ---- small pieces ---- */

START_TEST(families_dates_and_codes)
{
    static const char *const cases[][2] = {
        {"c7i.4xlarge", "c7i"},          {"c3-standard-22", "c3-standard"},
        {"a3-highgpu-8g", "a3-highgpu"}, {"Standard_D16ads_v5", "Standard_Dads_v5"},
        {"Standard_ND96isr_H100_v5", "Standard_NDisr_H100_v5"}, {"Standard_F4s_v2", "Standard_Fs_v2"},
        {"devbox", "devbox"},             {"ccx33", "ccx33"},
    };
    char buf[128];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tb_price_family(cases[i][0], buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i][1]);
    }
    int d;
    ck_assert_int_eq(tb_date_parse("1970-01-01", &d), 0);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(tb_date_parse("2024-02-29", &d), 0);
    ck_assert_int_eq(tb_date_parse("2000-02-29", &d), 0);
    static const char *const bad[] = {"2026-02-29", "1900-02-29", "2026-04-31", "2026-13-01", "2026-00-10",
                                      "2026-1-01", "2026-01-01T00:00", "", "abcd-ef-gh"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(tb_date_parse(bad[i], &d) != 0, "%s accepted", bad[i]);
    char s[16];
    tb_date_parse("2026-07-30", &d);
    tb_date_format(d, s, sizeof s);
    ck_assert_str_eq(s, "2026-07-30");
    ck_assert(tb_currency_valid("USD") && tb_currency_valid("EUR"));
    ck_assert(!tb_currency_valid("usd") && !tb_currency_valid("US") && !tb_currency_valid("USDX"));
    ck_assert(tb_decimal_valid("0.1785") && tb_decimal_valid("920") && tb_decimal_valid(".5") && tb_decimal_valid("1e3"));
    ck_assert(!tb_decimal_valid("-1") && !tb_decimal_valid("1.2.3") && !tb_decimal_valid("") &&
              !tb_decimal_valid("nan") && !tb_decimal_valid("0x1") && !tb_decimal_valid("1e"));
}
END_TEST

/* ---- the committed tables ---- */

START_TEST(committed_tables_load_clean)
{
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/../../prices", getenv("TOKBENCH_FIXTURES") ? getenv("TOKBENCH_FIXTURES") : "tests/fixtures");
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_path(&t, dir, &no_age), 0);
    ck_assert_uint_eq(t.nfiles, 3);
    ck_assert_uint_eq(t.n, 23 + 42 + 13);
    for (size_t i = 0; i < t.n; i++) {
        const tb_price *p = &t.rows[i];
        ck_assert_msg(p->price_per_hour > 0, "%s:%d", p->file, p->line);
        ck_assert_msg(!(p->flags & TB_PRICE_OUTLIER), "%s:%d is an outlier", p->file, p->line);
        ck_assert_str_eq(p->cell[TB_PCOL_CURRENCY], "USD");
        ck_assert_msg(p->pricing == TB_PRICING_ON_DEMAND || !strcmp(p->cell[TB_PCOL_PROVIDER], "gcp"),
                      "%s:%d: only GCP has sourced spot and commitment prices", p->file, p->line);
        if (!isnan(p->physical_cores) && !isnan(p->threads_per_core))
            ck_assert(p->vcpus == p->physical_cores * p->threads_per_core);
    }
    /* spot and commitments only where the sources give them */
    ck_assert_ptr_nonnull(find(&t, "c3-standard-4", "commit-1y"));
    ck_assert(find(&t, "c3-standard-4", "commit-3y")->price_per_hour == 0.090724);
    ck_assert_ptr_null(find(&t, "t2a-standard-4", "commit-1y"));
    ck_assert_ptr_null(find(&t, "c3-standard-22", "commit-1y"));
    ck_assert(find(&t, "t2a-standard-4", "spot")->price_per_hour == 0.065568);
    ck_assert_ptr_null(find(&t, "c7i.xlarge", "spot"));
    ck_assert(isnan(find(&t, "Standard_D4s_v5", "on-demand")->physical_cores));
    ck_assert(find(&t, "Standard_D16ads_v5", "on-demand")->price_per_hour == 0.824); /* not the Windows 1.56 */
    tb_prices_free(&t);

    /* and found beside the build when no --prices is given */
    tb_run_result r = tb_test_run(NULL, "list prices --quiet --format csv --pricing commit-3y");
    ck_assert_msg(r.status == 0, "%s", r.err);
    ck_assert_int_eq(tb_test_count_lines(r.out), 1 + 5);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(list_formats)
{
    char args[4400];
    const char *f = tb_test_fixture("prices/cost.csv");
    snprintf(args, sizeof args, "list prices --quiet --prices '%s'", f);
    tb_test_expect_printed(NULL, args, 0, (const char *const[]){"c7g.4xlarge", "8 priced rows", NULL}, NULL);
    snprintf(args, sizeof args, "list prices --quiet --format md --pricing on-demand --prices '%s'", f);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(tb_test_count_lines(r.out), 2 + 7);
    ck_assert(strncmp(r.out, "| provider |", 12) == 0);
    ck_assert_ptr_null(strstr(r.out, "commit-1y"));
    tb_test_run_free(&r);
    snprintf(args, sizeof args, "list prices --quiet --format csv --prices '%s'", f);
    r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq(tb_test_count_lines(r.out), 1 + 8);
    /* the CSV is itself a price table */
    const char *again = write_tmp("again.csv", r.out);
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, again, &no_age), 0);
    ck_assert_uint_eq(t.n, 8);
    tb_prices_free(&t);
    tb_test_run_free(&r);
    snprintf(args, sizeof args, "list prices --quiet --format json --prices '%s' --prices '%s'", f,
             tb_test_fixture("prices/onprem.csv"));
    r = tb_test_run(NULL, args);
    json_t *doc = json_loads(r.out, 0, NULL);
    ck_assert_ptr_nonnull(doc);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "prices")), 9);
    ck_assert_uint_eq(json_array_size(json_object_get(doc, "tables")), 2);
    json_decref(doc);
    tb_test_run_free(&r);
}
END_TEST

/* ---- importers ---- */

static tb_import *import_one(tb_import_from from, const char *path, tb_price_table *out, int expect)
{
    tb_import *im = tb_import_new(from, -1, 1);
    ck_assert_ptr_nonnull(im);
    ck_assert_int_eq(tb_import_add_file(im, path), 0);
    tb_prices_init(out);
    ck_assert_int_eq(tb_import_finish(im, out), expect);
    return im;
}

typedef struct {
    const char *region; /* NULL: the first row in any region */
    const char *instance, *pricing;
    tb_pcol col;
    const char *want;
} price_cell;

static void expect_cells(const tb_price_table *t, const price_cell *cells, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const price_cell *c = &cells[k];
        const tb_price *p =
            c->region ? find_in(t, c->region, c->instance, c->pricing) : find(t, c->instance, c->pricing);
        tb_expect(p != NULL, "no %s %s row", c->instance, c->pricing);
        tb_expect(strcmp(p->cell[c->col], c->want) == 0, "%s %s: %s is '%s', not '%s'", c->instance, c->pricing,
                  tb_price_column_names[c->col], p->cell[c->col], c->want);
    }
}

/* The importer skipped a row for each of `reasons` (NULL-ended), once each. */
static void expect_skipped_once(tb_import *im, const char *const *reasons)
{
    for (; *reasons; reasons++)
        tb_expect(tb_import_skipped(im, *reasons) == 1, "skipped %zu for %s, not 1", tb_import_skipped(im, *reasons),
                  *reasons);
}

START_TEST(aws_offer_file)
{
    tb_price_table t;
    tb_import *im = import_one(TB_IMPORT_AWS, tb_test_fixture(AWS_SAMPLE), &t, 0);
    ck_assert_uint_eq(t.n, 3);
    static const price_cell cells[] = {
        {NULL, "c7i.xlarge", "on-demand", TB_PCOL_PRICE_PER_HOUR, "0.1785"}, /* the Linux rate, not Windows 0.3625 */
        {NULL, "c7g.xlarge", "on-demand", TB_PCOL_PRICE_PER_HOUR, "0.145"},
        {NULL, "c7i.xlarge", "commit-1y", TB_PCOL_PRICE_PER_HOUR, "0.1124"}, /* No Upfront before All Upfront */
        {NULL, "c7i.xlarge", "on-demand", TB_PCOL_REGION, "us-east-1"},
        {NULL, "c7i.xlarge", "on-demand", TB_PCOL_PRICE_DATE, "2026-01-15"},
        {NULL, "c7i.xlarge", "on-demand", TB_PCOL_CURRENCY, "USD"},
        {NULL, "c7i.xlarge", "on-demand", TB_PCOL_MEMORY_GIB, "8"},
        {NULL, "c7i.xlarge", "on-demand", TB_PCOL_ARCH, "x86_64"},
        {NULL, "c7g.xlarge", "on-demand", TB_PCOL_ARCH, "arm64"},
    };
    expect_cells(&t, cells, sizeof cells / sizeof *cells);
    const tb_price *c7i = find(&t, "c7i.xlarge", "on-demand");
    ck_assert(c7i->vcpus == 4 && isnan(c7i->physical_cores));
    ck_assert_ptr_nonnull(strstr(c7i->cell[TB_PCOL_SOURCE], "ZZC7IXLLNXSHRD01"));
    static const char *const skipped[] = {"Windows", "UnusedCapacityReservation", "All Upfront", NULL};
    expect_skipped_once(im, skipped);
    ck_assert_ptr_null(find(&t, "c7i.xlarge", "commit-3y"));
    tb_import_free(im);
    tb_prices_free(&t);
}
END_TEST

START_TEST(azure_retail_page)
{
    tb_price_table t;
    tb_import *im = import_one(TB_IMPORT_AZURE, tb_test_fixture(AZURE_SAMPLE), &t, 0);
    ck_assert_uint_eq(t.n, 3);
    static const price_cell cells[] = {
        {NULL, "Standard_D4s_v5", "on-demand", TB_PCOL_PRICE_PER_HOUR, "0.192"},
        {NULL, "Standard_D4s_v5", "spot", TB_PCOL_PRICE_PER_HOUR, "0.037632"},
        {NULL, "Standard_D4s_v5", "on-demand", TB_PCOL_PRICE_DATE, "2023-04-01"},
        {NULL, "Standard_D4s_v5", "on-demand", TB_PCOL_REGION, "eastus"},
    };
    expect_cells(&t, cells, sizeof cells / sizeof *cells);
    /* a reservation's retailPrice is the whole term */
    ck_assert_double_eq_tol(find(&t, "Standard_D4s_v5", "commit-1y")->price_per_hour, 992.0 / 8760, 1e-9);
    static const char *const skipped[] = {"Windows", "DevTestConsumption", "Low Priority", NULL};
    expect_skipped_once(im, skipped);
    tb_import_free(im);
    tb_prices_free(&t);
}
END_TEST

START_TEST(gcp_catalog_page)
{
    tb_price_table t;
    tb_import *im = import_one(TB_IMPORT_GCP, tb_test_fixture(GCP_SAMPLE), &t, 0);
    /* 18 C3 shapes x 3 regions x (on-demand, spot, commit-1y) */
    ck_assert_uint_eq(t.n, 18 * 3 * 3);
    static const price_cell cells[] = {
        /* 4 x 0.03465 + 16 x 0.003938 */
        {"us-central1", "c3-standard-4", "on-demand", TB_PCOL_PRICE_PER_HOUR, "0.201608"},
        {"us-central1", "c3-standard-4", "spot", TB_PCOL_PRICE_PER_HOUR, "0.031512"},
        {"us-central1", "c3-standard-4", "commit-1y", TB_PCOL_PRICE_PER_HOUR, "0.127016"},
        {"us-west1", "c3-highcpu-4", "on-demand", TB_PCOL_PRICE_PER_HOUR, "0.170104"},
        {"us-central1", "c3-standard-4", "on-demand", TB_PCOL_PRICE_DATE, "2026-01-19"},
    };
    expect_cells(&t, cells, sizeof cells / sizeof *cells);
    const tb_price *od = find_in(&t, "us-central1", "c3-standard-4", "on-demand");
    ck_assert(od->vcpus == 4 && od->physical_cores == 2 && od->memory_gib == 16);
    ck_assert_ptr_null(find(&t, "c3-standard-4", "commit-3y"));
    for (size_t i = 0; i < t.n; i++)
        tb_expect(strncmp(t.rows[i].cell[TB_PCOL_INSTANCE], "e2", 2) != 0, "E2 must not be priced per vCPU");
    ck_assert_uint_eq(tb_import_skipped(im, "family e2"), 1);
    tb_import_free(im);
    tb_prices_free(&t);
}
END_TEST

/* Loads a sample, lets f damage it, writes it under the test directory. */
static const char *tweaked(const char *sample, const char *name, void (*f)(json_t *))
{
    json_t *j = json_load_file(tb_test_fixture(sample), 0, NULL);
    ck_assert_ptr_nonnull(j);
    f(j);
    static char path[4200];
    snprintf(path, sizeof path, "%s/%s", tmpdir_path, name);
    ck_assert_int_eq(json_dump_file(j, path, JSON_INDENT(1)), 0);
    json_decref(j);
    return path;
}

static json_t *aws_dim(json_t *j, const char *sku, const char *term)
{
    char k[128];
    snprintf(k, sizeof k, "%s.%s", sku, term);
    json_t *t = json_object_get(json_object_get(json_object_get(json_object_get(j, "terms"), "OnDemand"), sku), k);
    snprintf(k, sizeof k, "%s.%s.6YS6EN2CT7", sku, term);
    return json_object_get(json_object_get(t, "priceDimensions"), k);
}

static void aws_zero_price(json_t *j)
{
    json_object_set_new(json_object_get(aws_dim(j, "ZZC7GXLLNXSHRD01", "JRTCKXETXF"), "pricePerUnit"), "USD",
                        json_string("0.0000000000"));
}

static void aws_bad_unit(json_t *j) { json_object_set_new(aws_dim(j, "ZZC7GXLLNXSHRD01", "JRTCKXETXF"), "unit", json_string("GB-Mo")); }

static void aws_capacity_block(json_t *j)
{
    json_t *a = json_object_get(json_object_get(json_object_get(j, "products"), "ZZC7GXLLNXSHRD01"), "attributes");
    json_object_set_new(a, "marketoption", json_string("CapacityBlock"));
    aws_zero_price(j);
}

static void azure_bad_unit_and_zero(json_t *j)
{
    json_t *items = json_object_get(j, "Items");
    json_object_set_new(json_array_get(items, 0), "unitOfMeasure", json_string("1 GB/Month"));
    json_object_set_new(json_array_get(items, 2), "retailPrice", json_real(0.0));
}

static void gcp_monthly_ram(json_t *j)
{
    json_t *sku = json_array_get(json_object_get(j, "skus"), 1); /* the on-demand RAM SKU */
    json_t *ex = json_object_get(json_array_get(json_object_get(sku, "pricingInfo"), 0), "pricingExpression");
    json_object_set_new(ex, "usageUnit", json_string("GiBy.mo"));
}

static void azure_spot_in_euros(json_t *j)
{
    json_object_set_new(json_array_get(json_object_get(j, "Items"), 2), "currencyCode", json_string("EUR"));
}

/* Found by fuzz_import_aws: an effectiveDate whose 10th byte starts a UTF-8 character was cut
 * there into the source text, and the written table was refused by its own loader. */
static void aws_effective_date_cut_in_a_character(json_t *j)
{
    json_t *terms = json_object_get(json_object_get(json_object_get(j, "terms"), "OnDemand"), "ZZC7GXLLNXSHRD01");
    json_object_set_new(json_object_get(terms, "ZZC7GXLLNXSHRD01.JRTCKXETXF"), "effectiveDate",
                        json_string("2026-01-0\u00cf5T00:00:00Z"));
}

START_TEST(import_source_text_stays_valid_utf8)
{
    tb_price_table t, back;
    tb_import *im =
        import_one(TB_IMPORT_AWS, tweaked(AWS_SAMPLE, "cut.json", aws_effective_date_cut_in_a_character), &t, 0);
    const tb_price *p = find(&t, "c7g.xlarge", "on-demand");
    ck_assert_ptr_nonnull(p);
    const char *src = p->cell[TB_PCOL_SOURCE];
    ck_assert_msg(tb_utf8_valid(src, strlen(src)) && strstr(src, "effective ?") != NULL, "%s", src);
    char path[4200];
    snprintf(path, sizeof path, "%s/cut.csv", tmpdir_path);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(tb_prices_write_csv(f, &t, NULL), 0);
    ck_assert_int_eq(fclose(f), 0);
    tb_prices_init(&back);
    ck_assert_int_eq(tb_prices_load_file(&back, path, &no_age), 0);
    ck_assert_uint_eq(back.n, t.n);
    tb_prices_free(&back);
    tb_import_free(im);
    tb_prices_free(&t);
}
END_TEST

/* Found by fuzz_import_azure: pages in two currencies made a table the loader refuses. */
START_TEST(import_of_two_currencies_is_refused)
{
    tb_price_table t;
    tb_import *im =
        import_one(TB_IMPORT_AZURE, tweaked(AZURE_SAMPLE, "eur.json", azure_spot_in_euros), &t, TB_EXIT_USAGE);
    tb_import_free(im);
    tb_prices_free(&t);
}
END_TEST

START_TEST(importers_skip_what_they_cannot_price_never_zero)
{
    static const struct {
        tb_import_from from;
        const char *sample, *file;
        void (*tweak)(json_t *);
        const char *instance;
        const char *gone[2]; /* its pricings no longer imported */
        const char *kept; /* one of its pricings still imported, or NULL */
        long rows; /* rows left, or -1: not checked */
        const char *skipped; /* the reason counted once, or NULL */
    } cases[] = {
        {TB_IMPORT_AWS, AWS_SAMPLE, "a.json", aws_zero_price, "c7g.xlarge", {"on-demand"}, NULL, -1, "cannot price"},
        {TB_IMPORT_AWS, AWS_SAMPLE, "b.json", aws_bad_unit, "c7g.xlarge", {"on-demand"}, NULL, 2, NULL},
        {TB_IMPORT_AWS, AWS_SAMPLE, "c.json", aws_capacity_block, "c7g.xlarge", {"on-demand"}, NULL, -1,
         "marketoption CapacityBlock"},
        {TB_IMPORT_AZURE, AZURE_SAMPLE, "d.json", azure_bad_unit_and_zero, "Standard_D4s_v5", {"on-demand", "spot"},
         NULL, 1, "unitOfMeasure 1 GB/Month"},
        /* no RAM rate: no machine price */
        {TB_IMPORT_GCP, GCP_SAMPLE, "e.json", gcp_monthly_ram, "c3-standard-4", {"on-demand"}, "spot", -1, NULL},
    };
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        tb_price_table t;
        tb_import *im = import_one(cases[k].from, tweaked(cases[k].sample, cases[k].file, cases[k].tweak), &t, 0);
        for (size_t g = 0; g < 2 && cases[k].gone[g]; g++)
            tb_expect(find(&t, cases[k].instance, cases[k].gone[g]) == NULL, "%s: %s %s is priced", cases[k].file,
                      cases[k].instance, cases[k].gone[g]);
        if (cases[k].kept)
            tb_expect(find(&t, cases[k].instance, cases[k].kept) != NULL, "%s: %s %s is not priced", cases[k].file,
                      cases[k].instance, cases[k].kept);
        if (cases[k].rows >= 0)
            tb_expect(t.n == (size_t)cases[k].rows, "%s: %zu rows, not %ld", cases[k].file, t.n, cases[k].rows);
        if (cases[k].skipped)
            tb_expect(tb_import_skipped(im, cases[k].skipped) == 1, "%s: skipped %zu for %s, not 1", cases[k].file,
                      tb_import_skipped(im, cases[k].skipped), cases[k].skipped);
        tb_import_free(im);
        tb_prices_free(&t);
    }
}
END_TEST

/* --output replaces only a regular file of this user, whole, keeping its permissions; a device,
 * FIFO or symbolic link is refused with exit 2 and left as it was (issue 18, item 2). */
START_TEST(output_replaces_only_a_regular_file)
{
    const char *aws = tb_test_fixture(AWS_SAMPLE);
    char path[4200], target[4200], args[8800], cmd[8800];
    snprintf(target, sizeof target, "%s/target.csv", tmpdir_path);
    FILE *f = fopen(target, "w");
    ck_assert_ptr_nonnull(f);
    fputs("keep\n", f);
    fclose(f);
    snprintf(path, sizeof path, "%s/link.csv", tmpdir_path);
    ck_assert_int_eq(symlink("target.csv", path), 0);
    snprintf(cmd, sizeof cmd, "mkfifo '%s/fifo.csv'", tmpdir_path);
    ck_assert_int_eq(system(cmd), 0);
    static const char *const refused[] = {"/dev/null", "link.csv", "fifo.csv", "."};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        if (refused[i][0] == '/')
            snprintf(path, sizeof path, "%s", refused[i]);
        else
            snprintf(path, sizeof path, "%s/%s", tmpdir_path, refused[i]);
        snprintf(args, sizeof args, "prices import --from aws '%s' --output '%s'", aws, path);
        tb_test_expect_usage_error("timeout 20 ", args, "--output");
    }
    struct stat st;
    ck_assert(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    snprintf(path, sizeof path, "%s/link.csv", tmpdir_path);
    ck_assert(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
    ck_assert(stat(target, &st) == 0 && st.st_size == 5);
    /* a regular file: replaced whole, its mode kept */
    ck_assert_int_eq(chmod(target, 0640), 0);
    snprintf(args, sizeof args, "prices import --quiet --from aws '%s' --output '%s'", aws, target);
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_msg(r.status == 0, "%s", r.err);
    tb_test_run_free(&r);
    ck_assert(stat(target, &st) == 0 && st.st_size > 100);
    ck_assert_int_eq(st.st_mode & 07777, 0640);
}
END_TEST

/* Inputs are read only when they are regular files under a size limit: a FIFO is refused, never
 * waited on; /dev/zero and a huge (sparse) file are refused, never read until memory runs out; a
 * FIFO found in a folder of tables is skipped with a warning (issue 18, item 3). */
START_TEST(inputs_must_be_regular_files_of_sane_size)
{
    char fifo[4200], big[4200], dir[4200], args[8800], cmd[17000];
    snprintf(fifo, sizeof fifo, "%s/fifo.csv", tmpdir_path);
    snprintf(big, sizeof big, "%s/big.csv", tmpdir_path);
    snprintf(cmd, sizeof cmd, "mkfifo '%s' && truncate -s 65M '%s'", fifo, big);
    ck_assert_int_eq(system(cmd), 0);
    const struct {
        const char *args, *path, *mention;
    } refused[] = {
        {"list prices --prices '%s'", fifo, "a FIFO"},
        {"list prices --prices '%s'", "/dev/zero", "a character device"},
        {"list prices --prices '%s'", big, "larger than 64.00 MiB"},
        {"prices import --from aws '%s'", fifo, "a FIFO"},
        {"prices import --from gcp '%s'", "/dev/zero", "a character device"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        snprintf(args, sizeof args, refused[i].args, refused[i].path);
        tb_test_expect_usage_error("timeout 20 ", args, refused[i].mention);
    }
    snprintf(dir, sizeof dir, "%s/tables", tmpdir_path);
    snprintf(cmd, sizeof cmd, "mkdir '%s' && cp '%s' '%s/' && mkfifo '%s/zz.csv'", dir,
             tb_test_fixture("prices/cost.csv"), dir, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(args, sizeof args, "list prices --prices '%s' --format json", dir);
    tb_run_result r = tb_test_run("timeout 20 ", args);
    ck_assert_msg(r.status == 0, "exit %d: %s", r.status, r.err);
    ck_assert_msg(strstr(r.err, "zz.csv: not a regular file, skipped"), "%s", r.err);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(import_end_to_end)
{
    char args[4400], out[4200];
    snprintf(out, sizeof out, "%s/aws.csv", tmpdir_path);
    snprintf(args, sizeof args, "prices import --from aws '%s' --output '%s'", tb_test_fixture(AWS_SAMPLE), out);
    tb_test_expect_printed(NULL, args, 0, NULL, (const char *const[]){"operatingSystem Windows", NULL});
    tb_price_table t;
    tb_prices_init(&t);
    ck_assert_int_eq(tb_prices_load_file(&t, out, &no_age), 0);
    ck_assert_uint_eq(t.n, 3);
    tb_prices_free(&t);

    snprintf(args, sizeof args, "prices import --quiet --from gcp '%s'", tb_test_fixture(GCP_SAMPLE));
    tb_run_result r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_str_eq(r.err, "");
    ck_assert_ptr_nonnull(strstr(r.out, "\nprovider,region,instance,"));
    ck_assert_ptr_nonnull(strstr(r.out, "gcp,us-central1,c3-standard-4,4,2,2,16,"));
    tb_test_run_free(&r);

    static const struct {
        const char *args, *mention;
    } bad[] = {
        {"prices import --from ibm x.json", "--from"},
        {"prices import x.json", "--from"},
        {"prices export --from aws x.json", "import"},
        {"prices import --from aws", "FILE"},
        {"prices import --from aws /nonexistent.json", "/nonexistent.json"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        r = tb_test_run(NULL, bad[i].args);
        ck_assert_msg(r.status == 2 && tb_test_count_lines(r.err) == 1 && strstr(r.err, bad[i].mention),
                      "%s: %d %s", bad[i].args, r.status, r.err);
        tb_test_run_free(&r);
    }
    /* the wrong format, and a file that is not JSON, name the file */
    snprintf(args, sizeof args, "prices import --from aws '%s'", tb_test_fixture(AZURE_SAMPLE));
    tb_test_expect_printed(NULL, args, 2, NULL, (const char *const[]){"wrong --from", NULL});
    snprintf(args, sizeof args, "prices import --from gcp '%s'", tb_test_fixture("prices/cost.csv"));
    r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(strstr(r.err, "cost.csv:") && strstr(r.err, "not valid JSON"), "%s", r.err);
    tb_test_run_free(&r);
    /* nothing importable is an error, not an empty table */
    const char *e2 = write_tmp("e2.json", "{\"skus\": [{\"skuId\": \"CF4E-A0C7-E3BF\", \"description\": \"E2 Instance "
                                          "Core running in Americas\", \"category\": {\"resourceFamily\": \"Compute\", "
                                          "\"resourceGroup\": \"CPU\", \"usageType\": \"OnDemand\"}}], "
                                          "\"nextPageToken\": \"\"}");
    snprintf(args, sizeof args, "prices import --quiet --from gcp '%s'", e2);
    r = tb_test_run(NULL, args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_ptr_nonnull(strstr(r.err, "nothing could be imported"));
    ck_assert_str_eq(r.out, "");
    tb_test_run_free(&r);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("prices");
    const TTest *const prices[] = {liberal_table_bom_crlf_comments_quotes_any_order, utf8_rule,
                                   column_order_does_not_matter, csv_written_reads_back_identically,
                                   every_error_names_file_line_and_column, duplicates_across_tables_name_both,
                                   missing_files_and_directories, old_prices_warn_unless_quiet_or_allowed,
                                   windows_rate_among_linux_ones_is_an_outlier,
                                   unknown_columns_warn_once_and_empty_price_is_never_zero, families_dates_and_codes,
                                   committed_tables_load_clean, list_formats, aws_offer_file, azure_retail_page,
                                   gcp_catalog_page, importers_skip_what_they_cannot_price_never_zero,
                                   import_of_two_currencies_is_refused, import_source_text_stays_valid_utf8,
                                   import_end_to_end, output_replaces_only_a_regular_file,
                                   inputs_must_be_regular_files_of_sane_size, NULL};
    TCase *tc = tb_test_add_tcase(s, "prices", 120, prices);
    tcase_add_checked_fixture(tc, setup, teardown);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
