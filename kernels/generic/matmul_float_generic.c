/* GEMV and skinny GEMM for f32, bf16 and f16 weights, generic tier: 16-byte vector extensions,
 * no ISA flags. Widening bf16 is a shift; f16 is rebuilt from its bits in float arithmetic
 * (exact for normals and subnormals, with infinities and NaNs patched by a mask). */
#include <string.h>

#include "../common/tiers.h"

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

static inline v4u widen4(const uint16_t *p)
{
    v4h h;
    memcpy(&h, p, sizeof h);
    return __builtin_convertvector(h, v4u);
}

static inline v4f load_bf16x4(const uint16_t *p)
{
    v4u x = widen4(p) << 16;
    v4f f;
    memcpy(&f, &x, sizeof f);
    return f;
}

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

static inline float hsum4(v4f v) { return (v[0] + v[2]) + (v[1] + v[3]); }

#define TB_V v4f
#define TB_VL 4
#define TB_VZERO() ((v4f){0, 0, 0, 0})
#define TB_VLOAD(p) load4(p)
#define TB_VFMA(acc, x, y) ((acc) + (x) * (y))
#define TB_VHSUM(v) hsum4(v)
#define TB_SK_MR TB_TUNE_GENERIC_SKINNY_MR
#define TB_SK_NR TB_TUNE_GENERIC_SKINNY_NR
#define TB_GEMV_NR TB_TUNE_GENERIC_GEMV_STREAMS
#define TB_GEMV_PF TB_TUNE_GENERIC_GEMV_PF_DIST

#define TB_MATMUL_NAME tb_matmul_f32_generic
#define TB_WT float
#define TB_VLOADW(p) load4(p)
#define TB_WSCALAR(x) (x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_bf16_generic
#define TB_WT uint16_t
#define TB_VLOADW(p) load_bf16x4(p)
#define TB_WSCALAR(x) tb_bf16_to_f32(x)
#include "../common/matmul_float_tmpl.h"

#define TB_MATMUL_NAME tb_matmul_f16_generic
#define TB_WT uint16_t
#define TB_VLOADW(p) load_f16x4(p)
#define TB_WSCALAR(x) tb_f16_to_f32(x)
#include "../common/matmul_float_tmpl.h"
