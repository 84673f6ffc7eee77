/* The double-precision reference of the forward pass and the check of the kernel pass against it
 * (see forward.h): the same weights, dequantized, and the same rounding points as the kernels. */
#include "forward.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "forward_state.h"
#include "measure.h"
#include "util.h"

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
    for (int64_t n = 0; n < w->n && !tb_interrupted; n++) { /* a signal stops the check (tb_fwd_check) */
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

/* Adds the biases, rotates q and k by RoPE at each token's position, then rounds k and v as the
 * cache stores them. */
static void ref_bias_rope_round(const tb_fwd *f, const layer *ly, double *q, double *k, double *v, int64_t ntok)
{
    const tb_model *m = &f->m;
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
}

/* Causal attention of ntok tokens with a materialised softmax (p: ntok scratch doubles). */
static void ref_attention(const tb_fwd *f, const double *q, const double *k, const double *v, int64_t ntok, double *p,
                          double *att)
{
    double scale = 1.0 / sqrt((double)f->D);
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
}

int tb_fwd_reference(const tb_fwd *f, int64_t ntok, int64_t nlayers, int with_head, double *out)
{
    const tb_model *m = &f->m;
    int64_t hd = m->hidden, I = m->intermediate, kmax = hd > f->hq ? hd : f->hq;
    kmax = kmax > I ? kmax : I;
    int64_t nmax = kmax > m->vocab ? kmax : m->vocab;
    size_t T = (size_t)ntok;
    /* zeroed: each read follows a write only through the model's shape (a matmul's k is the width
     * its input was written with), which the static analyzer does not follow */
    double *x = calloc(T * (size_t)hd, sizeof(double)), *xn = calloc(T * (size_t)kmax, sizeof(double));
    double *q = calloc(T * (size_t)f->hq, sizeof(double)), *k = calloc(T * (size_t)f->hkv, sizeof(double));
    double *v = calloc(T * (size_t)f->hkv, sizeof(double)), *att = calloc(T * (size_t)f->hq, sizeof(double));
    double *g = calloc(T * (size_t)I, sizeof(double)), *u = calloc(T * (size_t)I, sizeof(double));
    double *o = calloc(T * (size_t)nmax, sizeof(double)), *p = calloc(T, sizeof(double));
    float *a = calloc(T * (size_t)kmax, sizeof(float)), *row = calloc((size_t)kmax, sizeof(float));
    tb_block_q8_0 *qb = calloc((size_t)(kmax / TB_QK + 1), sizeof *qb);
    int rc = 0;
    if (!x || !xn || !q || !k || !v || !att || !g || !u || !o || !p || !a || !row || !qb) {
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory for the reference forward pass");
        goto out;
    }
    for (int64_t t = 0; t < ntok; t++) {
        tb_matmul_dequant_row(&f->emb, tb_fwd_token_id(f, 0, t), row);
        for (int64_t i = 0; i < hd; i++)
            x[t * hd + i] = row[i];
    }
    for (int64_t l = 0; l < nlayers; l++) {
        const layer *ly = &f->L[l];
        for (int64_t t = 0; t < ntok; t++)
            ref_norm(x + t * hd, ly->attn_norm, xn + t * hd, hd, m->rms_eps);
        ref_matmul(f, &ly->w[W_Q], xn, ntok, q, a, row, qb);
        ref_matmul(f, &ly->w[W_K], xn, ntok, k, a, row, qb);
        ref_matmul(f, &ly->w[W_V], xn, ntok, v, a, row, qb);
        ref_bias_rope_round(f, ly, q, k, v, ntok);
        ref_attention(f, q, k, v, ntok, p, att);
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
    double *ref = calloc((size_t)n, sizeof(double)); /* zeroed, as tb_fwd_reference's buffers */
    if (!ref)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for the reference forward pass");
    tb_fwd_prefill(f, 1, ntok, nlayers, NULL);
    int rc = tb_fwd_reference(f, ntok, nlayers, with_head, ref);
    if (!rc && tb_interrupted)
        rc = TB_EXIT_RUNTIME; /* the reference was cut short: no verdict, and no message */
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
