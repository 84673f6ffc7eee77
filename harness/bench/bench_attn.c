/* bench attn-prefill / attn-decode: the attention of one layer, checked against the double
 * reference, then timed interleaved with the roofline probe that bounds it (read for decode, the
 * FMA peak for prefill) so each figure has its ceiling from the same rounds.
 *
 * Data (attn_inputs.c): seeded random q, k, v, rotated and appended to the caches once, outside
 * timing. Every variant then attends over exactly those inputs, so one oracle (attn_oracle.c)
 * serves all of them.
 *
 * The timed call is the attention of one step, on the driver the forward pass uses too
 * (attn_driver.c): prefill = pack K/V of every KV head, then all query tiles (dynamically
 * scheduled, longest first); decode = every (sequence, KV head) key range split evenly over the
 * threads, flash-decoding merge of the ranges cut between threads. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/attention.h>
#include <tokbench/probes.h>

#include "attn_case.h"
#include "attn_driver.h"
#include "attn_options.h"
#include "attn_oracle.h"
#include "bench.h"
#include "bench_case.h"
#include "measure.h"
#include "probe_run.h"
#include "sysinfo.h"
#include "util.h"
#include "workset.h"

#define MAX_VARIANTS TB_ATTN_MAX_VARIANTS

typedef struct {
    attn_case *a;
    tb_attn_variant_spec spec;
    tb_attention_kernels kern;
    tb_attn_job job; /* portable: its kv_ctx is this variant, so it reads the copy of the turn */
    tb_probe_kernels probe;
    int copy;
    tb_variant v;
    int passed, rope_ok, append_ok;
    double err, tol_at_worst, ratio, rope_err;
} variant;

/* ---- portable variants ---------------------------------------------------------------------- */

static void case_kv(const void *ctx, int64_t seq, int64_t kvh, const void **k, const void **v)
{
    const variant *x = ctx;
    *k = attn_k_head(x->a, x->copy, seq, kvh);
    *v = attn_v_head(x->a, x->copy, seq, kvh);
}

static void call_prefill(void *p, uint64_t turn)
{
    variant *x = p;
    x->copy = (int)(turn % (uint64_t)x->a->copies);
    tb_attn_drv_prefill(&x->a->drv, &x->job);
}

static void call_decode(void *p, uint64_t turn)
{
    variant *x = p;
    x->copy = (int)(turn % (uint64_t)x->a->copies);
    tb_attn_drv_decode(&x->a->drv, &x->job);
}

/* ---- the reference variant ------------------------------------------------------------------ */

static void ref_worker(void *p, int tid, int nt)
{
    variant *x = p;
    attn_case *a = x->a;
    size_t b, e;
    tb_team_split((size_t)(a->ntok * a->H), 1, tid, nt, &b, &e);
    double *o = a->work + (size_t)tid * a->work_stride, *w = o + a->D;
    for (size_t r = b; r < e; r++) {
        int64_t t = (int64_t)r / a->H, hq = (int64_t)r % a->H, s = attn_q_seq(a, t), h = hq / a->g;
        tb_attn_ref_row(attn_q_row(a, t, hq), attn_k_head(a, x->copy, s, h), attn_v_head(a, x->copy, s, h), a->kvdt,
                        a->D, attn_q_pos(a, t) + 1, o, NULL, NULL, w);
        for (int64_t i = 0; i < a->D; i++)
            a->out[(int64_t)r * a->D + i] = (float)o[i];
    }
}

static void call_ref(void *p, uint64_t turn)
{
    variant *x = p;
    x->copy = (int)(turn % (uint64_t)x->a->copies);
    tb_team_run(x->a->team, ref_worker, x);
}

/* ---- one case -------------------------------------------------------------------------------- */

static json_t *shape_json(const attn_case *a)
{
    json_t *sh = json_pack("{s:I, s:I, s:I}", "heads", (json_int_t)a->H, "kv_heads", (json_int_t)a->kv, "head_dim",
                           (json_int_t)a->D);
    if (!a->decode) {
        json_object_set_new(sh, "seq", json_integer(a->len[0]));
        json_object_set_new(sh, "batch", json_integer(1));
        return sh;
    }
    int64_t mx = 0;
    json_t *lens = json_array();
    for (int64_t b = 0; b < a->nseq; b++) {
        mx = a->len[b] > mx ? a->len[b] : mx;
        json_array_append_new(lens, json_integer(a->len[b]));
    }
    json_object_set_new(sh, "ctx", json_integer(mx));
    json_object_set_new(sh, "batch", json_integer(a->nseq));
    json_object_set_new(sh, "lengths", lens);
    return sh;
}

static void free_case(attn_case *a)
{
    tb_free(a->caches);
    tb_free(a->q);
    tb_free(a->out);
    tb_attn_drv_free(&a->drv);
    tb_free(a->scratch);
    tb_free(a->work);
    tb_free(a->rd.arr);
    tb_probe_read_free(&a->rd);
    tb_probe_peak_free(&a->peak);
    free(a->seq_off);
    free(a->seg_start);
}

/* Layout of one copy of the caches: each sequence's K then V, 64-byte aligned; the flattened key
 * index of each sequence. Returns the longest sequence, or -1 when out of memory. */
static int64_t layout_case(attn_case *a)
{
    a->seq_off = malloc(sizeof(size_t) * (size_t)a->nseq);
    a->seg_start = malloc(sizeof(int64_t) * (size_t)(a->nseq + 1));
    if (!a->seq_off || !a->seg_start)
        return -1;
    size_t off = 0;
    int64_t maxlen = 0;
    a->total_keys = 0;
    for (int64_t b = 0; b < a->nseq; b++) {
        a->seq_off[b] = off;
        off += 2 * (size_t)a->kv * attn_kv_head_bytes(a, b);
        off = (off + 63) / 64 * 64;
        a->seg_start[b] = a->total_keys;
        a->total_keys += a->kv * a->len[b];
        maxlen = a->len[b] > maxlen ? a->len[b] : maxlen;
    }
    a->seg_start[a->nseq] = a->total_keys;
    a->copy_bytes = off;
    return maxlen;
}

static void describe_case(const attn_case *a, char *what, size_t cap)
{
    if (a->decode)
        snprintf(what, cap, "%lld/%lldx%lld, %lld sequence%s, %lld keys", (long long)a->H, (long long)a->kv,
                 (long long)a->D, (long long)a->nseq, a->nseq > 1 ? "s" : "", (long long)(a->total_keys / a->kv));
    else
        snprintf(what, cap, "%lld/%lldx%lld, seq %lld", (long long)a->H, (long long)a->kv, (long long)a->D,
                 (long long)a->len[0]);
}

static double kv_bytes_of(const attn_case *a) { return (double)a->total_keys * 2.0 * (double)a->D * (double)a->es; }
static size_t q_bytes_of(const attn_case *a) { return (size_t)(a->ntok * a->H * a->D) * sizeof(float); }
/* prefill: keys packed per KV head */
static int64_t pack_len_of(const attn_case *a) { return a->decode ? 0 : a->len[0]; }

/* Strides of the per-thread buffers and copies of the caches and of the read probe's array for
 * the cold rotation, within the memory budget. */
static int plan_case(const tb_bench_env *env, const char *op, attn_case *a, int64_t maxlen, int cold, int need_read,
                     const char *what)
{
    const double kv_bytes = kv_bytes_of(a);
    a->rd_n = (size_t)(kv_bytes / sizeof(double));
    a->rd_n = a->rd_n ? a->rd_n : 1;
    int64_t pack_len = pack_len_of(a);
    a->scratch_stride = (tb_attn_case_scratch_floats(a) + 15) / 16 * 16;
    a->work_stride = (size_t)(maxlen + a->D + 8);
    double oracle_bytes = 16.0 * (double)a->D * (double)a->H * (double)a->ntok;
    size_t packed = pack_len ? tb_attn_packed_k_floats(a->D, pack_len) + tb_attn_packed_v_floats(a->D, pack_len) : 0;
    double fixed = 2.0 * (double)q_bytes_of(a) + (double)packed * 4.0 * (double)a->kv + oracle_bytes +
                   8.0 * (double)a->work_stride * a->nt;
    tb_workset_item sets[] = {{"KV-cache copies", a->copy_bytes, cold, 1, 0, 0},
                              {"read probe copies", a->rd_n * 8, cold, need_read, 0, 0}};
    tb_workset_budget budget = {env->llc->used_bytes, tb_meminfo_bytes("MemAvailable")};
    char context[160];
    snprintf(context, sizeof context, "bench %s %s", op, what);
    int rc = tb_workset_plan(&budget, fixed, sets, 2, context);
    a->copies = sets[0].copies;
    a->copies_capped = sets[0].capped;
    a->rd_copies = sets[1].copies;
    a->rd_capped = sets[1].capped;
    return rc;
}

/* The buffers, the driver, the inputs (made once by the best tier, then copied for the cold
 * rotation) and the oracle over them. */
static int make_case(attn_case *a, uint64_t seed, tb_attn_oracle *orc)
{
    size_t qbytes = q_bytes_of(a);
    a->caches = tb_workset_alloc(a->copy_bytes, a->copies, "KV-cache copies");
    a->q = a->caches ? tb_alloc(qbytes, "queries") : NULL;
    a->out = a->q ? tb_alloc(qbytes, "attention output") : NULL;
    a->scratch = a->out ? tb_alloc(a->scratch_stride * sizeof(float) * (size_t)a->nt, "input scratch") : NULL;
    a->work = a->scratch ? tb_alloc(a->work_stride * sizeof(double) * (size_t)a->nt, "reference work rows") : NULL;
    if (!a->work)
        return TB_EXIT_RUNTIME;
    int64_t pack_len = pack_len_of(a);
    tb_attn_dims dims = {a->H, a->kv, a->D, pack_len};
    int rc = tb_attn_drv_init(&a->drv, a->team, &dims, pack_len ? 1 : 0, pack_len);
    if (rc)
        return rc;
    tb_attention_kernels best;
    tb_attention_kernels_init(&best, TB_ISA_COUNT);
    tb_attn_case_make_inputs(a, &best, seed);
    tb_workset_fill(a->team, a->caches, a->copy_bytes, a->copies, a->caches);
    return tb_attn_oracle_build(orc, a);
}

/* The read probe's copies of ones (as many bytes as the caches), on the best tier's kernel. */
static int check_read(variant *x, const char *fault)
{
    attn_case *a = x->a;
    double *arr = tb_workset_alloc(a->rd_n * 8, a->rd_copies, "read probe copies");
    /* a->rd holds arr even when its sums are out of memory: free_case frees both */
    if (!arr || tb_probe_read_init(&a->rd, a->team, x->probe.read, arr, a->rd_n, a->rd_copies, "read probe sums"))
        return TB_EXIT_RUNTIME;
    tb_probe_read_fill_ones(&a->rd);
    x->v.call = tb_probe_read_call;
    x->v.ctx = &a->rd;
    x->v.call(x->v.ctx, 0);
    if (fault && strcmp(fault, "read") == 0)
        a->rd.sums[0] += 1.0;
    x->err = tb_probe_read_err(&a->rd);
    x->passed = x->err == 0.0;
    return 0;
}

static int check_peak(variant *x, const char *fault)
{
    attn_case *a = x->a;
    int rc = tb_probe_peak_checked(&a->peak, a->team, &x->probe, fault && strcmp(fault, "peak") == 0, &x->err);
    if (rc)
        return rc;
    x->v.call = tb_probe_peak_call;
    x->v.ctx = &a->peak;
    x->passed = x->err == 0.0;
    return 0;
}

/* A portable tier (its RoPE and append too) or the reference, against the oracle. */
static void check_attention(variant *x, const tb_attn_oracle *orc, uint64_t seed, const char *fault)
{
    attn_case *a = x->a;
    if (x->spec.kind == AV_PORTABLE) {
        tb_attention_kernels_init(&x->kern, x->spec.isa);
        /* SPLIT_KEYS: mixed lengths balance over the threads only by keys */
        x->job = (tb_attn_job){.kern = &x->kern,
                               .kv_dt = a->kvdt,
                               .seqs = a->nseq,
                               .len = a->len[0],
                               .lens = a->decode ? a->len : NULL,
                               .kv = case_kv,
                               .kv_ctx = x,
                               .q = a->q,
                               .out = a->out,
                               .split = TB_ATTN_SPLIT_KEYS};
        x->v.call = a->decode ? call_decode : call_prefill;
        tb_attn_case_check_rope_append(a, &x->kern, seed, &x->rope_err, &x->rope_ok, &x->append_ok);
    } else {
        x->v.call = call_ref;
        x->rope_ok = x->append_ok = 1;
    }
    for (size_t e = 0; e < (size_t)(a->ntok * a->H * a->D); e++)
        a->out[e] = NAN; /* a kernel that skips a row cannot inherit another variant's answer */
    x->v.call(x, 0);
    if (fault && strcmp(fault, tb_attn_backend_name(x->spec.kind)) == 0)
        a->out[a->ntok * a->H * a->D - 1] += 1.0f;
    tb_attn_oracle_compare(orc, a->out, &x->err, &x->ratio, &x->tol_at_worst);
    x->passed = x->ratio <= 1.0 && x->rope_ok && x->append_ok;
}

/* The check object of variant x's case. */
static json_t *check_json(const variant *x, const tb_attn_oracle *orc)
{
    const attn_case *a = x->a;
    tb_attn_backend kind = x->spec.kind;
    if (kind == AV_READ || kind == AV_PEAK)
        return json_pack("{s:b, s:f, s:f, s:s}", "passed", x->passed, "max_rel_err", isfinite(x->err) ? x->err : 1e308,
                         "tolerance", 0.0, "reference",
                         kind == AV_READ ? "the exact sum of the ones it reads"
                                         : "scalar replay: every accumulator ends at seed + iterations exactly");
    json_t *ck = json_pack("{s:b, s:f, s:f, s:f, s:s, s:s, s:I}", "passed", x->passed, "max_rel_err",
                           isfinite(x->err) ? x->err : 1e308, "tolerance", x->tol_at_worst, "max_err_to_bound",
                           isfinite(x->ratio) ? x->ratio : 1e308, "reference",
                           "double precision, materialised softmax, on the same (f16-rounded) K/V; error per element "
                           "relative to sum_j p_j |v_j|",
                           "coverage", orc->full ? "every query row" : a->decode ? "every sequence, 8 query heads each"
                                                                                : "16 query tokens (first, last, "
                                                                                  "spaced), 8 heads each",
                           "rows_checked", (json_int_t)orc->nrows);
    if (kind == AV_PORTABLE) {
        json_object_set_new(ck, "rope_max_rel_err", json_real(isfinite(x->rope_err) ? x->rope_err : 1e308));
        json_object_set_new(ck, "rope_passed", json_boolean(x->rope_ok));
        json_object_set_new(ck, "kv_append_exact", json_boolean(x->append_ok));
    }
    return ck;
}

/* Variant x's case: kernel, shape, check, the cold rotation, then its outcome. */
static json_t *attn_case_json(const char *op, const variant *x, const tb_attn_oracle *orc, int cold)
{
    const attn_case *a = x->a;
    tb_attn_backend kind = x->spec.kind;
    /* FLOPs: 2·d for q·k and 2·d for p·v per (query head, key) pair the kernel must compute. */
    double pairs = 0;
    for (int64_t t = 0; t < a->ntok; t++)
        pairs += (double)(attn_q_pos(a, t) + 1);
    const double kv_bytes = kv_bytes_of(a);
    char kname[64];
    const char *isa = "generic", *dtype = tb_dtype_name(a->kvdt);
    double f = 4.0 * pairs * (double)a->H * (double)a->D;
    double by = a->decode ? kv_bytes : 2.0 * (double)q_bytes_of(a) + kv_bytes;
    if (kind == AV_PORTABLE) {
        isa = tb_isa_name(x->kern.isa);
        snprintf(kname, sizeof kname, "%s", a->decode ? x->kern.decode_info[a->kvdt].name : x->kern.prefill_info.name);
    } else if (kind == AV_REF) {
        snprintf(kname, sizeof kname, "tb_attn_ref_row");
    } else if (kind == AV_READ) {
        isa = x->probe.suffix;
        snprintf(kname, sizeof kname, "tb_stream_read_%s", isa);
        dtype = "f64";
        f = 0;
        by = (double)a->rd_n * 8.0;
    } else {
        isa = x->probe.suffix;
        snprintf(kname, sizeof kname, "tb_peak_fma_%s", isa);
        dtype = "f32";
        f = tb_probe_peak_flops(&a->peak);
        by = 0;
    }
    json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:o}", "op", op, "backend", tb_attn_backend_name(kind),
                           "isa", isa, "kernel", kname, "dtype", dtype, "shape", shape_json(a), "threads", a->nt,
                           "cpus", tb_team_cpus_json(a->team));
    if (kind == AV_PORTABLE) {
        json_t *ks = json_pack("{s:s, s:s, s:s}", "rope", x->kern.rope_info.name, "kv_append",
                               x->kern.kv_append_info[a->kvdt].name, "exp2", x->kern.exp2_info.name);
        if (a->decode)
            json_object_set_new(ks, "merge", json_string(x->kern.merge_info.name));
        else
            json_object_set_new(ks, "pack", json_string(x->kern.prefill_pack_info[a->kvdt].name));
        json_object_set_new(cs, "kernels", ks);
    }
    json_object_set_new(cs, "check", check_json(x, orc));
    int copies = kind == AV_READ ? a->rd_copies : kind == AV_PEAK ? 0 : a->copies;
    size_t cbytes = kind == AV_READ ? a->rd_n * 8 : a->copy_bytes;
    int capped = kind == AV_READ ? a->rd_capped : kind == AV_PEAK ? 0 : a->copies_capped;
    json_object_set_new(cs, "cold_kv", json_pack("{s:b, s:i, s:I, s:b}", "enabled", cold && kind != AV_PEAK, "copies",
                                                 copies, "bytes", (json_int_t)(cbytes * (size_t)copies),
                                                 "copies_capped", capped));
    if (!x->passed || x->v.n == 0) {
        tb_bench_case_untimed(cs);
    } else {
        tb_bench_case_samples(cs, &x->v, f, by);
        if (kind == AV_PORTABLE || kind == AV_REF)
            json_object_set_new(json_object_get(cs, "rate"), "kv_bytes", json_real(kv_bytes));
    }
    return cs;
}

/* One case: planned, its inputs and oracle made, every variant checked, the passing ones timed
 * interleaved, one case object per variant. */
static int run_case(const tb_bench_env *env, const char *op, attn_case *a, const tb_attn_variant_spec *specs, int nv,
                    json_t *cases)
{
    const tb_opts *o = env->o;
    int need_read = 0, any_failed = 0;
    for (int i = 0; i < nv; i++)
        need_read |= specs[i].kind == AV_READ;
    int64_t maxlen = layout_case(a);
    if (maxlen < 0)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    char what[96];
    describe_case(a, what, sizeof what);
    int cold = o->cold >= 0 ? o->cold : a->decode;
    int rc = plan_case(env, op, a, maxlen, cold, need_read, what);
    if (rc)
        return rc;

    variant vs[MAX_VARIANTS];
    memset(vs, 0, sizeof vs);
    tb_attn_oracle orc;
    memset(&orc, 0, sizeof orc);
    rc = make_case(a, o->seed, &orc);
    const char *fault = o->fault_inject; /* test hook (options.h): corrupt one backend's output */
    tb_variant *timed[MAX_VARIANTS];
    int np = 0;
    for (int i = 0; i < nv && rc == 0; i++) {
        variant *x = &vs[i];
        *x = (variant){.a = a, .spec = specs[i]};
        x->v.ctx = x;
        if (specs[i].kind == AV_READ || specs[i].kind == AV_PEAK)
            tb_probe_kernels_best(&x->probe);
        if (specs[i].kind == AV_READ)
            rc = check_read(x, fault);
        else if (specs[i].kind == AV_PEAK)
            rc = check_peak(x, fault);
        else
            check_attention(x, &orc, o->seed, fault);
        if (rc == 0 && x->passed)
            timed[np++] = &x->v;
    }
    if (rc == 0 && np) {
        if (!o->quiet)
            fprintf(stderr, "tokbench: %s %s: checked, timing %d variant%s\n", op, what, np, np > 1 ? "s" : "");
        rc = tb_bench_time(o, timed, np);
    }
    for (int i = 0; i < nv && rc == 0; i++) {
        any_failed |= !vs[i].passed;
        json_array_append_new(cases, attn_case_json(op, &vs[i], &orc, cold));
    }
    for (int i = 0; i < MAX_VARIANTS; i++)
        tb_variant_free(&vs[i].v);
    tb_attn_oracle_free(&orc);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}

int tb_bench_attn(const tb_bench_env *env, const char *op, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_attn_opts opts, *ao = &opts;
    int rc = tb_attn_parse_opts(o, op, ao), worst = 0;
    for (int c = 0; rc == 0 && c < ao->ncases && !tb_interrupted; c++) {
        attn_case a;
        memset(&a, 0, sizeof a);
        a.team = env->team;
        a.nt = tb_team_size(env->team);
        a.decode = ao->decode;
        a.kvdt = ao->kvdt;
        a.es = ao->kvdt == TB_DT_F16 ? 2 : 4;
        a.H = ao->H;
        a.kv = ao->kv;
        a.D = ao->D;
        a.g = ao->H / ao->kv;
        int64_t per[TB_ATTN_MAX_BATCH];
        a.nseq = tb_attn_opts_lengths(ao, c, per);
        a.len = per;
        a.ntok = a.decode ? a.nseq : per[0];
        if (!o->quiet)
            fprintf(stderr, "tokbench: %s %s KV (%d/%d)\n", op, tb_dtype_name(ao->kvdt), c + 1, ao->ncases);
        rc = run_case(env, op, &a, ao->specs, ao->nv, cases);
        free_case(&a);
        if (rc == TB_EXIT_CHECK) {
            worst = rc;
            rc = 0;
        }
    }
    return rc ? rc : worst;
}

int tb_bench_attn_check(const tb_opts *o, const char *op)
{
    tb_attn_opts ao;
    return tb_attn_parse_opts(o, op, &ao);
}
