/* The roofline probes: STREAM-style bandwidth kernels (f64) and an FMA-throughput loop (f32), one
 * set per ISA tier, compiled with that tier's flags only (kernels/meson.build). Leaf functions like
 * every kernel: a threaded caller hands each thread its own slice. Naming: tb_<probe>_<tier>. */
#ifndef TB_KERNEL_PROBES_H
#define TB_KERNEL_PROBES_H

#include <stddef.h>
#include <stdint.h>

#include <tokbench/kernels.h>

/* Keeps the compiler from turning a copy loop into a memcpy call (whose large-size path uses
 * non-temporal stores): put before each tier's STREAM copy. */
#if defined(__clang__)
#define TB_NO_MEMCPY_IDIOM __attribute__((no_builtin("memcpy")))
#elif defined(__GNUC__)
#define TB_NO_MEMCPY_IDIOM __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define TB_NO_MEMCPY_IDIOM
#endif

/* dst = src */
#define TB_DECL_STREAM_COPY(name) void name(double *restrict dst, const double *restrict src, size_t n)
/* dst = s * src */
#define TB_DECL_STREAM_SCALE(name) void name(double *restrict dst, const double *restrict src, double s, size_t n)
/* dst = x + y */
#define TB_DECL_STREAM_ADD(name) \
    void name(double *restrict dst, const double *restrict x, const double *restrict y, size_t n)
/* dst = x + s * y */
#define TB_DECL_STREAM_TRIAD(name) \
    void name(double *restrict dst, const double *restrict x, const double *restrict y, double s, size_t n)
/* returns the sum of src[0..n) */
#define TB_DECL_STREAM_READ(name) double name(const double *restrict src, size_t n)
/* acc[i] = acc[i] * mul + add, iters times, for the tier's chains x lanes floats (acc holds the
 * seeds on entry and the results on exit). iters >= 0. */
#define TB_DECL_PEAK_FMA(name) void name(float *acc, int64_t iters, float mul, float add)

typedef TB_DECL_STREAM_COPY((*tb_stream_copy_fn));
typedef TB_DECL_STREAM_SCALE((*tb_stream_scale_fn));
typedef TB_DECL_STREAM_ADD((*tb_stream_add_fn));
typedef TB_DECL_STREAM_TRIAD((*tb_stream_triad_fn));
typedef TB_DECL_STREAM_READ((*tb_stream_read_fn));
typedef TB_DECL_PEAK_FMA((*tb_peak_fma_fn));

TB_DECL_STREAM_COPY(tb_stream_copy_generic);
TB_DECL_STREAM_SCALE(tb_stream_scale_generic);
TB_DECL_STREAM_ADD(tb_stream_add_generic);
TB_DECL_STREAM_TRIAD(tb_stream_triad_generic);
TB_DECL_STREAM_READ(tb_stream_read_generic);
TB_DECL_PEAK_FMA(tb_peak_fma_generic);
/* 16-byte vectors: native on the x86-64 baseline (SSE2) and on NEON. 12 chains cover mul+add
 * latency (about 6 cycles) on two multiply and two add pipes. */
#define TB_PEAK_LANES_GENERIC 4
#define TB_PEAK_CHAINS_GENERIC 12

#if defined(__x86_64__) || defined(__i386__)
TB_DECL_STREAM_COPY(tb_stream_copy_avx2);
TB_DECL_STREAM_SCALE(tb_stream_scale_avx2);
TB_DECL_STREAM_ADD(tb_stream_add_avx2);
TB_DECL_STREAM_TRIAD(tb_stream_triad_avx2);
TB_DECL_STREAM_READ(tb_stream_read_avx2);
TB_DECL_PEAK_FMA(tb_peak_fma_avx2);
/* 12 ymm chains: FMA latency 4-5 cycles x 2 FMA pipes needs at least 10 in flight. */
#define TB_PEAK_LANES_AVX2 8
#define TB_PEAK_CHAINS_AVX2 12
TB_DECL_STREAM_COPY(tb_stream_copy_avx512);
TB_DECL_STREAM_SCALE(tb_stream_scale_avx512);
TB_DECL_STREAM_ADD(tb_stream_add_avx512);
TB_DECL_STREAM_TRIAD(tb_stream_triad_avx512);
TB_DECL_STREAM_READ(tb_stream_read_avx512);
TB_DECL_PEAK_FMA(tb_peak_fma_avx512);
/* 12 zmm chains: two 512-bit FMA pipes x 4-cycle latency needs 8 in flight. */
#define TB_PEAK_LANES_AVX512 16
#define TB_PEAK_CHAINS_AVX512 12
#endif

#if defined(__aarch64__)
TB_DECL_STREAM_COPY(tb_stream_copy_neon);
TB_DECL_STREAM_SCALE(tb_stream_scale_neon);
TB_DECL_STREAM_ADD(tb_stream_add_neon);
TB_DECL_STREAM_TRIAD(tb_stream_triad_neon);
TB_DECL_STREAM_READ(tb_stream_read_neon);
TB_DECL_PEAK_FMA(tb_peak_fma_neon);
/* 16 q-register chains: four 128-bit FMA pipes x 4-cycle latency (Neoverse V1/V2). */
#define TB_PEAK_LANES_NEON 4
#define TB_PEAK_CHAINS_NEON 16
#endif

/* Most floats any tier's peak loop keeps (lanes x chains). */
#define TB_PEAK_MAX_FLOATS 512

typedef struct tb_probe_kernels {
    tb_isa isa;
    tb_stream_copy_fn copy;
    tb_stream_scale_fn scale;
    tb_stream_add_fn add;
    tb_stream_triad_fn triad;
    tb_stream_read_fn read;
    tb_peak_fma_fn peak;
    int peak_lanes, peak_chains;
    const char *suffix; /* "generic", "avx2", "avx512", "neon": the kernels are tb_<probe>_<suffix> */
} tb_probe_kernels;

/* The probe kernels of one tier: 0, or -1 when this binary has none for it. Says nothing about
 * the CPU: ask tb_isa_available() first. */
static inline int tb_probe_kernels_get(tb_isa isa, tb_probe_kernels *k)
{
#define TB_PROBE_TIER(sfx, SFX)                  \
    do {                                         \
        k->copy = tb_stream_copy_##sfx;          \
        k->scale = tb_stream_scale_##sfx;        \
        k->add = tb_stream_add_##sfx;            \
        k->triad = tb_stream_triad_##sfx;        \
        k->read = tb_stream_read_##sfx;          \
        k->peak = tb_peak_fma_##sfx;             \
        k->peak_lanes = TB_PEAK_LANES_##SFX;     \
        k->peak_chains = TB_PEAK_CHAINS_##SFX;   \
        return 0;                                \
    } while (0)
    k->isa = isa;
    k->suffix = tb_isa_name(isa);
    switch (isa) {
    case TB_ISA_GENERIC:
        TB_PROBE_TIER(generic, GENERIC);
#if defined(__x86_64__) || defined(__i386__)
    case TB_ISA_AVX2:
        TB_PROBE_TIER(avx2, AVX2);
    case TB_ISA_AVX512:
        TB_PROBE_TIER(avx512, AVX512);
#endif
#if defined(__aarch64__)
    case TB_ISA_NEON:
        TB_PROBE_TIER(neon, NEON);
#endif
    default:
        return -1;
    }
#undef TB_PROBE_TIER
}

/* The probe kernels of the best tier up to `top` that both this binary and this CPU run (generic
 * at worst): `run --isa` grades its rows against probes of no higher a tier than its kernels'. */
static inline void tb_probe_kernels_at_most(tb_isa top, tb_probe_kernels *k)
{
    tb_isa isa = top;
    while (isa > TB_ISA_GENERIC && (tb_probe_kernels_get(isa, k) != 0 || !tb_isa_available(isa)))
        isa--;
    tb_probe_kernels_get(isa, k);
}

/* The probe kernels of the best tier that both this binary and this CPU run (generic at worst). */
static inline void tb_probe_kernels_best(tb_probe_kernels *k) { tb_probe_kernels_at_most(tb_isa_detect(), k); }

#endif
