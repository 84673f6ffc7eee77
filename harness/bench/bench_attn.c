/* bench attn-prefill / attn-decode: the attention of one layer, checked against the double
 * reference, then timed interleaved with the roofline probe that bounds it (read for decode, the
 * FMA peak for prefill) so each figure has its ceiling from the same rounds.
 *
 * Data: seeded random q, k, v in [-1, 1); q and k rotated (RoPE, theta TB_ROPE_THETA) at their
 * positions and k, v appended to the caches with the best tier's kernels, once, outside timing.
 * Every variant then attends over exactly those inputs, so one oracle serves all of them. The
 * RoPE and append kernels of each portable tier are checked too (on a sample of tokens) as part
 * of that variant's check.
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
#include <tokbench/rng.h>

#include <tokbench/probes.h>

#include "attn_driver.h"
#include "bench.h"
#include "measure.h"
#include "oracle_sample.h"
#include "sysinfo.h"
#include "util.h"
#include "workset.h"

#define MAX_VARIANTS 8
#define MAX_CASES 32
#define MAX_BATCH 4096
#define MAX_LEN (1 << 22)
#define TB_ROPE_THETA 10000.0
/* Full check up to this many multiply-adds in the reference; beyond it, sampled rows. */
#define FULL_CHECK_MACS (1ull << 28)
#define SAMPLED_TOKENS 16
#define SAMPLED_HEADS 8
#define ROPE_SAMPLE_TOKENS 8
/* peak variant: as bench peak (about 4 ms a call), exact with mul = add = 1 */
#define PEAK_ITERS (1 << 21)

typedef enum { AV_PORTABLE, AV_REF, AV_READ, AV_PEAK } av_kind;
static const char *const av_names[] = {"portable", "ref", "read", "peak"};

typedef struct {
    av_kind kind;
    tb_isa isa;
} av_spec;

/* One case: the shape, the inputs, the workspace every variant shares. */
typedef struct {
    tb_team *team;
    int nt, decode;
    tb_dtype kvdt;
    size_t es;
    int64_t H, kv, D, g;
    int64_t nseq, ntok; /* decode: ntok = nseq (one query per sequence); prefill: nseq = 1 */
    int64_t *len;       /* keys per sequence */
    size_t *seq_off;    /* bytes from a copy's start to sequence b's K; its V follows K */
    int64_t *seg_start; /* decode: first key index of sequence b in the flattened (b, head, key) order */
    int64_t total_keys; /* Σ kv·len */
    size_t copy_bytes;
    int copies, copies_capped;
    char *caches;
    float *q, *out;
    tb_attn_drv drv;
    /* per thread */
    float *scratch; /* making the inputs */
    size_t scratch_stride;
    double *work; /* reference: one row of softmax weights per thread */
    size_t work_stride;
    /* read and peak probes */
    double *rd;
    size_t rd_n;
    int rd_copies, rd_capped;
    double sums[TB_MAX_THREADS * 8];
    float *peak_acc;
} attn_case;

typedef struct {
    attn_case *a;
    av_spec spec;
    tb_attention_kernels kern;
    tb_attn_job job; /* portable: its kv_ctx is this variant, so it reads the copy of the turn */
    tb_probe_kernels probe;
    int copy;
    tb_variant v;
    int passed, rope_ok, append_ok;
    double err, tol_at_worst, ratio, rope_err;
} variant;

static size_t kv_head_bytes(const attn_case *a, int64_t b) { return (size_t)a->len[b] * (size_t)a->D * a->es; }

static const char *k_head(const attn_case *a, int copy, int64_t b, int64_t h)
{
    return a->caches + (size_t)copy * a->copy_bytes + a->seq_off[b] + (size_t)h * kv_head_bytes(a, b);
}

static const char *v_head(const attn_case *a, int copy, int64_t b, int64_t h)
{
    return k_head(a, copy, b, h) + (size_t)a->kv * kv_head_bytes(a, b);
}

/* Query row of token t (decode: sequence t), head hq. */
static const float *q_row(const attn_case *a, int64_t t, int64_t hq) { return a->q + (t * a->H + hq) * a->D; }

/* Position of query token t and the keys it sees. */
static int64_t q_pos(const attn_case *a, int64_t t) { return a->decode ? a->len[t] - 1 : t; }
static int64_t q_seq(const attn_case *a, int64_t t) { return a->decode ? t : 0; }

/* ---- inputs ------------------------------------------------------------------------------- */

typedef struct {
    attn_case *a;
    const tb_attention_kernels *k;
    uint64_t seed;
} prep_job;

static float *thread_floats(attn_case *a, int tid) { return a->scratch + (size_t)tid * a->scratch_stride; }

/* Raw (unrotated) k and v rows of key `key` of sequence b, all KV heads: [kv][D] each. */
static void raw_kv(const attn_case *a, uint64_t seed, int64_t b, int64_t key, float *k, float *v)
{
    uint64_t at = ((uint64_t)(a->seg_start[b] / a->kv) + (uint64_t)key) * (uint64_t)(a->kv * a->D);
    for (int64_t i = 0; i < a->kv * a->D; i++) {
        k[i] = tb_rand_sym(seed + 1, at + (uint64_t)i);
        v[i] = tb_rand_sym(seed + 2, at + (uint64_t)i);
    }
}

static void raw_q(const attn_case *a, uint64_t seed, int64_t t, float *q)
{
    for (int64_t i = 0; i < a->H * a->D; i++)
        q[i] = tb_rand_sym(seed, (uint64_t)(t * a->H * a->D + i));
}

/* Thread scratch is big enough for: cos/sin tables (D) + k and v rows (2·kv·D) + a q row (H·D). */
static size_t prep_floats(const attn_case *a) { return (size_t)(a->D + 2 * a->kv * a->D + a->H * a->D + 64); }

static void prep_worker(void *p, int tid, int nt)
{
    prep_job *j = p;
    attn_case *a = j->a;
    float *cs = thread_floats(a, tid), *sn = cs + a->D / 2, *k = cs + a->D, *v = k + a->kv * a->D,
          *q = v + a->kv * a->D;
    size_t b0, e0;
    tb_team_split((size_t)a->total_keys / (size_t)a->kv + (size_t)a->ntok, 1, tid, nt, &b0, &e0);
    int64_t nkeys = a->total_keys / a->kv, b = 0, key = (int64_t)b0;
    while (b < a->nseq && key >= a->len[b]) /* the sequence of the first key, then walk on */
        key -= a->len[b++];
    for (int64_t x = (int64_t)b0; x < (int64_t)e0; x++) {
        if (x < nkeys) { /* a key: rotate k at its position, append k and v to copy 0 */
            while (key >= a->len[b]) {
                key = 0;
                b++;
            }
            raw_kv(a, j->seed, b, key, k, v);
            tb_attn_rope_table(cs, sn, a->D, key, TB_ROPE_THETA);
            j->k->rope(k, k, a->kv, a->D, cs, sn);
            j->k->kv_append[a->kvdt](k, v, (char *)k_head(a, 0, b, 0), (char *)v_head(a, 0, b, 0), 1, a->kv, a->D,
                                     a->len[b], key);
            key++;
        } else { /* a query token */
            int64_t t = x - nkeys;
            raw_q(a, j->seed, t, q);
            tb_attn_rope_table(cs, sn, a->D, q_pos(a, t), TB_ROPE_THETA);
            j->k->rope(q, a->q + t * a->H * a->D, a->H, a->D, cs, sn);
        }
    }
}

/* ---- the oracle --------------------------------------------------------------------------- */

typedef struct {
    int64_t t, hq, n;
} orow;

typedef struct {
    attn_case *a;
    orow *rows;
    int64_t nrows;
    double *ref, *mag, *amax;
} oracle;

static void oracle_worker(void *p, int tid, int nt)
{
    oracle *o = p;
    attn_case *a = o->a;
    size_t b, e;
    tb_team_split((size_t)o->nrows, 1, tid, nt, &b, &e);
    for (size_t r = b; r < e; r++) {
        const orow *w = &o->rows[r];
        int64_t s = q_seq(a, w->t), h = w->hq / a->g;
        tb_attn_ref_row(q_row(a, w->t, w->hq), k_head(a, 0, s, h), v_head(a, 0, s, h), a->kvdt, a->D, w->n,
                        o->ref + r * (size_t)a->D, o->mag + r * (size_t)a->D, &o->amax[r],
                        a->work + (size_t)tid * a->work_stride);
    }
}

/* Every row when the reference is cheap; else, per query token, the first, last and evenly
 * spaced heads (every KV group is seen when heads ≤ 8·groups), for all sequences (decode) or the
 * first, last and evenly spaced tokens (prefill). */
static int oracle_build(oracle *o, attn_case *a, int *full)
{
    memset(o, 0, sizeof *o);
    o->a = a;
    double macs = 0;
    for (int64_t t = 0; t < a->ntok; t++)
        macs += (double)a->H * (double)(q_pos(a, t) + 1) * (double)a->D;
    *full = macs <= (double)FULL_CHECK_MACS;
    int nt_ = 0, nh_ = 0;
    int64_t *toks = tb_oracle_sample(a->ntok, *full || a->decode ? (int)a->ntok : SAMPLED_TOKENS, &nt_);
    int64_t *heads = tb_oracle_sample(a->H, *full ? (int)a->H : SAMPLED_HEADS, &nh_);
    o->rows = malloc(sizeof *o->rows * (size_t)nt_ * (size_t)nh_);
    if (!toks || !heads || !o->rows) {
        free(toks);
        free(heads);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the reference rows");
    }
    for (int i = 0; i < nt_; i++)
        for (int j = 0; j < nh_; j++)
            o->rows[o->nrows++] = (orow){toks[i], heads[j], q_pos(a, toks[i]) + 1};
    free(toks);
    free(heads);
    size_t nv = (size_t)o->nrows * (size_t)a->D;
    o->ref = tb_alloc(nv * sizeof(double), "the reference result");
    o->mag = o->ref ? tb_alloc(nv * sizeof(double), "the reference result") : NULL;
    o->amax = o->mag ? tb_alloc((size_t)o->nrows * sizeof(double), "the reference result") : NULL;
    if (!o->amax)
        return TB_EXIT_RUNTIME;
    tb_team_run(a->team, oracle_worker, o);
    return 0;
}

static void oracle_free(oracle *o)
{
    free(o->rows);
    tb_free(o->ref);
    tb_free(o->mag);
    tb_free(o->amax);
    memset(o, 0, sizeof *o);
}

/* Largest |out − ref| / Σp|v| over the checked rows, and the largest ratio to the row's bound. */
static void oracle_compare(const oracle *o, const float *out, double *err, double *ratio, double *tol)
{
    const attn_case *a = o->a;
    *err = 0;
    *ratio = 0;
    *tol = tb_attn_tolerance(a->D, 1, 0);
    for (int64_t r = 0; r < o->nrows; r++) {
        const orow *w = &o->rows[r];
        const float *got = out + (w->t * a->H + w->hq) * a->D;
        double worst = 0;
        for (int64_t x = 0; x < a->D; x++) {
            double e = fabs((double)got[x] - o->ref[r * a->D + x]) / o->mag[r * a->D + x];
            if (!(e <= worst))
                worst = isnan(e) ? INFINITY : e;
        }
        double bound = tb_attn_tolerance(a->D, w->n, o->amax[r]), q = worst / bound;
        if (!(q <= *ratio)) {
            *ratio = isnan(q) ? INFINITY : q;
            *tol = bound;
        }
        *err = worst > *err ? worst : *err;
    }
}

/* ---- portable variants ---------------------------------------------------------------------- */

static void case_kv(const void *ctx, int64_t seq, int64_t kvh, const void **k, const void **v)
{
    const variant *x = ctx;
    *k = k_head(x->a, x->copy, seq, kvh);
    *v = v_head(x->a, x->copy, seq, kvh);
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

/* ---- reference, read and peak variants ----------------------------------------------------- */

static void ref_worker(void *p, int tid, int nt)
{
    variant *x = p;
    attn_case *a = x->a;
    size_t b, e;
    tb_team_split((size_t)(a->ntok * a->H), 1, tid, nt, &b, &e);
    double *o = a->work + (size_t)tid * a->work_stride, *w = o + a->D;
    for (size_t r = b; r < e; r++) {
        int64_t t = (int64_t)r / a->H, hq = (int64_t)r % a->H, s = q_seq(a, t), h = hq / a->g;
        tb_attn_ref_row(q_row(a, t, hq), k_head(a, x->copy, s, h), v_head(a, x->copy, s, h), a->kvdt, a->D,
                        q_pos(a, t) + 1, o, NULL, NULL, w);
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

static void read_worker(void *p, int tid, int nt)
{
    variant *x = p;
    attn_case *a = x->a;
    size_t b, e;
    tb_team_split(a->rd_n, 512, tid, nt, &b, &e);
    a->sums[tid * 8] = x->probe.read(a->rd + (size_t)x->copy * a->rd_n + b, e - b);
}

static void call_read(void *p, uint64_t turn)
{
    variant *x = p;
    x->copy = (int)(turn % (uint64_t)x->a->rd_copies);
    tb_team_run(x->a->team, read_worker, x);
}

/* Ones: their sum is exact, so the probe's check is exact too. */
static void ones_worker(void *p, int tid, int nt)
{
    attn_case *a = p;
    size_t b, e;
    tb_team_split(a->rd_n, 512, tid, nt, &b, &e);
    for (int c = 0; c < a->rd_copies; c++)
        for (size_t i = b; i < e; i++)
            a->rd[(size_t)c * a->rd_n + i] = 1.0;
}

static void peak_worker(void *p, int tid, int nt)
{
    (void)nt;
    variant *x = p;
    float *acc = x->a->peak_acc + (size_t)tid * TB_PEAK_MAX_FLOATS;
    for (int i = 0; i < x->probe.peak_lanes * x->probe.peak_chains; i++)
        acc[i] = (float)(i + 1);
    x->probe.peak(acc, PEAK_ITERS, 1.0f, 1.0f);
}

static void call_peak(void *p, uint64_t turn)
{
    (void)turn;
    variant *x = p;
    tb_team_run(x->a->team, peak_worker, x);
}

static double peak_flops(const variant *x)
{
    return (double)x->probe.peak_lanes * 2.0 * (double)x->probe.peak_chains * (double)PEAK_ITERS * (double)x->a->nt;
}

/* ---- checks of RoPE and append (portable variants) ----------------------------------------- */

/* On ROPE_SAMPLE_TOKENS keys of sequence 0 (first, last, evenly spaced): the tier's RoPE against
 * the double rotation (bound 8u·(|x_i| + |x_pair|)), then its append against the scalar
 * conversion (bit-exact: both round to nearest even). */
static void check_rope_append(variant *x, uint64_t seed)
{
    attn_case *a = x->a;
    int64_t D = a->D, kv = a->kv;
    int n = 0;
    int64_t *keys = tb_oracle_sample(a->len[0], ROPE_SAMPLE_TOKENS, &n);
    float *buf = malloc(sizeof(float) * (size_t)(5 * kv * D + D));
    double *ref = malloc(sizeof(double) * (size_t)D);
    unsigned char *cache = malloc(2 * (size_t)(kv * D) * a->es);
    x->rope_ok = x->append_ok = keys && buf && ref && cache;
    x->rope_err = 0;
    for (int i = 0; i < n && x->rope_ok; i++) {
        float *k = buf, *v = k + kv * D, *y = v + kv * D, *cs = y + kv * D, *sn = cs + D / 2;
        raw_kv(a, seed, 0, keys[i], k, v);
        tb_attn_rope_table(cs, sn, D, keys[i], TB_ROPE_THETA);
        x->kern.rope(k, y, kv, D, cs, sn);
        for (int64_t h = 0; h < kv; h++) {
            tb_attn_rope_ref(k + h * D, ref, D, keys[i], TB_ROPE_THETA);
            for (int64_t j = 0; j < D; j++) {
                int64_t pair = j < D / 2 ? j + D / 2 : j - D / 2;
                double scale = fabs((double)k[h * D + j]) + fabs((double)k[h * D + pair]);
                double e = scale > 0 ? fabs((double)y[h * D + j] - ref[j]) / scale : fabs((double)y[h * D + j]);
                if (!(e <= x->rope_err))
                    x->rope_err = isnan(e) ? INFINITY : e;
            }
        }
        x->kern.kv_append[a->kvdt](y, v, cache, cache + (size_t)(kv * D) * a->es, 1, kv, D, 1, 0);
        for (int64_t j = 0; j < kv * D; j++)
            for (int w = 0; w < 2; w++) {
                float src = (w ? v : y)[j];
                const unsigned char *c = cache + ((size_t)w * (size_t)(kv * D) + (size_t)j) * a->es;
                if (a->kvdt == TB_DT_F16) {
                    uint16_t want = tb_f32_to_f16(src), got;
                    memcpy(&got, c, 2);
                    x->append_ok &= got == want;
                } else {
                    x->append_ok &= memcmp(c, &src, 4) == 0;
                }
            }
    }
    x->rope_ok &= x->rope_err <= 8.0 * ldexp(1.0, -24);
    free(keys);
    free(buf);
    free(ref);
    free(cache);
}

/* ---- options ------------------------------------------------------------------------------- */

static int parse_variants(const tb_opts *o, int decode, av_spec *out, int *n)
{
    char buf[256], isabuf[256];
    snprintf(buf, sizeof buf, "%s", o->backend ? o->backend : decode ? "portable,read" : "portable,peak");
    snprintf(isabuf, sizeof isabuf, "%s", o->isa ? o->isa : "auto");
    *n = 0;
    for (char *s1 = NULL, *t = strtok_r(buf, ",", &s1); t; t = strtok_r(NULL, ",", &s1)) {
        int kind = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(t, av_names[i]) == 0)
                kind = i;
        if (kind < 0)
            return tb_fail(TB_EXIT_USAGE, "--backend '%s': unknown backend for bench attn-* (portable, ref, read, peak)",
                           t);
        for (int i = 0; i < *n; i++)
            if ((int)out[i].kind == kind)
                return tb_fail(TB_EXIT_USAGE, "--backend '%s': listed twice", t);
        if (kind != AV_PORTABLE) {
            if (*n == MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend: at most %d variants", MAX_VARIANTS);
            out[(*n)++] = (av_spec){(av_kind)kind, TB_ISA_GENERIC};
            continue;
        }
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", isabuf);
        for (char *s2 = NULL, *u = strtok_r(tmp, ",", &s2); u; u = strtok_r(NULL, ",", &s2)) {
            tb_isa isa;
            tb_attention_kernels probe;
            if (strcmp(u, "auto") == 0)
                isa = tb_attention_kernels_init(&probe, TB_ISA_COUNT);
            else if (tb_isa_from_name(u, &isa) != 0)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': unknown tier (auto, generic, avx2, avx512, neon)", u);
            else if (!tb_isa_available(isa) || tb_attention_kernels_init(&probe, isa) != isa)
                return tb_fail(TB_EXIT_USAGE, "--isa %s: this CPU or this build has no attention kernels for it "
                               "(best here: %s)", u, tb_isa_name(tb_attention_kernels_init(&probe, TB_ISA_COUNT)));
            for (int i = 0; i < *n; i++)
                if (out[i].kind == AV_PORTABLE && out[i].isa == isa)
                    return tb_fail(TB_EXIT_USAGE, "--isa '%s': listed twice", u);
            if (*n == MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend/--isa: at most %d variants", MAX_VARIANTS);
            out[(*n)++] = (av_spec){AV_PORTABLE, isa};
        }
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--backend: empty list");
}

/* A comma list of whole numbers in [1, max] (empty entries refused). */
static int parse_list(const char *s, const char *flag, long long max, int64_t *out, int cap, int *n)
{
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", s) >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--%s: list too long", flag);
    *n = 0;
    if (!*buf || buf[strlen(buf) - 1] == ',' || *buf == ',' || strstr(buf, ",,"))
        return tb_fail(TB_EXIT_USAGE, "--%s '%s': expected a comma list of whole numbers from 1 to %lld", flag, s, max);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        uint64_t v;
        if (tb_parse_u64(t, &v) != 0 || v < 1 || v > (uint64_t)max)
            return tb_fail(TB_EXIT_USAGE, "--%s '%s': expected whole numbers from 1 to %lld", flag, s, max);
        if (*n == cap)
            return tb_fail(TB_EXIT_USAGE, "--%s: at most %d entries", flag, cap);
        out[(*n)++] = (int64_t)v;
    }
    return 0;
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
    tb_free(a->rd);
    tb_free(a->peak_acc);
    free(a->seq_off);
    free(a->seg_start);
}

static int run_case(const tb_bench_env *env, const char *op, attn_case *a, const av_spec *specs, int nv, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_team *team = env->team;
    const int nt = a->nt;
    int rc = 0, any_failed = 0, need_read = 0;
    for (int i = 0; i < nv; i++)
        need_read |= specs[i].kind == AV_READ;
    /* Layout of one copy of the caches; copies for cold rotation. */
    a->seq_off = malloc(sizeof(size_t) * (size_t)a->nseq);
    a->seg_start = malloc(sizeof(int64_t) * (size_t)(a->nseq + 1));
    if (!a->seq_off || !a->seg_start)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    size_t off = 0;
    int64_t maxlen = 0;
    a->total_keys = 0;
    for (int64_t b = 0; b < a->nseq; b++) {
        a->seq_off[b] = off;
        off += 2 * (size_t)a->kv * kv_head_bytes(a, b);
        off = (off + 63) / 64 * 64;
        a->seg_start[b] = a->total_keys;
        a->total_keys += a->kv * a->len[b];
        maxlen = a->len[b] > maxlen ? a->len[b] : maxlen;
    }
    a->seg_start[a->nseq] = a->total_keys;
    char what[96];
    if (a->decode)
        snprintf(what, sizeof what, "%lld/%lldx%lld, %lld sequence%s, %lld keys", (long long)a->H, (long long)a->kv,
                 (long long)a->D, (long long)a->nseq, a->nseq > 1 ? "s" : "", (long long)(a->total_keys / a->kv));
    else
        snprintf(what, sizeof what, "%lld/%lldx%lld, seq %lld", (long long)a->H, (long long)a->kv, (long long)a->D,
                 (long long)a->len[0]);

    a->copy_bytes = off;
    const double kv_bytes = (double)a->total_keys * 2.0 * (double)a->D * (double)a->es;
    int cold = o->cold >= 0 ? o->cold : a->decode;
    a->rd_n = (size_t)(kv_bytes / sizeof(double));
    a->rd_n = a->rd_n ? a->rd_n : 1;
    size_t qbytes = (size_t)(a->ntok * a->H * a->D) * sizeof(float);
    int64_t pack_len = a->decode ? 0 : a->len[0]; /* prefill: keys packed per KV head */
    a->scratch_stride = (prep_floats(a) + 15) / 16 * 16;
    a->work_stride = (size_t)(maxlen + a->D + 8);
    double oracle_bytes = 16.0 * (double)a->D * (double)a->H * (double)a->ntok;
    size_t packed = pack_len ? tb_attn_packed_k_floats(a->D, pack_len) + tb_attn_packed_v_floats(a->D, pack_len) : 0;
    double fixed = 2.0 * (double)qbytes + (double)packed * 4.0 * (double)a->kv + oracle_bytes +
                   8.0 * (double)a->work_stride * nt;
    tb_workset_item sets[] = {{"KV-cache copies", a->copy_bytes, cold, 1, 0, 0},
                              {"read probe copies", a->rd_n * 8, cold, need_read, 0, 0}};
    tb_workset_budget budget = {env->llc->used_bytes, tb_meminfo_bytes("MemAvailable")};
    char context[160];
    snprintf(context, sizeof context, "bench %s %s", op, what);
    if ((rc = tb_workset_plan(&budget, fixed, sets, 2, context)) != 0)
        return rc;
    a->copies = sets[0].copies;
    a->copies_capped = sets[0].capped;
    a->rd_copies = sets[1].copies;
    a->rd_capped = sets[1].capped;

    variant vs[MAX_VARIANTS];
    memset(vs, 0, sizeof vs);
    oracle orc;
    memset(&orc, 0, sizeof orc);
    a->caches = tb_workset_alloc(a->copy_bytes, a->copies, "KV-cache copies");
    a->q = a->caches ? tb_alloc(qbytes, "queries") : NULL;
    a->out = a->q ? tb_alloc(qbytes, "attention output") : NULL;
    a->scratch = a->out ? tb_alloc(a->scratch_stride * sizeof(float) * (size_t)nt, "input scratch") : NULL;
    a->work = a->scratch ? tb_alloc(a->work_stride * sizeof(double) * (size_t)nt, "reference work rows") : NULL;
    if (!a->work) {
        rc = TB_EXIT_RUNTIME;
        goto out;
    }
    tb_attn_dims dims = {a->H, a->kv, a->D, pack_len};
    if ((rc = tb_attn_drv_init(&a->drv, team, &dims, pack_len ? 1 : 0, pack_len)) != 0)
        goto out;

    /* Inputs, made once by the best tier, then copied for the cold rotation. */
    tb_attention_kernels best;
    tb_attention_kernels_init(&best, TB_ISA_COUNT);
    prep_job pj = {a, &best, o->seed};
    tb_team_run(team, prep_worker, &pj);
    tb_workset_fill(team, a->caches, a->copy_bytes, a->copies, a->caches);
    int full = 0;
    if ((rc = oracle_build(&orc, a, &full)) != 0)
        goto out;

    const char *fault = getenv("TOKBENCH_FAULT_INJECT"); /* test hook: corrupt one backend's output */
    int np = 0, idx[MAX_VARIANTS];
    for (int i = 0; i < nv && rc == 0; i++) {
        variant *x = &vs[i];
        x->a = a;
        x->spec = specs[i];
        x->v.ctx = x;
        if (specs[i].kind == AV_READ || specs[i].kind == AV_PEAK) {
            tb_probe_kernels_best(&x->probe);
        }
        if (specs[i].kind == AV_READ) {
            if (!a->rd) {
                if (!(a->rd = tb_workset_alloc(a->rd_n * 8, a->rd_copies, "read probe copies"))) {
                    rc = TB_EXIT_RUNTIME;
                    break;
                }
                tb_team_run(team, ones_worker, a);
            }
            x->v.call = call_read;
            call_read(x, 0);
            double sum = 0;
            for (int t = 0; t < nt; t++)
                sum += a->sums[t * 8];
            if (fault && strcmp(fault, "read") == 0)
                sum += 1.0;
            x->err = fabs(sum - (double)a->rd_n) / (double)a->rd_n;
            x->passed = x->err == 0.0;
        } else if (specs[i].kind == AV_PEAK) {
            if (!a->peak_acc &&
                !(a->peak_acc = tb_alloc((size_t)nt * TB_PEAK_MAX_FLOATS * sizeof(float), "peak accumulators"))) {
                rc = TB_EXIT_RUNTIME;
                break;
            }
            x->v.call = call_peak;
            call_peak(x, 0);
            if (fault && strcmp(fault, "peak") == 0)
                a->peak_acc[0] += 1.0f;
            x->err = 0;
            for (int t = 0; t < nt; t++)
                for (int j = 0; j < x->probe.peak_lanes * x->probe.peak_chains; j++) {
                    double want = (double)(j + 1) + (double)PEAK_ITERS;
                    double e = fabs((double)a->peak_acc[(size_t)t * TB_PEAK_MAX_FLOATS + (size_t)j] - want) / want;
                    x->err = e > x->err ? e : x->err;
                }
            x->passed = x->err == 0.0;
        } else {
            if (specs[i].kind == AV_PORTABLE) {
                tb_attention_kernels_init(&x->kern, specs[i].isa);
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
                check_rope_append(x, o->seed);
            } else {
                x->v.call = call_ref;
                x->rope_ok = x->append_ok = 1;
            }
            for (size_t e = 0; e < (size_t)(a->ntok * a->H * a->D); e++)
                a->out[e] = NAN; /* a kernel that skips a row cannot inherit another variant's answer */
            x->v.call(x, 0);
            if (fault && strcmp(fault, av_names[specs[i].kind]) == 0)
                a->out[a->ntok * a->H * a->D - 1] += 1.0f;
            oracle_compare(&orc, a->out, &x->err, &x->ratio, &x->tol_at_worst);
            x->passed = x->ratio <= 1.0 && x->rope_ok && x->append_ok;
        }
        if (x->passed)
            idx[np++] = i;
    }
    if (rc == 0 && np) {
        if (!o->quiet)
            fprintf(stderr, "tokbench: %s %s: checked, timing %d variant%s\n", op, what, np, np > 1 ? "s" : "");
        tb_variant timed[MAX_VARIANTS];
        for (int i = 0; i < np; i++)
            timed[i] = vs[idx[i]].v;
        tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
        rc = tb_measure_interleaved(timed, np, &cfg);
        for (int i = 0; i < np; i++)
            vs[idx[i]].v = timed[i];
    }

    /* FLOPs: 2·d for q·k and 2·d for p·v per (query head, key) pair the kernel must compute. */
    double pairs = 0;
    for (int64_t t = 0; t < a->ntok; t++)
        pairs += (double)(q_pos(a, t) + 1);
    const double flops = 4.0 * pairs * (double)a->H * (double)a->D;
    const double io_bytes = 2.0 * (double)qbytes + kv_bytes;
    for (int i = 0; i < nv && rc == 0; i++) {
        variant *x = &vs[i];
        av_kind kind = x->spec.kind;
        char kname[64];
        const char *isa = "generic", *dtype = tb_dtype_name(a->kvdt);
        double f = flops, by = a->decode ? kv_bytes : io_bytes;
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
            f = peak_flops(x);
            by = 0;
        }
        json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:i, s:o}", "op", op, "backend", av_names[kind], "isa", isa,
                               "kernel", kname, "dtype", dtype, "shape", shape_json(a), "threads", nt, "cpus",
                               tb_team_cpus_json(team));
        if (kind == AV_PORTABLE) {
            json_t *ks = json_pack("{s:s, s:s, s:s}", "rope", x->kern.rope_info.name, "kv_append",
                                   x->kern.kv_append_info[a->kvdt].name, "exp2", x->kern.exp2_info.name);
            if (a->decode)
                json_object_set_new(ks, "merge", json_string(x->kern.merge_info.name));
            else
                json_object_set_new(ks, "pack", json_string(x->kern.prefill_pack_info[a->kvdt].name));
            json_object_set_new(cs, "kernels", ks);
        }
        json_t *ck;
        if (kind == AV_READ || kind == AV_PEAK) {
            ck = json_pack("{s:b, s:f, s:f, s:s}", "passed", x->passed, "max_rel_err", isfinite(x->err) ? x->err : 1e308,
                           "tolerance", 0.0, "reference",
                           kind == AV_READ ? "the exact sum of the ones it reads"
                                           : "scalar replay: every accumulator ends at seed + iterations exactly");
        } else {
            ck = json_pack("{s:b, s:f, s:f, s:f, s:s, s:s, s:I}", "passed", x->passed, "max_rel_err",
                           isfinite(x->err) ? x->err : 1e308, "tolerance", x->tol_at_worst, "max_err_to_bound",
                           isfinite(x->ratio) ? x->ratio : 1e308, "reference",
                           "double precision, materialised softmax, on the same (f16-rounded) K/V; error per element "
                           "relative to sum_j p_j |v_j|",
                           "coverage", full ? "every query row" : a->decode ? "every sequence, 8 query heads each"
                                                                              : "16 query tokens (first, last, "
                                                                                "spaced), 8 heads each",
                           "rows_checked", (json_int_t)orc.nrows);
            if (kind == AV_PORTABLE) {
                json_object_set_new(ck, "rope_max_rel_err", json_real(isfinite(x->rope_err) ? x->rope_err : 1e308));
                json_object_set_new(ck, "rope_passed", json_boolean(x->rope_ok));
                json_object_set_new(ck, "kv_append_exact", json_boolean(x->append_ok));
            }
        }
        json_object_set_new(cs, "check", ck);
        int copies = kind == AV_READ ? a->rd_copies : kind == AV_PEAK ? 0 : a->copies;
        size_t cbytes = kind == AV_READ ? a->rd_n * 8 : a->copy_bytes;
        int capped = kind == AV_READ ? a->rd_capped : kind == AV_PEAK ? 0 : a->copies_capped;
        json_object_set_new(cs, "cold_kv", json_pack("{s:b, s:i, s:I, s:b}", "enabled", cold && kind != AV_PEAK, "copies",
                                                     copies, "bytes", (json_int_t)(cbytes * (size_t)copies),
                                                     "copies_capped", capped));
        if (!x->passed || x->v.n == 0) {
            any_failed |= !x->passed;
            json_object_set_new(cs, "samples_ns", json_array());
            json_object_set_new(cs, "stats", json_null());
            json_object_set_new(cs, "rate", json_null());
        } else {
            json_t *arr = json_array();
            for (size_t k = 0; k < x->v.n; k++)
                json_array_append_new(arr, json_real(x->v.samples_ns[k]));
            json_object_set_new(cs, "samples_ns", arr);
            json_object_set_new(cs, "iterations_per_sample", json_integer(x->v.iterations));
            json_object_set_new(cs, "stats", tb_stats_json(&x->v.stats));
            double med = x->v.stats.median;
            json_t *rate = json_pack("{s:f, s:f, s:f, s:f}", "gflops", f / med, "gbps", by / med, "flops", f, "bytes", by);
            if (kind == AV_PORTABLE || kind == AV_REF)
                json_object_set_new(rate, "kv_bytes", json_real(kv_bytes));
            json_object_set_new(cs, "rate", rate);
            json_object_set_new(cs, "noisy", json_boolean(x->v.stats.cv > 0.05));
        }
        json_array_append_new(cases, cs);
    }
out:
    for (int i = 0; i < MAX_VARIANTS; i++)
        tb_variant_free(&vs[i].v);
    oracle_free(&orc);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}

int tb_bench_attn(const tb_bench_env *env, const char *op, json_t *cases)
{
    const tb_opts *o = env->o;
    int decode = strcmp(op, "attn-decode") == 0;
    int64_t H = o->heads ? o->heads : 32, kv = o->kv_heads ? o->kv_heads : 8, D = o->head_dim ? o->head_dim : 128;
    if (o->dtype)
        return tb_fail(TB_EXIT_USAGE, "--dtype %s: bench %s takes the cache's type as --kv-dtype f32|f16", o->dtype, op);
    if (o->shape)
        return tb_fail(TB_EXIT_USAGE, "--shape %s: bench %s takes --heads, --kv-heads, --head-dim and %s", o->shape, op,
                       decode ? "--ctx, --batch" : "--seq");
    if (kv > H || H % kv)
        return tb_fail(TB_EXIT_USAGE, "--kv-heads %lld: must divide --heads %lld (grouped-query attention)",
                       (long long)kv, (long long)H);
    if (!tb_attn_head_dim_ok(D))
        return tb_fail(TB_EXIT_USAGE, "--head-dim %lld: the kernels take a multiple of %d from %d to %d", (long long)D,
                       TB_ATTN_HEAD_DIM_ALIGN, TB_ATTN_HEAD_DIM_ALIGN, TB_ATTN_MAX_HEAD_DIM);
    tb_dtype kvdt = TB_DT_F16;
    if (o->kv_dtype && (tb_dtype_from_name(o->kv_dtype, &kvdt) != 0 || !tb_attn_kv_dtype_ok(kvdt)))
        return tb_fail(TB_EXIT_USAGE, "--kv-dtype '%s': expected f32 or f16", o->kv_dtype);

    int64_t sizes[MAX_CASES], lens[MAX_BATCH];
    int ns = 0, nl = 0, rc;
    int64_t nseq = 1;
    if (decode) {
        if (o->seq)
            return tb_fail(TB_EXIT_USAGE, "--seq %s: bench attn-decode takes --ctx (attn-prefill takes --seq)", o->seq);
        if (o->batch && strchr(o->batch, ',')) { /* mixed lengths: one sequence per entry */
            if (o->ctx)
                return tb_fail(TB_EXIT_USAGE, "--ctx %s: --batch %s already lists every sequence's length", o->ctx,
                               o->batch);
            if ((rc = parse_list(o->batch, "batch", MAX_LEN, lens, MAX_BATCH, &nl)) != 0)
                return rc;
            ns = 1;
        } else {
            if (o->batch) {
                int64_t b[1];
                int n1;
                if ((rc = parse_list(o->batch, "batch", MAX_BATCH, b, 1, &n1)) != 0)
                    return rc;
                nseq = b[0];
            }
            if ((rc = parse_list(o->ctx ? o->ctx : "4096", "ctx", MAX_LEN, sizes, MAX_CASES, &ns)) != 0)
                return rc;
        }
    } else {
        if (o->ctx)
            return tb_fail(TB_EXIT_USAGE, "--ctx %s: bench attn-prefill takes --seq (attn-decode takes --ctx)", o->ctx);
        if (o->batch && strcmp(o->batch, "1") != 0)
            return tb_fail(TB_EXIT_USAGE, "--batch %s: bench attn-prefill runs one sequence (--seq sets its length)",
                           o->batch);
        if ((rc = parse_list(o->seq ? o->seq : "512", "seq", MAX_LEN, sizes, MAX_CASES, &ns)) != 0)
            return rc;
    }
    av_spec specs[MAX_VARIANTS];
    int nv;
    if ((rc = parse_variants(o, decode, specs, &nv)) != 0)
        return rc;

    int worst = 0;
    for (int c = 0; c < ns && !tb_interrupted; c++) {
        attn_case a;
        memset(&a, 0, sizeof a);
        a.team = env->team;
        a.nt = tb_team_size(env->team);
        a.decode = decode;
        a.kvdt = kvdt;
        a.es = kvdt == TB_DT_F16 ? 2 : 4;
        a.H = H;
        a.kv = kv;
        a.D = D;
        a.g = H / kv;
        int64_t per[MAX_BATCH];
        if (decode && nl) {
            a.nseq = nl;
            memcpy(per, lens, sizeof(int64_t) * (size_t)nl);
        } else if (decode) {
            a.nseq = nseq;
            for (int64_t b = 0; b < nseq; b++)
                per[b] = sizes[c];
        } else {
            a.nseq = 1;
            per[0] = sizes[c];
        }
        a.len = per;
        a.ntok = decode ? a.nseq : per[0];
        if (!o->quiet)
            fprintf(stderr, "tokbench: %s %s KV (%d/%d)\n", op, tb_dtype_name(kvdt), c + 1, ns);
        rc = run_case(env, op, &a, specs, nv, cases);
        free_case(&a);
        if (rc && rc != TB_EXIT_CHECK)
            return rc;
        if (rc)
            worst = rc;
    }
    return worst;
}
