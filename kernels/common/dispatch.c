/* The dispatch table: filled with the generic tier, then upgraded tier by tier, each step only
 * if this binary has the tier and the CPU (and OS) can run it. */
#include <tokbench/kernels.h>

#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "tiers.h"

#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20) /* Linux 4.15 */
#endif
#endif

static const char *const isa_names[TB_ISA_COUNT] = {"generic", "avx2", "avx512", "neon"};

const char *tb_isa_name(tb_isa isa) { return (unsigned)isa < TB_ISA_COUNT ? isa_names[isa] : "?"; }

int tb_isa_from_name(const char *name, tb_isa *out)
{
    for (int i = 0; i < TB_ISA_COUNT; i++)
        if (strcmp(name, isa_names[i]) == 0) {
            *out = (tb_isa)i;
            return 0;
        }
    return -1;
}

#if defined(__x86_64__) || defined(__i386__)
/* CPUID.1:ECX bit 29. Not through __builtin_cpu_supports: clang 14 does not know "f16c". F16C
 * uses the ymm state that the AVX2 check already requires the OS to save. */
static int has_f16c(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29));
}
#endif

int tb_isa_available(tb_isa isa)
{
    switch (isa) {
    case TB_ISA_GENERIC:
        return 1;
#if defined(__x86_64__) || defined(__i386__)
    case TB_ISA_AVX2:
        /* __builtin_cpu_supports checks XGETBV too: the OS must save the ymm state. */
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && has_f16c();
    case TB_ISA_AVX512:
        /* the tier builds on the AVX2 table; __builtin_cpu_supports checks that the OS saves the
         * opmask and zmm state (XCR0) too */
        return tb_isa_available(TB_ISA_AVX2) && __builtin_cpu_supports("avx512f") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#endif
#if defined(__aarch64__)
    case TB_ISA_NEON:
        return 1; /* Advanced SIMD is mandatory in AArch64 (and Linux requires it) */
#endif
    default:
        return 0; /* not built into this binary yet */
    }
}

tb_isa tb_isa_detect(void)
{
    tb_isa best = TB_ISA_GENERIC;
    for (int i = 0; i < TB_ISA_COUNT; i++)
        if (tb_isa_available((tb_isa)i))
            best = (tb_isa)i;
    return best;
}

#define SET(slot, info, fn, tier) TB_SET_SLOT(k, slot, info, fn, tier)

/* One kernel for both the GEMV and the skinny slot of a dtype (each handles any M). */
#define SET_ROWS(dt, fn, tier)                                     \
    do {                                                           \
        SET(gemv[dt], gemv_info[dt], fn, tier);                    \
        SET(skinny[dt], skinny_info[dt], fn, tier);                \
    } while (0)
/* The f32, bf16 and f16 kernels of tier sfx; below, the q8_0 and q4_0 ones of a name suffix. */
#define SET_FLOAT(sfx, tier)                                       \
    do {                                                           \
        SET_ROWS(TB_DT_F32, tb_matmul_f32_##sfx, tier);            \
        SET_ROWS(TB_DT_BF16, tb_matmul_bf16_##sfx, tier);          \
        SET_ROWS(TB_DT_F16, tb_matmul_f16_##sfx, tier);            \
    } while (0)
/* The format ceilings go with the quantized kernels they bound: set wherever SET_QUANT* is. */
#define SET_FORMAT_CEILINGS(sfx, tier)                                                  \
    do {                                                                                \
        SET(peak_format[TB_DT_Q8_0], peak_format_info[TB_DT_Q8_0], tb_peak_q8_0_##sfx, tier); \
        SET(peak_format[TB_DT_Q4_0], peak_format_info[TB_DT_Q4_0], tb_peak_q4_0_##sfx, tier); \
    } while (0)
/* q8fn and q4fn take their weights in layouts q8l and q4l. */
#define SET_QUANT_WITH(sfx, q8fn, q8l, q4fn, q4l, tier)            \
    do {                                                           \
        SET_ROWS(TB_DT_Q8_0, q8fn, tier);                          \
        k->wlayout[TB_DT_Q8_0] = q8l;                              \
        SET_ROWS(TB_DT_Q4_0, q4fn, tier);                          \
        k->wlayout[TB_DT_Q4_0] = q4l;                              \
        SET(peak_int8, peak_int8_info, tb_peak_int8_##sfx, tier);  \
    } while (0)
#define SET_QUANT(sfx, tier) \
    SET_QUANT_WITH(sfx, tb_matmul_q8_0_##sfx, TB_WL_ROWS, tb_matmul_q4_0_##sfx, TB_WL_ROWS, tier)
/* x86 kernels on the interleaved layouts (kernels.h), AVX2 and VNNI alike: in cache the q8_0x8
 * kernel runs fewer instructions than the row kernel (no lanes to fold), and from DRAM its GEMV
 * reads 4 long streams (x8_gemv). */
#define SET_QUANT_X8(sfx, tier)                                                                          \
    SET_QUANT_WITH(sfx, tb_matmul_q8_0x8_##sfx, TB_WL_Q8_0X8, tb_matmul_q4_0x8_##sfx, TB_WL_Q4_0X8, tier)

/* The packed f32 GEMM of tier sfx with its panel width and tile height, and its half-precision
 * twins. */
#define SET_GEMM(sfx, tier, nr, mr)                                \
    do {                                                           \
        SET(gemm_f32, gemm_info, tb_gemm_f32_##sfx, tier);         \
        SET(gemm_half[TB_DT_F16], gemm_half_info[TB_DT_F16], tb_gemm_f16_##sfx, tier);    \
        SET(gemm_half[TB_DT_BF16], gemm_half_info[TB_DT_BF16], tb_gemm_bf16_##sfx, tier); \
        k->pack_f32 = tb_pack_f32_##sfx;                           \
        k->gemm_nr = nr;                                           \
        k->gemm_mr = mr;                                           \
    } while (0)

static void fill_generic(tb_kernels *k)
{
    SET_FLOAT(generic, TB_ISA_GENERIC);
    SET_QUANT(generic, TB_ISA_GENERIC);
    SET_FORMAT_CEILINGS(generic, TB_ISA_GENERIC);
    SET(quantize_q8_0, quantize_info, tb_quantize_row_q8_0_generic, TB_ISA_GENERIC);
    SET_GEMM(generic, TB_ISA_GENERIC, TB_GEMM_NR_GENERIC, TB_GEMM_MR);
}

#if defined(__x86_64__) || defined(__i386__)
static void fill_avx2(tb_kernels *k)
{
    SET_FLOAT(avx2, TB_ISA_AVX2);
    SET_QUANT_X8(avx2, TB_ISA_AVX2);
    SET_FORMAT_CEILINGS(avx2, TB_ISA_AVX2);
    SET(quantize_q8_0, quantize_info, tb_quantize_row_q8_0_avx2, TB_ISA_AVX2);
    SET_GEMM(avx2, TB_ISA_AVX2, TB_GEMM_NR_AVX2, TB_GEMM_MR);
}

int tb_x86_has_avx512_vnni(void)
{
    __builtin_cpu_init();
    return tb_isa_available(TB_ISA_AVX512) && __builtin_cpu_supports("avx512vnni");
}

/* On top of the AVX2 table. Without VNNI (Skylake-SP) the quantized kernels stay AVX2's: the
 * kernel names in the record say which ran. */
static void fill_avx512(tb_kernels *k)
{
    SET_FLOAT(avx512, TB_ISA_AVX512);
    if (tb_x86_has_avx512_vnni()) {
        SET_QUANT_X8(avx512vnni, TB_ISA_AVX512);
        SET_FORMAT_CEILINGS(avx512vnni, TB_ISA_AVX512);
    }
    SET_GEMM(avx512, TB_ISA_AVX512, TB_GEMM_NR_AVX512, TB_GEMM_MR_AVX512);
}
#endif

#if defined(__aarch64__)
/* SDOT (Armv8.2 dotprod, optional until Armv8.4): the kernel's name records which one ran. */
static int neon_has_dotprod(void)
{
#if defined(__linux__)
    return (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) != 0;
#else
    return 0;
#endif
}

static void fill_neon(tb_kernels *k)
{
    SET_FLOAT(neon, TB_ISA_NEON);
    if (neon_has_dotprod())
        SET_QUANT(neon_dotprod, TB_ISA_NEON);
    else
        SET_QUANT(neon, TB_ISA_NEON);
    /* no NEON format ceilings yet: the generic tier's would bound other kernels than these */
    memset(k->peak_format, 0, sizeof k->peak_format);
    memset(k->peak_format_info, 0, sizeof k->peak_format_info);
    SET(quantize_q8_0, quantize_info, tb_quantize_row_q8_0_neon, TB_ISA_NEON);
    SET_GEMM(neon, TB_ISA_NEON, TB_GEMM_NR_NEON, TB_GEMM_MR);
}
#endif

tb_isa tb_kernels_init(tb_kernels *k, tb_isa max)
{
    memset(k, 0, sizeof *k);
    fill_generic(k);
    k->isa = TB_ISA_GENERIC;
    /* Upgrades in ascending order. */
#if defined(__x86_64__) || defined(__i386__)
    if (max >= TB_ISA_AVX2 && tb_isa_available(TB_ISA_AVX2)) {
        fill_avx2(k);
        k->isa = TB_ISA_AVX2;
    }
    if (max >= TB_ISA_AVX512 && tb_isa_available(TB_ISA_AVX512)) {
        fill_avx512(k);
        k->isa = TB_ISA_AVX512;
    }
#endif
#if defined(__aarch64__)
    if (max >= TB_ISA_NEON && tb_isa_available(TB_ISA_NEON)) {
        fill_neon(k);
        k->isa = TB_ISA_NEON;
    }
#endif
    k->gemm_scratch_floats = TB_GEMM_SCRATCH_FLOATS + TB_GEMM_HALF_SCRATCH_FLOATS;
    return k->isa;
}

size_t tb_packed_f32_bytes(const tb_kernels *k, int64_t n, int64_t kdim)
{
    int64_t panels = (n + k->gemm_nr - 1) / k->gemm_nr;
    return (size_t)panels * (size_t)k->gemm_nr * (size_t)kdim * sizeof(float);
}
