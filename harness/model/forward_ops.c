/* The small elementwise ops of a decoder layer as plain C loops, split over the team by rows when
 * there is enough work to pay for waking it (a team run costs a few microseconds). */
#include "forward_ops.h"

#include <math.h>

/* Below this many elements one thread is faster than a team run. */
#define PAR_MIN_ELEMS 16384

typedef struct {
    tb_fop_rows_fn fn;
    void *ctx;
    int64_t n;
} par_job;

static void par_worker(void *p, int tid, int nt)
{
    par_job *j = p;
    size_t b, e;
    tb_team_split((size_t)j->n, 1, tid, nt, &b, &e);
    if (b < e)
        j->fn(j->ctx, (int64_t)b, (int64_t)e);
}

void tb_fop_par(tb_team *team, int64_t n, int64_t elems_per_row, tb_fop_rows_fn fn, void *ctx)
{
    if (n <= 0)
        return;
    if (!team || tb_team_size(team) == 1 || n == 1 || n * elems_per_row < PAR_MIN_ELEMS) {
        fn(ctx, 0, n);
        return;
    }
    par_job j = {fn, ctx, n};
    tb_team_run(team, par_worker, &j);
}

typedef struct {
    const float *x, *w;
    float *y;
    int64_t n;
    float eps;
} norm_ctx;

static void norm_rows(void *p, int64_t r0, int64_t r1)
{
    norm_ctx *c = p;
    for (int64_t r = r0; r < r1; r++) {
        const float *x = c->x + r * c->n;
        float *y = c->y + r * c->n;
        float ss = 0;
        for (int64_t i = 0; i < c->n; i++)
            ss += x[i] * x[i];
        float s = 1.0f / sqrtf(ss / (float)c->n + c->eps);
        for (int64_t i = 0; i < c->n; i++)
            y[i] = x[i] * s * c->w[i];
    }
}

void tb_fop_rmsnorm(tb_team *team, const float *x, const float *w, float *y, int64_t rows, int64_t n, float eps)
{
    norm_ctx c = {x, w, y, n, eps};
    tb_fop_par(team, rows, n, norm_rows, &c);
}

typedef struct {
    float *x;
    const float *y;
    int64_t n;
} add_ctx;

static void add_rows(void *p, int64_t r0, int64_t r1)
{
    add_ctx *c = p;
    for (int64_t i = r0 * c->n; i < r1 * c->n; i++)
        c->x[i] += c->y[i];
}

void tb_fop_add(tb_team *team, float *x, const float *y, int64_t rows, int64_t n)
{
    add_ctx c = {x, y, n};
    tb_fop_par(team, rows, n, add_rows, &c);
}

static void bias_rows(void *p, int64_t r0, int64_t r1)
{
    add_ctx *c = p;
    for (int64_t r = r0; r < r1; r++)
        for (int64_t i = 0; i < c->n; i++)
            c->x[r * c->n + i] += c->y[i];
}

void tb_fop_bias(tb_team *team, float *x, const float *bias, int64_t rows, int64_t n)
{
    add_ctx c = {x, bias, n};
    tb_fop_par(team, rows, n, bias_rows, &c);
}

typedef struct {
    tb_attn_silu_mul_fn fn;
    float *x;
    const float *y;
    int64_t n;
} silu_ctx;

static void silu_rows(void *p, int64_t r0, int64_t r1)
{
    silu_ctx *c = p;
    c->fn(c->x + r0 * c->n, c->y + r0 * c->n, (r1 - r0) * c->n);
}

void tb_fop_silu_mul(tb_team *team, const tb_attention_kernels *ak, float *gate, const float *up, int64_t rows,
                     int64_t n)
{
    silu_ctx c = {ak->silu_mul, gate, up, n};
    tb_fop_par(team, rows, n, silu_rows, &c);
}

typedef struct {
    const tb_matmul_weights *table;
    const int32_t *tokens;
    float *out;
} embed_ctx;

static void embed_rows(void *p, int64_t r0, int64_t r1)
{
    embed_ctx *c = p;
    for (int64_t r = r0; r < r1; r++)
        tb_matmul_dequant_row(c->table, c->tokens[r], c->out + r * c->table->k);
}

void tb_fop_embed(tb_team *team, const tb_matmul_weights *table, const int32_t *tokens, int64_t rows, float *out)
{
    embed_ctx c = {table, tokens, out};
    tb_fop_par(team, rows, table->k, embed_rows, &c);
}
