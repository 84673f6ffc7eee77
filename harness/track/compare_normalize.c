/* Kernel times held against their probes (compare_normalize.h). */
#include "compare_normalize.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_path.h"

int tb_cmp_norm_parse(const char *s, tb_norm_mode *out)
{
    static const tb_norm_mode modes[] = {TB_NORM_NONE, TB_NORM_READ, TB_NORM_PROBE};
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++)
        if (strcmp(s, tb_cmp_norm_name(modes[i])) == 0) {
            *out = modes[i];
            return 0;
        }
    return -1;
}

const char *tb_cmp_norm_name(tb_norm_mode m) { return m == TB_NORM_READ ? "read" : m == TB_NORM_PROBE ? "probe" : "none"; }

int tb_cmp_is_probe_case(const json_t *c)
{
    const char *bk = tb_json_str(c, "backend");
    return strcmp(bk, "read") == 0 || strcmp(bk, "peak") == 0;
}

static int same_work(const json_t *x, const json_t *y)
{
    return strcmp(tb_json_str(x, "op"), tb_json_str(y, "op")) == 0 &&
           json_equal(json_object_get(x, "shape"), json_object_get(y, "shape")) &&
           tb_json_int(x, "threads") == tb_json_int(y, "threads");
}

const json_t *tb_cmp_probe_of(const json_t *cases, size_t ci, tb_norm_mode mode, const char **by)
{
    const json_t *c = json_array_get(cases, ci);
    const char *op = tb_json_str(c, "op");
    /* what bounds the op: the bytes it streams, or the multiply-adds it does */
    int streams = strcmp(op, "gemv") == 0 || strcmp(op, "attn-decode") == 0;
    const char *order[2] = {streams ? "read" : "peak", streams ? "peak" : "read"};
    for (int w = 0; w < 2; w++) {
        if (mode != TB_NORM_PROBE && strcmp(order[w], "read") != 0)
            continue;
        const json_t *best = NULL;
        size_t best_dist = 0;
        for (size_t i = 0; i < json_array_size(cases); i++) {
            const json_t *x = json_array_get(cases, i);
            if (i == ci || strcmp(tb_json_str(x, "backend"), order[w]) != 0 || !same_work(x, c) ||
                json_array_size(json_object_get(x, "samples_ns")) == 0)
                continue;
            size_t dist = i > ci ? i - ci : ci - i;
            if (!best || dist < best_dist) {
                best = x;
                best_dist = dist;
            }
        }
        if (best) {
            *by = order[w];
            return best;
        }
    }
    *by = NULL;
    return NULL;
}

size_t tb_cmp_paired_ratios(const json_t *kernel, const json_t *probe, double *out)
{
    size_t n = json_array_size(kernel) < json_array_size(probe) ? json_array_size(kernel) : json_array_size(probe);
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        double a = json_number_value(json_array_get(kernel, j)), b = json_number_value(json_array_get(probe, j));
        if (a > 0 && b > 0 && isfinite(a) && isfinite(b))
            out[k++] = a / b;
    }
    return k;
}

double tb_cmp_bound_seconds(const json_t *row, int phase)
{
    double tps = tb_json_num(row, phase ? "roofline.decode_tokens_per_s_bound" : "roofline.prefill_tokens_per_s_bound");
    double tokens = (double)tb_json_int(row, "batch") * (phase ? 1.0 : (double)tb_json_int(row, "prompt"));
    if (!(tps > 0) || !isfinite(tps) || !(tokens > 0))
        return NAN;
    return tokens / tps;
}
