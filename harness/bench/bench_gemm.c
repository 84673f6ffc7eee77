/* bench gemm / gemv: C[M×N] = A[M×K]·W[N×K]ᵀ. Every variant (backend × ISA tier) is checked
 * against the double reference, then all passing ones are timed interleaved.
 *
 * Weights: one f32 matrix of seeded random values. For another --dtype it is converted to that
 * type and converted back, and every backend multiplies those exactly representable values, so
 * ref, OpenBLAS and the portable kernels compute the same product and can share one oracle. The
 * portable kernels quantize activations to q8_0 for q8_0/q4_0 weights (inside the timed call);
 * their oracle uses the same quantized activations, so the error bound stays tight. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/backend_openblas.h>
#include <tokbench/gemm.h>
#include <tokbench/kernels.h>

#include <tokbench/probes.h>

#include "bench.h"
#include "blas.h"
#include "matmul.h"
#include "measure.h"
#include "oracle_sample.h"
#include "sysinfo.h"
#include "tb_config.h"
#include "util.h"
#include "workset.h"

#if TB_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define MAX_VARIANTS 8
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

/* Error bound, relative to Σ|a·w|: a float dot product of K terms with any summation order errs
 * by at most about K·u in the worst case, but by O(√K·u) for data of mixed signs. 8√K·u + 8u
 * (u = 2^-24) leaves room for blocked and FMA orders yet still fails a kernel that drops or
 * doubles a single term (an error of about 1/K of Σ|a·w|). Quantized kernels sum exact integer
 * block products, so the same bound holds for them against the same quantized operands. */
double tb_gemm_f32_tolerance(int64_t k)
{
    return (8.0 * sqrt((double)k) + 8.0) * ldexp(1.0, -24);
}

/* BK_READ is not a matmul: it reads as many bytes as the portable weights with the read-only
 * STREAM kernel, interleaved in the same rounds, so a GEMV's weight bandwidth can be judged
 * against what this machine reads at that very moment. */
typedef enum { BK_REF, BK_OPENBLAS, BK_PORTABLE, BK_READ } backend_id;

typedef struct {
    backend_id bk;
    tb_isa isa;
} variant_spec;

/* --- the oracle ---------------------------------------------------------------------------- */

/* The reference for the checked elements: whole rows (all N columns) and whole columns (all M
 * rows). Sampled mode takes the first and last rows and columns plus evenly spaced ones, so that
 * every edge tile and every thread's slice of N is looked at. */
typedef struct {
    const float *a, *w;
    tb_gemm_dims d;
    int64_t *rows, *cols;
    int nr, nc;
    double *row_val, *row_mag, *col_val, *col_mag;
} oracle;

static void oracle_worker(void *p, int tid, int nt)
{
    oracle *o = p;
    const tb_gemm_dims d = o->d;
    size_t per_rows = (size_t)o->nr * (size_t)d.n, total = per_rows + (size_t)o->nc * (size_t)d.m, b, e;
    tb_team_split(total, 64, tid, nt, &b, &e);
    for (size_t x = b; x < e; x++) {
        if (x < per_rows) {
            int64_t i = o->rows[x / (size_t)d.n], j = (int64_t)(x % (size_t)d.n);
            tb_gemm_f32_ref_dot(o->a + i * d.k, o->w + j * d.k, d.k, &o->row_val[x], &o->row_mag[x]);
        } else {
            size_t y = x - per_rows;
            int64_t j = o->cols[y / (size_t)d.m], i = (int64_t)(y % (size_t)d.m);
            tb_gemm_f32_ref_dot(o->a + i * d.k, o->w + j * d.k, d.k, &o->col_val[y], &o->col_mag[y]);
        }
    }
}

static int full_check(tb_gemm_dims d)
{
    return (uint64_t)d.m * (uint64_t)d.n * (uint64_t)d.k <= FULL_CHECK_MACS &&
           (uint64_t)d.m * (uint64_t)d.n <= (1u << 22);
}

static int oracle_build(oracle *o, tb_team *team, const float *a, const float *w, tb_gemm_dims d)
{
    memset(o, 0, sizeof *o);
    o->a = a;
    o->w = w;
    o->d = d;
    int full = full_check(d);
    o->rows = tb_oracle_sample(d.m, full ? (int)d.m : SAMPLED_LINES, &o->nr);
    o->cols = tb_oracle_sample(d.n, full ? 0 : SAMPLED_LINES, &o->nc);
    size_t nrv = (size_t)o->nr * (size_t)d.n, ncv = (size_t)o->nc * (size_t)d.m;
    o->row_val = tb_alloc(nrv * sizeof(double), "the reference result");
    o->row_mag = tb_alloc(nrv * sizeof(double), "the reference result");
    o->col_val = tb_alloc((ncv ? ncv : 1) * sizeof(double), "the reference result");
    o->col_mag = tb_alloc((ncv ? ncv : 1) * sizeof(double), "the reference result");
    if (!o->rows || !o->cols || !o->row_val || !o->row_mag || !o->col_val || !o->col_mag)
        return TB_EXIT_RUNTIME;
    tb_team_run(team, oracle_worker, o);
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
    memset(o, 0, sizeof *o);
}

static double elem_err(float got, double val, double mag)
{
    if (isnan(got))
        return INFINITY;
    double diff = fabs((double)got - val);
    return mag > 0 ? diff / mag : (diff == 0 ? 0 : INFINITY);
}

/* Largest error over the checked elements, relative to Σ|a·w| of each element. */
static double oracle_max_err(const oracle *o, const float *c, uint64_t *checked)
{
    const tb_gemm_dims d = o->d;
    double worst = 0;
    for (int r = 0; r < o->nr; r++)
        for (int64_t j = 0; j < d.n; j++) {
            size_t x = (size_t)r * (size_t)d.n + (size_t)j;
            double e = elem_err(c[o->rows[r] * d.n + j], o->row_val[x], o->row_mag[x]);
            worst = e > worst ? e : worst;
        }
    for (int q = 0; q < o->nc; q++)
        for (int64_t i = 0; i < d.m; i++) {
            size_t y = (size_t)q * (size_t)d.m + (size_t)i;
            double e = elem_err(c[i * d.n + o->cols[q]], o->col_val[y], o->col_mag[y]);
            worst = e > worst ? e : worst;
        }
    *checked = (uint64_t)o->nr * (uint64_t)d.n + (uint64_t)o->nc * (uint64_t)d.m;
    return worst;
}

/* --- variants ---------------------------------------------------------------------------------- */

typedef struct {
    tb_team *team;
    tb_gemm_dims d;
    const float *a;
    float *c;
    /* f32 weights (ref, openblas): copies of the exactly representable matrix */
    const float *w32;
    int copies32;
    /* portable */
    const tb_kernels *kern;
    tb_matmul_weights *wp; /* copies */
    int copies_p;
    tb_matmul_ws ws;
    /* read probe */
    double *rd;
    size_t rd_n, rd_copy; /* doubles per copy; the copy this call reads */
    int copies_rd;
    tb_stream_read_fn read;
    double *sums; /* one per thread, a cache line (8 doubles) apart */
} variant_ctx;

static const float *w32_copy(const variant_ctx *v, uint64_t turn)
{
    return v->w32 + (size_t)(turn % (uint64_t)v->copies32) * (size_t)v->d.n * (size_t)v->d.k;
}

typedef struct {
    const variant_ctx *v;
    const float *w;
} ref_job;

static void ref_worker(void *p, int tid, int nt)
{
    ref_job *j = p;
    size_t b, e;
    tb_team_split((size_t)j->v->d.n, 1, tid, nt, &b, &e);
    tb_gemm_f32_ref(j->v->a, j->w, j->v->c, j->v->d, (int64_t)b, (int64_t)e);
}

static void call_ref(void *p, uint64_t turn)
{
    variant_ctx *v = p;
    ref_job j = {v, w32_copy(v, turn)};
    tb_team_run(v->team, ref_worker, &j);
}

#if TB_HAVE_OPENBLAS
static void call_openblas(void *p, uint64_t turn)
{
    variant_ctx *v = p;
    tb_gemm_f32_openblas(v->a, w32_copy(v, turn), v->c, v->d);
}
#endif

static void read_worker(void *p, int tid, int nt)
{
    variant_ctx *v = p;
    size_t b, e;
    tb_team_split(v->rd_n, 512, tid, nt, &b, &e);
    v->sums[tid * 8] = v->read(v->rd + v->rd_copy * v->rd_n + b, e - b);
}

static void call_read(void *p, uint64_t turn)
{
    variant_ctx *v = p;
    v->rd_copy = (size_t)(turn % (uint64_t)v->copies_rd);
    tb_team_run(v->team, read_worker, v);
}

/* Ones: their sum is exact, so the probe's check is exact too. Same split as the reads. */
static void ones_worker(void *p, int tid, int nt)
{
    variant_ctx *v = p;
    size_t b, e;
    tb_team_split(v->rd_n, 512, tid, nt, &b, &e);
    for (int c = 0; c < v->copies_rd; c++)
        for (size_t i = b; i < e; i++)
            v->rd[(size_t)c * v->rd_n + i] = 1.0;
}

static void call_portable(void *p, uint64_t turn)
{
    variant_ctx *v = p;
    tb_matmul_run(v->team, v->kern, &v->wp[turn % (uint64_t)v->copies_p], v->a, v->d.m, v->c, &v->ws);
}

/* --- options ----------------------------------------------------------------------------------- */

static int parse_variants(const tb_opts *o, variant_spec *out, int *n)
{
    char buf[256], isabuf[256];
    snprintf(buf, sizeof buf, "%s", o->backend ? o->backend : (TB_HAVE_OPENBLAS ? "portable,openblas" : "portable"));
    snprintf(isabuf, sizeof isabuf, "%s", o->isa ? o->isa : "auto");
    *n = 0;
    for (char *s1 = NULL, *t = strtok_r(buf, ",", &s1); t; t = strtok_r(NULL, ",", &s1)) {
        backend_id bk;
        if (strcmp(t, "ref") == 0)
            bk = BK_REF;
        else if (strcmp(t, "openblas") == 0 && TB_HAVE_OPENBLAS) {
            bk = BK_OPENBLAS;
            tb_blas_warn_if_fallback_core();
        }
        else if (strcmp(t, "openblas") == 0)
            return tb_fail(TB_EXIT_USAGE, "--backend openblas: this build has no OpenBLAS (meson -Dopenblas=enabled)");
        else if (strcmp(t, "portable") == 0)
            bk = BK_PORTABLE;
        else if (strcmp(t, "read") == 0)
            bk = BK_READ;
        else
            return tb_fail(TB_EXIT_USAGE, "--backend '%s': unknown backend (portable, openblas, ref, read)", t);
        for (int i = 0; i < *n; i++)
            if (out[i].bk == bk)
                return tb_fail(TB_EXIT_USAGE, "--backend '%s': listed twice", t);
        if (bk != BK_PORTABLE) {
            if (*n == MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend: at most %d variants", MAX_VARIANTS);
            out[(*n)++] = (variant_spec){bk, TB_ISA_GENERIC};
            continue;
        }
        /* One portable variant per --isa entry: tiers compared in one run. */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", isabuf);
        for (char *s2 = NULL, *u = strtok_r(tmp, ",", &s2); u; u = strtok_r(NULL, ",", &s2)) {
            tb_isa isa;
            if (strcmp(u, "auto") == 0)
                isa = tb_isa_detect();
            else if (tb_isa_from_name(u, &isa) != 0)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': unknown tier (auto, generic, avx2, avx512, neon)", u);
            else if (!tb_isa_available(isa))
                return tb_fail(TB_EXIT_USAGE, "--isa %s: this CPU or this build cannot run that tier (best here: %s)", u,
                               tb_isa_name(tb_isa_detect()));
            int dup = 0;
            for (int i = 0; i < *n; i++)
                dup |= out[i].bk == BK_PORTABLE && out[i].isa == isa;
            /* "auto" may name a tier already listed (generic,auto on a CPU with no SIMD tier) */
            if (dup && strcmp(u, "auto") == 0)
                continue;
            if (dup)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': listed twice", u);
            if (*n == MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend/--isa: at most %d variants", MAX_VARIANTS);
            out[(*n)++] = (variant_spec){BK_PORTABLE, isa};
        }
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--backend: empty list");
}

static const char *backend_name(backend_id bk)
{
    return bk == BK_REF ? "ref" : bk == BK_OPENBLAS ? "openblas" : bk == BK_READ ? "read" : "portable";
}

/* --- one shape ------------------------------------------------------------------------------------ */

typedef struct {
    long long dims[3];
} shape_t;

typedef struct {
    tb_team *team;
    const float *src;
    void *dst;
    tb_dtype dt;
    int64_t n, k;
    int dequantize; /* 0: f32 -> dt rows, 1: dt rows -> f32 */
} convert_job;

static void convert_worker(void *p, int tid, int nt)
{
    convert_job *j = p;
    size_t b, e, rb = tb_dtype_row_bytes(j->dt, j->k);
    tb_team_split((size_t)j->n, 1, tid, nt, &b, &e);
    for (size_t r = b; r < e; r++) {
        if (j->dequantize)
            tb_dequantize_row(j->dt, (const char *)j->dst + r * rb, (float *)j->src + r * (size_t)j->k, j->k);
        else
            tb_convert_row(j->dt, j->src + r * (size_t)j->k, (char *)j->dst + r * rb, j->k);
    }
}

typedef struct {
    variant_spec spec;
    tb_kernels kern;
    tb_variant v;
    int passed;
    double err;
    int quantized_a;
} variant_state;

/* What a case reports besides its timing: filled per backend by run_shape. */
typedef struct {
    const char *isa, *kernel, *dtype, *reference;
    double flops, wbytes, bytes, tolerance;
    int copies, copies_capped;
    size_t copy_bytes;
    uint64_t checked;
} case_desc;

static json_t *case_json(const char *op, const char *backend, const case_desc *cd, tb_gemm_dims d, tb_team *team,
                         const variant_state *s, int cold, int full)
{
    json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I, s:I}, s:i, s:o}", "op", op, "backend", backend,
                           "isa", cd->isa, "kernel", cd->kernel, "dtype", cd->dtype, "shape", "m", (json_int_t)d.m, "n",
                           (json_int_t)d.n, "k", (json_int_t)d.k, "threads", tb_team_size(team), "cpus",
                           tb_team_cpus_json(team));
    json_object_set_new(cs, "check",
                        json_pack("{s:b, s:f, s:f, s:s, s:s, s:I}", "passed", s->passed, "max_rel_err",
                                  isfinite(s->err) ? s->err : 1e308, "tolerance", cd->tolerance, "reference",
                                  cd->reference, "coverage", full ? "all elements" : "8 whole rows and 8 whole columns",
                                  "elements_checked", (json_int_t)cd->checked));
    json_object_set_new(cs, "cold_weights",
                        json_pack("{s:b, s:i, s:I, s:b}", "enabled", cold, "copies", cd->copies, "bytes",
                                  (json_int_t)(cd->copy_bytes * (size_t)cd->copies), "copies_capped",
                                  cd->copies_capped));
    if (!s->passed || s->v.n == 0) {
        json_object_set_new(cs, "samples_ns", json_array());
        json_object_set_new(cs, "stats", json_null());
        json_object_set_new(cs, "rate", json_null());
        return cs;
    }
    json_t *arr = json_array();
    for (size_t k = 0; k < s->v.n; k++)
        json_array_append_new(arr, json_real(s->v.samples_ns[k]));
    json_object_set_new(cs, "samples_ns", arr);
    json_object_set_new(cs, "iterations_per_sample", json_integer(s->v.iterations));
    json_object_set_new(cs, "stats", tb_stats_json(&s->v.stats));
    double med = s->v.stats.median;
    json_object_set_new(cs, "rate",
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "gflops", cd->flops / med, "gbps", cd->bytes / med,
                                  "weight_gbps", cd->wbytes / med, "flops", cd->flops, "bytes", cd->bytes,
                                  "weight_bytes", cd->wbytes));
    json_object_set_new(cs, "noisy", json_boolean(s->v.stats.cv > 0.05));
    return cs;
}

static int run_shape(const tb_bench_env *env, const char *op, const shape_t *sh, tb_dtype dt, const variant_spec *specs,
                     int nv, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_team *team = env->team;
    tb_gemm_dims d = {sh->dims[0], sh->dims[1], sh->dims[2]};
    char shape_txt[80];
    snprintf(shape_txt, sizeof shape_txt, "%lldx%lldx%lld", sh->dims[0], sh->dims[1], sh->dims[2]);
    if (tb_dtype_is_quantized(dt) && d.k % TB_QK)
        return tb_fail(TB_EXIT_USAGE, "--shape %s: K must be a multiple of %d for --dtype %s", shape_txt, TB_QK,
                       tb_dtype_name(dt));

    int need32 = 0, needp = 0, needr = 0, cold = o->cold >= 0 ? o->cold : d.m == 1;
    for (int i = 0; i < nv; i++)
        *(specs[i].bk == BK_PORTABLE ? &needp : specs[i].bk == BK_READ ? &needr : &need32) += 1;
    need32 = need32 > 0; /* ref and openblas share the f32 copies; each portable tier has its own */
    int packed = tb_matmul_uses_packed(dt, d.m);
    size_t w32_bytes = (size_t)d.n * (size_t)d.k * sizeof(float);
    size_t wdt_bytes = tb_dtype_row_bytes(dt, d.k) * (size_t)d.n;
    size_t abytes = (size_t)d.m * (size_t)d.k * sizeof(float), cbytes = (size_t)d.m * (size_t)d.n * sizeof(float);
    /* Per-copy footprint of each weight form, and how many copies cold weights need. */
    size_t p_bytes = 0;
    tb_kernels probe_kern;
    tb_kernels_init(&probe_kern, TB_ISA_COUNT);
    if (needp)
        p_bytes = packed ? tb_packed_f32_bytes(&probe_kern, d.n, d.k) : wdt_bytes;
    /* the read probe reads as many bytes as the portable kernel's weights (else the f32 ones) */
    size_t rd_bytes = (needp ? wdt_bytes : w32_bytes) / sizeof(double) * sizeof(double);
    if (rd_bytes == 0)
        rd_bytes = sizeof(double);
    /* Oracle arrays: two doubles per checked element, bounded by the sampling rule. */
    double oracle_bytes = 2.0 * 16.0 * ((double)SAMPLED_LINES * ((double)d.n + (double)d.m) + (double)(1u << 22));
    double fixed = (double)abytes * 2 + (double)cbytes + (double)w32_bytes + (double)wdt_bytes + oracle_bytes;
    tb_workset_item sets[] = {{"f32 weight copies", w32_bytes, cold, need32, 0, 0},
                              {"portable weight copies", p_bytes, cold, needp, 0, 0},
                              {"read probe copies", rd_bytes, cold, needr, 0, 0}};
    tb_workset_budget budget = {env->llc->used_bytes, tb_meminfo_bytes("MemAvailable")};
    char context[96];
    snprintf(context, sizeof context, "--shape %s", shape_txt);
    int prc = tb_workset_plan(&budget, fixed, sets, 3, context);
    if (prc)
        return prc;
    int c32 = sets[0].copies, cp = sets[1].copies, crd = sets[2].copies;

    int rc = 0, any_failed = 0;
    float *a = tb_alloc(abytes, "activations A"), *aq = NULL, *w0 = NULL, *w32 = NULL;
    float *c = tb_alloc(cbytes, "output C");
    void *wdt = NULL;
    oracle orc[2];
    memset(orc, 0, sizeof orc);
    variant_state vs[MAX_VARIANTS];
    variant_ctx ctx[MAX_VARIANTS];
    memset(vs, 0, sizeof vs);
    memset(ctx, 0, sizeof ctx);
    if (!a || !c || !(w0 = tb_alloc(w32_bytes, "weights W"))) {
        rc = TB_EXIT_RUNTIME;
        goto out;
    }
    tb_team_fill_random(team, a, (size_t)d.m * (size_t)d.k, o->seed);
    tb_team_fill_random(team, w0, (size_t)d.n * (size_t)d.k, o->seed + 1);
    if (dt != TB_DT_F32) {
        /* Round-trip the weights through dt: every backend then multiplies the same values. */
        if (!(wdt = tb_alloc(wdt_bytes, "converted weights"))) {
            rc = TB_EXIT_RUNTIME;
            goto out;
        }
        convert_job cj = {team, w0, wdt, dt, d.n, d.k, 0};
        tb_team_run(team, convert_worker, &cj);
        cj.dequantize = 1;
        tb_team_run(team, convert_worker, &cj);
    }
    if (need32) {
        if (!(w32 = tb_workset_alloc(w32_bytes, c32, "f32 weight copies"))) {
            rc = TB_EXIT_RUNTIME;
            goto out;
        }
        tb_workset_fill(team, w32, w32_bytes, c32, w0);
    }
    int any_quant_a = 0;
    for (int i = 0; i < nv; i++)
        any_quant_a |= specs[i].bk == BK_PORTABLE && tb_dtype_is_quantized(dt);
    if (any_quant_a) {
        /* The activations the quantized kernels really multiply: q8_0 and back. */
        if (!(aq = tb_alloc(abytes, "quantized activations"))) {
            rc = TB_EXIT_RUNTIME;
            goto out;
        }
        tb_block_q8_0 *blocks = malloc(tb_dtype_row_bytes(TB_DT_Q8_0, d.k));
        for (int64_t i = 0; blocks && i < d.m; i++) {
            tb_quantize_row_q8_0_ref(a + i * d.k, blocks, d.k);
            tb_dequantize_row(TB_DT_Q8_0, blocks, aq + i * d.k, d.k);
        }
        free(blocks);
    }
    if ((rc = oracle_build(&orc[0], team, a, w0, d)) != 0 || (aq && (rc = oracle_build(&orc[1], team, aq, w0, d)) != 0))
        goto out;

    const char *fault = getenv("TOKBENCH_FAULT_INJECT"); /* test hook: corrupt one backend's output */
    int np = 0, idx[MAX_VARIANTS];
    for (int i = 0; i < nv && rc == 0; i++) {
        variant_state *s = &vs[i];
        variant_ctx *x = &ctx[i];
        s->spec = specs[i];
        *x = (variant_ctx){.team = team, .d = d, .a = a, .c = c, .w32 = w32, .copies32 = c32};
        s->v.ctx = x;
        if (specs[i].bk == BK_READ) {
            tb_probe_kernels pk;
            tb_probe_kernels_best(&pk);
            s->kern.isa = pk.isa;
            x->read = pk.read;
            x->rd_n = rd_bytes / sizeof(double);
            x->copies_rd = crd;
            x->sums = tb_alloc((size_t)tb_team_size(team) * 8 * sizeof(double), "read probe sums");
            if (!x->sums || !(x->rd = tb_workset_alloc(rd_bytes, crd, "read probe copies"))) {
                rc = TB_EXIT_RUNTIME;
                break;
            }
            tb_team_run(team, ones_worker, x);
            s->v.call = call_read;
            call_read(x, 0);
            double sum = 0;
            for (int t = 0; t < tb_team_size(team); t++)
                sum += x->sums[t * 8];
            s->err = fabs(sum - (double)x->rd_n) / (double)x->rd_n;
            s->passed = s->err == 0.0;
            if (s->passed)
                idx[np++] = i;
            continue;
        }
        if (specs[i].bk == BK_REF)
            s->v.call = call_ref;
#if TB_HAVE_OPENBLAS
        else if (specs[i].bk == BK_OPENBLAS)
            s->v.call = call_openblas;
#endif
        else {
            tb_kernels_init(&s->kern, specs[i].isa);
            x->kern = &s->kern;
            x->copies_p = cp;
            s->quantized_a = tb_dtype_is_quantized(dt);
            if ((rc = tb_matmul_ws_init(&x->ws, &s->kern, dt, d.m, d.k, tb_team_size(team))) != 0)
                break;
            /* Weight copies in this tier's layout (packed panels differ between tiers). */
            x->wp = calloc((size_t)cp, sizeof *x->wp);
            char *mem = x->wp ? tb_workset_alloc(p_bytes, cp, "portable weight copies") : NULL;
            if (!mem) {
                rc = TB_EXIT_RUNTIME;
                break;
            }
            /* copy 0 in this tier's layout, then the others as bytes of it, all in one team pass */
            tb_matmul_weights *w = &x->wp[0];
            *w = (tb_matmul_weights){dt, d.n, d.k, NULL, NULL, TB_WL_ROWS};
            if (packed) {
                w->packed = (float *)mem;
                tb_matmul_pack(team, &s->kern, w0, w->packed, d.n, d.k);
            } else {
                w->rows = mem;
                tb_matmul_fill_rows(team, &s->kern, w, dt == TB_DT_F32 ? (const void *)w0 : wdt);
            }
            tb_workset_fill(team, mem, p_bytes, cp, mem);
            for (int r = 1; r < cp; r++) {
                x->wp[r] = *w;
                if (packed)
                    x->wp[r].packed = (float *)(mem + (size_t)r * p_bytes);
                else
                    x->wp[r].rows = mem + (size_t)r * p_bytes;
            }
            s->v.call = call_portable;
        }
        for (size_t e = 0; e < (size_t)d.m * (size_t)d.n; e++)
            c[e] = NAN; /* a kernel that skips an element cannot inherit another variant's answer */
        s->v.call(x, 0);
        if (fault && strcmp(fault, backend_name(specs[i].bk)) == 0)
            c[(size_t)d.m * (size_t)d.n - 1] += 1.0f;
        uint64_t checked;
        s->err = oracle_max_err(&orc[s->quantized_a], c, &checked);
        s->passed = s->err <= tb_gemm_f32_tolerance(d.k);
        if (s->passed)
            idx[np++] = i;
    }

    if (rc == 0 && np) {
        tb_variant timed[MAX_VARIANTS];
        for (int i = 0; i < np; i++)
            timed[i] = vs[idx[i]].v;
        tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
        rc = tb_measure_interleaved(timed, np, &cfg);
        for (int i = 0; i < np; i++)
            vs[idx[i]].v = timed[i];
    }

    double flops = 2.0 * (double)d.m * (double)d.n * (double)d.k;
    uint64_t checked = (uint64_t)orc[0].nr * (uint64_t)d.n + (uint64_t)orc[0].nc * (uint64_t)d.m;
    for (int i = 0; i < nv && rc == 0; i++) {
        variant_state *s = &vs[i];
        backend_id bk = s->spec.bk;
        case_desc cd = {.isa = "generic", .kernel = "tb_gemm_f32_ref", .dtype = "f32", .flops = flops,
                        .wbytes = (double)w32_bytes, .copies = c32, .copies_capped = sets[0].capped,
                        .copy_bytes = w32_bytes,
                        .reference = "double accumulation", .checked = checked, .tolerance = tb_gemm_f32_tolerance(d.k)};
        char isa[64], kernel[64];
        if (bk == BK_PORTABLE) {
            cd.isa = tb_isa_name(s->kern.isa);
            cd.kernel = tb_matmul_kernel(&s->kern, dt, d.m)->name;
            cd.dtype = tb_dtype_name(dt);
            cd.wbytes = (double)wdt_bytes;
            cd.copies = cp;
            cd.copies_capped = sets[1].capped;
            cd.copy_bytes = p_bytes;
            if (s->quantized_a)
                cd.reference = "double accumulation over the q8_0-quantized activations";
        } else if (bk == BK_OPENBLAS) {
            snprintf(isa, sizeof isa, "openblas:%s", tb_blas_corename());
            cd.isa = isa;
            cd.kernel = d.m == 1 ? "cblas_sgemv" : "cblas_sgemm";
        } else if (bk == BK_READ) {
            cd.isa = tb_isa_name(s->kern.isa);
            snprintf(kernel, sizeof kernel, "tb_stream_read_%s", cd.isa);
            cd.kernel = kernel;
            cd.dtype = "f64";
            cd.flops = 0;
            cd.wbytes = (double)rd_bytes;
            cd.copies = crd;
            cd.copies_capped = sets[2].capped;
            cd.copy_bytes = rd_bytes;
            cd.reference = "the exact sum of the ones it reads";
            cd.checked = rd_bytes / sizeof(double);
            cd.tolerance = 0;
        }
        cd.bytes = cd.wbytes + (bk == BK_READ ? 0.0 : (double)abytes + (double)cbytes);
        json_t *cs = case_json(op, backend_name(bk), &cd, d, team, s, cold, full_check(d) || bk == BK_READ);
        if (bk != BK_PORTABLE && bk != BK_READ && dt != TB_DT_F32)
            json_object_set_new(cs, "weights_from", json_string(tb_dtype_name(dt)));
        if (bk == BK_PORTABLE && tb_dtype_is_quantized(dt))
            json_object_set_new(cs, "activations", json_string("q8_0, quantized inside the timed call"));
        any_failed |= !s->passed;
        json_array_append_new(cases, cs);
    }
out:
    for (int i = 0; i < MAX_VARIANTS; i++) {
        tb_variant_free(&vs[i].v);
        tb_matmul_ws_free(&ctx[i].ws);
        tb_free(ctx[i].rd);
        tb_free(ctx[i].sums);
        if (ctx[i].wp) {
            tb_free(ctx[i].wp[0].packed ? (void *)ctx[i].wp[0].packed : ctx[i].wp[0].rows);
            free(ctx[i].wp);
        }
    }
    oracle_free(&orc[0]);
    oracle_free(&orc[1]);
    tb_free(a);
    tb_free(aq);
    tb_free(c);
    tb_free(w0);
    tb_free(w32);
    tb_free(wdt);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}

int tb_bench_gemm(const tb_bench_env *env, const char *op, json_t *cases)
{
    const tb_opts *o = env->o;
    int gemv = strcmp(op, "gemv") == 0;
    tb_dtype dt = TB_DT_F32;
    if (o->dtype && tb_dtype_from_name(o->dtype, &dt) != 0)
        return tb_fail(TB_EXIT_USAGE, "--dtype '%s': expected f32, bf16, f16, q8_0 or q4_0", o->dtype);

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
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': expected %s with every size from 1 to 2147483647", t,
                           gemv ? "NxK or 1xNxK" : "MxNxK");
        if (gemv && sh[ns].dims[0] != 1)
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': gemv is M = 1 (use bench gemm for M > 1)", t);
        if (tb_dtype_is_quantized(dt) && sh[ns].dims[2] % TB_QK)
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': K must be a multiple of %d for --dtype %s", t, TB_QK,
                           tb_dtype_name(dt));
        ns++;
    }
    if (ns == 0)
        return tb_fail(TB_EXIT_USAGE, "--shape: empty list");

    variant_spec specs[MAX_VARIANTS];
    int nv;
    int rc = parse_variants(o, specs, &nv);
    if (rc)
        return rc;

    int worst = 0;
    for (int i = 0; i < ns && !tb_interrupted; i++) {
        if (!o->quiet)
            fprintf(stderr, "tokbench: %s %s %lldx%lldx%lld (%d/%d)\n", op, tb_dtype_name(dt), sh[i].dims[0],
                    sh[i].dims[1], sh[i].dims[2], i + 1, ns);
        rc = run_shape(env, op, &sh[i], dt, specs, nv, cases);
        if (rc && rc != TB_EXIT_CHECK)
            return rc;
        if (rc)
            worst = rc;
    }
    return worst;
}
