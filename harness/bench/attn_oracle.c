/* bench attn-*'s oracle (attn_oracle.h). */
#include "attn_oracle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_sample.h"
#include "util.h"

/* Full check up to this many multiply-adds in the reference; beyond it, sampled rows. */
#define FULL_CHECK_MACS (1ull << 28)
#define SAMPLED_TOKENS 16
#define SAMPLED_HEADS 8

static void oracle_worker(void *p, int tid, int nt)
{
    tb_attn_oracle *o = p;
    attn_case *a = o->a;
    size_t b, e;
    tb_team_split((size_t)o->nrows, 1, tid, nt, &b, &e);
    for (size_t r = b; r < e; r++) {
        const tb_attn_oracle_row *w = &o->rows[r];
        int64_t s = attn_q_seq(a, w->t), h = w->hq / a->g;
        tb_attn_ref_row(attn_q_row(a, w->t, w->hq), attn_k_head(a, 0, s, h), attn_v_head(a, 0, s, h), a->kvdt, a->D,
                        w->n, o->ref + r * (size_t)a->D, o->mag + r * (size_t)a->D, &o->amax[r],
                        a->work + (size_t)tid * a->work_stride);
    }
}

/* Every row when the reference is cheap; else, per query token, the first, last and evenly
 * spaced heads (every KV group is seen when heads ≤ 8·groups), for all sequences (decode) or the
 * first, last and evenly spaced tokens (prefill). */
int tb_attn_oracle_build(tb_attn_oracle *o, attn_case *a)
{
    memset(o, 0, sizeof *o);
    o->a = a;
    double macs = 0;
    for (int64_t t = 0; t < a->ntok; t++)
        macs += (double)a->H * (double)(attn_q_pos(a, t) + 1) * (double)a->D;
    o->full = macs <= (double)FULL_CHECK_MACS;
    int nt_ = 0, nh_ = 0;
    int64_t *toks = tb_oracle_sample(a->ntok, o->full || a->decode ? (int)a->ntok : SAMPLED_TOKENS, &nt_);
    int64_t *heads = tb_oracle_sample(a->H, o->full ? (int)a->H : SAMPLED_HEADS, &nh_);
    o->rows = malloc(sizeof *o->rows * (size_t)nt_ * (size_t)nh_);
    if (!toks || !heads || !o->rows) {
        free(toks);
        free(heads);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the reference rows");
    }
    for (int i = 0; i < nt_; i++)
        for (int j = 0; j < nh_; j++)
            o->rows[o->nrows++] = (tb_attn_oracle_row){toks[i], heads[j], attn_q_pos(a, toks[i]) + 1};
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

void tb_attn_oracle_free(tb_attn_oracle *o)
{
    free(o->rows);
    TB_FREE_ALL(o->ref, o->mag, o->amax);
    memset(o, 0, sizeof *o);
}

void tb_attn_oracle_compare(const tb_attn_oracle *o, const float *out, double *err, double *ratio, double *tol)
{
    const attn_case *a = o->a;
    *err = 0;
    *ratio = 0;
    *tol = tb_attn_tolerance(a->D, 1, 0);
    for (int64_t r = 0; r < o->nrows; r++) {
        const tb_attn_oracle_row *w = &o->rows[r];
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
