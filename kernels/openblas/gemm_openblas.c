/* GEMM through OpenBLAS's CBLAS interface. */
#include <tokbench/backend_openblas.h>

#include <cblas.h>

void tb_gemm_f32_openblas(const float *a, const float *w, float *c, tb_gemm_dims d)
{
    if (d.m == 1)
        cblas_sgemv(CblasRowMajor, CblasNoTrans, (blasint)d.n, (blasint)d.k, 1.0f, w, (blasint)d.k, a, 1, 0.0f, c, 1);
    else
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (blasint)d.m, (blasint)d.n, (blasint)d.k, 1.0f, a,
                    (blasint)d.k, w, (blasint)d.k, 0.0f, c, (blasint)d.n);
}
