/* The forward pass against its double reference (tiny fixture model, every weight dtype), decode
 * against prefill (the same tokens must give the same logits), and the roofline's analytic
 * counts against hand computations. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/attention.h>
#include <tokbench/kernels.h>

#include "forward.h"
#include "model.h"
#include "roofline.h"
#include "team.h"
#include "testmain.h"
#include "testutil.h"
#include "topo.h"

static tb_topo tp;
static tb_plan plan;
static tb_kernels kern;
static tb_attention_kernels akern;

static tb_team *make_team(int threads)
{
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    int avail = tb_topo_allowed_cores(&tp);
    tb_place_req req = {threads <= avail ? threads : avail, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    tb_team *tm;
    ck_assert_int_eq(tb_team_create(&tm, &tp, &plan), 0);
    tb_kernels_init(&kern, TB_ISA_COUNT);
    tb_attention_kernels_init(&akern, TB_ISA_COUNT);
    return tm;
}

static void drop_team(tb_team *tm)
{
    tb_team_destroy(tm);
    tb_topo_destroy(&tp);
}

static tb_model tiny(void)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve(tb_test_fixture("models/tiny.json"), &m), 0);
    return m;
}

/* Full logits of sequence 0 against the reference, for every weight dtype and both KV dtypes. */
static void check_dtype(tb_dtype dt, tb_dtype kv, int threads, const tb_model *m)
{
    tb_team *tm = make_team(threads);
    tb_fwd_shape s = {dt, kv, 3, 2, 37, 20, m->layers, 7};
    tb_fwd *f;
    ck_assert_int_eq(tb_fwd_create(&f, m, &s, tm, &kern, &akern), 0);
    double err = -1;
    ck_assert_int_eq(tb_fwd_check(f, 37, m->layers, 1, &err), 0);
    ck_assert_msg(err <= tb_fwd_tolerance(dt), "%s: logits differ by %g of max|ref| (bound %g)", tb_dtype_name(dt), err,
                  tb_fwd_tolerance(dt));
    /* one layer's hidden state, as the run checks large models */
    ck_assert_int_eq(tb_fwd_check(f, 4, 1, 0, &err), 0);
    ck_assert_msg(err <= tb_fwd_tolerance(dt), "%s: layer 1 differs by %g", tb_dtype_name(dt), err);
    tb_fwd_destroy(f);
    drop_team(tm);
}

START_TEST(tiny_f32_matches_reference)
{
    tb_model m = tiny();
    check_dtype(TB_DT_F32, TB_DT_F32, 2, &m);
    check_dtype(TB_DT_F32, TB_DT_F16, 1, &m);
}
END_TEST

START_TEST(tiny_q8_0_matches_reference)
{
    tb_model m = tiny();
    check_dtype(TB_DT_Q8_0, TB_DT_F16, 2, &m);
}
END_TEST

START_TEST(tiny_other_dtypes_and_bias_match_reference)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve(tb_test_fixture("models/tiny-qwen2.json"), &m), 0);
    ck_assert(m.qkv_bias && m.tied_embeddings);
    check_dtype(TB_DT_BF16, TB_DT_F16, 2, &m);
    check_dtype(TB_DT_F16, TB_DT_F32, 2, &m);
    check_dtype(TB_DT_Q4_0, TB_DT_F16, 2, &m);
}
END_TEST

/* A wrong result must fail: the reference of a different token count gives other logits. */
START_TEST(check_sees_a_wrong_pass)
{
    tb_model m = tiny();
    tb_team *tm = make_team(1);
    tb_fwd_shape s = {TB_DT_F32, TB_DT_F32, 1, 1, 16, 4, m.layers, 7};
    tb_fwd *f;
    ck_assert_int_eq(tb_fwd_create(&f, &m, &s, tm, &kern, &akern), 0);
    double *ref = malloc(sizeof(double) * (size_t)m.vocab);
    ck_assert_int_eq(tb_fwd_reference(f, 15, m.layers, 1, ref), 0);
    tb_fwd_prefill(f, 1, 16, m.layers, NULL);
    double mx = 0, worst = 0;
    for (int64_t i = 0; i < m.vocab; i++) {
        mx = fmax(mx, fabs(ref[i]));
        worst = fmax(worst, fabs(ref[i] - tb_fwd_logits(f)[i]));
    }
    ck_assert_msg(worst / mx > 100 * tb_fwd_tolerance(TB_DT_F32), "15 and 16 tokens gave the same logits");
    free(ref);
    tb_fwd_destroy(f);
    drop_team(tm);
}
END_TEST

/* Decode after a prefill of P tokens attends to exactly the cached K/V of those tokens, so its
 * logits equal the last logits of a prefill of P + 1 tokens. kv_heads 1 with two threads cuts
 * each sequence's keys between threads and exercises the log-sum-exp merge. */
START_TEST(decode_matches_prefill)
{
    tb_model m = tiny();
    m.kv_heads = 1;
    for (int th = 1; th <= 2; th++) {
        tb_team *tm = make_team(th);
        tb_fwd_shape s = {TB_DT_F32, TB_DT_F32, 1, 1, 30, 29, m.layers, 3};
        tb_fwd *f;
        ck_assert_int_eq(tb_fwd_create(&f, &m, &s, tm, &kern, &akern), 0);
        float *want = malloc(sizeof(float) * (size_t)m.vocab);
        tb_fwd_prefill(f, 1, 30, m.layers, NULL);
        memcpy(want, tb_fwd_logits(f), sizeof(float) * (size_t)m.vocab);
        tb_fwd_prefill(f, 1, 29, m.layers, NULL);
        tb_fwd_decode(f, 1, 29, NULL);
        double mx = 0, worst = 0;
        for (int64_t i = 0; i < m.vocab; i++) {
            mx = fmax(mx, fabs(want[i]));
            worst = fmax(worst, fabs((double)want[i] - tb_fwd_logits(f)[i]));
        }
        ck_assert_msg(worst <= 1e-4 * mx, "%d threads: decode differs from prefill by %g of %g", th, worst, mx);
        free(want);
        tb_fwd_destroy(f);
        drop_team(tm);
    }
}
END_TEST

START_TEST(op_times_are_recorded)
{
    tb_model m = tiny();
    tb_team *tm = make_team(2);
    tb_fwd_shape s = {TB_DT_Q8_0, TB_DT_F16, 2, 2, 8, 8, m.layers, 1};
    tb_fwd *f;
    ck_assert_int_eq(tb_fwd_create(&f, &m, &s, tm, &kern, &akern), 0);
    tb_fwd_times t;
    tb_fwd_decode(f, 2, 8, &t);
    ck_assert(t.layer_ns[TB_OP_ATTN] > 0 && t.layer_ns[TB_OP_QKV] > 0 && t.other_ns[TB_OP_LM_HEAD] > 0);
    ck_assert(t.layer_ns[TB_OP_BIAS] == 0); /* llama: no qkv bias */
    ck_assert(t.layers_wall_ns <= t.total_wall_ns);
    tb_fwd_destroy(f);
    drop_team(tm);
}
END_TEST

typedef struct {
    double flops, weight_bytes, kv_bytes;
} by_hand;

/* The roofline's counts for a phase of a preset model, asserted equal to the ones worked out by hand. */
static tb_phase_cost expect_phase_cost(const char *preset, tb_dtype dt, tb_dtype kv_dt, int64_t batch, int64_t prompt,
                                       int64_t ctx, tb_phase phase, by_hand want)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve(preset, &m), 0);
    tb_phase_cost c = tb_phase_cost_of(&m, dt, kv_dt, batch, prompt, ctx, phase);
    ck_assert_double_eq(c.flops, want.flops);
    ck_assert_double_eq(c.weight_bytes, want.weight_bytes);
    ck_assert_double_eq(c.kv_bytes, want.kv_bytes);
    return c;
}

START_TEST(roofline_llama2_7b_decode)
{
    /* hidden 4096, intermediate 11008, 32 layers, 32 heads, 32 KV heads, head_dim 128, vocab 32000.
     * Multiply-adds per token and layer: q,k,v 4096·(4096+2·4096) = 50331648, o 4096·4096 =
     * 16777216, gate/up/down 3·4096·11008 = 135266304: 202375168.
     * Decode, batch 1, ctx 1023 (1024 keys): 32·(2·202375168 + 4·4096·1024) + 2·32000·4096
     * = 32·421527552 + 262144000 = 13751025664 FLOPs.
     * f32 weights: per layer 4·202375168 + 4·2·4096 (norms) = 809533440 B; ·32 = 25905070080,
     * + final norm 16384 + LM head 4·32000·4096 = 524288000 + one embedding row 16384:
     * 26429390848 B. KV f16: 2·32·128·2 = 16384 B per token and layer, read 1024 + written 1:
     * 32·16384·1025 = 537395200 B. */
    tb_phase_cost c = expect_phase_cost("llama-2-7b", TB_DT_F32, TB_DT_F16, 1, 1, 1023, TB_PHASE_DECODE,
                                        (by_hand){13751025664.0, 26429390848.0, 537395200.0});
    /* bounded by bandwidth here: at 100 GFLOP/s and 20 GB/s the bytes take longer */
    double bytes = c.weight_bytes + c.kv_bytes + c.act_bytes;
    ck_assert_double_eq_tol(tb_roofline_tokens_per_s(&c, 1, 100, 100, 20), 20e9 / bytes, 1e-9);
}
END_TEST

START_TEST(roofline_qwen25_05b_prefill)
{
    /* hidden 896, intermediate 4864, 24 layers, 14 heads (896 wide), 2 KV heads (128 wide), vocab
     * 151936, qkv bias, tied embeddings. Multiply-adds per token and layer: 896·(896+256) +
     * 896·896 + 3·896·4864 = 1032192 + 802816 + 13074432 = 14909440.
     * Prefill of 2 sequences × 8 tokens: 16 tokens; keys attended Σ(t+1) = 36 per sequence, 72.
     * FLOPs: 24·(2·16·14909440 + 4·896·72) + 2·2·151936·896 = 24·477360128 + 544538624
     * = 12001181696.
     * q8_0 weights (34 B per 32): a 896-wide row is 952 B, a 4864-wide row 5168 B. Per layer
     * 952·(896+256+2·4864) + 952·896 + 5168·896 + 4·(2·896 + 896 + 256) (norms, biases)
     * = 10357760 + 852992 + 4630528 + 11776 = 15853056; ·24 = 380473344, + final norm 3584,
     * + LM head (the tied table, read in full) and 16 embedding rows 952·(151936 + 16)
     * = 144658304: 525135232 B. KV f16, written once: 24·16·(2·128·2) = 196608 B. */
    tb_phase_cost c = expect_phase_cost("qwen2.5-0.5b", TB_DT_Q8_0, TB_DT_F16, 2, 8, 0, TB_PHASE_PREFILL,
                                        (by_hand){12001181696.0, 525135232.0, 196608.0});
    /* compute-bound at 1 GFLOP/s and 1000 GB/s: 16 tokens / 12.0 s */
    ck_assert_double_eq_tol(tb_roofline_tokens_per_s(&c, 16, 1, 1, 1000), 16.0 / 12.001181696, 1e-12);
    /* the weight products, 24·2·16·14909440 + 2·2·151936·896 = 11994988544, at an int8 rate of
     * 4 GOP/s and attention's 24·4·896·72 = 6193152 at 1 GFLOP/s: 2.998747136 + 0.006193152 s */
    ck_assert_double_eq(c.matmul_flops, 11994988544.0);
    ck_assert_double_eq_tol(tb_roofline_tokens_per_s(&c, 16, 1, 4, 1000), 16.0 / (2.998747136 + 0.006193152), 1e-12);
}
END_TEST

START_TEST(memory_estimate_grows_with_layers_and_context)
{
    tb_model m;
    ck_assert_int_eq(tb_model_resolve("llama-3.2-1b", &m), 0);
    tb_kernels_init(&kern, TB_ISA_COUNT);
    tb_fwd_shape s = {TB_DT_Q8_0, TB_DT_F16, 8, 1, 512, 1024, 16, 1};
    tb_fwd_mem a, b;
    tb_fwd_memory(&m, &s, &kern, 2, &a);
    /* KV: 16 layers · 2 · 8 sequences · 512 · 1040 positions (1025 in whole K blocks) · 2 B */
    ck_assert_double_eq(a.kv, 272629760.0);
    s.layers = 4;
    tb_fwd_memory(&m, &s, &kern, 2, &b);
    ck_assert(b.weights < a.weights && b.kv * 4 == a.kv);
    ck_assert_double_eq_tol(a.weights - b.weights, 12 * tb_fwd_layer_bytes(&m, &s, &kern), 1);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("forward");
    const TTest *const forward[] = {tiny_f32_matches_reference, tiny_q8_0_matches_reference,
                                    tiny_other_dtypes_and_bias_match_reference, check_sees_a_wrong_pass,
                                    decode_matches_prefill, op_times_are_recorded, roofline_llama2_7b_decode,
                                    roofline_qwen25_05b_prefill, memory_estimate_grows_with_layers_and_context, NULL};
    tb_test_add_tcase(s, "forward", 120, forward);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
