/* Attention kernels, generic tier: 16-byte vector extensions and no ISA flags (so no FMA: a·b + c
 * rounds twice, which the check bounds allow for). f16 is rebuilt from its bits in float
 * arithmetic on load and rounded by tb_f32_to_f16 on store; prefill micro-tiles are 3 rows × 16
 * keys (12 accumulators of 4 lanes: the 16 xmm registers of the x86-64 baseline). */
#include <string.h>

#include <tokbench/attention.h>

#include "vec4_generic.h"

/* Lane-wise max; b where a is NaN (a > b is false), as the softmax wants. */
static inline v4f max4(v4f a, v4f b)
{
    v4i gt = a > b;
    return (v4f)(((v4i)a & gt) | ((v4i)b & ~gt));
}

static inline v4f min4(v4f a, v4f b)
{
    v4i lt = a < b;
    return (v4f)(((v4i)a & lt) | ((v4i)b & ~lt));
}

/* Round to nearest even by the 1.5·2^23 trick (|x| ≤ 127 here; needs IEEE float arithmetic,
 * which this project never trades for -ffast-math). */
static inline v4f round4(v4f x)
{
    const v4f magic = set4(12582912.0f);
    return (x + magic) - magic;
}

/* 2^x, as exp2_avx2 (x86/attention_avx2.c): 2^round(x) in the exponent times a degree-7 Taylor
 * polynomial of 2^f, f in [−0.5, 0.5]; x < −126, −inf and NaN give 0. */
static inline v4f exp2_4(v4f x)
{
    v4i keep = x >= set4(-126.0f);
    x = min4(max4(x, set4(-127.0f)), set4(127.0f));
    v4f n = round4(x), f = x - n;
    v4f p = set4(1.5252733804059841e-5f);
    p = p * f + set4(1.5403530393381609e-4f);
    p = p * f + set4(1.3333558146428443e-3f);
    p = p * f + set4(9.6181291076284772e-3f);
    p = p * f + set4(5.5504108664821580e-2f);
    p = p * f + set4(2.4022650695910071e-1f);
    p = p * f + set4(6.9314718055994531e-1f);
    p = p * f + set4(1.0f);
    v4i e = (__builtin_convertvector(n, v4i) + 127) << 23;
    return (v4f)((v4i)(p * (v4f)e) & keep);
}

static inline float hmax4(v4f v)
{
    float a = v[0] > v[1] ? v[0] : v[1], b = v[2] > v[3] ? v[2] : v[3];
    return a > b ? a : b;
}

static inline void store_f16x4(uint16_t *p, v4f v)
{
    for (int i = 0; i < 4; i++)
        p[i] = tb_f32_to_f16(v[i]);
}

#define TB_V v4f
#define TB_VL 4
#define TB_VZERO() ((v4f){0, 0, 0, 0})
#define TB_VSET1(x) set4(x)
#define TB_VLOAD(p) load4(p)
#define TB_VSTORE(p, v) store4(p, v)
#define TB_VADD(a, b) ((a) + (b))
#define TB_VSUB(a, b) ((a) - (b))
#define TB_VMUL(a, b) ((a) * (b))
#define TB_VMAX(a, b) max4(a, b)
#define TB_VFMA(acc, x, y) ((acc) + (x) * (y))
#define TB_VHSUM(v) hsum4(v)
#define TB_VHMAX(v) hmax4(v)
#define TB_VEXP2(v) exp2_4(v)
#define TB_PF_MR 3
#define TB_ATTN_TIER generic

#define TB_KV f32
#define TB_KV_T float
#define TB_KV_LOAD(p) load4(p)
#define TB_KV_STORE(p, v) store4(p, v)
#define TB_KV_SCALAR(x) (x)
#define TB_KV_FROM(x) (x)
#include "../common/attention_tmpl.h"

#define TB_KV f16
#define TB_KV_T uint16_t
#define TB_KV_LOAD(p) load_f16x4(p)
#define TB_KV_STORE(p, v) store_f16x4(p, v)
#define TB_KV_SCALAR(x) tb_f16_to_f32(x)
#define TB_KV_FROM(x) tb_f32_to_f16(x)
#include "../common/attention_tmpl.h"
