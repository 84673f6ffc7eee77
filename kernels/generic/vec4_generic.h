/* The generic tier's 16-byte GCC/Clang vectors and the loads every generic kernel uses: the
 * native width of baseline x86-64 (SSE2) and of aarch64 (NEON). Loads and stores go through
 * memcpy, so no pointer is ever read at a vector type's alignment. */
#ifndef TB_VEC4_GENERIC_H
#define TB_VEC4_GENERIC_H

#include <stdint.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));
typedef uint32_t v4u __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef uint16_t v4h __attribute__((vector_size(8)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store4(float *p, v4f v) { memcpy(p, &v, sizeof v); }

static inline v4f set4(float x) { return (v4f){x, x, x, x}; }

static inline float hsum4(v4f v) { return (v[0] + v[2]) + (v[1] + v[3]); }

/* Four 16-bit values zero-extended to 32-bit lanes. */
static inline v4u widen4(const uint16_t *p)
{
    v4h h;
    memcpy(&h, p, sizeof h);
    return __builtin_convertvector(h, v4u);
}

/* Four f16 bit patterns (one per 32-bit lane) as floats, exact for every input (subnormals,
 * infinities and NaNs included): the bits rebuilt in float arithmetic, specials patched. Vector
 * casts between same-size vectors reinterpret the bits. */
static inline v4f f16x4_to_f32(v4u h)
{
    v4u mag = (h & 0x7fffu) << 13;                 /* f16 exponent and mantissa in f32 position, bias 15 */
    v4u bits = (v4u)((v4f)mag * 0x1p112f);         /* re-bias 15 -> 127; subnormals come out right too */
    v4u special = (v4u)((h & 0x7c00u) == 0x7c00u); /* inf / NaN: all-ones lanes */
    bits = (bits & ~special) | ((0x7f800000u | mag) & special);
    return (v4f)(bits | (h & 0x8000u) << 16);
}

static inline v4f load_f16x4(const uint16_t *p) { return f16x4_to_f32(widen4(p)); }

#endif
