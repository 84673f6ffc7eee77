/* bench gemm's oracle (gemm_oracle.h). */
#include "gemm_oracle.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "oracle_sample.h"
#include "util.h"

/* Full check up to this many multiply-adds; beyond it, sampled rows and columns. */
#define FULL_CHECK_MACS (1ull << 28)
#define FULL_CHECK_ELEMENTS (1u << 22)
#define SAMPLED_LINES 8

int tb_gemm_full_check(tb_gemm_dims d)
{
    return (uint64_t)d.m * (uint64_t)d.n * (uint64_t)d.k <= FULL_CHECK_MACS &&
           (uint64_t)d.m * (uint64_t)d.n <= FULL_CHECK_ELEMENTS;
}

double tb_gemm_oracle_bytes(tb_gemm_dims d)
{
    /* Oracle arrays: two doubles per checked element, bounded by the sampling rule. */
    return 2.0 * 16.0 * ((double)SAMPLED_LINES * ((double)d.n + (double)d.m) + (double)FULL_CHECK_ELEMENTS);
}

static void oracle_worker(void *p, int tid, int nt)
{
    tb_gemm_oracle *o = p;
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

int tb_gemm_oracle_build(tb_gemm_oracle *o, tb_team *team, const float *a, const float *w, tb_gemm_dims d)
{
    memset(o, 0, sizeof *o);
    o->a = a;
    o->w = w;
    o->d = d;
    int full = tb_gemm_full_check(d);
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

void tb_gemm_oracle_free(tb_gemm_oracle *o)
{
    free(o->rows);
    free(o->cols);
    TB_FREE_ALL(o->row_val, o->row_mag, o->col_val, o->col_mag);
    memset(o, 0, sizeof *o);
}

uint64_t tb_gemm_oracle_elements(const tb_gemm_oracle *o)
{
    return (uint64_t)o->nr * (uint64_t)o->d.n + (uint64_t)o->nc * (uint64_t)o->d.m;
}

static double elem_err(float got, double val, double mag)
{
    if (isnan(got))
        return INFINITY;
    double diff = fabs((double)got - val);
    return mag > 0 ? diff / mag : (diff == 0 ? 0 : INFINITY);
}

double tb_gemm_oracle_max_err(const tb_gemm_oracle *o, const float *c)
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
    return worst;
}
