/* The attention table: filled with the generic tier, then upgraded tier by tier (as the matmul
 * table in dispatch.c), each step only if this binary has the tier and the CPU runs it. */
#include <tokbench/attention.h>

#include <math.h>
#include <string.h>

#include "tiers.h"

/* Every tier's kernels, declared with the same macros their definitions use (attention_tmpl.h),
 * so a signature cannot drift between the two. */
#define TB_ATTN_DECLARE_TIER(tier)                              \
    TB_DECL_ATTN_PREFILL(tb_attn_prefill_##tier);               \
    TB_DECL_ATTN_PREFILL_PACK(tb_attn_prefill_pack_f32_##tier); \
    TB_DECL_ATTN_PREFILL_PACK(tb_attn_prefill_pack_f16_##tier); \
    TB_DECL_ATTN_DECODE(tb_attn_decode_f32_##tier);             \
    TB_DECL_ATTN_DECODE(tb_attn_decode_f16_##tier);             \
    TB_DECL_ATTN_KV_APPEND(tb_attn_kv_append_f32_##tier);       \
    TB_DECL_ATTN_KV_APPEND(tb_attn_kv_append_f16_##tier);       \
    TB_DECL_ATTN_MERGE(tb_attn_merge_##tier);                   \
    TB_DECL_ATTN_ROPE(tb_attn_rope_##tier);                     \
    TB_DECL_ATTN_EXP2(tb_attn_exp2_##tier);                     \
    TB_DECL_ATTN_SILU_MUL(tb_attn_silu_mul_##tier)

TB_ATTN_DECLARE_TIER(generic);
#if defined(__x86_64__) || defined(__i386__)
TB_ATTN_DECLARE_TIER(avx2);
TB_ATTN_DECLARE_TIER(avx512);
#endif
#if defined(__aarch64__)
TB_ATTN_DECLARE_TIER(neon);
#endif

#define SET(slot, info, fn, tier) TB_SET_SLOT(k, slot, info, fn, tier)

#define FILL_TIER(tier, isa_id)                                                                                 \
    do {                                                                                                        \
        SET(prefill, prefill_info, tb_attn_prefill_##tier, isa_id);                                             \
        SET(prefill_pack[TB_DT_F32], prefill_pack_info[TB_DT_F32], tb_attn_prefill_pack_f32_##tier, isa_id);    \
        SET(prefill_pack[TB_DT_F16], prefill_pack_info[TB_DT_F16], tb_attn_prefill_pack_f16_##tier, isa_id);    \
        SET(decode[TB_DT_F32], decode_info[TB_DT_F32], tb_attn_decode_f32_##tier, isa_id);                      \
        SET(decode[TB_DT_F16], decode_info[TB_DT_F16], tb_attn_decode_f16_##tier, isa_id);                      \
        SET(kv_append[TB_DT_F32], kv_append_info[TB_DT_F32], tb_attn_kv_append_f32_##tier, isa_id);             \
        SET(kv_append[TB_DT_F16], kv_append_info[TB_DT_F16], tb_attn_kv_append_f16_##tier, isa_id);             \
        SET(merge, merge_info, tb_attn_merge_##tier, isa_id);                                                   \
        SET(rope, rope_info, tb_attn_rope_##tier, isa_id);                                                      \
        SET(exp2, exp2_info, tb_attn_exp2_##tier, isa_id);                                                      \
        SET(silu_mul, silu_mul_info, tb_attn_silu_mul_##tier, isa_id);                                          \
    } while (0)

tb_isa tb_attention_kernels_init(tb_attention_kernels *k, tb_isa max)
{
    memset(k, 0, sizeof *k);
    FILL_TIER(generic, TB_ISA_GENERIC);
    k->isa = TB_ISA_GENERIC;
    (void)max; /* no upgrade is built for some architectures */
    /* Upgrades in ascending order. */
#if defined(__x86_64__) || defined(__i386__)
    if (max >= TB_ISA_AVX2 && tb_isa_available(TB_ISA_AVX2)) {
        FILL_TIER(avx2, TB_ISA_AVX2);
        k->isa = TB_ISA_AVX2;
    }
    if (max >= TB_ISA_AVX512 && tb_isa_available(TB_ISA_AVX512)) {
        FILL_TIER(avx512, TB_ISA_AVX512);
        k->isa = TB_ISA_AVX512;
    }
#endif
#if defined(__aarch64__)
    if (max >= TB_ISA_NEON && tb_isa_available(TB_ISA_NEON)) {
        FILL_TIER(neon, TB_ISA_NEON);
        k->isa = TB_ISA_NEON;
    }
#endif
    return k->isa;
}

int tb_attn_kv_dtype_ok(tb_dtype dt) { return dt == TB_DT_F32 || dt == TB_DT_F16; }

int tb_attn_head_dim_ok(int64_t d)
{
    return d >= TB_ATTN_HEAD_DIM_ALIGN && d <= TB_ATTN_MAX_HEAD_DIM && d % TB_ATTN_HEAD_DIM_ALIGN == 0;
}

void tb_attn_rope_table(float *cos_out, float *sin_out, int64_t d, int64_t pos, double theta)
{
    for (int64_t i = 0; i < d / 2; i++) {
        /* in double: at position 10^5 a float angle would already be off by ~1e-2 rad */
        double a = (double)pos * pow(theta, -2.0 * (double)i / (double)d);
        cos_out[i] = (float)cos(a);
        sin_out[i] = (float)sin(a);
    }
}
