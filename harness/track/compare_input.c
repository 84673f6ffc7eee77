/* Reading the two sides of a comparison into benchmarks (compare_input.h). */
#include "compare_input.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compare_normalize.h"
#include "history_rows.h"
#include "stats_compare.h"
#include "in_file.h"
#include "json_path.h"
#include "record.h"
#include "util.h"

static int oom(void) { return tb_fail(TB_EXIT_RUNTIME, "out of memory"); }

/* tb_grow on an array member: 0, or the out-of-memory exit code. */
#define GROW(arr, cap, need) grow_into((void **)&(arr), &(cap), (need), sizeof *(arr))
static int grow_into(void **arr, size_t *cap, size_t need, size_t size)
{
    void *q = tb_grow(*arr, cap, need, size);
    if (!q)
        return oom();
    *arr = q;
    return 0;
}

static int add_record(tb_cmp_side *s, const char *path)
{
    json_t *rec;
    int rc = tb_record_load(path, &rec);
    if (rc)
        return rc;
    if ((rc = GROW(s->rec, s->rcap, s->nrec + 1)) != 0 ||
        (rc = GROW(s->file, s->fcap, s->nrec + 1)) != 0) {
        json_decref(rec);
        return rc;
    }
    s->file[s->nrec] = strdup(path);
    s->rec[s->nrec++] = rec;
    return s->file[s->nrec - 1] ? 0 : oom();
}

static int add_found(const char *path, void *arg) { return add_record(arg, path); }

/* The samples of key, created on first sight; *out NULL after an error line. */
static int bench_for(tb_cmp_side *s, const char *key, const char *isa, tb_cmp_kind kind, const char *metric,
                     tb_cmp_bench **out)
{
    *out = NULL;
    for (size_t i = 0; i < s->nb; i++)
        if (strcmp(s->b[i].key, key) == 0) {
            *out = &s->b[i];
            return 0;
        }
    int rc = GROW(s->b, s->bcap, s->nb + 1);
    if (rc)
        return rc;
    tb_cmp_bench *b = &s->b[s->nb];
    memset(b, 0, sizeof *b);
    b->key = strdup(key);
    b->isa = strdup(isa);
    b->kind = kind;
    b->metric = metric;
    b->fallback = NAN;
    if (!b->key || !b->isa) {
        free(b->key);
        free(b->isa);
        return oom();
    }
    s->nb++;
    *out = b;
    return 0;
}

/* One record's samples of b: arr's positive numbers times scale, or (probe not NULL) the ratios
 * of arr's samples to probe's of the same rounds; its run median beside them. */
static int add_samples(tb_cmp_bench *b, const json_t *arr, const json_t *probe, double scale)
{
    size_t i;
    const json_t *v;
    size_t first = b->n;
    int rc = GROW(b->s, b->cap, b->n + json_array_size(arr));
    if (!rc && probe && json_array_size(arr) > 0) /* none: b->s may still be NULL */
        b->n += tb_cmp_paired_ratios(arr, probe, b->s + b->n);
    else
        json_array_foreach(arr, i, v)
        {
            if (!rc && json_is_number(v) && json_number_value(v) > 0)
                b->s[b->n++] = json_number_value(v) * scale;
        }
    if (rc || b->n == first || (rc = GROW(b->run_median, b->run_cap, b->nrun + 1)))
        return rc;
    double m = tb_median_of(b->s + first, b->n - first);
    if (isnan(m))
        return oom();
    b->run_median[b->nrun++] = m;
    return 0;
}

/* "m=8,n=4096,k=4096": the shape's members in the record's order. */
static void shape_text(const json_t *shape, char *buf, size_t cap)
{
    const char *k;
    const json_t *v;
    size_t used = 0;
    buf[0] = '\0';
    json_object_foreach((json_t *)shape, k, v)
    {
        char *val = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        int w = snprintf(buf + used, cap - used, "%s%s=%s", used ? "," : "", k, val ? val : "?");
        free(val);
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

/* Whether record r's selection (an @history side) leaves out this series id. */
static int left_out(const tb_cmp_side *s, size_t r, const char *id)
{
    return s->sel.n && !tb_history_pick_has(&s->sel.pick[r], id);
}

static int add_case(tb_cmp_side *s, size_t r, const json_t *cases, size_t ci)
{
    const json_t *c = json_array_get(cases, ci);
    char shape[256], key[512];
    tb_history_case_id(c, key, sizeof key);
    if (left_out(s, r, key))
        return 0;
    const char *by = NULL;
    const json_t *probe = s->normalize && !tb_cmp_is_probe_case(c) ? tb_cmp_probe_of(cases, ci, s->normalize, &by) : NULL;
    shape_text(json_object_get(c, "shape"), shape, sizeof shape);
    const char *variant = tb_json_str(c, "variant");
    int cold = json_is_true(tb_json_at(c, "cold_weights.enabled")) || json_is_true(tb_json_at(c, "cold_kv.enabled"));
    snprintf(key, sizeof key, "bench %s %s %s%s%s %s threads=%lld %s%s%s", tb_json_str(c, "op"),
             tb_json_str(c, "backend"), tb_json_str(c, "dtype"), *variant ? " " : "", variant, shape,
             tb_json_int(c, "threads"), cold ? "cold" : "warm", probe ? " / " : "", probe ? by : "");
    tb_cmp_bench *b;
    int rc = bench_for(s, key, tb_json_str(c, "isa"), TB_CMP_KERNEL,
                       probe ? "time per call / the probe's time in the same round" : "ns per call", &b);
    if (rc)
        return rc;
    b->normalized_by = !probe ? NULL : strcmp(by, "read") == 0 ? "read probe, same rounds" : "peak probe, same rounds";
    b->probe = s->normalize && tb_cmp_is_probe_case(c);
    return add_samples(b, json_object_get(c, "samples_ns"), probe ? json_object_get(probe, "samples_ns") : NULL, 1.0);
}

static int add_row(tb_cmp_side *s, size_t r, const json_t *rec, const json_t *row)
{
    char id[512];
    tb_history_row_id(rec, row, id, sizeof id);
    if (left_out(s, r, id))
        return 0;
    static const char *phase[2] = {"prefill", "decode"};
    static const char *metric[2] = {"ns per prefill step (tokens/s = batch x prompt / time)",
                                    "ns per decode step (tokens/s = batch / time)"};
    static const char *per_bound[2] = {"prefill step time / its roofline bound (1 / share of the bound)",
                                       "decode step time / its roofline bound (1 / share of the bound)"};
    for (int ph = 0; ph < 2; ph++) {
        char key[512], path[64];
        const char *kv = tb_json_str(row, "kv_dtype");
        double bound = s->normalize == TB_NORM_PROBE ? tb_cmp_bound_seconds(row, ph) : NAN;
        int norm = isfinite(bound);
        snprintf(key, sizeof key, "run %s %s%s%s batch=%lld threads=%lld prompt=%lld ctx=%lld %s%s",
                 tb_json_str(rec, "model.name"), tb_json_str(row, "dtype"), *kv ? " kv=" : "", kv,
                 tb_json_int(row, "batch"), tb_json_int(row, "threads"), tb_json_int(row, "prompt"),
                 tb_json_int(row, "ctx"), phase[ph], norm ? " / bound" : "");
        tb_cmp_bench *b;
        int rc = bench_for(s, key, tb_json_str(rec, "settings.isa"), TB_CMP_END_TO_END, (norm ? per_bound : metric)[ph],
                           &b);
        if (rc)
            return rc;
        b->normalized_by = norm ? "roofline bound of the run" : NULL;
        snprintf(path, sizeof path, "%s.samples_ns", phase[ph]);
        const json_t *arr = tb_json_at(row, path);
        snprintf(path, sizeof path, "%s.tokens_per_s.median", phase[ph]);
        double tps = tb_json_num(row, path);
        if (json_array_size(arr) > 0)
            rc = add_samples(b, arr, NULL, norm ? 1e-9 / bound : 1.0);
        else if (b->n == 0 && tps > 0)
            b->fallback = norm ? 1 / (tps * bound) : 1 / tps;
        if (rc)
            return rc;
    }
    return 0;
}

static int add_benchmarks(tb_cmp_side *s, size_t r)
{
    const json_t *rec = s->rec[r], *cases = json_object_get(rec, "cases"), *rows = json_object_get(rec, "rows");
    if (json_array_size(cases) == 0 && json_array_size(rows) == 0)
        return tb_fail(TB_EXIT_USAGE, "%s: a record with no cases or rows: nothing to compare", s->file[r]);
    size_t i;
    const json_t *v;
    int rc = 0;
    for (i = 0; !rc && i < json_array_size(cases); i++)
        rc = add_case(s, r, cases, i);
    json_array_foreach(rows, i, v)
    {
        if (!rc)
            rc = add_row(s, r, rec, v);
    }
    return rc;
}

/* The records an @history query selects, each read as a folder's would be. */
static int add_selected(tb_cmp_side *s, const char *results_dir)
{
    int rc = tb_history_select(s->arg, results_dir, &s->sel);
    for (size_t i = 0; !rc && i < s->sel.n; i++)
        rc = add_record(s, s->sel.pick[i].path);
    return rc;
}

static int add_named(tb_cmp_side *s)
{
    struct stat st;
    if (stat(s->arg, &st) != 0)
        return tb_fail(TB_EXIT_USAGE, "%s: cannot read: %s", s->arg, strerror(errno));
    int rc = S_ISDIR(st.st_mode) ? tb_in_walk_json(s->arg, add_found, s) : add_record(s, s->arg);
    if (!rc && s->nrec == 0)
        rc = tb_fail(TB_EXIT_USAGE, "%s: no *.json records in this folder", s->arg);
    return rc;
}

int tb_cmp_side_load(const char *arg, const char *results_dir, tb_norm_mode normalize, tb_cmp_side *s)
{
    memset(s, 0, sizeof *s);
    s->arg = arg;
    s->normalize = normalize;
    int rc = tb_history_is_query(arg) ? add_selected(s, results_dir) : add_named(s);
    for (size_t r = 0; !rc && r < s->nrec; r++)
        rc = add_benchmarks(s, r);
    return rc;
}

void tb_cmp_side_free(tb_cmp_side *s)
{
    for (size_t i = 0; i < s->nrec; i++) {
        json_decref(s->rec[i]);
        free(s->file[i]);
    }
    for (size_t i = 0; i < s->nb; i++) {
        free(s->b[i].key);
        free(s->b[i].isa);
        free(s->b[i].s);
        free(s->b[i].run_median);
    }
    free(s->rec);
    free(s->file);
    free(s->b);
    tb_history_selection_free(&s->sel);
    memset(s, 0, sizeof *s);
}

const tb_cmp_bench *tb_cmp_side_find(const tb_cmp_side *s, const char *key)
{
    for (size_t i = 0; i < s->nb; i++)
        if (strcmp(s->b[i].key, key) == 0)
            return &s->b[i];
    return NULL;
}
