/* bench gemm / gemv: C[M×N] = A[M×K]·W[N×K]ᵀ, every backend checked against the double
 * reference, then all timed interleaved. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/gemm.h>
#include <tokbench/backend_openblas.h>

#include "bench.h"
#include "blas.h"
#include "measure.h"
#include "sysinfo.h"
#include "tb_config.h"
#include "util.h"

#if TB_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define MAX_BACKENDS 4
#define MAX_SHAPES 64
/* Full check up to this many multiply-adds; beyond it, sampled rows and columns (below). */
#define FULL_CHECK_MACS (1ull << 28)
#define SAMPLED_LINES 8

int tb_parse_gemm_shape(const char *s, int m_implicit_one, long long dims[3])
{
    long long v[3];
    int n = 0;
    const char *p = s;
    while (n < 3) {
        if (*p < '0' || *p > '9')
            return -1;
        char *end;
        v[n++] = strtoll(p, &end, 10);
        p = end;
        if (*p == '\0')
            break;
        if (*p != 'x' && *p != 'X')
            return -1;
        p++;
    }
    if (*p != '\0')
        return -1;
    if (n == 2 && m_implicit_one) {
        dims[0] = 1;
        dims[1] = v[0];
        dims[2] = v[1];
    } else if (n == 3) {
        memcpy(dims, v, sizeof v);
    } else {
        return -1;
    }
    /* CBLAS takes 32-bit sizes. */
    for (int i = 0; i < 3; i++)
        if (dims[i] < 1 || dims[i] > 0x7fffffffLL)
            return -1;
    return 0;
}

typedef enum { BK_REF, BK_OPENBLAS } backend_id;

typedef struct {
    tb_team *team;
    tb_gemm_dims d;
    const float *a;
    const float *w; /* copy 0; copy i at w + i * n * k */
    float *c;
} gemm_ctx;

static const float *w_copy(const gemm_ctx *g, int copy)
{
    return g->w + (size_t)copy * (size_t)g->d.n * (size_t)g->d.k;
}

typedef struct {
    const gemm_ctx *g;
    const float *w;
} ref_job;

static void ref_worker(void *p, int tid, int nt)
{
    ref_job *j = p;
    size_t b, e;
    tb_team_split((size_t)j->g->d.n, 1, tid, nt, &b, &e);
    tb_gemm_f32_ref(j->g->a, j->w, j->g->c, j->g->d, (int64_t)b, (int64_t)e);
}

static void call_ref(void *p, int copy)
{
    gemm_ctx *g = p;
    ref_job j = {g, w_copy(g, copy)};
    tb_team_run(g->team, ref_worker, &j);
}

#if TB_HAVE_OPENBLAS
static void call_openblas(void *p, int copy)
{
    gemm_ctx *g = p;
    tb_gemm_f32_openblas(g->a, w_copy(g, copy), g->c, g->d);
}
#endif

/* The oracle for the checked elements: whole rows (all N columns) and whole columns (all M
 * rows). Sampled mode takes the first and last rows and columns plus evenly spaced ones, so that
 * every edge tile and every thread's slice of N is looked at. */
typedef struct {
    const gemm_ctx *g;
    int64_t *rows, *cols;
    int nr, nc;
    double *row_val, *row_mag, *col_val, *col_mag;
} oracle;

static void oracle_worker(void *p, int tid, int nt)
{
    oracle *o = p;
    const gemm_ctx *g = o->g;
    size_t total = (size_t)o->nr * (size_t)g->d.n + (size_t)o->nc * (size_t)g->d.m, b, e;
    tb_team_split(total, 64, tid, nt, &b, &e);
    for (size_t x = b; x < e; x++) {
        if (x < (size_t)o->nr * (size_t)g->d.n) {
            int64_t i = o->rows[x / (size_t)g->d.n], j = (int64_t)(x % (size_t)g->d.n);
            tb_gemm_f32_ref_dot(g->a + i * g->d.k, g->w + j * g->d.k, g->d.k, &o->row_val[x], &o->row_mag[x]);
        } else {
            size_t y = x - (size_t)o->nr * (size_t)g->d.n;
            int64_t j = o->cols[y / (size_t)g->d.m], i = (int64_t)(y % (size_t)g->d.m);
            tb_gemm_f32_ref_dot(g->a + i * g->d.k, g->w + j * g->d.k, g->d.k, &o->col_val[y], &o->col_mag[y]);
        }
    }
}

static int64_t *pick_lines(int64_t extent, int count, int *n_out)
{
    int n = extent < count ? (int)extent : count;
    int64_t *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++)
        v[i] = n == 1 ? 0 : (int64_t)((double)i * (double)(extent - 1) / (double)(n - 1) + 0.5);
    *n_out = n;
    return v;
}

static int oracle_build(oracle *o, const gemm_ctx *g, int *full)
{
    memset(o, 0, sizeof *o);
    o->g = g;
    uint64_t macs = (uint64_t)g->d.m * (uint64_t)g->d.n * (uint64_t)g->d.k;
    *full = macs <= FULL_CHECK_MACS && (uint64_t)g->d.m * (uint64_t)g->d.n <= (1u << 22);
    o->rows = pick_lines(g->d.m, *full ? (int)g->d.m : SAMPLED_LINES, &o->nr);
    o->cols = *full ? malloc(1) : pick_lines(g->d.n, SAMPLED_LINES, &o->nc);
    size_t nrv = (size_t)o->nr * (size_t)g->d.n, ncv = (size_t)o->nc * (size_t)g->d.m;
    o->row_val = tb_alloc(nrv * sizeof(double), "the reference result");
    o->row_mag = tb_alloc(nrv * sizeof(double), "the reference result");
    o->col_val = tb_alloc((ncv ? ncv : 1) * sizeof(double), "the reference result");
    o->col_mag = tb_alloc((ncv ? ncv : 1) * sizeof(double), "the reference result");
    if (!o->rows || !o->cols || !o->row_val || !o->row_mag || !o->col_val || !o->col_mag)
        return TB_EXIT_RUNTIME;
    tb_team_run(g->team, oracle_worker, o);
    return 0;
}

static void oracle_free(oracle *o)
{
    free(o->rows);
    free(o->cols);
    tb_free(o->row_val);
    tb_free(o->row_mag);
    tb_free(o->col_val);
    tb_free(o->col_mag);
}

static double elem_err(float got, double val, double mag)
{
    double diff = fabs((double)got - val);
    if (isnan(got))
        return INFINITY;
    return mag > 0 ? diff / mag : (diff == 0 ? 0 : INFINITY);
}

/* Largest error over the checked elements, relative to Σ|a·w| of each element. */
static double oracle_max_err(const oracle *o, const float *c, uint64_t *checked)
{
    const tb_gemm_dims d = o->g->d;
    double worst = 0;
    for (int r = 0; r < o->nr; r++)
        for (int64_t j = 0; j < d.n; j++) {
            size_t x = (size_t)r * (size_t)d.n + (size_t)j;
            double e = elem_err(c[o->rows[r] * d.n + j], o->row_val[x], o->row_mag[x]);
            worst = e > worst || isnan(e) ? e : worst;
        }
    for (int q = 0; q < o->nc; q++)
        for (int64_t i = 0; i < d.m; i++) {
            size_t y = (size_t)q * (size_t)d.m + (size_t)i;
            double e = elem_err(c[i * d.n + o->cols[q]], o->col_val[y], o->col_mag[y]);
            worst = e > worst || isnan(e) ? e : worst;
        }
    *checked = (uint64_t)o->nr * (uint64_t)d.n + (uint64_t)o->nc * (uint64_t)d.m;
    return worst;
}

/* Error bound, relative to Σ|a·w|: a float dot product of K terms with any summation order errs
 * by at most about K·u in the worst case, but by O(√K·u) for data of mixed signs. 8√K·u + 8u
 * (u = 2^-24) leaves room for blocked and FMA orders yet still fails a kernel that drops or
 * doubles a single term (an error of about 1/K of Σ|a·w|). */
double tb_gemm_f32_tolerance(int64_t k)
{
    return (8.0 * sqrt((double)k) + 8.0) * ldexp(1.0, -24);
}

static int parse_backends(const char *list, backend_id *ids, const char **names, int *n)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        backend_id id;
        if (strcmp(t, "ref") == 0)
            id = BK_REF;
        else if (strcmp(t, "openblas") == 0 && TB_HAVE_OPENBLAS)
            id = BK_OPENBLAS;
        else if (strcmp(t, "openblas") == 0)
            return tb_fail(TB_EXIT_USAGE, "--backend openblas: this build has no OpenBLAS (meson -Dopenblas=enabled)");
        else if (strcmp(t, "portable") == 0)
            return tb_fail(TB_EXIT_USAGE, "--backend portable: the portable kernels are not in this version yet (ref, openblas)");
        else
            return tb_fail(TB_EXIT_USAGE, "--backend '%s': unknown backend (ref, openblas)", t);
        for (int i = 0; i < *n; i++)
            if (ids[i] == id)
                return tb_fail(TB_EXIT_USAGE, "--backend '%s': listed twice", t);
        if (*n == MAX_BACKENDS)
            return tb_fail(TB_EXIT_USAGE, "--backend: at most %d backends", MAX_BACKENDS);
        names[*n] = id == BK_REF ? "ref" : "openblas";
        ids[(*n)++] = id;
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--backend: empty list");
}

static json_t *cpus_json(const tb_team *tm)
{
    json_t *a = json_array();
    const tb_plan *p = tb_team_plan(tm);
    for (int i = 0; i < p->n; i++)
        json_array_append_new(a, json_integer(p->slot[i].os_pu));
    return a;
}

static const char *backend_isa(backend_id id)
{
#if TB_HAVE_OPENBLAS
    if (id == BK_OPENBLAS) {
        static char isa[64];
        snprintf(isa, sizeof isa, "openblas:%s", openblas_get_corename());
        return isa;
    }
#endif
    (void)id;
    return "generic";
}

typedef struct {
    long long dims[3];
} shape_t;

static int run_shape(const tb_bench_env *env, const char *op, const shape_t *sh, const backend_id *ids,
                     const char **names, int nb, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_gemm_dims d = {sh->dims[0], sh->dims[1], sh->dims[2]};
    size_t wbytes = (size_t)d.n * (size_t)d.k * sizeof(float);
    size_t abytes = (size_t)d.m * (size_t)d.k * sizeof(float), cbytes = (size_t)d.m * (size_t)d.n * sizeof(float);
    int cold = o->cold >= 0 ? o->cold : d.m == 1;
    unsigned long long llc = tb_llc_bytes(env->tp);
    unsigned long long avail = tb_meminfo_bytes("MemAvailable");
    /* Oracle arrays: two doubles per checked element, bounded by the sampling rule. */
    size_t oracle_bytes = 16 * ((size_t)SAMPLED_LINES * ((size_t)d.n + (size_t)d.m) + (1u << 22));
    double fixed = (double)abytes + (double)cbytes + (double)oracle_bytes;
    int copies = cold ? (int)((4 * llc + wbytes - 1) / wbytes) : 1;
    if (copies < 1)
        copies = 1;
    char need[32], have[32];
    if (avail && fixed + (double)wbytes * copies > 0.8 * (double)avail) {
        int fit = (int)((0.8 * (double)avail - fixed) / (double)wbytes);
        if (fit < 1) {
            tb_format_bytes(fixed + (double)wbytes, need, sizeof need);
            tb_format_bytes((double)avail, have, sizeof have);
            return tb_fail(TB_EXIT_RUNTIME, "--shape %lldx%lldx%lld needs %s but only %s is available (MemAvailable)",
                           sh->dims[0], sh->dims[1], sh->dims[2], need, have);
        }
        tb_warn("--shape %lldx%lldx%lld: only %d weight copies fit in memory (wanted %d for 4x the LLC)", sh->dims[0],
                sh->dims[1], sh->dims[2], fit, copies);
        copies = fit;
    }

    gemm_ctx g = {env->team, d, NULL, NULL, NULL};
    float *a = tb_alloc(abytes, "activations A");
    float *w = a ? tb_alloc(wbytes * (size_t)copies, "weights W") : NULL;
    float *c = w ? tb_alloc(cbytes, "output C") : NULL;
    if (!c) {
        tb_free(a);
        tb_free(w);
        return TB_EXIT_RUNTIME;
    }
    /* Data is filled (and so first-touched) by the team; every weight copy holds the same values. */
    tb_team_fill_random(env->team, a, (size_t)d.m * (size_t)d.k, o->seed);
    for (int i = 0; i < copies; i++)
        tb_team_fill_random(env->team, w + (size_t)i * (size_t)d.n * (size_t)d.k, (size_t)d.n * (size_t)d.k,
                            o->seed + 1);
    g.a = a;
    g.w = w;
    g.c = c;

    oracle orc;
    int full = 0, rc = oracle_build(&orc, &g, &full);
    tb_variant v[MAX_BACKENDS];
    int passed[MAX_BACKENDS], idx[MAX_BACKENDS], np = 0;
    double err[MAX_BACKENDS];
    uint64_t checked = 0;
    const char *fault = getenv("TOKBENCH_FAULT_INJECT"); /* test hook: corrupt one backend's output */
    memset(v, 0, sizeof v);
    for (int b = 0; b < nb && rc == 0; b++) {
        v[b].ctx = &g;
        v[b].call = ids[b] == BK_REF ? call_ref : NULL;
#if TB_HAVE_OPENBLAS
        if (ids[b] == BK_OPENBLAS)
            v[b].call = call_openblas;
#endif
        for (size_t i = 0; i < (size_t)d.m * (size_t)d.n; i++)
            c[i] = NAN; /* a kernel that skips an element cannot inherit another backend's answer */
        v[b].call(&g, 0);
        if (fault && strcmp(fault, names[b]) == 0)
            c[(size_t)d.m * (size_t)d.n - 1] += 1.0f;
        err[b] = oracle_max_err(&orc, c, &checked);
        passed[b] = err[b] <= tb_gemm_f32_tolerance(d.k);
        if (passed[b])
            idx[np++] = b;
    }

    tb_variant timed[MAX_BACKENDS];
    for (int i = 0; i < np; i++)
        timed[i] = v[idx[i]];
    tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
    if (rc == 0 && np)
        rc = tb_measure_interleaved(timed, np, copies, &cfg);
    for (int i = 0; i < np; i++)
        v[idx[i]] = timed[i];

    double flops = 2.0 * (double)d.m * (double)d.n * (double)d.k;
    double bytes = (double)abytes + (double)wbytes + (double)cbytes;
    int any_failed = 0;
    for (int b = 0; b < nb && rc == 0; b++) {
        json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I}, s:i, s:o}", "op", op, "backend", names[b],
                               "isa", backend_isa(ids[b]), "dtype", "f32", "shape", "m", (json_int_t)d.m, "n",
                               (json_int_t)d.n, "k", (json_int_t)d.k, "threads", tb_team_size(env->team), "cpus",
                               cpus_json(env->team));
        json_object_set_new(cs, "check",
                            json_pack("{s:b, s:f, s:f, s:s, s:s, s:I}", "passed", passed[b], "max_rel_err",
                                      isfinite(err[b]) ? err[b] : 1e308, "tolerance", tb_gemm_f32_tolerance(d.k), "reference",
                                      "ref: double accumulation; error relative to sum |a*w| per element", "coverage",
                                      full ? "all elements" : "8 whole rows and 8 whole columns", "elements_checked",
                                      (json_int_t)checked));
        json_object_set_new(cs, "cold_weights",
                            json_pack("{s:b, s:i, s:I}", "enabled", cold, "copies", copies, "bytes",
                                      (json_int_t)(wbytes * (size_t)copies)));
        if (!passed[b] || v[b].n == 0) {
            any_failed |= !passed[b];
            json_object_set_new(cs, "samples_ns", json_array());
            json_object_set_new(cs, "stats", json_null());
            json_object_set_new(cs, "rate", json_null());
        } else {
            json_t *s = json_array();
            for (size_t i = 0; i < v[b].n; i++)
                json_array_append_new(s, json_real(v[b].samples_ns[i]));
            json_object_set_new(cs, "samples_ns", s);
            json_object_set_new(cs, "iterations_per_sample", json_integer(v[b].iterations));
            json_object_set_new(cs, "stats", tb_stats_json(&v[b].stats));
            double med = v[b].stats.median;
            json_object_set_new(cs, "rate",
                                json_pack("{s:f, s:f, s:f, s:f}", "gflops", flops / med, "gbps", bytes / med, "flops",
                                          flops, "bytes", bytes));
            json_object_set_new(cs, "noisy", json_boolean(v[b].stats.cv > 0.05));
        }
        json_array_append_new(cases, cs);
        tb_variant_free(&v[b]);
    }
    oracle_free(&orc);
    tb_free(a);
    tb_free(w);
    tb_free(c);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}

int tb_bench_gemm(const tb_bench_env *env, const char *op, json_t *cases)
{
    const tb_opts *o = env->o;
    int gemv = strcmp(op, "gemv") == 0;
    if (o->dtype && strcmp(o->dtype, "f32") != 0)
        return tb_fail(TB_EXIT_USAGE, "--dtype %s: this version benchmarks %s in f32 only", o->dtype, op);
    if (o->isa && strcmp(o->isa, "auto") != 0)
        return tb_fail(TB_EXIT_USAGE, "--isa %s: this version has no ISA-specific kernels yet (auto only)", o->isa);

    const char *shapes = o->shape ? o->shape : gemv ? "1x4096x4096" : "1x4096x4096,32x4096x4096,128x4096x4096";
    shape_t sh[MAX_SHAPES];
    int ns = 0;
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", shapes) >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--shape: list too long");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (ns == MAX_SHAPES)
            return tb_fail(TB_EXIT_USAGE, "--shape: at most %d shapes", MAX_SHAPES);
        if (tb_parse_gemm_shape(t, gemv, sh[ns].dims) != 0)
            return tb_fail(TB_EXIT_USAGE,
                           "--shape '%s': expected %s with every size from 1 to 2147483647", t,
                           gemv ? "NxK or 1xNxK" : "MxNxK");
        if (gemv && sh[ns].dims[0] != 1)
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': gemv is M = 1 (use bench gemm for M > 1)", t);
        ns++;
    }
    if (ns == 0)
        return tb_fail(TB_EXIT_USAGE, "--shape: empty list");

    backend_id ids[MAX_BACKENDS];
    const char *names[MAX_BACKENDS];
    int nb;
    int rc = parse_backends(o->backend ? o->backend : (TB_HAVE_OPENBLAS ? "openblas" : "ref"), ids, names, &nb);
    if (rc)
        return rc;

    int worst = 0;
    for (int i = 0; i < ns && !tb_interrupted; i++) {
        if (!o->quiet)
            fprintf(stderr, "tokbench: %s %lldx%lldx%lld (%d/%d)\n", op, sh[i].dims[0], sh[i].dims[1], sh[i].dims[2],
                    i + 1, ns);
        rc = run_shape(env, op, &sh[i], ids, names, nb, cases);
        if (rc && rc != TB_EXIT_CHECK)
            return rc;
        if (rc)
            worst = rc;
    }
    return worst;
}
