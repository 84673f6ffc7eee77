/* GEMV and skinny GEMM for f32, bf16 and f16 weights, generic tier: 16-byte vector extensions,
 * no ISA flags. Widening bf16 is a shift; f16 is rebuilt from its bits in float arithmetic
 * (exact for normals and subnormals, with infinities and NaNs patched by a mask). */
#include <string.h>

#include "../common/tiers.h"

#include "vec4_generic.h"

static inline v4f load_bf16x4(const uint16_t *p)
{
    v4u x = widen4(p) << 16;
    v4f f;
    memcpy(&f, &x, sizeof f);
    return f;
}

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
