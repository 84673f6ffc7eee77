/* Bench tables: text, Markdown and CSV renderings of the same rows. */
#include "output.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int same_shape(const json_t *x, const json_t *y)
{
    return json_equal(json_object_get(x, "shape"), json_object_get(y, "shape")) &&
           strcmp(tb_json_str(x, "op"), tb_json_str(y, "op")) == 0;
}

/* The case this one is compared with, for the same op and shape: the read probe when there is
 * one (weight bytes per second against what the machine reads in the same rounds), else
 * OpenBLAS, else the first case (FLOP rate). *metric names the rate compared. */
static const json_t *baseline(const json_t *cases, const json_t *c, const char **metric)
{
    size_t i;
    json_t *x;
    const json_t *first = NULL, *blas = NULL, *read = NULL;
    json_array_foreach(cases, i, x) {
        if (!same_shape(x, c) || !json_is_object(json_object_get(x, "rate")))
            continue;
        if (!first)
            first = x;
        if (strcmp(tb_json_str(x, "backend"), "openblas") == 0)
            blas = x;
        if (strcmp(tb_json_str(x, "backend"), "read") == 0)
            read = x;
    }
    *metric = read ? "weight_gbps" : "gflops";
    return read ? read : blas ? blas : first;
}

typedef struct {
    char backend[48], shape[48], gflops[16], gbps[16], ratio[24];
    tb_stat_cells st; /* check, median, CI, cv, n */
} row_text;

static void make_row(const json_t *cases, const json_t *c, row_text *r)
{
    const json_t *sh = json_object_get(c, "shape");
    if (strcmp(tb_json_str(c, "backend"), "portable") == 0)
        snprintf(r->backend, sizeof r->backend, "portable/%s", tb_json_str(c, "isa"));
    else
        snprintf(r->backend, sizeof r->backend, "%s", tb_json_str(c, "backend"));
    snprintf(r->shape, sizeof r->shape, "%lldx%lldx%lld", json_integer_value(json_object_get(sh, "m")),
             json_integer_value(json_object_get(sh, "n")), json_integer_value(json_object_get(sh, "k")));
    int timed = tb_fmt_stat_cells(c, &r->st);
    if (!timed) {
        r->gflops[0] = r->gbps[0] = r->ratio[0] = '\0';
        return;
    }
    snprintf(r->gflops, sizeof r->gflops, "%.1f", tb_json_num(c, "rate", "gflops"));
    snprintf(r->gbps, sizeof r->gbps, "%.1f", tb_json_num(c, "rate", "weight_gbps"));
    const char *metric;
    const json_t *base = baseline(cases, c, &metric);
    if (!base)
        r->ratio[0] = '\0';
    else
        snprintf(r->ratio, sizeof r->ratio, "%.3gx", tb_json_num(c, "rate", metric) / tb_json_num(base, "rate", metric));
    if (strcmp(tb_json_str(c, "backend"), "read") == 0)
        snprintf(r->gflops, sizeof r->gflops, "-");
}

void tb_output_bench_cases(const json_t *cases, tb_format fmt)
{
    enum { NCOL = 13 };
    static const char *head[NCOL] = {"op", "backend", "dtype", "shape", "thr", "check", "median", "95% CI (median)",
                                     "cv", "n", "GFLOP/s", "W GB/s", "vs base"};
    size_t i;
    json_t *c;
    int noisy = 0;
    if (fmt == TB_FMT_CSV) {
        printf("op,backend,isa,dtype,m,n,k,threads,check_passed,max_rel_err,samples,median_ns,ci95_low_ns,"
               "ci95_high_ns,cv,p90_ns,p99_ns,gflops,gbps\n");
        json_array_foreach(cases, i, c) {
            const json_t *sh = json_object_get(c, "shape"), *st = json_object_get(c, "stats");
            printf("%s,%s,%s,%s,%lld,%lld,%lld,%lld,%s,%.3e,%lld,%.1f,%.1f,%.1f,%.4f,%.1f,%.1f,%.3f,%.3f\n",
                   tb_json_str(c, "op"), tb_json_str(c, "backend"), tb_json_str(c, "isa"), tb_json_str(c, "dtype"),
                   json_integer_value(json_object_get(sh, "m")), json_integer_value(json_object_get(sh, "n")),
                   json_integer_value(json_object_get(sh, "k")), json_integer_value(json_object_get(c, "threads")),
                   json_is_true(json_object_get(json_object_get(c, "check"), "passed")) ? "true" : "false",
                   tb_json_num(c, "check", "max_rel_err"), json_integer_value(json_object_get(st, "n")),
                   tb_json_num(st, "median", NULL), tb_json_num(st, "ci95_low", NULL), tb_json_num(st, "ci95_high", NULL),
                   tb_json_num(st, "cv", NULL), tb_json_num(st, "p90", NULL), tb_json_num(st, "p99", NULL), tb_json_num(c, "rate", "gflops"),
                   tb_json_num(c, "rate", "gbps"));
        }
        return;
    }
    /* Text and Markdown share the cells; text pads them to the widest. */
    size_t nrows = json_array_size(cases);
    int w[NCOL];
    for (int k = 0; k < NCOL; k++)
        w[k] = (int)strlen(head[k]);
    row_text rows[256];
    if (nrows > 256)
        nrows = 256;
    for (i = 0; i < nrows; i++) {
        c = json_array_get(cases, i);
        make_row(cases, c, &rows[i]);
        char thr[16];
        snprintf(thr, sizeof thr, "%lld", json_integer_value(json_object_get(c, "threads")));
        const char *cells[NCOL] = {tb_json_str(c, "op"), rows[i].backend, tb_json_str(c, "dtype"), rows[i].shape, thr, rows[i].st.check,
                                   rows[i].st.median, rows[i].st.ci, rows[i].st.cv, rows[i].st.n, rows[i].gflops, rows[i].gbps,
                                   rows[i].ratio};
        for (int k = 0; k < NCOL; k++)
            if ((int)strlen(cells[k]) > w[k])
                w[k] = (int)strlen(cells[k]);
        noisy |= strchr(rows[i].st.cv, '!') != NULL;
    }
    const char *sep = fmt == TB_FMT_MD ? " | " : "  ";
    if (fmt == TB_FMT_MD)
        printf("| ");
    for (int k = 0; k < NCOL; k++)
        printf("%-*s%s", fmt == TB_FMT_MD ? 0 : w[k], head[k], k < NCOL - 1 ? sep : (fmt == TB_FMT_MD ? " |\n" : "\n"));
    if (fmt == TB_FMT_MD) {
        printf("|");
        for (int k = 0; k < NCOL; k++)
            printf("%s|", k >= NCOL - 3 ? "---:" : "---");
        printf("\n");
    }
    for (i = 0; i < nrows; i++) {
        c = json_array_get(cases, i);
        char thr[16];
        snprintf(thr, sizeof thr, "%lld", json_integer_value(json_object_get(c, "threads")));
        const char *cells[NCOL] = {tb_json_str(c, "op"), rows[i].backend, tb_json_str(c, "dtype"), rows[i].shape, thr, rows[i].st.check,
                                   rows[i].st.median, rows[i].st.ci, rows[i].st.cv, rows[i].st.n, rows[i].gflops, rows[i].gbps,
                                   rows[i].ratio};
        if (fmt == TB_FMT_MD)
            printf("| ");
        for (int k = 0; k < NCOL; k++) {
            int right = k >= NCOL - 4 && fmt == TB_FMT_TEXT;
            printf(right ? "%*s%s" : "%-*s%s", fmt == TB_FMT_MD ? 0 : w[k], cells[k],
                   k < NCOL - 1 ? sep : (fmt == TB_FMT_MD ? " |\n" : "\n"));
        }
    }
    if (fmt == TB_FMT_TEXT) {
        printf("median of n samples per call; 95%% CI of the median from order statistics; "
               "check: max error / sum|a*w| vs the double reference; W GB/s: weight bytes per second; "
               "vs base: W GB/s against the read probe when it ran, else GFLOP/s against openblas\n");
        if (noisy)
            printf("! cv above 5%%: this machine was noisy during the run, compare medians with care\n");
    }
}
