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
#include "bench_case.h"
#include "gemm_options.h"
#include "gemm_oracle.h"
#include "blas.h"
#include "matmul.h"
#include "measure.h"
#include "probe_run.h"
#include "sysinfo.h"
#include "tb_config.h"
#include "util.h"
#include "workset.h"

#if TB_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define MAX_VARIANTS TB_GEMM_MAX_VARIANTS

/* Error bound, relative to Σ|a·w|: a float dot product of K terms with any summation order errs
 * by at most about K·u in the worst case, but by O(√K·u) for data of mixed signs. 8√K·u + 8u
 * (u = 2^-24) leaves room for blocked and FMA orders yet still fails a kernel that drops or
 * doubles a single term (an error of about 1/K of Σ|a·w|). Quantized kernels sum exact integer
 * block products, so the same bound holds for them against the same quantized operands. */
double tb_gemm_f32_tolerance(int64_t k)
{
    return (8.0 * sqrt((double)k) + 8.0) * ldexp(1.0, -24);
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
    /* read probe: copies of an array of as many bytes as the weights */
    tb_probe_read rd;
    tb_probe_peak peak;
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

static void call_portable(void *p, uint64_t turn)
{
    variant_ctx *v = p;
    tb_matmul_run(v->team, v->kern, &v->wp[turn % (uint64_t)v->copies_p], v->a, v->d.m, v->c, &v->ws);
}

/* A deliberately slowed portable kernel (test hook --fault-inject slow-portable): each timed call
 * does the work twice, so a nightly job's regression path can be shown end to end on one build and
 * one machine; the record's argv says that it ran. */
static void call_portable_twice(void *p, uint64_t turn)
{
    call_portable(p, turn);
    call_portable(p, turn);
}

/* --- one shape ------------------------------------------------------------------------------------ */

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
    tb_gemm_variant_spec spec;
    tb_kernels kern;
    tb_variant v;
    int passed;
    double err;
    int quantized_a;
} variant_state;

/* One shape: its plan, its inputs and its variants. */
typedef struct {
    const tb_bench_env *env;
    tb_gemm_dims d;
    tb_dtype dt;
    int cold, packed, need32, needp, needr;
    size_t abytes, cbytes, w32_bytes, wdt_bytes, p_bytes, rd_bytes;
    tb_workset_item sets[3]; /* copies of the f32 weights, of each tier's portable weights, of the read array */
    float *a, *aq, *c, *w0, *w32;
    void *wdt;
    tb_gemm_oracle orc[2]; /* over a, and over aq: the activations the quantized kernels multiply */
    variant_state vs[MAX_VARIANTS];
    variant_ctx ctx[MAX_VARIANTS];
} shape_run;

/* Sizes of every buffer, and how many copies of each weight form cold weights get. */
static int plan_shape(shape_run *r, const char *shape_txt, const tb_gemm_variant_spec *specs, int nv)
{
    const tb_gemm_dims d = r->d;
    for (int i = 0; i < nv; i++) /* the peak probe needs no weights */
        if (specs[i].bk != BK_PEAK)
            *(specs[i].bk == BK_PORTABLE ? &r->needp : specs[i].bk == BK_READ ? &r->needr : &r->need32) += 1;
    r->need32 = r->need32 > 0; /* ref and openblas share the f32 copies; each portable tier has its own */
    r->packed = tb_matmul_uses_packed(r->dt, d.m);
    r->w32_bytes = (size_t)d.n * (size_t)d.k * sizeof(float);
    r->wdt_bytes = tb_dtype_row_bytes(r->dt, d.k) * (size_t)d.n;
    r->abytes = (size_t)d.m * (size_t)d.k * sizeof(float);
    r->cbytes = (size_t)d.m * (size_t)d.n * sizeof(float);
    /* Per-copy footprint of each weight form, and how many copies cold weights need. */
    tb_kernels probe_kern;
    tb_kernels_init(&probe_kern, TB_ISA_COUNT);
    if (r->needp)
        r->p_bytes = r->packed ? tb_packed_f32_bytes(&probe_kern, d.n, d.k) : r->wdt_bytes;
    /* the read probe reads as many bytes as the portable kernel's weights (else the f32 ones) */
    r->rd_bytes = (r->needp ? r->wdt_bytes : r->w32_bytes) / sizeof(double) * sizeof(double);
    if (r->rd_bytes == 0)
        r->rd_bytes = sizeof(double);
    double fixed = (double)r->abytes * 2 + (double)r->cbytes + (double)r->w32_bytes + (double)r->wdt_bytes +
                   tb_gemm_oracle_bytes(d);
    r->sets[0] = (tb_workset_item){"f32 weight copies", r->w32_bytes, r->cold, r->need32, 0, 0};
    r->sets[1] = (tb_workset_item){"portable weight copies", r->p_bytes, r->cold, r->needp, 0, 0};
    r->sets[2] = (tb_workset_item){"read probe copies", r->rd_bytes, r->cold, r->needr, 0, 0};
    tb_workset_budget budget = {r->env->llc->used_bytes, tb_meminfo_bytes("MemAvailable")};
    char context[96];
    snprintf(context, sizeof context, "--shape %s", shape_txt);
    return tb_workset_plan(&budget, fixed, r->sets, 3, context);
}

/* A, the weights (round-tripped through dt, then the f32 copies), A as the quantized kernels
 * see it, and the oracles over both. */
static int make_inputs(shape_run *r, const tb_gemm_variant_spec *specs, int nv)
{
    const tb_opts *o = r->env->o;
    tb_team *team = r->env->team;
    const tb_gemm_dims d = r->d;
    r->a = tb_alloc(r->abytes, "activations A");
    r->c = tb_alloc(r->cbytes, "output C");
    if (!r->a || !r->c || !(r->w0 = tb_alloc(r->w32_bytes, "weights W")))
        return TB_EXIT_RUNTIME;
    tb_team_fill_random(team, r->a, (size_t)d.m * (size_t)d.k, o->seed);
    tb_team_fill_random(team, r->w0, (size_t)d.n * (size_t)d.k, o->seed + 1);
    if (r->dt != TB_DT_F32) {
        /* Round-trip the weights through dt: every backend then multiplies the same values. */
        if (!(r->wdt = tb_alloc(r->wdt_bytes, "converted weights")))
            return TB_EXIT_RUNTIME;
        convert_job cj = {team, r->w0, r->wdt, r->dt, d.n, d.k, 0};
        tb_team_run(team, convert_worker, &cj);
        cj.dequantize = 1;
        tb_team_run(team, convert_worker, &cj);
    }
    if (r->need32) {
        if (!(r->w32 = tb_workset_alloc(r->w32_bytes, r->sets[0].copies, "f32 weight copies")))
            return TB_EXIT_RUNTIME;
        tb_workset_fill(team, r->w32, r->w32_bytes, r->sets[0].copies, r->w0);
    }
    int any_quant_a = 0;
    for (int i = 0; i < nv; i++)
        any_quant_a |= specs[i].bk == BK_PORTABLE && tb_dtype_is_quantized(r->dt);
    if (any_quant_a) {
        /* The activations the quantized kernels really multiply: q8_0 and back. */
        if (!(r->aq = tb_alloc(r->abytes, "quantized activations")))
            return TB_EXIT_RUNTIME;
        tb_block_q8_0 *blocks = malloc(tb_dtype_row_bytes(TB_DT_Q8_0, d.k));
        for (int64_t i = 0; blocks && i < d.m; i++) {
            tb_quantize_row_q8_0_ref(r->a + i * d.k, blocks, d.k);
            tb_dequantize_row(TB_DT_Q8_0, blocks, r->aq + i * d.k, d.k);
        }
        free(blocks);
    }
    int rc = tb_gemm_oracle_build(&r->orc[0], team, r->a, r->w0, d);
    if (rc == 0 && r->aq)
        rc = tb_gemm_oracle_build(&r->orc[1], team, r->aq, r->w0, d);
    return rc;
}

/* The read variant: its copies of ones, on the best tier's read kernel. */
static int setup_read(shape_run *r, variant_state *s, variant_ctx *x)
{
    tb_probe_kernels pk;
    tb_probe_kernels_best(&pk);
    s->kern.isa = pk.isa;
    int copies = r->sets[2].copies;
    double *arr = tb_workset_alloc(r->rd_bytes, copies, "read probe copies");
    /* x->rd holds arr even when its sums are out of memory: free_shape frees both */
    if (!arr || tb_probe_read_init(&x->rd, r->env->team, pk.read, arr, r->rd_bytes / sizeof(double), copies,
                                   "read probe sums"))
        return TB_EXIT_RUNTIME;
    tb_probe_read_fill_ones(&x->rd);
    s->v.call = tb_probe_read_call;
    s->v.ctx = &x->rd;
    return 0;
}

/* The peak variant: the FMA chains of the tier its spec names (gemm_options.c), or of the best
 * tier below it that has them, on the team, checked once. */
static int setup_peak(shape_run *r, variant_state *s, variant_ctx *x, int corrupt)
{
    tb_probe_kernels pk;
    tb_probe_kernels_at_most(s->spec.isa, &pk);
    s->kern.isa = pk.isa;
    if (tb_probe_peak_checked(&x->peak, r->env->team, &pk, corrupt, &s->err))
        return TB_EXIT_RUNTIME;
    s->v.call = tb_probe_peak_call;
    s->v.ctx = &x->peak;
    s->passed = s->err == 0.0;
    return 0;
}

/* A portable variant: this tier's kernels, workspace and weight copies in this tier's layout
 * (packed panels differ between tiers). */
static int setup_portable(shape_run *r, variant_state *s, variant_ctx *x)
{
    tb_team *team = r->env->team;
    const int cp = r->sets[1].copies;
    tb_kernels_init(&s->kern, s->spec.isa);
    x->kern = &s->kern;
    x->copies_p = cp;
    s->quantized_a = tb_dtype_is_quantized(r->dt);
    int rc = tb_matmul_ws_init(&x->ws, &s->kern, r->dt, r->d.m, r->d.k, tb_team_size(team));
    if (rc)
        return rc;
    x->wp = calloc((size_t)cp, sizeof *x->wp);
    char *mem = x->wp ? tb_workset_alloc(r->p_bytes, cp, "portable weight copies") : NULL;
    if (!mem)
        return TB_EXIT_RUNTIME;
    /* copy 0 in this tier's layout, then the others as bytes of it, all in one team pass */
    tb_matmul_weights *w = &x->wp[0];
    *w = (tb_matmul_weights){r->dt, r->d.n, r->d.k, NULL, NULL, TB_WL_ROWS};
    if (r->packed) {
        /* cppcheck-suppress invalidPointerCast ; bytes from the allocator hold the packed floats */
        w->packed = (float *)mem;
        tb_matmul_pack(team, &s->kern, r->w0, w->packed, r->d.n, r->d.k);
    } else {
        w->rows = mem;
        tb_matmul_fill_rows(team, &s->kern, w, r->dt == TB_DT_F32 ? (const void *)r->w0 : r->wdt);
    }
    tb_workset_fill(team, mem, r->p_bytes, cp, mem);
    for (int c = 1; c < cp; c++) {
        x->wp[c] = *w;
        if (r->packed)
            /* cppcheck-suppress invalidPointerCast ; bytes from the allocator hold the packed floats */
            x->wp[c].packed = (float *)(mem + (size_t)c * r->p_bytes);
        else
            x->wp[c].rows = mem + (size_t)c * r->p_bytes;
    }
    s->v.call = call_portable;
    return 0;
}

/* Sets variant i up and checks one call of it: the probes' exact results, or C against the
 * oracle (a test hook may corrupt one backend's output). */
static int setup_and_check(shape_run *r, int i, const char *fault)
{
    variant_state *s = &r->vs[i];
    variant_ctx *x = &r->ctx[i];
    const tb_gemm_dims d = r->d;
    *x = (variant_ctx){.team = r->env->team, .d = d, .a = r->a, .c = r->c, .w32 = r->w32,
                       .copies32 = r->sets[0].copies};
    s->v.ctx = x;
    int rc = 0;
    if (s->spec.bk == BK_READ) {
        if ((rc = setup_read(r, s, x)) != 0)
            return rc;
        s->v.call(s->v.ctx, 0);
        s->err = tb_probe_read_err(&x->rd);
        s->passed = s->err == 0.0;
        return 0;
    }
    if (s->spec.bk == BK_PEAK)
        return setup_peak(r, s, x, fault && strcmp(fault, "peak") == 0);
    if (s->spec.bk == BK_REF)
        s->v.call = call_ref;
#if TB_HAVE_OPENBLAS
    else if (s->spec.bk == BK_OPENBLAS)
        s->v.call = call_openblas;
#endif
    else if ((rc = setup_portable(r, s, x)) != 0)
        return rc;
    for (size_t e = 0; e < (size_t)d.m * (size_t)d.n; e++)
        r->c[e] = NAN; /* a kernel that skips an element cannot inherit another variant's answer */
    s->v.call(x, 0);
    if (fault && strcmp(fault, tb_gemm_backend_name(s->spec.bk)) == 0)
        r->c[(size_t)d.m * (size_t)d.n - 1] += 1.0f;
    if (fault && strcmp(fault, "slow-portable") == 0 && s->v.call == call_portable)
        s->v.call = call_portable_twice;
    s->err = tb_gemm_oracle_max_err(&r->orc[s->quantized_a], r->c);
    s->passed = s->err <= tb_gemm_f32_tolerance(d.k);
    return 0;
}

/* What a case reports besides its timing: filled per backend by write_case. */
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
        tb_bench_case_untimed(cs);
        return cs;
    }
    double med = s->v.stats.median;
    tb_bench_case_timed(cs, &s->v,
                        json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}", "gflops", cd->flops / med, "gbps", cd->bytes / med,
                                  "weight_gbps", cd->wbytes / med, "flops", cd->flops, "bytes", cd->bytes,
                                  "weight_bytes", cd->wbytes));
    return cs;
}

/* Variant i's case: its backend's kernel, weights and reference, then its outcome. */
static json_t *write_case(const shape_run *r, const char *op, int i)
{
    const variant_state *s = &r->vs[i];
    const tb_gemm_dims d = r->d;
    tb_gemm_backend bk = s->spec.bk;
    case_desc cd = {.isa = "generic", .kernel = "tb_gemm_f32_ref", .dtype = "f32",
                    .flops = 2.0 * (double)d.m * (double)d.n * (double)d.k, .wbytes = (double)r->w32_bytes,
                    .copies = r->sets[0].copies, .copies_capped = r->sets[0].capped, .copy_bytes = r->w32_bytes,
                    .reference = "double accumulation", .checked = tb_gemm_oracle_elements(&r->orc[0]),
                    .tolerance = tb_gemm_f32_tolerance(d.k)};
    char isa[64], kernel[64];
    if (bk == BK_PORTABLE) {
        cd.isa = tb_isa_name(s->kern.isa);
        cd.kernel = tb_matmul_kernel(&s->kern, r->dt, d.m)->name;
        cd.dtype = tb_dtype_name(r->dt);
        cd.wbytes = (double)r->wdt_bytes;
        cd.copies = r->sets[1].copies;
        cd.copies_capped = r->sets[1].capped;
        cd.copy_bytes = r->p_bytes;
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
        cd.wbytes = (double)r->rd_bytes;
        cd.copies = r->sets[2].copies;
        cd.copies_capped = r->sets[2].capped;
        cd.copy_bytes = r->rd_bytes;
        cd.reference = "the exact sum of the ones it reads";
        cd.checked = r->rd_bytes / sizeof(double);
        cd.tolerance = 0;
    } else if (bk == BK_PEAK) {
        cd.isa = tb_isa_name(s->kern.isa);
        snprintf(kernel, sizeof kernel, "tb_peak_fma_%s", cd.isa);
        cd.kernel = kernel;
        cd.flops = tb_probe_peak_flops(&r->ctx[i].peak);
        cd.wbytes = 0;
        cd.copies = 0;
        cd.copies_capped = 0;
        cd.copy_bytes = 0;
        cd.reference = "seed + iterations exactly (mul = add = 1)";
        cd.checked = (uint64_t)r->ctx[i].peak.k.peak_lanes * (uint64_t)r->ctx[i].peak.k.peak_chains *
                     (uint64_t)tb_team_size(r->env->team);
        cd.tolerance = 0;
    }
    int probe = bk == BK_READ || bk == BK_PEAK;
    cd.bytes = cd.wbytes + (probe ? 0.0 : (double)r->abytes + (double)r->cbytes);
    json_t *cs = case_json(op, tb_gemm_backend_name(bk), &cd, d, r->env->team, s, r->cold && bk != BK_PEAK,
                           tb_gemm_full_check(d) || probe);
    if (bk != BK_PORTABLE && !probe && r->dt != TB_DT_F32)
        json_object_set_new(cs, "weights_from", json_string(tb_dtype_name(r->dt)));
    if (bk == BK_PORTABLE && tb_dtype_is_quantized(r->dt))
        json_object_set_new(cs, "activations", json_string("q8_0, quantized inside the timed call"));
    return cs;
}

static void free_shape(shape_run *r)
{
    for (int i = 0; i < MAX_VARIANTS; i++) {
        variant_ctx *x = &r->ctx[i];
        tb_variant_free(&r->vs[i].v);
        tb_matmul_ws_free(&x->ws);
        tb_free(x->rd.arr);
        tb_probe_read_free(&x->rd);
        tb_probe_peak_free(&x->peak);
        if (x->wp) {
            tb_free(x->wp[0].packed ? (void *)x->wp[0].packed : x->wp[0].rows);
            free(x->wp);
        }
    }
    tb_gemm_oracle_free(&r->orc[0]);
    tb_gemm_oracle_free(&r->orc[1]);
    TB_FREE_ALL(r->a, r->aq, r->c, r->w0, r->w32, r->wdt);
}

/* One shape: planned, its inputs made, every variant checked, the passing ones timed
 * interleaved, one case per variant. */
static int run_shape(const tb_bench_env *env, const char *op, const tb_gemm_shape *sh, tb_dtype dt,
                     const tb_gemm_variant_spec *specs, int nv, json_t *cases)
{
    shape_run run, *r = &run;
    memset(r, 0, sizeof *r);
    r->env = env;
    r->d = (tb_gemm_dims){sh->dims[0], sh->dims[1], sh->dims[2]};
    r->dt = dt;
    r->cold = env->o->cold >= 0 ? env->o->cold : r->d.m == 1;
    char shape_txt[80];
    snprintf(shape_txt, sizeof shape_txt, "%lldx%lldx%lld", sh->dims[0], sh->dims[1], sh->dims[2]);
    int rc = plan_shape(r, shape_txt, specs, nv);
    if (rc)
        return rc;
    rc = make_inputs(r, specs, nv);
    const char *fault = env->o->fault_inject; /* test hook (options.h): corrupt one backend's output */
    tb_variant *timed[MAX_VARIANTS];
    int np = 0, any_failed = 0;
    for (int i = 0; i < nv && rc == 0; i++) {
        r->vs[i].spec = specs[i];
        rc = setup_and_check(r, i, fault);
        if (rc == 0 && r->vs[i].passed)
            timed[np++] = &r->vs[i].v;
    }
    if (rc == 0)
        rc = tb_bench_time(env->o, timed, np);
    for (int i = 0; i < nv && rc == 0; i++) {
        any_failed |= !r->vs[i].passed;
        json_array_append_new(cases, write_case(r, op, i));
    }
    free_shape(r);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}

/* Validates bench gemm/gemv's options: the type, the shapes and the backend x tier variants. */
static int gemm_options(const tb_opts *o, const char *op, tb_dtype *dt, tb_gemm_shape *sh, int *ns,
                        tb_gemm_variant_spec *specs, int *nv)
{
    *dt = TB_DT_F32;
    if (o->dtype && tb_dtype_from_name(o->dtype, dt) != 0)
        return tb_fail(TB_EXIT_USAGE, "--dtype '%s': expected f32, bf16, f16, q8_0 or q4_0", o->dtype);
    int rc = tb_gemm_parse_shapes(o, strcmp(op, "gemv") == 0, *dt, sh, ns);
    return rc ? rc : tb_gemm_parse_variants(o, specs, nv);
}

int tb_bench_gemm_check(const tb_opts *o, const char *op)
{
    tb_dtype dt;
    tb_gemm_shape sh[TB_GEMM_MAX_SHAPES];
    tb_gemm_variant_spec specs[MAX_VARIANTS];
    int ns, nv;
    return gemm_options(o, op, &dt, sh, &ns, specs, &nv);
}

int tb_bench_gemm(const tb_bench_env *env, const char *op, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_dtype dt;
    tb_gemm_shape sh[TB_GEMM_MAX_SHAPES];
    tb_gemm_variant_spec specs[MAX_VARIANTS];
    int ns, nv;
    int rc = gemm_options(o, op, &dt, sh, &ns, specs, &nv);
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
