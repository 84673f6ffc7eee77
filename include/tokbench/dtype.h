/* Weight data types and their storage, GGML-compatible for the quantized ones.
 *
 * Rows: a weight matrix W[N×K] is N rows of K elements, each row stored contiguously:
 *   f32   K floats
 *   bf16  K uint16 (the high half of the f32 bit pattern, round-to-nearest-even on conversion)
 *   f16   K uint16 (IEEE 754 binary16)
 *   q8_0  K/32 blocks of tb_block_q8_0: w = d · q, q in [-127, 127]              (34 B / 32 w)
 *   q4_0  K/32 blocks of tb_block_q4_0: w = d · (q − 8), q in [0, 15]            (18 B / 32 w)
 * q4_0 packs element j of a block in the low nibble of qs[j] and element j + 16 in its high
 * nibble (j < 16): ggml's block_q4_0 layout, so ggml-quantized weights load unchanged.
 * Quantized types need K to be a multiple of 32.
 * Activations multiplied with q8_0 or q4_0 weights are quantized per row to q8_0 first (as ggml
 * does), so the dot products are integer. */
#ifndef TOKBENCH_DTYPE_H
#define TOKBENCH_DTYPE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum tb_dtype { TB_DT_F32 = 0, TB_DT_BF16, TB_DT_F16, TB_DT_Q8_0, TB_DT_Q4_0, TB_DT_COUNT } tb_dtype;

#define TB_QK 32 /* weights per quantization block */

typedef struct tb_block_q8_0 {
    uint16_t d; /* f16 scale */
    int8_t qs[TB_QK];
} tb_block_q8_0;

typedef struct tb_block_q4_0 {
    uint16_t d; /* f16 scale */
    uint8_t qs[TB_QK / 2];
} tb_block_q4_0;

_Static_assert(sizeof(tb_block_q8_0) == 34, "q8_0 block must be 34 bytes as in ggml");
_Static_assert(sizeof(tb_block_q4_0) == 18, "q4_0 block must be 18 bytes as in ggml");

const char *tb_dtype_name(tb_dtype dt);
/* 0 and *out set, or -1 for an unknown name. */
int tb_dtype_from_name(const char *name, tb_dtype *out);
int tb_dtype_is_quantized(tb_dtype dt);
/* Bytes of one row of k elements (k a multiple of 32 for quantized types). */
size_t tb_dtype_row_bytes(tb_dtype dt, int64_t k);

/* Scalar conversions (exact, portable; the SIMD tiers use hardware converts where present). */
static inline float tb_f32_from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t tb_bits_from_f32(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float tb_bf16_to_f32(uint16_t h) { return tb_f32_from_bits((uint32_t)h << 16); }

static inline uint16_t tb_f32_to_bf16(float f)
{
    uint32_t u = tb_bits_from_f32(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN stays NaN */
        return (uint16_t)((u >> 16) | 0x40);
    return (uint16_t)((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

float tb_f16_to_f32(uint16_t h);
uint16_t tb_f32_to_f16(float f);

/* Reference quantizers (round to nearest, ggml's scale choice) and dequantizers of one row. */
void tb_quantize_row_q8_0_ref(const float *x, tb_block_q8_0 *y, int64_t k);
void tb_quantize_row_q4_0_ref(const float *x, tb_block_q4_0 *y, int64_t k);
void tb_dequantize_row(tb_dtype dt, const void *row, float *out, int64_t k);
/* Converts a row of k floats to dt (f32, bf16, f16, q8_0 or q4_0). */
void tb_convert_row(tb_dtype dt, const float *x, void *row, int64_t k);

#endif
