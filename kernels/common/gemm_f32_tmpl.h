/* The f32 GEMM driver around a register-blocked micro-kernel (the five loops of BLIS/GotoBLAS),
 * included by each tier's file after it defines:
 *   TB_NR                  output features per micro-panel (a multiple of the vector width)
 *   TB_UKERNEL(kc, ap, bp, c, ldc, accumulate)
 *                          C[TB_MR × TB_NR] (=|+=) Ap[kc × MR]ᵀ · Bp[kc × NR]
 *   TB_GEMM_NAME, TB_PACK_NAME  the function names to define
 *   TB_GEMM_F16_NAME, TB_GEMM_BF16_NAME  the same GEMM on plain rows of half-precision weights
 *   TB_MC                  rows of A per block, so MC·KC·TB_A_REP floats still fit L2
 *   TB_KC                  depth of a block, so a KC×NR weight micro-panel still fits L1 next
 *                          to one strip of A (both from the tier's TB_TUNE_* in tuning.h)
 * and may define:
 *   TB_MR                  rows of A per micro-tile (default TB_GEMM_MR; a divisor of TB_MC):
 *                          a tier with 32 vector registers holds a taller tile
 *   TB_A_REP               copies of each A element in the packed block (default 1): a tier
 *                          without a broadcast load stores A pre-broadcast and loads a vector
 *   TB_CONVERT_PANELS(bf16, w, n, k, j0, j1, pc, kc, buf)
 *                          as convert_panels below, with the tier's vectors (default: one weight
 *                          at a time)
 *
 * Packed weights: W[N×K] becomes ceil(N/NR) panels; panel p holds, for k = 0..K-1, the NR
 * weights W[p·NR + j][k] (j = 0..NR-1) contiguously, zero beyond N. A panel covers the whole K,
 * so a KC-slice of it is contiguous too and the layout does not depend on KC.
 * Packed A (per thread, per MC×KC block): strips of MR rows, k-major, zero beyond M.
 *
 * Half-precision weights (f16, bf16) stay plain rows, as the GEMV reads them: the GEMM converts
 * them per call, a KC×NC slice at a time, into the same panels in the thread's scratch after its
 * A block (BLIS's packed B), then runs the f32 micro-kernel on them. Each weight is converted once
 * per call and used by every row of A; each A block is packed once per NC columns. */
#include <string.h>

#include "tiers.h"

#ifndef TB_A_REP
#define TB_A_REP 1
#endif
#ifndef TB_MR
#define TB_MR TB_GEMM_MR
#endif
#if !defined(TB_MC) || !defined(TB_KC)
#error "define TB_MC and TB_KC from the tier's tuning.h values"
#endif
_Static_assert(TB_MC % TB_MR == 0, "a block holds whole strips");
_Static_assert(TB_MC * TB_KC * TB_A_REP <= TB_GEMM_SCRATCH_FLOATS - 64, "the A block fits the scratch");

_Static_assert(TB_KC <= TB_GEMM_HALF_MAX_KC && TB_GEMM_HALF_NC % TB_NR == 0, "a KC×NC slice fits its buffer");

void TB_PACK_NAME(const float *w, float *wp, int64_t n, int64_t k, int64_t n0, int64_t n1)
{
    for (int64_t p = n0 / TB_NR; p * TB_NR < n1; p++) {
        float *dst = wp + p * k * TB_NR;
        for (int64_t kk = 0; kk < k; kk++)
            for (int j = 0; j < TB_NR; j++) {
                int64_t row = p * TB_NR + j;
                dst[kk * TB_NR + j] = row < n ? w[row * k + kk] : 0.0f;
            }
    }
}

static void pack_a_block(const float *a, float *ap, int64_t lda, int64_t rows, int64_t kc)
{
    for (int64_t r0 = 0; r0 < rows; r0 += TB_MR) {
        int64_t mr = rows - r0 < TB_MR ? rows - r0 : TB_MR;
        float *dst = ap + r0 * kc * TB_A_REP;
        for (int64_t kk = 0; kk < kc; kk++)
            for (int64_t r = 0; r < TB_MR; r++) {
                float v = r < mr ? a[(r0 + r) * lda + kk] : 0.0f;
                for (int t = 0; t < TB_A_REP; t++)
                    dst[(kk * TB_MR + r) * TB_A_REP + t] = v;
            }
    }
}

/* The KC-deep slice at depth pc of C[m0:m1, n0:n1]: every MC-row block of A packed into scratch
 * and met by every weight micro-panel, the panel of columns [jr, jr + NR) at
 * bp0 + (jr − n0) / NR · pstride (n0 a multiple of NR). */
static void gemm_kslice(const float *a, const float *bp0, int64_t pstride, float *c, int64_t n, int64_t k,
                        int64_t pc, int64_t kc, int64_t m0, int64_t m1, int64_t n0, int64_t n1, float *scratch)
{
    int accumulate = pc > 0;
    for (int64_t ic = m0; ic < m1; ic += TB_MC) {
        int64_t mc = m1 - ic < TB_MC ? m1 - ic : TB_MC;
        pack_a_block(a + ic * k + pc, scratch, k, mc, kc);
        for (int64_t jr = n0; jr < n1; jr += TB_NR) {
            int64_t nr = n1 - jr < TB_NR ? n1 - jr : TB_NR;
            const float *bp = bp0 + (jr - n0) / TB_NR * pstride;
            /* The next weight micro-panel comes from L3 or DRAM: fetch it into L2 a slice at a
             * time while this one is in use, so no micro-kernel starts on a cold panel. */
            const char *next = (const char *)(bp + pstride);
            int64_t lines = jr + TB_NR < n1 ? kc * TB_NR * (int64_t)sizeof(float) / 64 : 0;
            int64_t strips = (mc + TB_MR - 1) / TB_MR, per_strip = (lines + strips - 1) / strips;
            for (int64_t ir = 0, line = 0; ir < mc; ir += TB_MR) {
                int64_t mr = mc - ir < TB_MR ? mc - ir : TB_MR;
                for (int64_t l = 0; l < per_strip && line < lines; l++, line++)
                    __builtin_prefetch(next + line * 64, 0, 2);
                float *cp = c + (ic + ir) * n + jr;
                if (mr == TB_MR && nr == TB_NR) {
                    TB_UKERNEL(kc, scratch + ir * kc * TB_A_REP, bp, cp, n, accumulate);
                    continue;
                }
                /* Edge tile: compute the full tile into a buffer, copy back the part that exists. */
                float tile[TB_MR * TB_NR] __attribute__((aligned(64))) = {0};
                if (accumulate)
                    for (int64_t r = 0; r < mr; r++)
                        memcpy(tile + r * TB_NR, cp + r * n, (size_t)nr * sizeof(float));
                TB_UKERNEL(kc, scratch + ir * kc * TB_A_REP, bp, tile, TB_NR, accumulate);
                for (int64_t r = 0; r < mr; r++)
                    memcpy(cp + r * n, tile + r * TB_NR, (size_t)nr * sizeof(float));
            }
        }
    }
}

void TB_GEMM_NAME(const float *a, const float *wp, float *c, int64_t m, int64_t n, int64_t k, int64_t m0, int64_t m1,
                  int64_t n0, int64_t n1, float *scratch)
{
    (void)m;
    for (int64_t pc = 0; pc < k; pc += TB_KC) {
        int64_t kc = k - pc < TB_KC ? k - pc : TB_KC;
        gemm_kslice(a, wp + (n0 / TB_NR) * k * TB_NR + pc * TB_NR, k * TB_NR, c, n, k, pc, kc, m0, m1, n0, n1, scratch);
    }
}

/* The panels of weight rows [j0, j1) at depths [pc, pc + kc), converted to floats, into buf
 * (panel q at buf + q · kc · NR), zero past row n. */
#ifdef TB_CONVERT_PANELS
#define convert_panels(bf16, w, n, k, j0, j1, pc, kc, buf) TB_CONVERT_PANELS(bf16, w, n, k, j0, j1, pc, kc, buf)
#else
static void convert_panels(int bf16, const uint16_t *w, int64_t n, int64_t k, int64_t j0, int64_t j1, int64_t pc,
                           int64_t kc, float *buf)
{
    for (int64_t p = j0; p < j1; p += TB_NR) {
        float *dst = buf + (p - j0) / TB_NR * kc * TB_NR;
        for (int j = 0; j < TB_NR; j++) {
            const uint16_t *src = w + (p + j) * k + pc;
            for (int64_t kk = 0; kk < kc; kk++)
                dst[kk * TB_NR + j] = p + j >= n ? 0.0f : bf16 ? tb_bf16_to_f32(src[kk]) : tb_f16_to_f32(src[kk]);
        }
    }
}
#endif

static void gemm_half(int bf16, const float *a, const void *w, float *c, int64_t n, int64_t k, int64_t m0, int64_t m1,
                      int64_t n0, int64_t n1, float *scratch)
{
    float *buf = scratch + TB_GEMM_SCRATCH_FLOATS;
    for (int64_t jc = n0; jc < n1; jc += TB_GEMM_HALF_NC) {
        int64_t je = n1 - jc < TB_GEMM_HALF_NC ? n1 : jc + TB_GEMM_HALF_NC;
        for (int64_t pc = 0; pc < k; pc += TB_KC) {
            int64_t kc = k - pc < TB_KC ? k - pc : TB_KC;
            convert_panels(bf16, w, n, k, jc, je, pc, kc, buf);
            gemm_kslice(a, buf, kc * TB_NR, c, n, k, pc, kc, m0, m1, jc, je, scratch);
        }
    }
}

void TB_GEMM_F16_NAME(const float *a, const void *w, float *c, int64_t m, int64_t n, int64_t k, int64_t m0,
                      int64_t m1, int64_t n0, int64_t n1, float *scratch)
{
    (void)m;
    gemm_half(0, a, w, c, n, k, m0, m1, n0, n1, scratch);
}

void TB_GEMM_BF16_NAME(const float *a, const void *w, float *c, int64_t m, int64_t n, int64_t k, int64_t m0,
                       int64_t m1, int64_t n0, int64_t n1, float *scratch)
{
    (void)m;
    gemm_half(1, a, w, c, n, k, m0, m1, n0, n1, scratch);
}

#undef convert_panels
#undef TB_CONVERT_PANELS

#undef TB_A_REP
#undef TB_KC
#undef TB_MC
#undef TB_MR
