/* The double-precision reference GEMM: slow on purpose, simple enough to be obviously right. */
#include <tokbench/gemm.h>

#include <math.h>

void tb_gemm_f32_ref_dot(const float *a_row, const float *w_row, int64_t k, double *value, double *abs_sum)
{
    /* Four independent double sums only to give the CPU some parallelism: in double the order
     * of 4096 exact float products changes the result by ~1e-16 relative, far below any bound. */
    double s[4] = {0, 0, 0, 0}, m[4] = {0, 0, 0, 0};
    int64_t i = 0;
    for (; i + 4 <= k; i += 4)
        for (int l = 0; l < 4; l++) {
            /* A float × float product is exact in double (24 + 24 bits < 53). */
            double p = (double)a_row[i + l] * (double)w_row[i + l];
            s[l] += p;
            m[l] += fabs(p);
        }
    for (; i < k; i++) {
        double p = (double)a_row[i] * (double)w_row[i];
        s[0] += p;
        m[0] += fabs(p);
    }
    *value = (s[0] + s[1]) + (s[2] + s[3]);
    *abs_sum = (m[0] + m[1]) + (m[2] + m[3]);
}

void tb_gemm_f32_ref(const float *a, const float *w, float *c, tb_gemm_dims d, int64_t n0, int64_t n1)
{
    for (int64_t i = 0; i < d.m; i++)
        for (int64_t j = n0; j < n1; j++) {
            double v, mag;
            tb_gemm_f32_ref_dot(a + i * d.k, w + j * d.k, d.k, &v, &mag);
            c[i * d.n + j] = (float)v;
        }
}
