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

/* Four f16 values as floats, exact for every input (subnormals, infinities and NaNs included). */
static inline v4f load_f16x4(const uint16_t *p)
{
    v4u h = widen4(p);
    v4u sign = (h & 0x8000u) << 16;
    v4u mag = (h & 0x7fffu) << 13; /* f16 exponent and mantissa in f32 position, bias 15 */
    v4f f;
    memcpy(&f, &mag, sizeof f);
    f *= 0x1p112f; /* re-bias 15 -> 127; subnormals come out right too */
    v4u bits;
    memcpy(&bits, &f, sizeof bits);
    v4i special = (v4i)((h & 0x7c00u) == 0x7c00u); /* inf / NaN: all-ones lanes */
    bits = (bits & ~(v4u)special) | ((0x7f800000u | mag) & (v4u)special);
    bits |= sign;
    memcpy(&f, &bits, sizeof f);
    return f;
}

#endif
