/* Threaded driver over the kernel table (see matmul.h). */
#include "matmul.h"

#include <stdlib.h>

#include "util.h"

int tb_matmul_uses_packed(tb_dtype dt, int64_t m) { return dt == TB_DT_F32 && m >= TB_F32_PACKED_MIN_M; }

static int uses_half_gemm(const tb_kernels *kern, tb_dtype dt, int64_t m)
{
    return (dt == TB_DT_F16 || dt == TB_DT_BF16) && m >= TB_HALF_GEMM_MIN_M && kern->gemm_half[dt] != NULL;
}

int tb_matmul_uses_gemm(const tb_kernels *kern, tb_dtype dt, int64_t m)
{
    return tb_matmul_uses_packed(dt, m) || uses_half_gemm(kern, dt, m);
}

const tb_kernel_info *tb_matmul_kernel(const tb_kernels *kern, tb_dtype dt, int64_t m)
{
    if (tb_matmul_uses_packed(dt, m))
        return &kern->gemm_info;
    if (uses_half_gemm(kern, dt, m))
        return &kern->gemm_half_info[dt];
    return m == 1 ? &kern->gemv_info[dt] : &kern->skinny_info[dt];
}

int tb_matmul_ws_init(tb_matmul_ws *ws, const tb_kernels *kern, tb_dtype dt, int64_t m, int64_t k, int threads)
{
    ws->aq = NULL;
    ws->scratch = NULL;
    ws->scratch_stride = 0;
    if (tb_dtype_is_quantized(dt)) {
        ws->aq = tb_alloc((size_t)m * tb_dtype_row_bytes(TB_DT_Q8_0, k), "quantized activations");
        if (!ws->aq)
            return TB_EXIT_RUNTIME;
    }
    if (tb_matmul_uses_gemm(kern, dt, m)) {
        ws->scratch_stride = (kern->gemm_scratch_floats + 15) / 16 * 16;
        ws->scratch = tb_alloc(ws->scratch_stride * sizeof(float) * (size_t)threads, "GEMM scratch");
        if (!ws->scratch)
            return TB_EXIT_RUNTIME;
    }
    return 0;
}

void tb_matmul_ws_free(tb_matmul_ws *ws)
{
    tb_free(ws->aq);
    tb_free(ws->scratch);
    ws->aq = NULL;
    ws->scratch = NULL;
}

typedef struct {
    const tb_kernels *kern;
    const tb_matmul_weights *w;
    const float *a;
    int64_t m;
    float *c;
    tb_matmul_ws *ws;
} job;

static void quantize_worker(void *p, int tid, int nt)
{
    job *j = p;
    int64_t per_row = j->w->k / TB_QK;
    size_t b, e;
    /* Blocks are independent, so a thread may take a run of blocks that spans rows. */
    tb_team_split((size_t)(j->m * per_row), 8, tid, nt, &b, &e);
    tb_block_q8_0 *out = j->ws->aq;
    for (size_t x = b; x < e;) {
        int64_t row = (int64_t)x / per_row, blk = (int64_t)x % per_row;
        int64_t run = per_row - blk < (int64_t)(e - x) ? per_row - blk : (int64_t)(e - x);
        j->kern->quantize_q8_0(j->a + row * j->w->k + blk * TB_QK, out + x, run * TB_QK);
        x += (size_t)run;
    }
}

static void rows_worker(void *p, int tid, int nt)
{
    job *j = p;
    const tb_matmul_weights *w = j->w;
    size_t b, e;
    /* Grains of 8 rows match the GEMV register blocks and the x8 layouts' groups; the last thread
     * takes the remainder. */
    tb_team_split((size_t)w->n, 8, tid, nt, &b, &e);
    if (b >= e)
        return;
    int quant = tb_dtype_is_quantized(w->dt);
    size_t a_row = quant ? tb_dtype_row_bytes(TB_DT_Q8_0, w->k) : (size_t)w->k * sizeof(float);
    const char *a = quant ? (const char *)j->ws->aq : (const char *)j->a;
    tb_matmul_rows_fn fn = j->m == 1 ? j->kern->gemv[w->dt] : j->kern->skinny[w->dt];
    for (int64_t i = 0; i < j->m; i += TB_SKINNY_MAX) {
        int64_t mm = j->m - i < TB_SKINNY_MAX ? j->m - i : TB_SKINNY_MAX;
        fn(w->rows, a + (size_t)i * a_row, j->c + i * w->n, mm, w->n, w->k, (int64_t)b, (int64_t)e);
    }
}

/* 2-D tiles: threads split the weight panels first (each weight byte then crosses one core only);
 * only when there are too few panels to go round do rows of A get split too. */
static void gemm_grid(int nt, int64_t panels, int *tm, int *tn)
{
    *tm = 1;
    *tn = nt;
    while (*tn > 1 && *tn % 2 == 0 && panels < 2 * *tn) {
        *tn /= 2;
        *tm *= 2;
    }
}

static void gemm_worker(void *p, int tid, int nt)
{
    job *j = p;
    const tb_matmul_weights *w = j->w;
    int nr = j->kern->gemm_nr, tm, tn;
    gemm_grid(nt, (w->n + nr - 1) / nr, &tm, &tn);
    size_t nb, ne, mb, me;
    tb_team_split((size_t)w->n, (size_t)nr, tid % tn, tn, &nb, &ne);
    tb_team_split((size_t)j->m, (size_t)j->kern->gemm_mr, tid / tn, tm, &mb, &me);
    if (nb >= ne || mb >= me)
        return;
    float *scratch = j->ws->scratch + (size_t)tid * j->ws->scratch_stride;
    if (w->dt == TB_DT_F32)
        j->kern->gemm_f32(j->a, w->packed, j->c, j->m, w->n, w->k, (int64_t)mb, (int64_t)me, (int64_t)nb, (int64_t)ne,
                          scratch);
    else
        j->kern->gemm_half[w->dt](j->a, w->rows, j->c, j->m, w->n, w->k, (int64_t)mb, (int64_t)me, (int64_t)nb,
                                  (int64_t)ne, scratch);
}

void tb_matmul_run(tb_team *team, const tb_kernels *kern, const tb_matmul_weights *w, const float *a, int64_t m,
                   float *c, tb_matmul_ws *ws)
{
    job j = {kern, w, a, m, c, ws};
    if (tb_matmul_uses_gemm(kern, w->dt, m)) {
        tb_team_run(team, gemm_worker, &j);
        return;
    }
    if (tb_dtype_is_quantized(w->dt))
        tb_team_run(team, quantize_worker, &j);
    tb_team_run(team, rows_worker, &j);
}

typedef struct {
    const tb_kernels *kern;
    const float *rows;
    float *packed;
    int64_t n, k;
} pack_job;

static void pack_worker(void *p, int tid, int nt)
{
    pack_job *j = p;
    size_t b, e;
    tb_team_split((size_t)j->n, (size_t)j->kern->gemm_nr, tid, nt, &b, &e);
    if (b < e)
        j->kern->pack_f32(j->rows, j->packed, j->n, j->k, (int64_t)b, (int64_t)e);
}

void tb_matmul_pack(tb_team *team, const tb_kernels *kern, const float *rows, float *packed, int64_t n, int64_t k)
{
    pack_job j = {kern, rows, packed, n, k};
    tb_team_run(team, pack_worker, &j);
}

typedef struct {
    tb_matmul_weights *w;
    const void *plain;
} fill_job;

static void fill_worker(void *p, int tid, int nt)
{
    fill_job *j = p;
    size_t b, e, rb = tb_dtype_row_bytes(j->w->dt, j->w->k);
    tb_team_split((size_t)j->w->n, 8, tid, nt, &b, &e); /* whole groups of the x8 layouts */
    if (b < e)
        tb_wlayout_pack(j->w->layout, j->w->dt, (const char *)j->plain + b * rb, j->w->rows, j->w->n, j->w->k,
                        (int64_t)b, (int64_t)e);
}

void tb_matmul_fill_rows(tb_team *team, const tb_kernels *kern, tb_matmul_weights *w, const void *plain)
{
    w->layout = kern->wlayout[w->dt];
    fill_job j = {w, plain};
    tb_team_run(team, fill_worker, &j);
}

void tb_matmul_dequant_row(const tb_matmul_weights *w, int64_t r, float *out)
{
    tb_wlayout_dequant_row(w->layout, w->dt, w->rows, w->n, w->k, r, out);
}
