/* The decoder forward pass and its double-precision reference (see forward.h). */
#include "forward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/rng.h>

#include "attn_driver.h"
#include "forward_ops.h"
#include "matmul.h"
#include "timer.h"
#include "util.h"

static const char *const op_names[TB_OP_COUNT] = {"embed",  "rmsnorm",  "qkv_proj", "qkv_bias", "rope",
                                                  "kv_append", "attention", "o_proj", "residual", "ffn_gate_up",
                                                  "silu_mul", "ffn_down", "lm_head"};

const char *tb_op_name(tb_op op) { return op < TB_OP_COUNT ? op_names[op] : "?"; }

enum { W_Q, W_K, W_V, W_O, W_G, W_U, W_D, W_COUNT };

typedef struct {
    tb_matmul_weights w[W_COUNT];
    float *attn_norm, *ffn_norm, *bq, *bk, *bv;
    char *kc, *vc; /* [seq][kv_heads][cap][d] in the KV dtype */
} layer;

struct tb_fwd {
    tb_model m;
    tb_fwd_shape s;
    tb_team *team;
    int nt;
    const tb_kernels *k;
    const tb_attention_kernels *ak;
    int64_t H, KV, D, g, hq, hkv, cap, cache_seqs, max_rows, head_rows;
    size_t es;
    layer *L;
    tb_matmul_weights emb, head; /* head.rows == emb.rows when tied */
    float *final_norm;
    float *x, *xn, *q, *kk, *vv, *att, *tmp, *gate, *up, *hn, *logits;
    float *rope_cos, *rope_sin; /* [cap][d/2] */
    int32_t *tokens;
    tb_matmul_ws ws;
    tb_attn_drv attn;
    int64_t last_tokens; /* rows of x after the last call */
};

/* ---- sizes ----------------------------------------------------------------------------------- */

static const int64_t *mat_dims(const tb_model *m, int which, int64_t nk[2])
{
    int64_t hq = m->heads * m->head_dim, hkv = m->kv_heads * m->head_dim;
    switch (which) {
    case W_Q: nk[0] = hq, nk[1] = m->hidden; break;
    case W_K:
    case W_V: nk[0] = hkv, nk[1] = m->hidden; break;
    case W_O: nk[0] = m->hidden, nk[1] = hq; break;
    case W_G:
    case W_U: nk[0] = m->intermediate, nk[1] = m->hidden; break;
    default: nk[0] = m->hidden, nk[1] = m->intermediate; break;
    }
    return nk;
}

static int64_t max_prefill_rows(const tb_fwd_shape *s) { return s->max_seqs * s->max_prompt; }
static int64_t head_rows(const tb_fwd_shape *s) { return s->max_batch > s->max_seqs ? s->max_batch : s->max_seqs; }
/* f32 weights also keep GEMM panels when some call has more rows than the skinny kernels take. */
static int packs(const tb_fwd_shape *s, int64_t rows) { return tb_matmul_uses_packed(s->dt, rows); }
static int64_t rows_max(const tb_fwd_shape *s)
{
    int64_t a = max_prefill_rows(s);
    return a > s->max_batch ? a : s->max_batch;
}

static double mat_bytes(const tb_kernels *k, tb_dtype dt, int64_t n, int64_t kk, int packed)
{
    return (double)tb_dtype_row_bytes(dt, kk) * (double)n + (packed ? (double)tb_packed_f32_bytes(k, n, kk) : 0.0);
}

double tb_fwd_layer_bytes(const tb_model *m, const tb_fwd_shape *s, const tb_kernels *k)
{
    double b = 0;
    int64_t nk[2];
    for (int w = 0; w < W_COUNT; w++) {
        mat_dims(m, w, nk);
        b += mat_bytes(k, s->dt, nk[0], nk[1], packs(s, rows_max(s)));
    }
    int64_t hkv = m->kv_heads * m->head_dim;
    return b + 4.0 * (double)(2 * m->hidden + (m->qkv_bias ? m->heads * m->head_dim + 2 * hkv : 0));
}

static int64_t cache_cap(const tb_fwd_shape *s) { return s->max_prompt > s->max_ctx + 1 ? s->max_prompt : s->max_ctx + 1; }

void tb_fwd_memory(const tb_model *m, const tb_fwd_shape *s, const tb_kernels *k, int threads, tb_fwd_mem *out)
{
    int64_t hq = m->heads * m->head_dim, hkv = m->kv_heads * m->head_dim, hr = head_rows(s);
    double emb = mat_bytes(k, s->dt, m->vocab, m->hidden, 0);
    double head = m->tied_embeddings ? (packs(s, hr) ? (double)tb_packed_f32_bytes(k, m->vocab, m->hidden) : 0)
                                     : mat_bytes(k, s->dt, m->vocab, m->hidden, packs(s, hr));
    out->weights = (double)s->layers * tb_fwd_layer_bytes(m, s, k) + emb + head + 4.0 * (double)m->hidden;
    int64_t seqs = s->max_batch > s->max_seqs ? s->max_batch : s->max_seqs;
    size_t es = s->kv_dt == TB_DT_F16 ? 2 : 4;
    out->kv = (double)s->layers * 2.0 * (double)seqs * (double)hkv * (double)cache_cap(s) * (double)es;
    double r = (double)rows_max(s), kmax = (double)(m->intermediate > hq ? m->intermediate : hq);
    if (kmax < (double)m->hidden)
        kmax = (double)m->hidden;
    double act = r * (3.0 * (double)m->hidden + 2.0 * (double)hq + 2.0 * (double)hkv + 2.0 * (double)m->intermediate);
    act += (double)hr * ((double)m->hidden + (double)m->vocab) + r * kmax * 1.07 /* quantized copy */;
    act += (double)(s->max_seqs * m->kv_heads) *
           (double)(tb_attn_packed_k_floats(m->head_dim, s->max_prompt) + tb_attn_packed_v_floats(m->head_dim, s->max_prompt));
    act += (double)threads * (double)(k->gemm_scratch_floats + 65536);
    out->act = act * 4.0;
}

int tb_fwd_validate(const tb_model *m, tb_dtype dt, tb_dtype kv_dt)
{
    if (!tb_attn_head_dim_ok(m->head_dim))
        return tb_fail(TB_EXIT_USAGE, "model %s: head_dim %lld is not one the attention kernels take (a multiple of 8 up to %d)",
                       m->name, (long long)m->head_dim, TB_ATTN_MAX_HEAD_DIM);
    if (!tb_attn_kv_dtype_ok(kv_dt))
        return tb_fail(TB_EXIT_USAGE, "--kv-dtype %s: the KV cache takes f32 or f16", tb_dtype_name(kv_dt));
    if (tb_dtype_is_quantized(dt) &&
        (m->hidden % TB_QK || m->intermediate % TB_QK || (m->heads * m->head_dim) % TB_QK))
        return tb_fail(TB_EXIT_USAGE, "--dtype %s: model %s has a dimension that is not a multiple of %d", tb_dtype_name(dt),
                       m->name, TB_QK);
    return 0;
}

/* ---- synthetic weights -------------------------------------------------------------------------- */

typedef struct {
    tb_matmul_weights *w;
    uint64_t seed;
    float scale, *tmp; /* tmp: k floats per thread */
    char *plain;       /* 8 plain rows per thread */
} gen_job;

/* Uniform in [-scale, scale): with scale 1/sqrt(K) every product keeps activations O(1). Rows are
 * made 8 at a time as plain rows, then put in the kernels' layout (q4_0x8 and q8_0x8 groups are 8 rows). */
static void gen_worker(void *p, int tid, int nt)
{
    gen_job *j = p;
    tb_matmul_weights *w = j->w;
    size_t b, e, rb = tb_dtype_row_bytes(w->dt, w->k);
    tb_team_split((size_t)w->n, 8, tid, nt, &b, &e);
    float *tmp = j->tmp + (size_t)tid * (size_t)w->k;
    char *plain = j->plain + (size_t)tid * 8 * rb;
    for (size_t r0 = b; r0 < e; r0 += 8) {
        size_t r1 = r0 + 8 < e ? r0 + 8 : e;
        for (size_t r = r0; r < r1; r++) {
            for (int64_t c = 0; c < w->k; c++)
                tmp[c] = j->scale * tb_rand_sym(j->seed, (uint64_t)r * (uint64_t)w->k + (uint64_t)c);
            tb_convert_row(w->dt, tmp, plain + (r - r0) * rb, w->k);
        }
        tb_wlayout_pack(w->layout, w->dt, plain, w->rows, w->n, w->k, (int64_t)r0, (int64_t)r1);
    }
}

static int make_matrix(tb_fwd *f, tb_matmul_weights *w, int64_t n, int64_t k, uint64_t seed, float scale, int packed)
{
    w->dt = f->s.dt;
    w->n = n;
    w->k = k;
    w->layout = f->k->wlayout[w->dt];
    size_t rb = tb_dtype_row_bytes(w->dt, k);
    w->rows = tb_alloc(rb * (size_t)n, "model weights");
    float *tmp = tb_alloc((size_t)f->nt * (size_t)k * sizeof(float), "weight generation");
    char *plain = tb_alloc((size_t)f->nt * 8 * rb, "weight generation");
    if (!w->rows || !tmp || !plain) {
        tb_free(tmp);
        tb_free(plain);
        return TB_EXIT_RUNTIME;
    }
    gen_job j = {w, seed, scale, tmp, plain};
    tb_team_run(f->team, gen_worker, &j);
    tb_free(tmp);
    tb_free(plain);
    if (packed) {
        w->packed = tb_alloc(tb_packed_f32_bytes(f->k, n, k), "packed weights");
        if (!w->packed)
            return TB_EXIT_RUNTIME;
        tb_matmul_pack(f->team, f->k, w->rows, w->packed, n, k);
    }
    return 0;
}

static float *small_vec(int64_t n, uint64_t seed, float base, float spread)
{
    float *v = tb_alloc((size_t)n * sizeof(float), "model weights");
    if (v)
        for (int64_t i = 0; i < n; i++)
            v[i] = base + spread * tb_rand_sym(seed, (uint64_t)i);
    return v;
}

typedef struct {
    tb_fwd *f;
    char *buf;
    size_t n;
    uint64_t seed;
} kvfill_job;

static void kvfill_worker(void *p, int tid, int nt)
{
    kvfill_job *j = p;
    size_t b, e;
    tb_team_split(j->n, 1024, tid, nt, &b, &e);
    for (size_t i = b; i < e; i++) {
        float x = tb_rand_sym(j->seed, i);
        if (j->f->es == 2) {
            uint16_t h = tb_f32_to_f16(x);
            memcpy(j->buf + 2 * i, &h, 2);
        } else {
            memcpy(j->buf + 4 * i, &x, 4);
        }
    }
}

static int32_t token_id(const tb_fwd *f, int64_t seq, int64_t pos)
{
    return (int32_t)(tb_mix64(f->s.seed * 7919u + (uint64_t)seq * 1000003u + (uint64_t)pos) % (uint64_t)f->m.vocab);
}

int tb_fwd_create(tb_fwd **out, const tb_model *m, const tb_fwd_shape *s, tb_team *team, const tb_kernels *k,
                  const tb_attention_kernels *ak)
{
    *out = NULL;
    int rc = tb_fwd_validate(m, s->dt, s->kv_dt);
    if (rc)
        return rc;
    tb_fwd *f = calloc(1, sizeof *f);
    if (!f)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the forward pass");
    f->m = *m;
    f->s = *s;
    f->team = team;
    f->nt = tb_team_size(team);
    f->k = k;
    f->ak = ak;
    f->H = m->heads;
    f->KV = m->kv_heads;
    f->D = m->head_dim;
    f->g = f->H / f->KV;
    f->hq = f->H * f->D;
    f->hkv = f->KV * f->D;
    f->cap = cache_cap(s);
    f->cache_seqs = s->max_batch > s->max_seqs ? s->max_batch : s->max_seqs;
    f->max_rows = rows_max(s);
    f->head_rows = head_rows(s);
    f->es = s->kv_dt == TB_DT_F16 ? 2 : 4;
    *out = f;

    uint64_t sd = s->seed * 1000003u;
    int pk = packs(s, f->max_rows);
    f->L = calloc((size_t)s->layers, sizeof *f->L);
    if (!f->L)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the forward pass");
    size_t cache_bytes = (size_t)f->cache_seqs * (size_t)f->hkv * (size_t)f->cap * f->es;
    for (int64_t l = 0; l < s->layers; l++) {
        layer *ly = &f->L[l];
        for (int w = 0; w < W_COUNT; w++) {
            int64_t nk[2];
            mat_dims(m, w, nk);
            if ((rc = make_matrix(f, &ly->w[w], nk[0], nk[1], sd + (uint64_t)(l * 16 + w), 1.0f / sqrtf((float)nk[1]), pk)))
                return rc;
        }
        ly->attn_norm = small_vec(m->hidden, sd + (uint64_t)(l * 16 + 8), 1.0f, 0.1f);
        ly->ffn_norm = small_vec(m->hidden, sd + (uint64_t)(l * 16 + 9), 1.0f, 0.1f);
        if (!ly->attn_norm || !ly->ffn_norm)
            return TB_EXIT_RUNTIME;
        if (m->qkv_bias) {
            ly->bq = small_vec(f->hq, sd + (uint64_t)(l * 16 + 10), 0.0f, 0.1f);
            ly->bk = small_vec(f->hkv, sd + (uint64_t)(l * 16 + 11), 0.0f, 0.1f);
            ly->bv = small_vec(f->hkv, sd + (uint64_t)(l * 16 + 12), 0.0f, 0.1f);
            if (!ly->bq || !ly->bk || !ly->bv)
                return TB_EXIT_RUNTIME;
        }
        ly->kc = tb_alloc(cache_bytes, "the KV cache");
        ly->vc = ly->kc ? tb_alloc(cache_bytes, "the KV cache") : NULL;
        if (!ly->vc)
            return TB_EXIT_RUNTIME;
        kvfill_job kj = {f, ly->kc, cache_bytes / f->es, sd + (uint64_t)(l * 16 + 13)};
        tb_team_run(team, kvfill_worker, &kj);
        kj.buf = ly->vc;
        kj.seed++;
        tb_team_run(team, kvfill_worker, &kj);
    }
    uint64_t hs = sd + (uint64_t)(s->layers * 16 + 1);
    if ((rc = make_matrix(f, &f->emb, m->vocab, m->hidden, hs, 1.0f, 0)))
        return rc;
    if (m->tied_embeddings) {
        f->head = f->emb;
        f->head.packed = NULL;
        if (packs(s, f->head_rows)) {
            f->head.packed = tb_alloc(tb_packed_f32_bytes(k, m->vocab, m->hidden), "packed weights");
            if (!f->head.packed)
                return TB_EXIT_RUNTIME;
            tb_matmul_pack(team, k, f->head.rows, f->head.packed, m->vocab, m->hidden);
        }
    } else if ((rc = make_matrix(f, &f->head, m->vocab, m->hidden, hs + 1, 1.0f / sqrtf((float)m->hidden),
                                 packs(s, f->head_rows)))) {
        return rc;
    }
    if (!(f->final_norm = small_vec(m->hidden, hs + 2, 1.0f, 0.1f)))
        return TB_EXIT_RUNTIME;

    size_t R = (size_t)f->max_rows;
#define TB_ACT(p, n)                                                    \
    do {                                                                \
        if (!((p) = tb_alloc((size_t)(n) * sizeof(float), "activations"))) \
            return TB_EXIT_RUNTIME;                                     \
    } while (0)
    TB_ACT(f->x, R * (size_t)m->hidden);
    TB_ACT(f->xn, R * (size_t)m->hidden);
    TB_ACT(f->tmp, R * (size_t)m->hidden);
    TB_ACT(f->q, R * (size_t)f->hq);
    TB_ACT(f->att, R * (size_t)f->hq);
    TB_ACT(f->kk, R * (size_t)f->hkv);
    TB_ACT(f->vv, R * (size_t)f->hkv);
    TB_ACT(f->gate, R * (size_t)m->intermediate);
    TB_ACT(f->up, R * (size_t)m->intermediate);
    TB_ACT(f->hn, (size_t)f->head_rows * (size_t)m->hidden);
    TB_ACT(f->logits, (size_t)f->head_rows * (size_t)m->vocab);
    TB_ACT(f->rope_cos, (size_t)f->cap * (size_t)(f->D / 2));
    TB_ACT(f->rope_sin, (size_t)f->cap * (size_t)(f->D / 2));
#undef TB_ACT
    tb_attn_dims dm = {f->H, f->KV, f->D, f->cap};
    if ((rc = tb_attn_drv_init(&f->attn, team, &dm, s->max_seqs, s->max_prompt)))
        return rc;
    f->tokens = calloc(R, sizeof *f->tokens);
    if (!f->tokens)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the forward pass");
    int64_t kmax = m->hidden > f->hq ? m->hidden : f->hq;
    kmax = kmax > m->intermediate ? kmax : m->intermediate;
    if ((rc = tb_matmul_ws_init(&f->ws, k, s->dt, f->max_rows, kmax, f->nt)))
        return rc;
    for (int64_t p = 0; p < f->cap; p++)
        tb_attn_rope_table(f->rope_cos + p * (f->D / 2), f->rope_sin + p * (f->D / 2), f->D, p, m->rope_theta);
    return 0;
}

static void free_matrix(tb_matmul_weights *w)
{
    tb_free(w->rows);
    tb_free(w->packed);
}

void tb_fwd_destroy(tb_fwd *f)
{
    if (!f)
        return;
    if (f->L)
        for (int64_t l = 0; l < f->s.layers; l++) {
            layer *ly = &f->L[l];
            for (int w = 0; w < W_COUNT; w++)
                free_matrix(&ly->w[w]);
            tb_free(ly->attn_norm);
            tb_free(ly->ffn_norm);
            tb_free(ly->bq);
            tb_free(ly->bk);
            tb_free(ly->bv);
            tb_free(ly->kc);
            tb_free(ly->vc);
        }
    free(f->L);
    free_matrix(&f->emb);
    if (f->m.tied_embeddings)
        tb_free(f->head.packed);
    else
        free_matrix(&f->head);
    float *bufs[] = {f->final_norm, f->x, f->xn, f->tmp, f->q, f->att, f->kk, f->vv, f->gate, f->up, f->hn,
                     f->logits, f->rope_cos, f->rope_sin};
    for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
        tb_free(bufs[i]);
    free(f->tokens);
    tb_matmul_ws_free(&f->ws);
    tb_attn_drv_free(&f->attn);
    free(f);
}

const float *tb_fwd_logits(const tb_fwd *f) { return f->logits; }
const float *tb_fwd_hidden(const tb_fwd *f) { return f->x; }

/* ---- the pass ------------------------------------------------------------------------------------ */

typedef struct {
    tb_fwd *f;
    const layer *ly;
    int64_t prompt, ctx; /* prompt 0: a decode step with ctx tokens already cached */
    tb_attn_job attn; /* its kv_ctx is this job, so it reads the cache of the layer being run */
} attn_job;

/* RoPE of q and k rows, token r at position r % prompt (prefill) or ctx (decode). */
static void rope_rows(void *p, int64_t r0, int64_t r1)
{
    attn_job *j = p;
    tb_fwd *f = j->f;
    int64_t half = f->D / 2;
    for (int64_t r = r0; r < r1; r++) {
        int64_t pos = j->prompt ? r % j->prompt : j->ctx;
        const float *c = f->rope_cos + pos * half, *s = f->rope_sin + pos * half;
        f->ak->rope(f->q + r * f->hq, f->q + r * f->hq, f->H, f->D, c, s);
        f->ak->rope(f->kk + r * f->hkv, f->kk + r * f->hkv, f->KV, f->D, c, s);
    }
}

static char *seq_cache(const tb_fwd *f, char *base, int64_t b) { return base + (size_t)(b * f->hkv * f->cap) * f->es; }

/* Appends token rows [r0, r1): runs of consecutive tokens of one sequence per call. */
static void append_rows(void *p, int64_t r0, int64_t r1)
{
    attn_job *j = p;
    tb_fwd *f = j->f;
    for (int64_t r = r0; r < r1;) {
        int64_t b, pos, n;
        if (j->prompt) {
            b = r / j->prompt;
            pos = r % j->prompt;
            n = j->prompt - pos < r1 - r ? j->prompt - pos : r1 - r;
        } else {
            b = r;
            pos = j->ctx;
            n = 1;
        }
        f->ak->kv_append[f->s.kv_dt](f->kk + r * f->hkv, f->vv + r * f->hkv, seq_cache(f, j->ly->kc, b),
                                     seq_cache(f, j->ly->vc, b), n, f->KV, f->D, f->cap, pos);
        r += n;
    }
}

static void layer_kv(const void *ctx, int64_t seq, int64_t kvh, const void **k, const void **v)
{
    const attn_job *j = ctx;
    const tb_fwd *f = j->f;
    size_t off = (size_t)((seq * f->KV + kvh) * f->cap * f->D) * f->es;
    *k = j->ly->kc + off;
    *v = j->ly->vc + off;
}

/* A decode query also sees its own key, appended just before (hence ctx + 1). Every sequence has
 * the same length, so whole items balance and SPLIT_ITEMS spares the merge when they suffice. */
static void attn_job_init(attn_job *aj, tb_fwd *f, int64_t seqs, int64_t prompt, int64_t ctx)
{
    *aj = (attn_job){.f = f, .prompt = prompt, .ctx = ctx};
    aj->attn = (tb_attn_job){.kern = f->ak,
                             .kv_dt = f->s.kv_dt,
                             .seqs = seqs,
                             .len = prompt ? prompt : ctx + 1,
                             .kv = layer_kv,
                             .kv_ctx = aj,
                             .q = f->q,
                             .out = f->att,
                             .split = TB_ATTN_SPLIT_ITEMS};
}

static void tick(double *ns, tb_op op, uint64_t *t)
{
    uint64_t n = tb_now_ns();
    ns[op] += (double)(n - *t);
    *t = n;
}

/* One decoder layer over M rows of x (prefill: seqs × prompt tokens; decode: batch rows at ctx). */
static void run_layer(tb_fwd *f, const layer *ly, int64_t M, attn_job *aj, double *ns)
{
    const tb_model *m = &f->m;
    tb_team *tm = f->team;
    uint64_t t = tb_now_ns();
    tb_fop_rmsnorm(tm, f->x, ly->attn_norm, f->xn, M, m->hidden, (float)m->rms_eps);
    tick(ns, TB_OP_NORM, &t);
    tb_matmul_run(tm, f->k, &ly->w[W_Q], f->xn, M, f->q, &f->ws);
    tb_matmul_run(tm, f->k, &ly->w[W_K], f->xn, M, f->kk, &f->ws);
    tb_matmul_run(tm, f->k, &ly->w[W_V], f->xn, M, f->vv, &f->ws);
    tick(ns, TB_OP_QKV, &t);
    if (m->qkv_bias) {
        tb_fop_bias(tm, f->q, ly->bq, M, f->hq);
        tb_fop_bias(tm, f->kk, ly->bk, M, f->hkv);
        tb_fop_bias(tm, f->vv, ly->bv, M, f->hkv);
        tick(ns, TB_OP_BIAS, &t);
    }
    aj->ly = ly;
    tb_fop_par(tm, M, f->hq + f->hkv, rope_rows, aj);
    tick(ns, TB_OP_ROPE, &t);
    tb_fop_par(tm, M, 2 * f->hkv, append_rows, aj);
    tick(ns, TB_OP_KV_APPEND, &t);
    if (aj->prompt)
        tb_attn_drv_prefill(&f->attn, &aj->attn);
    else
        tb_attn_drv_decode(&f->attn, &aj->attn);
    tick(ns, TB_OP_ATTN, &t);
    tb_matmul_run(tm, f->k, &ly->w[W_O], f->att, M, f->tmp, &f->ws);
    tick(ns, TB_OP_O_PROJ, &t);
    tb_fop_add(tm, f->x, f->tmp, M, m->hidden);
    tick(ns, TB_OP_RESIDUAL, &t);
    tb_fop_rmsnorm(tm, f->x, ly->ffn_norm, f->xn, M, m->hidden, (float)m->rms_eps);
    tick(ns, TB_OP_NORM, &t);
    tb_matmul_run(tm, f->k, &ly->w[W_G], f->xn, M, f->gate, &f->ws);
    tb_matmul_run(tm, f->k, &ly->w[W_U], f->xn, M, f->up, &f->ws);
    tick(ns, TB_OP_GATE_UP, &t);
    tb_fop_silu_mul(tm, f->gate, f->up, M, m->intermediate);
    tick(ns, TB_OP_SILU_MUL, &t);
    tb_matmul_run(tm, f->k, &ly->w[W_D], f->gate, M, f->tmp, &f->ws);
    tick(ns, TB_OP_DOWN, &t);
    tb_fop_add(tm, f->x, f->tmp, M, m->hidden);
    tick(ns, TB_OP_RESIDUAL, &t);
}

typedef struct {
    tb_fwd *f;
    int64_t stride; /* rows of x between consecutive sequences' last tokens */
} last_ctx;

static void gather_last(void *p, int64_t r0, int64_t r1)
{
    last_ctx *c = p;
    for (int64_t r = r0; r < r1; r++)
        memcpy(c->f->tmp + r * c->f->m.hidden, c->f->x + ((r + 1) * c->stride - 1) * c->f->m.hidden,
               (size_t)c->f->m.hidden * sizeof(float));
}

static void run(tb_fwd *f, int64_t M, int64_t nlayers, int64_t seqs, int64_t stride, attn_job *aj, tb_fwd_times *t)
{
    tb_fwd_times local;
    if (!t)
        t = &local;
    memset(t, 0, sizeof *t);
    uint64_t t0 = tb_now_ns(), tt = t0;
    tb_fop_embed(f->team, &f->emb, f->tokens, M, f->x);
    tick(t->other_ns, TB_OP_EMBED, &tt);
    for (int64_t l = 0; l < nlayers; l++)
        run_layer(f, &f->L[l], M, aj, t->layer_ns);
    uint64_t t1 = tb_now_ns();
    t->layers_wall_ns = (double)(t1 - tt);
    tt = t1;
    /* Only each sequence's last token needs logits (the next token is sampled from them). */
    last_ctx lc = {f, stride};
    const float *src = f->x;
    if (stride > 1) {
        gather_last(&lc, 0, seqs);
        src = f->tmp;
    }
    tb_fop_rmsnorm(f->team, src, f->final_norm, f->hn, seqs, f->m.hidden, (float)f->m.rms_eps);
    tick(t->other_ns, TB_OP_NORM, &tt);
    tb_matmul_run(f->team, f->k, &f->head, f->hn, seqs, f->logits, &f->ws);
    tick(t->other_ns, TB_OP_LM_HEAD, &tt);
    t->total_wall_ns = (double)(tt - t0);
    f->last_tokens = M;
}

void tb_fwd_prefill(tb_fwd *f, int64_t seqs, int64_t prompt, int64_t nlayers, tb_fwd_times *t)
{
    for (int64_t s = 0; s < seqs; s++)
        for (int64_t p = 0; p < prompt; p++)
            f->tokens[s * prompt + p] = token_id(f, s, p);
    attn_job aj;
    attn_job_init(&aj, f, seqs, prompt, 0);
    run(f, seqs * prompt, nlayers, seqs, prompt, &aj, t);
}

void tb_fwd_decode(tb_fwd *f, int64_t batch, int64_t ctx, tb_fwd_times *t)
{
    for (int64_t b = 0; b < batch; b++)
        f->tokens[b] = token_id(f, b, ctx);
    attn_job aj;
    attn_job_init(&aj, f, batch, 0, ctx);
    run(f, batch, f->s.layers, batch, 1, &aj, t);
}

/* ---- the reference ------------------------------------------------------------------------------- */

/* out[t][n] = W · in[t] in double, on exactly what the kernels multiply: the input rounded to
 * float (and for q8_0/q4_0 weights quantized to q8_0 with the kernel table's own quantizer, then
 * read back), the weights dequantized exactly. */
static void ref_matmul(const tb_fwd *f, const tb_matmul_weights *w, const double *in, int64_t ntok, double *out,
                       float *a, float *row, tb_block_q8_0 *qb)
{
    for (int64_t t = 0; t < ntok; t++) {
        for (int64_t c = 0; c < w->k; c++)
            a[t * w->k + c] = (float)in[t * w->k + c];
        if (tb_dtype_is_quantized(w->dt)) {
            f->k->quantize_q8_0(a + t * w->k, qb, w->k);
            tb_dequantize_row(TB_DT_Q8_0, qb, a + t * w->k, w->k);
        }
    }
    for (int64_t n = 0; n < w->n; n++) {
        tb_matmul_dequant_row(w, n, row);
        for (int64_t t = 0; t < ntok; t++) {
            double s = 0;
            for (int64_t c = 0; c < w->k; c++)
                s += (double)a[t * w->k + c] * (double)row[c];
            out[t * w->n + n] = s;
        }
    }
}

static void ref_norm(const double *x, const float *w, double *y, int64_t n, double eps)
{
    double ss = 0;
    for (int64_t i = 0; i < n; i++)
        ss += x[i] * x[i];
    double s = 1.0 / sqrt(ss / (double)n + eps);
    for (int64_t i = 0; i < n; i++)
        y[i] = x[i] * s * (double)w[i];
}

static void ref_rope(double *x, int64_t d, int64_t pos, double theta)
{
    for (int64_t i = 0; i < d / 2; i++) {
        double a = (double)pos * pow(theta, -2.0 * (double)i / (double)d), c = cos(a), s = sin(a);
        double x0 = x[i], x1 = x[i + d / 2];
        x[i] = x0 * c - x1 * s;
        x[i + d / 2] = x1 * c + x0 * s;
    }
}

/* What the cache stores: the float the kernels computed, rounded to the KV dtype. */
static double kv_round(tb_dtype dt, double v)
{
    float x = (float)v;
    return dt == TB_DT_F16 ? (double)tb_f16_to_f32(tb_f32_to_f16(x)) : (double)x;
}

int tb_fwd_reference(const tb_fwd *f, int64_t ntok, int64_t nlayers, int with_head, double *out)
{
    const tb_model *m = &f->m;
    int64_t hd = m->hidden, I = m->intermediate, kmax = hd > f->hq ? hd : f->hq;
    kmax = kmax > I ? kmax : I;
    int64_t nmax = kmax > m->vocab ? kmax : m->vocab;
    size_t T = (size_t)ntok;
    double *x = malloc(T * (size_t)hd * sizeof(double)), *xn = malloc(T * (size_t)kmax * sizeof(double));
    double *q = malloc(T * (size_t)f->hq * sizeof(double)), *k = malloc(T * (size_t)f->hkv * sizeof(double));
    double *v = malloc(T * (size_t)f->hkv * sizeof(double)), *att = malloc(T * (size_t)f->hq * sizeof(double));
    double *g = malloc(T * (size_t)I * sizeof(double)), *u = malloc(T * (size_t)I * sizeof(double));
    double *o = malloc(T * (size_t)nmax * sizeof(double)), *p = malloc(T * sizeof(double));
    float *a = malloc(T * (size_t)kmax * sizeof(float)), *row = malloc((size_t)kmax * sizeof(float));
    tb_block_q8_0 *qb = malloc((size_t)(kmax / TB_QK + 1) * sizeof *qb);
    int rc = 0;
    if (!x || !xn || !q || !k || !v || !att || !g || !u || !o || !p || !a || !row || !qb) {
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory for the reference forward pass");
        goto out;
    }
    for (int64_t t = 0; t < ntok; t++) {
        tb_matmul_dequant_row(&f->emb, token_id(f, 0, t), row);
        for (int64_t i = 0; i < hd; i++)
            x[t * hd + i] = row[i];
    }
    double scale = 1.0 / sqrt((double)f->D);
    for (int64_t l = 0; l < nlayers; l++) {
        const layer *ly = &f->L[l];
        for (int64_t t = 0; t < ntok; t++)
            ref_norm(x + t * hd, ly->attn_norm, xn + t * hd, hd, m->rms_eps);
        ref_matmul(f, &ly->w[W_Q], xn, ntok, q, a, row, qb);
        ref_matmul(f, &ly->w[W_K], xn, ntok, k, a, row, qb);
        ref_matmul(f, &ly->w[W_V], xn, ntok, v, a, row, qb);
        for (int64_t t = 0; t < ntok; t++) {
            if (m->qkv_bias) {
                for (int64_t i = 0; i < f->hq; i++)
                    q[t * f->hq + i] += ly->bq[i];
                for (int64_t i = 0; i < f->hkv; i++) {
                    k[t * f->hkv + i] += ly->bk[i];
                    v[t * f->hkv + i] += ly->bv[i];
                }
            }
            for (int64_t h = 0; h < f->H; h++)
                ref_rope(q + t * f->hq + h * f->D, f->D, t, m->rope_theta);
            for (int64_t h = 0; h < f->KV; h++)
                ref_rope(k + t * f->hkv + h * f->D, f->D, t, m->rope_theta);
            for (int64_t i = 0; i < f->hkv; i++) {
                k[t * f->hkv + i] = kv_round(f->s.kv_dt, k[t * f->hkv + i]);
                v[t * f->hkv + i] = kv_round(f->s.kv_dt, v[t * f->hkv + i]);
            }
        }
        /* causal attention with a materialised softmax */
        for (int64_t t = 0; t < ntok; t++)
            for (int64_t h = 0; h < f->H; h++) {
                const double *qr = q + t * f->hq + h * f->D;
                int64_t kh = h / f->g;
                double mx = -INFINITY, z = 0;
                for (int64_t j = 0; j <= t; j++) {
                    double s = 0;
                    for (int64_t x_ = 0; x_ < f->D; x_++)
                        s += qr[x_] * k[j * f->hkv + kh * f->D + x_];
                    p[j] = s * scale;
                    mx = p[j] > mx ? p[j] : mx;
                }
                for (int64_t j = 0; j <= t; j++)
                    z += (p[j] = exp(p[j] - mx));
                for (int64_t x_ = 0; x_ < f->D; x_++) {
                    double acc = 0;
                    for (int64_t j = 0; j <= t; j++)
                        acc += p[j] * v[j * f->hkv + kh * f->D + x_];
                    att[t * f->hq + h * f->D + x_] = acc / z;
                }
            }
        ref_matmul(f, &ly->w[W_O], att, ntok, o, a, row, qb);
        for (size_t i = 0; i < T * (size_t)hd; i++)
            x[i] += o[i];
        for (int64_t t = 0; t < ntok; t++)
            ref_norm(x + t * hd, ly->ffn_norm, xn + t * hd, hd, m->rms_eps);
        ref_matmul(f, &ly->w[W_G], xn, ntok, g, a, row, qb);
        ref_matmul(f, &ly->w[W_U], xn, ntok, u, a, row, qb);
        for (size_t i = 0; i < T * (size_t)I; i++)
            g[i] = g[i] / (1.0 + exp(-g[i])) * u[i];
        ref_matmul(f, &ly->w[W_D], g, ntok, o, a, row, qb);
        for (size_t i = 0; i < T * (size_t)hd; i++)
            x[i] += o[i];
    }
    if (with_head) {
        ref_norm(x + (ntok - 1) * hd, f->final_norm, xn, hd, m->rms_eps);
        ref_matmul(f, &f->head, xn, 1, out, a, row, qb);
    } else {
        memcpy(out, x, T * (size_t)hd * sizeof(double));
    }
out:
    free(x), free(xn), free(q), free(k), free(v), free(att), free(g), free(u), free(o), free(p), free(a), free(row),
        free(qb);
    return rc;
}

/* Float weights: the kernels and the reference multiply the same values; what differs is float
 * accumulation (~1e-6 relative per product) carried through norms, softmax and layers: 1e-4
 * leaves two orders of margin and still fails a dropped term or a wrong position. Quantized
 * weights: the kernels quantize their own float activations and the reference its double ones,
 * so an element can land one q8 step (max|x|/254) apart; a few of those per dot product move a
 * result by ~1e-3 of its scale, compounding through the layers: 2e-2. */
double tb_fwd_tolerance(tb_dtype dt) { return tb_dtype_is_quantized(dt) ? 2e-2 : 1e-4; }

int tb_fwd_check(tb_fwd *f, int64_t ntok, int64_t nlayers, int with_head, double *err)
{
    int64_t n = with_head ? f->m.vocab : ntok * f->m.hidden;
    double *ref = malloc((size_t)n * sizeof(double));
    if (!ref)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the reference forward pass");
    tb_fwd_prefill(f, 1, ntok, nlayers, NULL);
    int rc = tb_fwd_reference(f, ntok, nlayers, with_head, ref);
    if (!rc) {
        const float *got = with_head ? f->logits : f->x;
        double mx = 0, worst = 0;
        for (int64_t i = 0; i < n; i++)
            mx = fabs(ref[i]) > mx ? fabs(ref[i]) : mx;
        for (int64_t i = 0; i < n; i++) {
            double e = fabs((double)got[i] - ref[i]);
            if (!(e <= worst))
                worst = isfinite(e) ? e : INFINITY;
        }
        *err = mx > 0 ? worst / mx : worst;
    }
    free(ref);
    return rc;
}
