/* The portable kernel library: one signature per op, one dispatch table, filled with the generic
 * C tier first and upgraded tier by tier at run time (AVX2+FMA+F16C, AVX-512, NEON) from what the
 * CPU reports. Kernels are leaf functions: no threads, no allocation, no CPU checks of their own;
 * a threaded caller hands each one a slice [n0, n1) of output features (weight rows).
 *
 * Layout everywhere: C[M×N] = A[M×K] · W[N×K]ᵀ, all row-major (see gemm.h and dtype.h). */
#ifndef TOKBENCH_KERNELS_H
#define TOKBENCH_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include <tokbench/dtype.h>

typedef enum tb_isa { TB_ISA_GENERIC = 0, TB_ISA_AVX2, TB_ISA_AVX512, TB_ISA_NEON, TB_ISA_COUNT } tb_isa;

const char *tb_isa_name(tb_isa isa);
int tb_isa_from_name(const char *name, tb_isa *out); /* 0, or -1 for an unknown name */

/* The best tier this CPU and OS support (x86: CPUID and XGETBV via __builtin_cpu_supports). */
tb_isa tb_isa_detect(void);
/* 1 when this binary contains the tier and this CPU can run it. */
int tb_isa_available(tb_isa isa);

/* Rows [n0, n1) of C for M rows of activations:
 *   float weights (f32, bf16, f16): a is M×K f32;
 *   quantized weights (q8_0, q4_0): a is M rows of K/32 tb_block_q8_0 (see quantize_q8_0);
 *   w in the table's wlayout[dt] (below).
 * c has row stride N. M = 1 is the GEMV; M up to TB_SKINNY_MAX is "skinny": every weight row is
 * read from memory once for all M rows. */
typedef void (*tb_matmul_rows_fn)(const void *w, const void *a, float *c, int64_t m, int64_t n, int64_t k, int64_t n0,
                                  int64_t n1);

/* Quantizes one activation row of k floats (k a multiple of 32) to q8_0 blocks. */
typedef void (*tb_quantize_row_fn)(const float *x, void *y, int64_t k);

/* The int8 multiply-add ceiling of the instruction the quantized kernels are built on (the
 * roofline of q8_0/q4_0 products, whose integer dots can outrun the f32 FMA peak): runs
 * independent chains of it for iters steps on state (TB_KERNEL_PEAK_INT8_STATE int32, in and out);
 * returns the multiply-adds done. */
typedef int64_t (*tb_peak_int8_fn)(int32_t *state, int64_t iters);
#define TB_KERNEL_PEAK_INT8_STATE 256

/* The check of those probes: the probe named `name` (the table's peak_int8_info.name) replayed
 * in scalar C on state, with the instruction's exact arithmetic (wrapping or saturating); returns
 * the multiply-adds it should report, or -1 for a name this build does not know
 * (kernels/ref/peak_int8_ref.c). */
int64_t tb_peak_int8_ref(const char *name, int32_t *state, int64_t iters);

/* f32 GEMM on pre-packed weights (packed once, outside timing, as an inference engine does at
 * load): computes C[m0:m1, n0:n1] with n0 a multiple of the tier's nr. scratch holds the packed
 * A block of one thread (gemm_f32_scratch_floats floats, 64-byte aligned). */
typedef void (*tb_gemm_f32_packed_fn)(const float *a, const float *w_packed, float *c, int64_t m, int64_t n,
                                      int64_t k, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float *scratch);
/* The same GEMM on plain rows of half-precision weights (f16 or bf16, as the GEMV takes them),
 * converted per call into the tier's panels in scratch (kernels/common/gemm_f32_tmpl.h). */
typedef void (*tb_gemm_half_fn)(const float *a, const void *w, float *c, int64_t m, int64_t n, int64_t k, int64_t m0,
                                int64_t m1, int64_t n0, int64_t n1, float *scratch);
/* Packs W[N×K] into the tier's panels (see kernels/common/gemm_f32_tmpl.h for the layout). */
typedef void (*tb_pack_f32_fn)(const float *w, float *w_packed, int64_t n, int64_t k, int64_t n0, int64_t n1);

#define TB_SKINNY_MAX 32

/* How a tier wants a dtype's weight matrix laid out. Plain rows (dtype.h) everywhere, except:
 *   TB_WL_Q4_0X8  q4_0 in groups of 8 rows: group g (rows 8g..8g+7) takes the bytes those 8 plain
 *                 rows would, as K/32 blocks of 144 bytes, block b being
 *                   uint16_t d[8]     row r's scale of block b, r = 0..7
 *                   uint8_t  qs[128]  bytes 32i + 4r .. 32i + 4r + 3 = row r's qs[4i .. 4i + 3]
 *                 (i = 0..3), so one 32-byte vector holds four weights of each of the 8 rows (low
 *                 nibbles: elements 4i..4i+3, high nibbles: 16+4i..16+4i+3) and its lanes are rows.
 *                 Rows past the last whole group stay plain rows at their usual offsets, so the
 *                 matrix has exactly the plain layout's size.
 *   TB_WL_Q8_0X8  q8_0 grouped the same way, blocks of 272 bytes:
 *                   uint16_t d[8]     row r's scale of block b
 *                   int8_t   qs[256]  bytes 32i + 4r .. 32i + 4r + 3 = row r's qs[4i .. 4i + 3]
 *                 (i = 0..7): vector i holds elements 4i..4i+3 of each of the 8 rows.
 * Converting is done once, outside timing, as an inference engine repacks at load. */
typedef enum tb_wlayout { TB_WL_ROWS = 0, TB_WL_Q4_0X8, TB_WL_Q8_0X8 } tb_wlayout;

#define TB_Q4_0X8_BLOCK_BYTES 144
#define TB_Q8_0X8_BLOCK_BYTES 272

const char *tb_wlayout_name(tb_wlayout l); /* "rows", "q4_0x8", "q8_0x8" */
/* Rows [r0, r1) of an N×K matrix of dt in layout l, written into dst (the whole matrix) from
 * src, which holds those r1 − r0 rows as plain rows (src points at row r0). r0 is a multiple of 8,
 * and so is r1 unless it is n; src and dst do not overlap. */
void tb_wlayout_pack(tb_wlayout l, tb_dtype dt, const void *src, void *dst, int64_t n, int64_t k, int64_t r0,
                     int64_t r1);
/* Row r of w (the whole matrix, layout l) as a plain row of dt, or dequantized to k floats. */
void tb_wlayout_row(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r, void *row);
void tb_wlayout_dequant_row(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r, float *out);

typedef struct tb_kernel_info {
    const char *name; /* e.g. "tb_matmul_q8_0_avx2" */
    tb_isa isa;
} tb_kernel_info;

typedef struct tb_kernels {
    tb_isa isa; /* the tier the table was built for (the highest one asked for and available) */
    tb_wlayout wlayout[TB_DT_COUNT]; /* the weight layout gemv[dt] and skinny[dt] take */

    tb_matmul_rows_fn gemv[TB_DT_COUNT];   /* M = 1 */
    tb_matmul_rows_fn skinny[TB_DT_COUNT]; /* 1 <= M <= TB_SKINNY_MAX (also correct for M = 1) */
    tb_quantize_row_fn quantize_q8_0;
    tb_peak_int8_fn peak_int8;

    tb_gemm_f32_packed_fn gemm_f32;
    tb_pack_f32_fn pack_f32;
    tb_gemm_half_fn gemm_half[TB_DT_COUNT]; /* f16 and bf16; NULL for the others */
    int gemm_nr;                /* output features per packed panel */
    int gemm_mr;                /* rows of A per micro-tile: thread splits of M fall on multiples */
    size_t gemm_scratch_floats; /* per thread, for gemm_f32 and gemm_half */

    tb_kernel_info gemv_info[TB_DT_COUNT], skinny_info[TB_DT_COUNT], quantize_info, gemm_info, peak_int8_info;
    tb_kernel_info gemm_half_info[TB_DT_COUNT];

    /* The format ceilings of q8_0 and q4_0 (NULL for the float types): the tier's minimal product
     * sequence for that weight format (unpacking, sign handling, dot instruction, widening, the
     * per-block scale multiply-add) on register-resident blocks, the compute ceiling a kernel
     * for that format can reach on this ISA; at most peak_int8's rate. Same interface and check
     * as peak_int8 (its state words hold f32 accumulators; tb_peak_int8_ref replays them too). */
    tb_peak_int8_fn peak_format[TB_DT_COUNT];
    tb_kernel_info peak_format_info[TB_DT_COUNT];
} tb_kernels;

/* Fills k with the best kernels of the tiers up to `max` (TB_ISA_COUNT: no limit) that this
 * binary has and this CPU runs. Returns the tier reached. */
tb_isa tb_kernels_init(tb_kernels *k, tb_isa max);

/* Bytes of W[N×K] packed for this table's gemm_f32 (panels zero-padded to gemm_nr). */
size_t tb_packed_f32_bytes(const tb_kernels *k, int64_t n, int64_t kdim);

#endif
