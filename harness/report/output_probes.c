/* Tables of the roofline probes (bench stream, bench peak): text, Markdown and CSV renderings of
 * the same rows. JSON output is the record itself. */
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NCOL 11

static int is_stream(const json_t *c) { return strcmp(tb_json_str(c, "op"), "stream") == 0; }

/* bench peak --dtype q8_0|q4_0: the int8 dot ceiling, in GOP/s */
static int is_int8(const json_t *c) { return strcmp(tb_json_str(c, "variant"), "int8") == 0; }

typedef struct {
    char what[24], thr[16], rate[24], unit[8];
    tb_stat_cells st; /* check, median, CI, cv, n */
} row_text;

static void make_row(const json_t *c, row_text *r)
{
    snprintf(r->what, sizeof r->what, "%s", is_stream(c) ? tb_json_str(c, "variant") : tb_json_str(c, "isa"));
    snprintf(r->thr, sizeof r->thr, "%lld", json_integer_value(json_object_get(c, "threads")));
    int timed = tb_fmt_stat_cells(c, &r->st);
    snprintf(r->unit, sizeof r->unit, "%s", is_stream(c) ? "GB/s" : is_int8(c) ? "GOP/s" : "GFLOP/s");
    if (!timed) {
        r->rate[0] = r->unit[0] = '\0';
        return;
    }
    const char *key = is_stream(c) ? "gbps" : is_int8(c) ? "gops" : "gflops";
    snprintf(r->rate, sizeof r->rate, "%.1f", tb_json_num(c, "rate", key));
}

/* An integer field, or an empty cell where the case has none (peak has no array sizes). */
static void csv_int(const json_t *o, const char *key)
{
    const json_t *x = json_object_get(o, key);
    if (json_is_integer(x))
        printf("%lld", json_integer_value(x));
    printf(",");
}

static void print_csv(const json_t *cases)
{
    size_t i;
    json_t *c;
    printf("op,variant,isa,dtype,threads,elements,bytes_per_array,flops_per_call,check_passed,max_rel_err,samples,"
           "median_ns,ci95_low_ns,ci95_high_ns,cv,p90_ns,p99_ns,gflops,gbps,gops\n");
    json_array_foreach(cases, i, c) {
        const json_t *sh = json_object_get(c, "shape"), *st = json_object_get(c, "stats");
        printf("%s,%s,%s,%s,%lld,", tb_json_str(c, "op"), tb_json_str(c, "variant"), tb_json_str(c, "isa"), tb_json_str(c, "dtype"),
               json_integer_value(json_object_get(c, "threads")));
        csv_int(sh, "elements");
        csv_int(sh, "bytes_per_array");
        csv_int(sh, "flops_per_call");
        printf("%s,%.3e,%lld,%.1f,%.1f,%.1f,%.4f,%.1f,%.1f,%.3f,%.3f,%.3f\n",
               json_is_true(json_object_get(json_object_get(c, "check"), "passed")) ? "true" : "false",
               tb_json_num(c, "check", "max_rel_err"), json_integer_value(json_object_get(st, "n")), tb_json_num(st, "median", NULL),
               tb_json_num(st, "ci95_low", NULL), tb_json_num(st, "ci95_high", NULL), tb_json_num(st, "cv", NULL), tb_json_num(st, "p90", NULL),
               tb_json_num(st, "p99", NULL), tb_json_num(c, "rate", "gflops"), tb_json_num(c, "rate", "gbps"),
               tb_json_num(c, "rate", "gops"));
    }
}

void tb_output_probe_cases(const json_t *cases, tb_format fmt)
{
    if (fmt == TB_FMT_CSV) {
        print_csv(cases);
        return;
    }
    size_t nrows = json_array_size(cases);
    if (nrows > 64)
        nrows = 64;
    const json_t *first = json_array_get(cases, 0);
    int stream = first && is_stream(first);
    const char *head[NCOL] = {"op", stream ? "variant" : "isa", stream ? "isa" : "", "thr", "check", "median",
                              "95% CI (median)", "cv", "n", "rate", "unit"};
    row_text rows[64];
    const char *cells[64][NCOL];
    int w[NCOL], noisy = 0;
    for (int k = 0; k < NCOL; k++)
        w[k] = (int)strlen(head[k]);
    for (size_t i = 0; i < nrows; i++) {
        const json_t *c = json_array_get(cases, i);
        make_row(c, &rows[i]);
        const char *row[NCOL] = {tb_json_str(c, "op"), rows[i].what, stream ? tb_json_str(c, "isa") : "", rows[i].thr,
                                 rows[i].st.check, rows[i].st.median, rows[i].st.ci, rows[i].st.cv, rows[i].st.n, rows[i].rate,
                                 rows[i].unit};
        memcpy(cells[i], row, sizeof row);
        for (int k = 0; k < NCOL; k++)
            if ((int)strlen(row[k]) > w[k])
                w[k] = (int)strlen(row[k]);
        noisy |= strchr(rows[i].st.cv, '!') != NULL;
    }
    const int md = fmt == TB_FMT_MD;
    const char *sep = md ? " | " : "  ";
    /* Peak has no separate isa column: it is the case itself. */
    int skip = stream ? -1 : 2;
    printf(md ? "| " : "");
    for (int k = 0; k < NCOL; k++)
        if (k != skip)
            printf("%-*s%s", md || k == NCOL - 1 ? 0 : w[k], head[k], k < NCOL - 1 ? sep : (md ? " |\n" : "\n"));
    if (md) {
        printf("|");
        for (int k = 0; k < NCOL; k++)
            if (k != skip)
                printf("%s|", k == 9 ? "---:" : "---");
        printf("\n");
    }
    for (size_t i = 0; i < nrows; i++) {
        printf(md ? "| " : "");
        for (int k = 0; k < NCOL; k++) {
            if (k == skip)
                continue;
            int right = !md && (k == 8 || k == 9);
            printf(right ? "%*s%s" : "%-*s%s", md || k == NCOL - 1 ? 0 : w[k], cells[i][k],
                   k < NCOL - 1 ? sep : (md ? " |\n" : "\n"));
        }
    }
    if (fmt == TB_FMT_TEXT) {
        printf("median of n samples per call; 95%% CI of the median from order statistics; ");
        if (stream)
            printf("GB/s = 1e9 B/s with STREAM's byte counts (copy, scale 16 B, add, triad 24 B, read 8 B per "
                   "element); check: max relative error vs a scalar replay\n");
        else if (first && is_int8(first))
            printf("GOP/s = 2 x the probe's multiply-adds x threads / median (the ceiling run grades q8_0/q4_0 "
                   "weight products against); check: exact vs a scalar replay of the instruction\n");
        else
            printf("GFLOP/s = lanes x 2 x chains x iterations x threads / median; check: exact vs a scalar "
                   "replay\n");
        if (noisy)
            printf("! cv above 5%%: this machine was noisy during the run, compare medians with care\n");
    }
}
