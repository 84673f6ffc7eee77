/* Analytic FLOPs and bytes per phase (see roofline.h). */
#include "roofline.h"

/* Bytes of one layer's weights in dt: seven matrices, norms and biases in f32. */
static double layer_weight_bytes(const tb_model *m, tb_dtype dt)
{
    int64_t hq = m->heads * m->head_dim, hkv = m->kv_heads * m->head_dim;
    double b = (double)tb_dtype_row_bytes(dt, m->hidden) * (double)(hq + 2 * hkv + 2 * m->intermediate) +
               (double)tb_dtype_row_bytes(dt, hq) * (double)m->hidden +
               (double)tb_dtype_row_bytes(dt, m->intermediate) * (double)m->hidden;
    return b + 4.0 * (double)(2 * m->hidden + (m->qkv_bias ? hq + 2 * hkv : 0));
}

/* Multiply-adds of one token through one layer's matrices. */
static double layer_macs(const tb_model *m)
{
    int64_t hq = m->heads * m->head_dim, hkv = m->kv_heads * m->head_dim;
    return (double)m->hidden * (double)(hq + 2 * hkv) + (double)hq * (double)m->hidden +
           3.0 * (double)m->hidden * (double)m->intermediate;
}

/* f32 activations in and out of one token's matrix products in one layer. */
static double layer_act_floats(const tb_model *m)
{
    int64_t hq = m->heads * m->head_dim, hkv = m->kv_heads * m->head_dim;
    return (double)(m->hidden + hq + 2 * hkv) + (double)(hq + m->hidden) + (double)(m->hidden + 2 * m->intermediate) +
           (double)(m->intermediate + m->hidden);
}

tb_phase_cost tb_phase_cost_of(const tb_model *m, tb_dtype dt, tb_dtype kv_dt, int64_t batch, int64_t prompt,
                               int64_t ctx, tb_phase phase)
{
    tb_phase_cost c;
    double L = (double)m->layers, B = (double)batch, hq = (double)(m->heads * m->head_dim);
    double kv_row = 2.0 * (double)(m->kv_heads * m->head_dim) * (kv_dt == TB_DT_F16 ? 2.0 : 4.0); /* K and V */
    double tokens = phase == TB_PHASE_PREFILL ? B * (double)prompt : B;
    /* Attention: token t attends to keys 0..t (prefill) or ctx + 1 keys (decode); QK and PV are
     * 2·hq FLOPs per key each. */
    double keys = phase == TB_PHASE_PREFILL ? B * (double)prompt * (double)(prompt + 1) / 2.0 : B * (double)(ctx + 1);
    c.matmul_flops = L * 2.0 * tokens * layer_macs(m) + 2.0 * B * (double)m->vocab * (double)m->hidden;
    c.flops = c.matmul_flops + L * 4.0 * hq * keys;
    c.weight_bytes = L * layer_weight_bytes(m, dt) + 4.0 * (double)m->hidden +
                     (double)tb_dtype_row_bytes(dt, m->hidden) * ((double)m->vocab + tokens);
    c.kv_bytes = phase == TB_PHASE_PREFILL ? L * tokens * kv_row : L * B * kv_row * ((double)(ctx + 1) + 1.0);
    c.act_bytes = 4.0 * (L * tokens * layer_act_floats(m) + B * (double)(m->hidden + m->vocab));
    return c;
}

double tb_roofline_tokens_per_s(const tb_phase_cost *c, double tokens, double peak_gflops, double matmul_peak_gflops,
                                double bandwidth_gbps)
{
    double tc = (c->flops - c->matmul_flops) / (peak_gflops * 1e9) + c->matmul_flops / (matmul_peak_gflops * 1e9);
    double tm = (c->weight_bytes + c->kv_bytes + c->act_bytes) / (bandwidth_gbps * 1e9);
    double t = tc > tm ? tc : tm;
    return t > 0 ? tokens / t : 0;
}
