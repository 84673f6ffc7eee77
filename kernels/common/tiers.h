/* Every tier's kernels, declared once. A tier's functions live in files compiled with that
 * tier's flags only (kernels/meson.build); nothing here may be called unless tb_isa_available()
 * said the CPU runs the tier. Naming: tb_<op>_<dtype>_<tier>. */
#ifndef TB_KERNEL_TIERS_H
#define TB_KERNEL_TIERS_H

#include <tokbench/kernels.h>

#include "tuning.h"

/* f32 GEMM micro-tile height (6 rows, 12 on AVX-512). The cache blocking is per tier (tuning.h):
 * an MC×KC block of packed A (144 KiB at 144 × 256) stays in a 512 KiB L2; a KC×NR weight
 * micro-panel (16 KiB at NR = 16) stays in L1 while it meets every MR-row strip of the A block. */
#define TB_GEMM_MR 6
/* the largest A block of any tier (the generic one: MC × KC × 4 pre-broadcast copies); each
 * tier's GEMM checks its block fits (gemm_f32_tmpl.h) */
#define TB_GEMM_SCRATCH_FLOATS (TB_TUNE_GENERIC_GEMM_MC * TB_TUNE_GENERIC_GEMM_KC * 4 + 64)
/* The half-precision GEMM's converted KC×NC weight slice, after the A block in the same scratch:
 * NC columns wide (a multiple of every tier's NR), so an A block is packed once per 1024 columns
 * against 2 x 1024 multiply-adds per element; KC at most the deepest tier's. */
#define TB_GEMM_HALF_NC 1024
#define TB_GEMM_HALF_MAX_KC 384
#define TB_GEMM_HALF_SCRATCH_FLOATS (TB_GEMM_HALF_MAX_KC * TB_GEMM_HALF_NC)

/* Fills a dispatch slot of table k and its info with fn's own name and tier: the name a record
 * shows is the symbol that ran. */
#define TB_SET_SLOT(k, slot, info, fn, tier) \
    do {                                     \
        (k)->slot = fn;                      \
        (k)->info.name = #fn;                \
        (k)->info.isa = tier;                \
    } while (0)

#define TB_DECL_MATMUL(name) \
    void name(const void *w, const void *a, float *c, int64_t m, int64_t n, int64_t k, int64_t n0, int64_t n1)
#define TB_DECL_QUANTIZE(name) void name(const float *x, void *y, int64_t k)
/* The int8 multiply-add ceiling of the instruction a tier's quantized kernels are built on:
 * independent chains of it for iters steps, state (TB_KERNEL_PEAK_INT8_STATE int32) in and out
 * so nothing is folded away. Returns the multiply-adds done (tb_peak_int8_fn in kernels.h). */
#define TB_DECL_PEAK_INT8(name) int64_t name(int32_t *state, int64_t iters)
#define TB_DECL_GEMM_F32(name)                                                                                  \
    void name(const float *a, const float *w_packed, float *c, int64_t m, int64_t n, int64_t k, int64_t m0, \
              int64_t m1, int64_t n0, int64_t n1, float *scratch)
#define TB_DECL_PACK_F32(name) void name(const float *w, float *w_packed, int64_t n, int64_t k, int64_t n0, int64_t n1)
#define TB_DECL_GEMM_HALF(name)                                                                          \
    void name(const float *a, const void *w, float *c, int64_t m, int64_t n, int64_t k, int64_t m0, int64_t m1, \
              int64_t n0, int64_t n1, float *scratch)

/* generic C with vector extensions: every build, every CPU */
TB_DECL_MATMUL(tb_matmul_f32_generic);
TB_DECL_MATMUL(tb_matmul_bf16_generic);
TB_DECL_MATMUL(tb_matmul_f16_generic);
TB_DECL_MATMUL(tb_matmul_q8_0_generic);
TB_DECL_MATMUL(tb_matmul_q4_0_generic);
TB_DECL_QUANTIZE(tb_quantize_row_q8_0_generic);
TB_DECL_PEAK_INT8(tb_peak_int8_generic);
TB_DECL_PEAK_INT8(tb_peak_q8_0_generic); /* format ceilings (peak_format.h) */
TB_DECL_PEAK_INT8(tb_peak_q4_0_generic);
TB_DECL_GEMM_F32(tb_gemm_f32_generic);
TB_DECL_PACK_F32(tb_pack_f32_generic);
TB_DECL_GEMM_HALF(tb_gemm_f16_generic);
TB_DECL_GEMM_HALF(tb_gemm_bf16_generic);
#define TB_GEMM_NR_GENERIC 8

#if defined(__x86_64__) || defined(__i386__)
/* AVX2 + FMA + F16C */
TB_DECL_MATMUL(tb_matmul_f32_avx2);
TB_DECL_MATMUL(tb_matmul_bf16_avx2);
TB_DECL_MATMUL(tb_matmul_f16_avx2);
TB_DECL_MATMUL(tb_matmul_q8_0_avx2);
TB_DECL_MATMUL(tb_matmul_q4_0_avx2);
TB_DECL_MATMUL(tb_matmul_q4_0x8_avx2); /* weights in TB_WL_Q4_0X8 */
TB_DECL_MATMUL(tb_matmul_q8_0x8_avx2); /* weights in TB_WL_Q8_0X8 */
TB_DECL_QUANTIZE(tb_quantize_row_q8_0_avx2);
TB_DECL_PEAK_INT8(tb_peak_int8_avx2);
TB_DECL_PEAK_INT8(tb_peak_q8_0_avx2);
TB_DECL_PEAK_INT8(tb_peak_q4_0_avx2);
TB_DECL_GEMM_F32(tb_gemm_f32_avx2);
TB_DECL_PACK_F32(tb_pack_f32_avx2);
TB_DECL_GEMM_HALF(tb_gemm_f16_avx2);
TB_DECL_GEMM_HALF(tb_gemm_bf16_avx2);
#define TB_GEMM_NR_AVX2 16

/* AVX-512 F/BW/VL (Skylake-SP and later): float matmul kernels and the f32 GEMM. */
TB_DECL_MATMUL(tb_matmul_f32_avx512);
TB_DECL_MATMUL(tb_matmul_bf16_avx512);
TB_DECL_MATMUL(tb_matmul_f16_avx512);
TB_DECL_GEMM_F32(tb_gemm_f32_avx512);
TB_DECL_PACK_F32(tb_pack_f32_avx512);
TB_DECL_GEMM_HALF(tb_gemm_f16_avx512);
TB_DECL_GEMM_HALF(tb_gemm_bf16_avx512);
#define TB_GEMM_NR_AVX512 32
#define TB_GEMM_MR_AVX512 12
/* ...plus VNNI (Cascade Lake and later): the quantized kernels with vpdpbusd, chosen only when
 * tb_x86_has_avx512_vnni(); without it the AVX-512 table keeps the AVX2 quantized kernels. */
TB_DECL_MATMUL(tb_matmul_q8_0_avx512vnni);
TB_DECL_MATMUL(tb_matmul_q4_0_avx512vnni);
TB_DECL_MATMUL(tb_matmul_q4_0x8_avx512vnni);
TB_DECL_MATMUL(tb_matmul_q8_0x8_avx512vnni);
TB_DECL_QUANTIZE(tb_quantize_row_q8_0_avx512vnni);
TB_DECL_PEAK_INT8(tb_peak_int8_avx512vnni);
TB_DECL_PEAK_INT8(tb_peak_q8_0_avx512vnni);
TB_DECL_PEAK_INT8(tb_peak_q4_0_avx512vnni);
int tb_x86_has_avx512_vnni(void);
#endif

#if defined(__aarch64__)
/* NEON (Advanced SIMD, in every AArch64 core): plain Armv8.0 code, except the _dotprod
 * quantized kernels, built with +dotprod and chosen when HWCAP_ASIMDDP says the core has SDOT. */
TB_DECL_MATMUL(tb_matmul_f32_neon);
TB_DECL_MATMUL(tb_matmul_bf16_neon);
TB_DECL_MATMUL(tb_matmul_f16_neon);
TB_DECL_MATMUL(tb_matmul_q8_0_neon);
TB_DECL_MATMUL(tb_matmul_q4_0_neon);
TB_DECL_MATMUL(tb_matmul_q8_0_neon_dotprod);
TB_DECL_MATMUL(tb_matmul_q4_0_neon_dotprod);
TB_DECL_QUANTIZE(tb_quantize_row_q8_0_neon);
TB_DECL_PEAK_INT8(tb_peak_int8_neon);
TB_DECL_PEAK_INT8(tb_peak_int8_neon_dotprod);
TB_DECL_GEMM_F32(tb_gemm_f32_neon);
TB_DECL_PACK_F32(tb_pack_f32_neon);
TB_DECL_GEMM_HALF(tb_gemm_f16_neon);
TB_DECL_GEMM_HALF(tb_gemm_bf16_neon);
#define TB_GEMM_NR_NEON 16
#endif

#endif
