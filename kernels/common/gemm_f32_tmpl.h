/* The f32 GEMM driver around a register-blocked micro-kernel (the five loops of BLIS/GotoBLAS),
 * included by each tier's file after it defines:
 *   TB_NR                  output features per micro-panel (a multiple of the vector width)
 *   TB_UKERNEL(kc, ap, bp, c, ldc, accumulate)
 *                          C[TB_MR × TB_NR] (=|+=) Ap[kc × MR]ᵀ · Bp[kc × NR]
 *   TB_GEMM_NAME, TB_PACK_NAME  the function names to define
 *   TB_MC                  rows of A per block, so MC·KC·TB_A_REP floats still fit L2
 *   TB_KC                  depth of a block, so a KC×NR weight micro-panel still fits L1 next
 *                          to one strip of A (both from the tier's TB_TUNE_* in tuning.h)
 * and may define:
 *   TB_MR                  rows of A per micro-tile (default TB_GEMM_MR; a divisor of TB_MC):
 *                          a tier with 32 vector registers holds a taller tile
 *   TB_A_REP               copies of each A element in the packed block (default 1): a tier
 *                          without a broadcast load stores A pre-broadcast and loads a vector
 *
 * Packed weights: W[N×K] becomes ceil(N/NR) panels; panel p holds, for k = 0..K-1, the NR
 * weights W[p·NR + j][k] (j = 0..NR-1) contiguously, zero beyond N. A panel covers the whole K,
 * so a KC-slice of it is contiguous too and the layout does not depend on KC.
 * Packed A (per thread, per MC×KC block): strips of MR rows, k-major, zero beyond M. */
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

void TB_GEMM_NAME(const float *a, const float *wp, float *c, int64_t m, int64_t n, int64_t k, int64_t m0, int64_t m1,
                  int64_t n0, int64_t n1, float *scratch)
{
    (void)m;
    for (int64_t pc = 0; pc < k; pc += TB_KC) {
        int64_t kc = k - pc < TB_KC ? k - pc : TB_KC;
        int accumulate = pc > 0;
        for (int64_t ic = m0; ic < m1; ic += TB_MC) {
            int64_t mc = m1 - ic < TB_MC ? m1 - ic : TB_MC;
            pack_a_block(a + ic * k + pc, scratch, k, mc, kc);
            for (int64_t jr = n0; jr < n1; jr += TB_NR) {
                int64_t nr = n1 - jr < TB_NR ? n1 - jr : TB_NR;
                const float *bp = wp + (jr / TB_NR) * k * TB_NR + pc * TB_NR;
                /* The next weight micro-panel comes from L3 or DRAM: fetch it into L2 a slice at a
                 * time while this one is in use, so no micro-kernel starts on a cold panel. */
                const char *next = (const char *)(bp + k * TB_NR);
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
}

#undef TB_A_REP
#undef TB_KC
#undef TB_MC
#undef TB_MR
