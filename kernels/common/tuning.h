/* The microarchitecture-dependent constants of the matmul kernels, per tier: the one place they
 * are written. Each kernel file takes its values from here, and tb_tuning_params (tuning.c) reports
 * the same macros into every record (settings.tuning), so the value a record names is the value
 * that ran. A constant that only follows from the ISA (vector width, register count: the GEMM
 * micro-tile, the interleaved block layouts) is not here; it stays beside its kernel.
 *
 * Names: TB_TUNE_<TIER>_<PARAM>. Parameters:
 *   GEMV_STREAMS     float GEMV: weight rows read at once, one from each of that many contiguous
 *                    runs of the thread's rows, so the weights arrive as that many long streams
 *   GEMV_PF_DIST     float GEMV: bytes of software prefetch ahead in each stream (0: none)
 *   SKINNY_MR/_NR    float skinny GEMM: activation rows × weight rows per register block
 *   GEMM_MC/_KC      f32 GEMM cache blocking: rows of A per packed block, depth of a block
 *   Q_PF_DIST        q8_0/q4_0 row kernels: bytes of software prefetch ahead in each weight row
 *   X8_PF_DIST       the 8-row interleaved kernels: bytes ahead in a group's stream
 *   X8_STREAMS       their GEMV: groups read in step
 *   Q_CHUNK          NEON quantized kernels: blocks of K per pass when M > 4
 *   ATTN_ACC         AVX-512 attention decode: accumulators per block, which set the block shapes
 * TB_SKINNY_MAX (kernels.h) and TB_ATTN_DECODE_CHUNK (attention.h) are public constants and are
 * recorded from there.
 *
 * Why each value: the comments below, the README's kernel table and the commits that set them.
 * Every value was chosen on one Zen 3 VM (AVX2) unless its comment says otherwise. */
#ifndef TB_KERNEL_TUNING_H
#define TB_KERNEL_TUNING_H

/* What the record says the values rest on (settings.tuning.basis). A build may override any value
 * (-DTB_TUNE_AVX512_X8_PF_DIST=4096 in c_args, as scripts/tune_sweep.sh does); it then also defines
 * TB_TUNE_OVERRIDDEN, and the record says so, and names the set "build-..." rather than
 * "builtin-...": the values it lists are still the ones that ran. */
#ifdef TB_TUNE_OVERRIDDEN
#define TB_TUNING_BASIS "values overridden at build time (-DTB_TUNE_... in c_args); the rest built-in (tuning.h)"
#define TB_TUNING_SET_PREFIX "build"
#define TB_TUNING_SOURCE "build override"
#else
#define TB_TUNING_BASIS                                                                                    \
    "built-in constants (kernels/common/tuning.h), chosen by alternated bench runs on a 2-vCPU Zen 3 VM " \
    "(AVX2); the AVX-512 tier took the AVX2 values, and its GEMV prefetch was chosen on a 2-vCPU Zen 5 VM"
#define TB_TUNING_SET_PREFIX "builtin"
#define TB_TUNING_SOURCE "built-in"
#endif

/* generic: 16-byte vectors, 16 registers (SSE2 / NEON baseline) */
#ifndef TB_TUNE_GENERIC_GEMV_STREAMS
#define TB_TUNE_GENERIC_GEMV_STREAMS 4
#endif
#ifndef TB_TUNE_GENERIC_GEMV_PF_DIST
#define TB_TUNE_GENERIC_GEMV_PF_DIST 0
#endif
#ifndef TB_TUNE_GENERIC_SKINNY_MR
#define TB_TUNE_GENERIC_SKINNY_MR 4
#endif
#ifndef TB_TUNE_GENERIC_SKINNY_NR
#define TB_TUNE_GENERIC_SKINNY_NR 2
#endif
/* half the rows of the other tiers: the A block is stored 4× pre-broadcast and must still fit L2 */
#ifndef TB_TUNE_GENERIC_GEMM_MC
#define TB_TUNE_GENERIC_GEMM_MC 72
#endif
#ifndef TB_TUNE_GENERIC_GEMM_KC
#define TB_TUNE_GENERIC_GEMM_KC 256
#endif

/* AVX2 + FMA + F16C */
#ifndef TB_TUNE_AVX2_GEMV_STREAMS
#define TB_TUNE_AVX2_GEMV_STREAMS 4
#endif
#ifndef TB_TUNE_AVX2_GEMV_PF_DIST
#define TB_TUNE_AVX2_GEMV_PF_DIST 0
#endif
#ifndef TB_TUNE_AVX2_SKINNY_MR
#define TB_TUNE_AVX2_SKINNY_MR 4
#endif
#ifndef TB_TUNE_AVX2_SKINNY_NR
#define TB_TUNE_AVX2_SKINNY_NR 3
#endif
#ifndef TB_TUNE_AVX2_GEMM_MC
#define TB_TUNE_AVX2_GEMM_MC 144
#endif
/* deeper than the shared 256 (gemm_f32_avx2.c says why) */
#ifndef TB_TUNE_AVX2_GEMM_KC
#define TB_TUNE_AVX2_GEMM_KC 384
#endif
/* half that is too short for q4_0 */
#ifndef TB_TUNE_AVX2_Q_PF_DIST
#define TB_TUNE_AVX2_Q_PF_DIST 3072
#endif
/* 1024-3072 within noise */
#ifndef TB_TUNE_AVX2_X8_PF_DIST
#define TB_TUNE_AVX2_X8_PF_DIST 2048
#endif
/* 2 matched 4 at 2 threads and lost at 1, and 8 lost at both */
#ifndef TB_TUNE_AVX2_X8_STREAMS
#define TB_TUNE_AVX2_X8_STREAMS 4
#endif

/* AVX-512 F/BW/VL; the Q_ and X8_ values are the VNNI quantized kernels' (without VNNI the tier
 * runs the AVX2 quantized kernels, and their values) */
#ifndef TB_TUNE_AVX512_GEMV_STREAMS
#define TB_TUNE_AVX512_GEMV_STREAMS 4
#endif
/* chosen on Zen 5 (README): with twice Zen 3's bandwidth per core the hardware prefetcher alone
 * leaves the widened bf16/f16 streams short */
#ifndef TB_TUNE_AVX512_GEMV_PF_DIST
#define TB_TUNE_AVX512_GEMV_PF_DIST 1024
#endif
#ifndef TB_TUNE_AVX512_SKINNY_MR
#define TB_TUNE_AVX512_SKINNY_MR 4
#endif
#ifndef TB_TUNE_AVX512_SKINNY_NR
#define TB_TUNE_AVX512_SKINNY_NR 4
#endif
#ifndef TB_TUNE_AVX512_GEMM_MC
#define TB_TUNE_AVX512_GEMM_MC 144
#endif
#ifndef TB_TUNE_AVX512_GEMM_KC
#define TB_TUNE_AVX512_GEMM_KC 256
#endif
#ifndef TB_TUNE_AVX512_Q_PF_DIST
#define TB_TUNE_AVX512_Q_PF_DIST 3072
#endif
#ifndef TB_TUNE_AVX512_X8_PF_DIST
#define TB_TUNE_AVX512_X8_PF_DIST 2048
#endif
#ifndef TB_TUNE_AVX512_X8_STREAMS
#define TB_TUNE_AVX512_X8_STREAMS 4
#endif
/* 16, not the 24 that 32 registers hold: on Zen 5 the 24-accumulator blocks took more time per
 * FMA in every head grouping (attention_avx512.c) */
#ifndef TB_TUNE_AVX512_ATTN_ACC
#define TB_TUNE_AVX512_ATTN_ACC 16
#endif

/* NEON (not yet timed on Arm hardware: the x86 choices) */
#ifndef TB_TUNE_NEON_GEMV_STREAMS
#define TB_TUNE_NEON_GEMV_STREAMS 4
#endif
#ifndef TB_TUNE_NEON_GEMV_PF_DIST
#define TB_TUNE_NEON_GEMV_PF_DIST 0
#endif
#ifndef TB_TUNE_NEON_SKINNY_MR
#define TB_TUNE_NEON_SKINNY_MR 4
#endif
#ifndef TB_TUNE_NEON_SKINNY_NR
#define TB_TUNE_NEON_SKINNY_NR 4
#endif
#ifndef TB_TUNE_NEON_GEMM_MC
#define TB_TUNE_NEON_GEMM_MC 144
#endif
#ifndef TB_TUNE_NEON_GEMM_KC
#define TB_TUNE_NEON_GEMM_KC 256
#endif
/* four q8_0 weight rows of 128 blocks are 17 KiB: they stay in L1 while they meet every activation
 * row */
#ifndef TB_TUNE_NEON_Q_CHUNK
#define TB_TUNE_NEON_Q_CHUNK 128
#endif

#endif
