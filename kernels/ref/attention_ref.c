/* The double-precision attention reference: the textbook formula with a materialised softmax,
 * slow on purpose and simple enough to be obviously right. */
#include <tokbench/attention.h>

#include <math.h>

static double kv_at(const void *base, tb_dtype dt, int64_t i)
{
    return dt == TB_DT_F16 ? (double)tb_f16_to_f32(((const uint16_t *)base)[i]) : (double)((const float *)base)[i];
}

void tb_attn_ref_row(const float *q, const void *k, const void *v, tb_dtype kv_dt, int64_t d, int64_t n, double *out,
                     double *vmag, double *amax, double *work)
{
    const double scale = 1.0 / sqrt((double)d);
    double mx = -INFINITY, am = 0;
    for (int64_t j = 0; j < n; j++) {
        /* float × float products are exact in double; the sum's order changes ~1e-16 at most */
        double s = 0, a = 0;
        for (int64_t x = 0; x < d; x++) {
            double p = (double)q[x] * kv_at(k, kv_dt, (int64_t)tb_attn_k_offset(d, j, x));
            s += p;
            a += fabs(p);
        }
        work[j] = s * scale;
        mx = work[j] > mx ? work[j] : mx;
        am = a * scale > am ? a * scale : am;
    }
    double z = 0;
    for (int64_t j = 0; j < n; j++) {
        work[j] = exp(work[j] - mx);
        z += work[j];
    }
    for (int64_t j = 0; j < n; j++)
        work[j] /= z;
    for (int64_t x = 0; x < d; x++) {
        double o = 0, mg = 0;
        for (int64_t j = 0; j < n; j++) {
            double pv = work[j] * kv_at(v, kv_dt, j * d + x);
            o += pv;
            mg += fabs(pv);
        }
        out[x] = o;
        if (vmag)
            vmag[x] = mg;
    }
    if (amax)
        *amax = am;
}

void tb_attn_rope_ref(const float *x, double *y, int64_t d, int64_t pos, double theta)
{
    const int64_t half = d / 2;
    for (int64_t i = 0; i < half; i++) {
        double a = (double)pos * pow(theta, -2.0 * (double)i / (double)d), c = cos(a), s = sin(a);
        y[i] = (double)x[i] * c - (double)x[half + i] * s;
        y[half + i] = (double)x[half + i] * c + (double)x[i] * s;
    }
}

/* u = 2^-24. A score is a d-term float dot product (plus the rounding of the pre-scaled q): its
 * error is below (8√d + 8)·u·amax, and softmax moves an output by at most twice the largest score
 * error, relative to Σ p|v|. The exp2 polynomial (< 2e-7 ≈ 3.4u per weight), the n-term sums of
 * p·v and the per-tile rescaling add O(√n)·u for data of mixed signs. The same bound serves f32
 * and f16 caches: the reference reads the very f16 values the kernels read. */
double tb_attn_tolerance(int64_t d, int64_t n, double amax)
{
    return (2.0 * (8.0 * sqrt((double)d) + 8.0) * amax + 4.0 * sqrt((double)n) + 32.0) * ldexp(1.0, -24);
}
