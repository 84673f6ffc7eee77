/* The decoder forward pass as timed (see forward.h): embedding, the layers, the final norm and
 * the LM head, each op kind timed with the monotonic clock. Creation is in forward_alloc.c, the
 * double-precision reference in forward_ref.c. */
#include "forward.h"

#include <string.h>

#include "forward_ops.h"
#include "forward_state.h"
#include "measure.h"
#include "timer.h"

static const char *const op_names[TB_OP_COUNT] = {"embed",  "rmsnorm",  "qkv_proj", "qkv_bias", "rope",
                                                  "kv_append", "attention", "o_proj", "residual", "ffn_gate_up",
                                                  "silu_mul", "ffn_down", "lm_head"};

const char *tb_op_name(tb_op op) { return op < TB_OP_COUNT ? op_names[op] : "?"; }

const float *tb_fwd_logits(const tb_fwd *f) { return f->logits; }
const float *tb_fwd_hidden(const tb_fwd *f) { return f->x; }

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
    tb_fop_silu_mul(tm, f->ak, f->gate, f->up, M, m->intermediate);
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
    /* a signal ends the pass at a layer boundary; the caller drops a pass cut short */
    for (int64_t l = 0; l < nlayers && !tb_interrupted; l++)
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
            f->tokens[s * prompt + p] = tb_fwd_token_id(f, s, p);
    attn_job aj;
    attn_job_init(&aj, f, seqs, prompt, 0);
    run(f, seqs * prompt, nlayers, seqs, prompt, &aj, t);
}

void tb_fwd_decode(tb_fwd *f, int64_t batch, int64_t ctx, tb_fwd_times *t)
{
    for (int64_t b = 0; b < batch; b++)
        f->tokens[b] = tb_fwd_token_id(f, b, ctx);
    attn_job aj;
    attn_job_init(&aj, f, batch, 0, ctx);
    run(f, batch, f->s.layers, batch, 1, &aj, t);
}
