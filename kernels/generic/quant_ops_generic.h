/* The generic tier's integer-dot building blocks (16-byte GCC/Clang vectors), shared by its
 * quantized kernels (matmul_quant_generic.c) and its format-ceiling probes (peak_format_generic.c)
 * so that a probe runs the very sequence the kernels do. */
#ifndef TB_QUANT_OPS_GENERIC_H
#define TB_QUANT_OPS_GENERIC_H

#include <string.h>

#include "../common/tiers.h"

#include "vec4_generic.h"

typedef int16_t v8i16 __attribute__((vector_size(16)));
typedef uint16_t v8u16 __attribute__((vector_size(16)));

static inline v8i16 load_i16x8(const void *p)
{
    v8i16 v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* f16 scale to float: exact for normals, subnormals and zero; infinities and NaNs (never
 * produced by a quantizer) take the slow exact path. */
static inline float f16_to_f32(uint16_t h)
{
    if ((h & 0x7c00u) == 0x7c00u)
        return tb_f16_to_f32(h);
    uint32_t mag = (uint32_t)(h & 0x7fffu) << 13;
    float f = tb_f32_from_bits(mag) * 0x1p112f;
    return (h & 0x8000u) ? -f : f;
}

/* int16 pairs of each 32-bit lane summed to int32 */
static inline v4i fold_pairs(v8i16 s)
{
    v4i x = (v4i)s;
    return ((v4i)((v4u)x << 16) >> 16) + (x >> 16);
}

/* 32 signed bytes split into int16 vectors: e[h] = even bytes, o[h] = odd bytes of half h. */
typedef struct {
    v8i16 e[2], o[2];
} q16;

static inline q16 widen_q8_v(v8i16 x0, v8i16 x1)
{
    q16 r;
    r.e[0] = (v8i16)((v8u16)x0 << 8) >> 8;
    r.o[0] = x0 >> 8;
    r.e[1] = (v8i16)((v8u16)x1 << 8) >> 8;
    r.o[1] = x1 >> 8;
    return r;
}

static inline q16 widen_q8(const int8_t *qs) { return widen_q8_v(load_i16x8(qs), load_i16x8(qs + 16)); }

static inline v4i dot_q8(const q16 *w, const q16 *a)
{
    v8i16 s0 = w->e[0] * a->e[0] + w->o[0] * a->o[0];
    v8i16 s1 = w->e[1] * a->e[1] + w->o[1] * a->o[1];
    return fold_pairs(s0) + fold_pairs(s1);
}

#if defined(__clang__)
#define SHUF4(a, b, i, j, k, l) __builtin_shufflevector(a, b, i, j, k, l)
#else
#define SHUF4(a, b, i, j, k, l) __builtin_shuffle(a, b, (v4i){i, j, k, l})
#endif

static inline v4i fold4(v4i d0, v4i d1, v4i d2, v4i d3)
{
    v4i u01 = SHUF4(d0, d1, 0, 4, 1, 5) + SHUF4(d0, d1, 2, 6, 3, 7);
    v4i u23 = SHUF4(d2, d3, 0, 4, 1, 5) + SHUF4(d2, d3, 2, 6, 3, 7);
    return SHUF4(u01, u23, 0, 1, 4, 5) + SHUF4(u01, u23, 2, 3, 6, 7);
}

/* q4_0 nibbles as they are (0..15): the −8 is applied once per activation block as 8·Σa */
static inline q16 widen_q4u_v(v8u16 x)
{
    const v8u16 lo = {15, 15, 15, 15, 15, 15, 15, 15};
    q16 r;
    r.e[0] = (v8i16)(x & lo);
    r.o[0] = (v8i16)((x >> 8) & lo);
    r.e[1] = (v8i16)((x >> 4) & lo);
    r.o[1] = (v8i16)(x >> 12);
    return r;
}

static inline q16 widen_q4u(const uint8_t *qs)
{
    v8u16 x;
    memcpy(&x, qs, sizeof x);
    return widen_q4u_v(x);
}

/* |q·a| ≤ 15·127, four of them per int16 lane */
static inline v4i dot_q4u(const q16 *w, const q16 *a)
{
    return fold_pairs(w->e[0] * a->e[0] + w->o[0] * a->o[0] + w->e[1] * a->e[1] + w->o[1] * a->o[1]);
}

static inline int32_t sum_q8(const q16 *a)
{
    v4i s = fold_pairs(a->e[0] + a->o[0] + a->e[1] + a->o[1]);
    return s[0] + s[1] + s[2] + s[3];
}

#endif
