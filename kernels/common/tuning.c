/* The tuning parameters of each tier, read from the same macros the kernels are built with
 * (tuning.h), so what a record names cannot drift from what ran. */
#include <tokbench/attention.h>
#include <tokbench/tuning.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tiers.h"

#define P(name, value) {name, (long)(value)}
/* in every tier: the largest M the skinny kernels take, and attention decode's chunk */
#define SHARED P("skinny_max", TB_SKINNY_MAX), P("attn_decode_chunk", TB_ATTN_DECODE_CHUNK)
#define FLOAT_PARAMS(T)                                                                                 \
    P("gemv_streams", TB_TUNE_##T##_GEMV_STREAMS), P("gemv_pf_dist", TB_TUNE_##T##_GEMV_PF_DIST),       \
        P("skinny_mr", TB_TUNE_##T##_SKINNY_MR),                                                        \
        P("skinny_nr", TB_TUNE_##T##_SKINNY_NR), P("gemm_mc", TB_TUNE_##T##_GEMM_MC),                   \
        P("gemm_kc", TB_TUNE_##T##_GEMM_KC)
#define X86_QUANT_PARAMS(T)                                                                             \
    P("q_pf_dist", TB_TUNE_##T##_Q_PF_DIST), P("x8_pf_dist", TB_TUNE_##T##_X8_PF_DIST),                 \
        P("x8_streams", TB_TUNE_##T##_X8_STREAMS)

static const tb_tuning_param generic_params[] = {FLOAT_PARAMS(GENERIC), SHARED};
#define N_OF(t) (int)(sizeof(t) / sizeof *(t))

#if defined(__x86_64__) || defined(__i386__)
static const tb_tuning_param avx2_params[] = {FLOAT_PARAMS(AVX2), X86_QUANT_PARAMS(AVX2), SHARED};
#define AVX512_ATTN P("attn_decode_acc", TB_TUNE_AVX512_ATTN_ACC)
static const tb_tuning_param avx512_vnni_params[] = {FLOAT_PARAMS(AVX512), X86_QUANT_PARAMS(AVX512), AVX512_ATTN,
                                                     SHARED};
/* without VNNI the tier keeps the AVX2 quantized kernels (dispatch.c), and so their values */
static const tb_tuning_param avx512_params[] = {FLOAT_PARAMS(AVX512), X86_QUANT_PARAMS(AVX2), AVX512_ATTN, SHARED};
#endif
#if defined(__aarch64__)
static const tb_tuning_param neon_params[] = {FLOAT_PARAMS(NEON), P("q_chunk", TB_TUNE_NEON_Q_CHUNK), SHARED};
#endif

/* The tables of every tier in this binary, whatever this CPU runs (the set's name covers them). */
static int table(tb_isa isa, int vnni, const tb_tuning_param **out)
{
    *out = NULL;
    switch (isa) {
    case TB_ISA_GENERIC:
        *out = generic_params;
        return N_OF(generic_params);
#if defined(__x86_64__) || defined(__i386__)
    case TB_ISA_AVX2:
        *out = avx2_params;
        return N_OF(avx2_params);
    case TB_ISA_AVX512:
        *out = vnni ? avx512_vnni_params : avx512_params;
        return vnni ? N_OF(avx512_vnni_params) : N_OF(avx512_params);
#endif
#if defined(__aarch64__)
    case TB_ISA_NEON:
        *out = neon_params;
        return N_OF(neon_params);
#endif
    default:
        (void)vnni;
        return 0;
    }
}

int tb_tuning_params(tb_isa isa, const tb_tuning_param **out)
{
    int vnni = 0;
#if defined(__x86_64__) || defined(__i386__)
    vnni = isa == TB_ISA_AVX512 && tb_x86_has_avx512_vnni();
#endif
    return table(isa, vnni, out);
}

static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

static char set_name[32];

static void make_set_name(void)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (int isa = 0; isa < TB_ISA_COUNT; isa++)
        for (int vnni = 0; vnni < 2; vnni++) {
            const tb_tuning_param *p;
            int n = table((tb_isa)isa, vnni, &p);
            const char *tier = tb_isa_name((tb_isa)isa);
            h = fnv1a(h, tier, strlen(tier) + 1);
            for (int i = 0; i < n; i++) {
                h = fnv1a(h, p[i].name, strlen(p[i].name) + 1);
                h = fnv1a(h, &p[i].value, sizeof p[i].value);
            }
        }
    snprintf(set_name, sizeof set_name, TB_TUNING_SET_PREFIX "-%08x", (unsigned)(h ^ h >> 32));
}

const char *tb_tuning_set_name(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, make_set_name);
    return set_name;
}

const char *tb_tuning_basis(void) { return TB_TUNING_BASIS; }

const char *tb_tuning_source(void) { return TB_TUNING_SOURCE; }
