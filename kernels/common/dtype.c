/* Data type names, sizes, scalar conversions and the reference quantizers. */
#include <tokbench/dtype.h>

#include <math.h>
#include <string.h>

static const char *const names[TB_DT_COUNT] = {"f32", "bf16", "f16", "q8_0", "q4_0"};

const char *tb_dtype_name(tb_dtype dt) { return (unsigned)dt < TB_DT_COUNT ? names[dt] : "?"; }

int tb_dtype_from_name(const char *name, tb_dtype *out)
{
    for (int i = 0; i < TB_DT_COUNT; i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (tb_dtype)i;
            return 0;
        }
    return -1;
}

int tb_dtype_is_quantized(tb_dtype dt) { return dt == TB_DT_Q8_0 || dt == TB_DT_Q4_0; }

size_t tb_dtype_row_bytes(tb_dtype dt, int64_t k)
{
    switch (dt) {
    case TB_DT_F32:
        return (size_t)k * 4;
    case TB_DT_BF16:
    case TB_DT_F16:
        return (size_t)k * 2;
    case TB_DT_Q8_0:
        return (size_t)(k / TB_QK) * sizeof(tb_block_q8_0);
    case TB_DT_Q4_0:
        return (size_t)(k / TB_QK) * sizeof(tb_block_q4_0);
    default:
        return 0;
    }
}

float tb_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, man = h & 0x3ffu;
    if (exp == 0x1f) /* inf or NaN */
        return tb_f32_from_bits(sign | 0x7f800000u | (man << 13));
    if (exp == 0) {
        /* zero or subnormal: man · 2^-24, exact in float */
        float v = (float)man * 5.9604644775390625e-8f;
        return sign ? -v : v;
    }
    return tb_f32_from_bits(sign | ((exp + 112u) << 23) | (man << 13));
}

uint16_t tb_f32_to_f16(float f)
{
    uint32_t u = tb_bits_from_f32(f);
    uint16_t sign = (uint16_t)((u >> 16) & 0x8000u);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u)
        return sign | 0x7e00u; /* NaN */
    if (a >= 0x477ff000u)      /* rounds to >= 65520: overflow to inf */
        return sign | 0x7c00u;
    if (a < 0x38800000u) {
        /* subnormal or zero in f16: round a · 2^24 to an integer, to nearest even */
        float v = tb_f32_from_bits(a) * 16777216.0f;
        return sign | (uint16_t)lrintf(v);
    }
    /* normal: drop 13 mantissa bits with round-to-nearest-even, re-bias 127 -> 15 */
    uint32_t r = a + 0xfffu + ((a >> 13) & 1u);
    return sign | (uint16_t)((r - 0x38000000u) >> 13);
}

void tb_quantize_row_q8_0_ref(const float *x, tb_block_q8_0 *y, int64_t k)
{
    for (int64_t b = 0; b < k / TB_QK; b++) {
        const float *xb = x + b * TB_QK;
        float amax = 0.0f;
        for (int j = 0; j < TB_QK; j++)
            amax = fmaxf(amax, fabsf(xb[j]));
        float d = amax / 127.0f, id = d ? 1.0f / d : 0.0f;
        y[b].d = tb_f32_to_f16(d);
        for (int j = 0; j < TB_QK; j++)
            y[b].qs[j] = (int8_t)roundf(xb[j] * id); /* ggml rounds half away from zero */
    }
}

void tb_quantize_row_q4_0_ref(const float *x, tb_block_q4_0 *y, int64_t k)
{
    for (int64_t b = 0; b < k / TB_QK; b++) {
        const float *xb = x + b * TB_QK;
        /* ggml: the scale maps the element of largest magnitude (with its sign) to -8 */
        float amax = 0.0f, max = 0.0f;
        for (int j = 0; j < TB_QK; j++)
            if (fabsf(xb[j]) > amax) {
                amax = fabsf(xb[j]);
                max = xb[j];
            }
        float d = max / -8.0f, id = d ? 1.0f / d : 0.0f;
        y[b].d = tb_f32_to_f16(d);
        for (int j = 0; j < TB_QK / 2; j++) {
            int q0 = (int)(xb[j] * id + 8.5f), q1 = (int)(xb[j + TB_QK / 2] * id + 8.5f);
            q0 = q0 > 15 ? 15 : q0;
            q1 = q1 > 15 ? 15 : q1;
            y[b].qs[j] = (uint8_t)(q0 | (q1 << 4));
        }
    }
}

void tb_dequantize_row(tb_dtype dt, const void *row, float *out, int64_t k)
{
    switch (dt) {
    case TB_DT_F32:
        memcpy(out, row, (size_t)k * sizeof(float));
        return;
    case TB_DT_BF16:
        for (int64_t i = 0; i < k; i++)
            out[i] = tb_bf16_to_f32(((const uint16_t *)row)[i]);
        return;
    case TB_DT_F16:
        for (int64_t i = 0; i < k; i++)
            out[i] = tb_f16_to_f32(((const uint16_t *)row)[i]);
        return;
    case TB_DT_Q8_0:
        for (int64_t b = 0; b < k / TB_QK; b++) {
            const tb_block_q8_0 *blk = (const tb_block_q8_0 *)row + b;
            float d = tb_f16_to_f32(blk->d);
            for (int j = 0; j < TB_QK; j++)
                out[b * TB_QK + j] = d * (float)blk->qs[j];
        }
        return;
    case TB_DT_Q4_0:
        for (int64_t b = 0; b < k / TB_QK; b++) {
            const tb_block_q4_0 *blk = (const tb_block_q4_0 *)row + b;
            float d = tb_f16_to_f32(blk->d);
            for (int j = 0; j < TB_QK / 2; j++) {
                out[b * TB_QK + j] = d * (float)((blk->qs[j] & 0x0f) - 8);
                out[b * TB_QK + j + TB_QK / 2] = d * (float)((blk->qs[j] >> 4) - 8);
            }
        }
        return;
    default:
        return;
    }
}

void tb_convert_row(tb_dtype dt, const float *x, void *row, int64_t k)
{
    switch (dt) {
    case TB_DT_F32:
        memcpy(row, x, (size_t)k * sizeof(float));
        return;
    case TB_DT_BF16:
        for (int64_t i = 0; i < k; i++)
            ((uint16_t *)row)[i] = tb_f32_to_bf16(x[i]);
        return;
    case TB_DT_F16:
        for (int64_t i = 0; i < k; i++)
            ((uint16_t *)row)[i] = tb_f32_to_f16(x[i]);
        return;
    case TB_DT_Q8_0:
        tb_quantize_row_q8_0_ref(x, row, k);
        return;
    case TB_DT_Q4_0:
        tb_quantize_row_q4_0_ref(x, row, k);
        return;
    default:
        return;
    }
}
