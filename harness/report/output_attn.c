/* Tables of bench attn-prefill / attn-decode: text, Markdown and CSV renderings of the same rows.
 * Each kernel row is set against the probe timed in the same rounds: decode's KV GB/s against the
 * read probe's GB/s, prefill's GFLOP/s against the FMA peak. JSON output is the record itself. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "output.h"

#define NCOL 13
#define MAX_ROWS 256

static long long ival(const json_t *o, const char *a, const char *b)
{
    const json_t *x = json_object_get(o, a);
    if (b)
        x = json_object_get(x, b);
    return json_integer_value(x);
}

static int is_decode(const json_t *c) { return strcmp(tb_json_str(c, "op"), "attn-decode") == 0; }

static int same_case(const json_t *x, const json_t *y)
{
    return json_equal(json_object_get(x, "shape"), json_object_get(y, "shape")) &&
           strcmp(tb_json_str(x, "op"), tb_json_str(y, "op")) == 0;
}

/* The probe of the same case that bounds this one (decode: read, prefill: peak), and the rate
 * compared; NULL when it did not run. */
static const json_t *baseline(const json_t *cases, const json_t *c, const char **metric)
{
    const char *want = is_decode(c) ? "read" : "peak";
    *metric = is_decode(c) ? "gbps" : "gflops";
    size_t i;
    json_t *x;
    json_array_foreach(cases, i, x) {
        if (same_case(x, c) && json_is_object(json_object_get(x, "rate")) &&
            strcmp(tb_json_str(x, "backend"), want) == 0)
            return x;
    }
    return NULL;
}

static void shape_text(const json_t *c, char *buf, size_t cap)
{
    const json_t *sh = json_object_get(c, "shape");
    int n = snprintf(buf, cap, "%lld/%lldx%lld", ival(sh, "heads", NULL), ival(sh, "kv_heads", NULL),
                     ival(sh, "head_dim", NULL));
    if (!is_decode(c)) {
        snprintf(buf + n, cap - (size_t)n, " S=%lld", ival(sh, "seq", NULL));
        return;
    }
    const json_t *lens = json_object_get(sh, "lengths");
    size_t i, m = json_array_size(lens);
    json_t *l;
    int uniform = 1;
    json_array_foreach(lens, i, l) uniform &= json_integer_value(l) == ival(sh, "ctx", NULL);
    if (uniform) {
        snprintf(buf + n, cap - (size_t)n, " C=%lld B=%lld", ival(sh, "ctx", NULL), ival(sh, "batch", NULL));
        return;
    }
    n += snprintf(buf + n, cap - (size_t)n, " C=");
    json_array_foreach(lens, i, l) {
        if ((size_t)n + 24 >= cap) {
            snprintf(buf + n, cap - (size_t)n, ",..(%zu)", m);
            return;
        }
        n += snprintf(buf + n, cap - (size_t)n, "%s%lld", i ? "," : "", json_integer_value(l));
    }
}

typedef struct {
    char backend[48], shape[96], thr[16], gflops[16], gbps[16], ratio[24];
    tb_stat_cells st; /* check, median, CI, cv, n */
} row_text;

static void make_row(const json_t *cases, const json_t *c, row_text *r)
{
    const char *bk = tb_json_str(c, "backend");
    if (strcmp(bk, "ref") == 0)
        snprintf(r->backend, sizeof r->backend, "ref");
    else
        snprintf(r->backend, sizeof r->backend, "%s/%s", bk, tb_json_str(c, "isa"));
    shape_text(c, r->shape, sizeof r->shape);
    snprintf(r->thr, sizeof r->thr, "%lld", ival(c, "threads", NULL));
    int timed = tb_fmt_stat_cells(c, &r->st);
    if (!timed) {
        r->gflops[0] = r->gbps[0] = r->ratio[0] = '\0';
        return;
    }
    double gf = tb_json_num(c, "rate", "gflops"), gb = tb_json_num(c, "rate", "gbps");
    snprintf(r->gflops, sizeof r->gflops, gf > 0 ? "%.1f" : "-", gf);
    snprintf(r->gbps, sizeof r->gbps, gb > 0 ? "%.1f" : "-", gb);
    const char *metric;
    const json_t *base = baseline(cases, c, &metric);
    if (base && base != c)
        snprintf(r->ratio, sizeof r->ratio, "%.0f%%", 100.0 * tb_json_num(c, "rate", metric) / tb_json_num(base, "rate", metric));
    else
        r->ratio[0] = '\0';
}

static void print_csv(const json_t *cases)
{
    size_t i;
    json_t *c;
    printf("op,backend,isa,kernel,kv_dtype,heads,kv_heads,head_dim,seq,ctx,batch,threads,check_passed,max_rel_err,"
           "samples,median_ns,ci95_low_ns,ci95_high_ns,cv,p90_ns,p99_ns,gflops,gbps\n");
    json_array_foreach(cases, i, c) {
        const json_t *sh = json_object_get(c, "shape"), *st = json_object_get(c, "stats");
        printf("%s,%s,%s,%s,%s,%lld,%lld,%lld,", tb_json_str(c, "op"), tb_json_str(c, "backend"), tb_json_str(c, "isa"),
               tb_json_str(c, "kernel"), tb_json_str(c, "dtype"), ival(sh, "heads", NULL), ival(sh, "kv_heads", NULL),
               ival(sh, "head_dim", NULL));
        if (is_decode(c))
            printf(",%lld,%lld,", ival(sh, "ctx", NULL), ival(sh, "batch", NULL));
        else
            printf("%lld,,1,", ival(sh, "seq", NULL));
        printf("%lld,%s,%.3e,%lld,%.1f,%.1f,%.1f,%.4f,%.1f,%.1f,%.3f,%.3f\n", ival(c, "threads", NULL),
               json_is_true(json_object_get(json_object_get(c, "check"), "passed")) ? "true" : "false",
               tb_json_num(c, "check", "max_rel_err"), ival(st, "n", NULL), tb_json_num(st, "median", NULL),
               tb_json_num(st, "ci95_low", NULL), tb_json_num(st, "ci95_high", NULL), tb_json_num(st, "cv", NULL),
               tb_json_num(st, "p90", NULL), tb_json_num(st, "p99", NULL), tb_json_num(c, "rate", "gflops"),
               tb_json_num(c, "rate", "gbps"));
    }
}

void tb_output_attn_cases(const json_t *cases, tb_format fmt)
{
    if (fmt == TB_FMT_CSV) {
        print_csv(cases);
        return;
    }
    static const char *head[NCOL] = {"op", "backend", "kv", "shape", "thr", "check", "median", "95% CI (median)",
                                     "cv", "n", "GFLOP/s", "GB/s", "of probe"};
    size_t nrows = json_array_size(cases);
    if (nrows > MAX_ROWS)
        nrows = MAX_ROWS;
    static row_text rows[MAX_ROWS];
    const char *cells[MAX_ROWS][NCOL];
    int w[NCOL], noisy = 0, decode = 0, prefill = 0;
    for (int k = 0; k < NCOL; k++)
        w[k] = (int)strlen(head[k]);
    for (size_t i = 0; i < nrows; i++) {
        const json_t *c = json_array_get(cases, i);
        make_row(cases, c, &rows[i]);
        const char *row[NCOL] = {tb_json_str(c, "op"), rows[i].backend, tb_json_str(c, "dtype"), rows[i].shape,
                                 rows[i].thr, rows[i].st.check, rows[i].st.median, rows[i].st.ci, rows[i].st.cv, rows[i].st.n,
                                 rows[i].gflops, rows[i].gbps, rows[i].ratio};
        memcpy(cells[i], row, sizeof row);
        for (int k = 0; k < NCOL; k++)
            if ((int)strlen(row[k]) > w[k])
                w[k] = (int)strlen(row[k]);
        noisy |= strchr(rows[i].st.cv, '!') != NULL;
        decode |= is_decode(c);
        prefill |= !is_decode(c);
    }
    const int md = fmt == TB_FMT_MD;
    const char *sep = md ? " | " : "  ";
    printf(md ? "| " : "");
    for (int k = 0; k < NCOL; k++)
        printf("%-*s%s", md || k == NCOL - 1 ? 0 : w[k], head[k], k < NCOL - 1 ? sep : (md ? " |\n" : "\n"));
    if (md) {
        printf("|");
        for (int k = 0; k < NCOL; k++)
            printf("%s|", k >= NCOL - 4 ? "---:" : "---");
        printf("\n");
    }
    for (size_t i = 0; i < nrows; i++) {
        printf(md ? "| " : "");
        for (int k = 0; k < NCOL; k++) {
            int right = !md && k >= NCOL - 4;
            printf(right ? "%*s%s" : "%-*s%s", md || (k == NCOL - 1 && !right) ? 0 : w[k], cells[i][k],
                   k < NCOL - 1 ? sep : (md ? " |\n" : "\n"));
        }
    }
    if (fmt == TB_FMT_TEXT) {
        printf("median of n samples per call; 95%% CI of the median from order statistics; check: max |out - ref| / "
               "sum p|v| vs the double reference (kv: the KV-cache dtype)\n");
        if (prefill)
            printf("prefill: GFLOP/s of the causal pairs only (4 x head_dim per query head and pair); of probe: "
                   "against the FMA peak (peak row) of the same rounds\n");
        if (decode)
            printf("decode: GB/s of K and V read; of probe: against the read-only probe kernel (read row) reading "
                   "as many bytes in the same rounds\n");
        if (noisy)
            printf("! cv above 5%%: this machine was noisy during the run, compare medians with care\n");
    }
}
