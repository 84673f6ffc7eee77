/* The report's building blocks: the CSV writer's quoting, the dotted-path JSON getter, and the
 * table renderer's text, Markdown and CSV forms (alignment, fixed widths, no cap on rows). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "csv_write.h"
#include "json_path.h"
#include "table.h"
#include "testmain.h"
#include "testutil.h"

/* What fn wrote, as a string the caller frees. */
typedef struct capture {
    char *buf;
    size_t len;
    FILE *f;
} capture;

static void cap_open(capture *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    ck_assert_ptr_nonnull(c->f);
}

static char *cap_close(capture *c)
{
    fclose(c->f);
    return c->buf;
}

static char *csv_of(const char *field, int always)
{
    capture c;
    cap_open(&c);
    if (always)
        tb_csv_field_quoted(c.f, field);
    else
        tb_csv_field(c.f, field);
    return cap_close(&c);
}

static void expect_csv(const char *field, const char *want)
{
    char *got = csv_of(field, 0);
    ck_assert_str_eq(got, want);
    free(got);
}

START_TEST(csv_quotes_only_what_must_be)
{
    expect_csv("plain", "plain");
    expect_csv("", "");
    expect_csv("1.5e-08", "1.5e-08");
    expect_csv("a,b", "\"a,b\"");
    expect_csv("say \"hi\"", "\"say \"\"hi\"\"\"");
    expect_csv("two\nlines", "\"two\nlines\"");
    expect_csv("cr\r", "\"cr\r\"");
    /* read back by libcsv, which trims unquoted blanks and takes '#' for a comment */
    expect_csv("#1", "\"#1\"");
    expect_csv(" lead", "\" lead\"");
    expect_csv("trail ", "\"trail \"");
    expect_csv("in # side", "in # side");
    char *q = csv_of("x\"y", 1);
    ck_assert_str_eq(q, "\"x\"\"y\"");
    free(q);
    q = csv_of("", 1);
    ck_assert_str_eq(q, "\"\"");
    free(q);
}
END_TEST

START_TEST(csv_comment_prefixes_each_line)
{
    capture c;
    cap_open(&c);
    tb_csv_comment(c.f, "one, two\nthree\n");
    tb_csv_comment(c.f, NULL);
    char *got = cap_close(&c);
    ck_assert_str_eq(got, "# one, two\n# three\n");
    free(got);
}
END_TEST

START_TEST(json_path_walks_dotted_members)
{
    json_t *o =
        json_loads("{\"a\": {\"b\": {\"c\": 2.5, \"s\": \"text\", \"i\": 7}}, \"top\": 1, \"arr\": [1]}", 0, NULL);
    ck_assert_ptr_nonnull(o);
    ck_assert_double_eq(tb_json_num(o, "a.b.c"), 2.5);
    ck_assert_double_eq(tb_json_num(o, "top"), 1);
    ck_assert_int_eq(tb_json_int(o, "a.b.i"), 7);
    ck_assert_str_eq(tb_json_str(o, "a.b.s"), "text");
    ck_assert_ptr_eq(tb_json_at(o, "a.b"), json_object_get(json_object_get(o, "a"), "b"));
    /* absent, the wrong type, or a step through a non-object */
    ck_assert(isnan(tb_json_num(o, "a.b.missing")));
    ck_assert(isnan(tb_json_num(o, "a.b.s")));
    ck_assert(isnan(tb_json_num(o, "top.x")));
    ck_assert(isnan(tb_json_num(o, "arr.0")));
    ck_assert(isnan(tb_json_num(NULL, "a")));
    ck_assert_int_eq(tb_json_int(o, "a.b.c"), 0);
    ck_assert_str_eq(tb_json_str(o, "a.b.c"), "");
    ck_assert_ptr_null(tb_json_str_or(o, "nope.x", NULL));
    ck_assert_str_eq(tb_json_str_or(o, "a.b.x", "?"), "?");
    ck_assert_ptr_null(tb_json_at(o, "a..b"));
    json_decref(o);
}
END_TEST

START_TEST(json_path_takes_long_keys)
{
    char key[300], path[700];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    json_t *o = json_pack("{s:{s:i}}", key, key, 3);
    snprintf(path, sizeof path, "%s.%s", key, key);
    ck_assert_int_eq(tb_json_int(o, path), 3);
    json_decref(o);
}
END_TEST

static const tb_col cols[] = {{"name", 0, 0}, {"n", 0, TB_COL_RIGHT | TB_COL_MD_RIGHT}, {"note", 0, 0}};

static char *render(const tb_table *t, tb_format fmt)
{
    capture c;
    cap_open(&c);
    tb_table_print(t, fmt, c.f);
    return cap_close(&c);
}

static void fill(tb_table *t)
{
    tb_table_init(t, cols, 3);
    const char *r1[] = {"alpha", "1", "a|b"};
    ck_assert_int_eq(tb_table_row(t, r1), 0);
    tb_table_cell(t, "b");
    tb_table_cellf(t, "%d", 12345);
    tb_table_cell(t, NULL);
    ck_assert_uint_eq(tb_table_nrows(t), 2);
}

START_TEST(table_text_pads_to_the_widest_cell)
{
    tb_table t;
    fill(&t);
    char *s = render(&t, TB_FMT_TEXT);
    /* headers left-aligned, n right-aligned, the left-aligned last column never padded */
    ck_assert_str_eq(s, "name   n      note\n"
                        "alpha      1  a|b\n"
                        "b      12345  \n");
    free(s);
    t.sep = " ";
    t.indent = "> ";
    s = render(&t, TB_FMT_TEXT);
    ck_assert_str_eq(s, "> name  n     note\n"
                        "> alpha     1 a|b\n"
                        "> b     12345 \n");
    free(s);
    tb_table_free(&t);
}
END_TEST

START_TEST(table_markdown_and_csv)
{
    tb_table t;
    fill(&t);
    char *s = render(&t, TB_FMT_MD);
    ck_assert_str_eq(s, "| name | n | note |\n"
                        "|---|---:|---|\n"
                        "| alpha | 1 | a\\|b |\n"
                        "| b | 12345 |  |\n");
    free(s);
    s = render(&t, TB_FMT_CSV);
    ck_assert_str_eq(s, "name,n,note\n"
                        "alpha,1,a|b\n"
                        "b,12345,\n");
    free(s);
    tb_table_free(&t);
}
END_TEST

START_TEST(table_fixed_widths_overflow_and_right_headers)
{
    static const tb_col fixed[] = {{"id", 4, TB_COL_RIGHT | TB_COL_HEAD_RIGHT}, {"kernel", 6, TB_COL_CSV_QUOTED},
                                   {"last", 3, TB_COL_RIGHT}};
    tb_table t;
    tb_table_init(&t, fixed, 3);
    t.sep = " ";
    const char *r1[] = {"7", "a_long_name", "x"}, *r2[] = {"12", "k,1", "yy"};
    tb_table_row(&t, r1);
    tb_table_row(&t, r2);
    char *s = render(&t, TB_FMT_TEXT);
    /* a fixed width pads each cell, a longer one overflows; a right-aligned last column is padded */
    ck_assert_str_eq(s, "  id kernel last\n"
                        "   7 a_long_name   x\n"
                        "  12 k,1     yy\n");
    free(s);
    s = render(&t, TB_FMT_CSV);
    ck_assert_str_eq(s, "id,kernel,last\n"
                        "7,\"a_long_name\",x\n"
                        "12,\"k,1\",yy\n");
    free(s);
    tb_table_free(&t);
}
END_TEST

START_TEST(table_has_no_row_cap)
{
    static const tb_col one[] = {{"i", 0, 0}};
    tb_table t;
    tb_table_init(&t, one, 1);
    for (int i = 0; i < 5000; i++)
        ck_assert_int_eq(tb_table_cellf(&t, "%d", i), 0);
    ck_assert_uint_eq(tb_table_nrows(&t), 5000);
    char *s = render(&t, TB_FMT_CSV);
    size_t lines = 0;
    for (const char *p = s; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 5001);
    ck_assert_ptr_nonnull(strstr(s, "\n4999\n"));
    free(s);
    tb_table_free(&t);
    ck_assert_uint_eq(tb_table_nrows(&t), 0);
}
END_TEST

/* Strings from files are data in every format (issue 18, item 5): no control sequence reaches a
 * terminal, no markup a Markdown viewer, no formula a spreadsheet. */
START_TEST(every_format_escapes_what_came_from_a_file)
{
    tb_table t;
    tb_table_init(&t, cols, 3);
    const char *r1[] = {"\x1b[31mred\nx", "-5", "=HYPERLINK(\"u\")"};
    const char *r2[] = {"<script>x</script>&", "+1e3", "@SUM(A1)"};
    const char *r3[] = {"-cmd", "\xff", "a\\b"};
    ck_assert_int_eq(tb_table_row(&t, r1), 0);
    ck_assert_int_eq(tb_table_row(&t, r2), 0);
    ck_assert_int_eq(tb_table_row(&t, r3), 0);
    char *s = render(&t, TB_FMT_TEXT);
    ck_assert_ptr_null(strchr(s, '\x1b'));
    ck_assert_ptr_nonnull(strstr(s, "\\x1b[31mred\\x0ax"));
    ck_assert_ptr_nonnull(strstr(s, "\\xff"));
    ck_assert_int_eq(tb_test_count_lines(s), 4); /* the header and three rows: no row was broken */
    free(s);
    s = render(&t, TB_FMT_MD);
    ck_assert_ptr_null(strstr(s, "<script>"));
    ck_assert_ptr_nonnull(strstr(s, "&lt;script&gt;x&lt;/script&gt;&amp;"));
    ck_assert_ptr_nonnull(strstr(s, "a\\\\b"));
    ck_assert_int_eq(tb_test_count_lines(s), 5);
    free(s);
    s = render(&t, TB_FMT_CSV);
    ck_assert_ptr_nonnull(strstr(s, ",-5,\"'=HYPERLINK(\"\"u\"\")\"\n"));
    ck_assert_ptr_nonnull(strstr(s, ",+1e3,\"'@SUM(A1)\"\n"));
    ck_assert_ptr_nonnull(strstr(s, "\n\"'-cmd\","));
    free(s);
    tb_table_free(&t);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("report");
    const TTest *const core[] = {csv_quotes_only_what_must_be, csv_comment_prefixes_each_line,
                                 json_path_walks_dotted_members, json_path_takes_long_keys,
                                 table_text_pads_to_the_widest_cell, table_markdown_and_csv,
                                 table_fixed_widths_overflow_and_right_headers, table_has_no_row_cap,
                                 every_format_escapes_what_came_from_a_file, NULL};
    tb_test_add_tcase(s, "core", 0, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
