/* The forward pass's memory: the sizes tb_fwd_memory plans, and tb_fwd_create's allocation and
 * filling of synthetic weights, KV caches and activation buffers (see forward.h). */
#include "forward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/rng.h>

#include "forward_state.h"
#include "measure.h"
#include "util.h"

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

static int64_t cache_cap(const tb_fwd_shape *s)
{
    return tb_attn_capacity(s->max_prompt > s->max_ctx + 1 ? s->max_prompt : s->max_ctx + 1);
}

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

/* The dimensions a pass reads, from the model and the largest shape it will run. */
static void set_dims(tb_fwd *f, const tb_model *m, const tb_fwd_shape *s, tb_team *team, const tb_kernels *k,
                     const tb_attention_kernels *ak)
{
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
}

/* Layer l: its seven matrices, norms and biases from seeds sd + l·16 + (0..12), and its K and V
 * caches filled with synthetic values (seeds + 13 and + 14), each on the team. */
static int make_layer(tb_fwd *f, int64_t l, uint64_t sd, int pk, size_t cache_bytes)
{
    const tb_model *m = &f->m;
    layer *ly = &f->L[l];
    int rc;
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
    tb_team_fill_random_as(f->team, ly->kc, cache_bytes / f->es, (int)f->es, sd + (uint64_t)(l * 16 + 13));
    tb_team_fill_random_as(f->team, ly->vc, cache_bytes / f->es, (int)f->es, sd + (uint64_t)(l * 16 + 14));
    return 0;
}

/* The embedding (seed hs), the LM head (its own matrix at hs + 1, or the embedding's rows when
 * tied, with f32 panels of its own when packed) and the final norm (hs + 2). */
static int make_embed_head(tb_fwd *f, uint64_t hs)
{
    const tb_model *m = &f->m;
    int rc;
    if ((rc = make_matrix(f, &f->emb, m->vocab, m->hidden, hs, 1.0f, 0)))
        return rc;
    if (m->tied_embeddings) {
        f->head = f->emb;
        f->head.packed = NULL;
        if (packs(&f->s, f->head_rows)) {
            f->head.packed = tb_alloc(tb_packed_f32_bytes(f->k, m->vocab, m->hidden), "packed weights");
            if (!f->head.packed)
                return TB_EXIT_RUNTIME;
            tb_matmul_pack(f->team, f->k, f->head.rows, f->head.packed, m->vocab, m->hidden);
        }
    } else if ((rc = make_matrix(f, &f->head, m->vocab, m->hidden, hs + 1, 1.0f / sqrtf((float)m->hidden),
                                 packs(&f->s, f->head_rows)))) {
        return rc;
    }
    if (!(f->final_norm = small_vec(m->hidden, hs + 2, 1.0f, 0.1f)))
        return TB_EXIT_RUNTIME;
    return 0;
}

/* The activation buffers, sized for the largest call's rows. */
static int alloc_activations(tb_fwd *f)
{
    const tb_model *m = &f->m;
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
    return 0;
}

/* The attention driver, the token ids, the matmul scratch and the RoPE table of every position. */
static int make_work(tb_fwd *f)
{
    const tb_model *m = &f->m;
    int rc;
    tb_attn_dims dm = {f->H, f->KV, f->D, f->cap};
    if ((rc = tb_attn_drv_init(&f->attn, f->team, &dm, f->s.max_seqs, f->s.max_prompt)))
        return rc;
    f->tokens = calloc((size_t)f->max_rows, sizeof *f->tokens);
    if (!f->tokens)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the forward pass");
    int64_t kmax = m->hidden > f->hq ? m->hidden : f->hq;
    kmax = kmax > m->intermediate ? kmax : m->intermediate;
    if ((rc = tb_matmul_ws_init(&f->ws, f->k, f->s.dt, f->max_rows, kmax, f->nt)))
        return rc;
    for (int64_t p = 0; p < f->cap; p++)
        tb_attn_rope_table(f->rope_cos + p * (f->D / 2), f->rope_sin + p * (f->D / 2), f->D, p, m->rope_theta);
    return 0;
}

/* On an error *out still holds the partly built pass, for tb_fwd_destroy. */
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
    set_dims(f, m, s, team, k, ak);
    *out = f;

    uint64_t sd = s->seed * 1000003u;
    int pk = packs(s, f->max_rows);
    f->L = calloc((size_t)s->layers, sizeof *f->L);
    if (!f->L)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the forward pass");
    size_t cache_bytes = (size_t)f->cache_seqs * (size_t)f->hkv * (size_t)f->cap * f->es;
    for (int64_t l = 0; l < s->layers; l++) {
        if (tb_interrupted) /* a layer takes a fraction of a second: a signal is answered within one */
            return TB_EXIT_RUNTIME;
        if ((rc = make_layer(f, l, sd, pk, cache_bytes)))
            return rc;
    }
    if ((rc = make_embed_head(f, sd + (uint64_t)(s->layers * 16 + 1))))
        return rc;
    if ((rc = alloc_activations(f)))
        return rc;
    return make_work(f);
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
            TB_FREE_ALL(ly->attn_norm, ly->ffn_norm, ly->bq, ly->bk, ly->bv, ly->kc, ly->vc);
        }
    free(f->L);
    free_matrix(&f->emb);
    if (f->m.tied_embeddings)
        tb_free(f->head.packed);
    else
        free_matrix(&f->head);
    TB_FREE_ALL(f->final_norm, f->x, f->xn, f->tmp, f->q, f->att, f->kk, f->vv, f->gate, f->up, f->hn, f->logits,
                f->rope_cos, f->rope_sin);
    free(f->tokens);
    tb_matmul_ws_free(&f->ws);
    tb_attn_drv_free(&f->attn);
    free(f);
}
