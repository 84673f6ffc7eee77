/* GEMV and skinny GEMM for float weights (f32, bf16, f16), included once per (tier, dtype) after
 * the tier defines its vector operations:
 *   TB_V, TB_VL                 vector type and its float lanes
 *   TB_VZERO(), TB_VLOAD(p)     zero; VL floats from p (unaligned)
 *   TB_VFMA(acc, x, y)          acc + x·y
 *   TB_VHSUM(v)                 sum of the lanes
 * and the weight type:
 *   TB_WT, TB_VLOADW(p), TB_WSCALAR(x)   element type; VL weights from p as floats; one as float
 *   TB_MATMUL_NAME              the function to define (tiers.h)
 *   TB_SK_MR, TB_SK_NR          activation rows × weight rows per register block (≤ 4 × 4)
 *   TB_GEMV_NR                  weight rows per block when M = 1 (≤ 8)
 *   TB_GEMV_PF                  M = 1: bytes of software prefetch ahead in each stream (0: none)
 * Each weight row block is loaded once from memory and then meets every activation row while it
 * sits in L1/L2: that is what makes M = 2..32 cost little more than M = 1 in bandwidth.
 *
 * GEMV takes the rows of its slice in TB_GEMV_NR contiguous runs, one row of each run per block,
 * so the weights are read as TB_GEMV_NR long sequential streams (the read probe's pattern) rather
 * than streams of one 8-16 KiB row that the hardware prefetcher restarts on every block. Its block
 * has one accumulator per row and nothing else live, so each row ends in a horizontal sum straight
 * from registers (the general block below spills its 4 × 4 array there), and a tier may ask for
 * software prefetch a fixed distance ahead in each stream: the next row of a run follows the
 * current one, so the address runs on into it. Skinny
 * GEMM takes its blocks of TB_SK_NR rows the same way, for the same reason: its weights come from
 * DRAM too. */
#define TB_CAT2(a, b) a##b
#define TB_CAT(a, b) TB_CAT2(a, b)
#define TB_BLOCK TB_CAT(block_, TB_MATMUL_NAME)
#define TB_GEMV_BLOCK TB_CAT(gemv_block_, TB_MATMUL_NAME)

/* Weight row j of the block at w + j·ws, its result for activation row i at c[i·ldc + j·cs]. */
static inline __attribute__((always_inline)) void TB_BLOCK(const TB_WT *w, int64_t ws, int64_t k, const float *a,
                                                           float *c, int64_t ldc, int64_t cs, const int mr, const int nr)
{
    TB_V acc[4][4];
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++)
            acc[i][j] = TB_VZERO();
    int64_t kk = 0;
    for (; kk + TB_VL <= k; kk += TB_VL) {
        TB_V wv[4];
        for (int j = 0; j < nr; j++)
            wv[j] = TB_VLOADW(w + j * ws + kk);
        for (int i = 0; i < mr; i++) {
            TB_V av = TB_VLOAD(a + i * k + kk);
            for (int j = 0; j < nr; j++)
                acc[i][j] = TB_VFMA(acc[i][j], av, wv[j]);
        }
    }
    for (int i = 0; i < mr; i++)
        for (int j = 0; j < nr; j++) {
            float s = TB_VHSUM(acc[i][j]);
            for (int64_t t = kk; t < k; t++)
                s += a[i * k + t] * TB_WSCALAR(w[j * ws + t]);
            c[i * ldc + j * cs] = s;
        }
}

/* M = 1: weight row j of the block at w + j·ws, its result at c[j·cs]. */
static inline __attribute__((always_inline)) void TB_GEMV_BLOCK(const TB_WT *w, int64_t ws, int64_t k, const float *a,
                                                                float *c, int64_t cs)
{
    /* steps of TB_VL weights per 64-byte line: each line is prefetched once */
    enum { LINE_STEPS = 64 / (TB_VL * (int)sizeof(TB_WT)) > 0 ? 64 / (TB_VL * (int)sizeof(TB_WT)) : 1 };
    TB_V acc[TB_GEMV_NR];
    for (int j = 0; j < TB_GEMV_NR; j++)
        acc[j] = TB_VZERO();
    int64_t kk = 0;
    for (; kk + TB_VL <= k; kk += TB_VL) {
        const TB_V av = TB_VLOAD(a + kk);
        const int pf = TB_GEMV_PF > 0 && (kk / TB_VL) % LINE_STEPS == 0;
        for (int j = 0; j < TB_GEMV_NR; j++) {
            if (pf) /* an address, not a pointer: past the last row it lies outside the matrix */
                __builtin_prefetch((const char *)((uintptr_t)(w + j * ws + kk) + TB_GEMV_PF), 0, 3);
            acc[j] = TB_VFMA(acc[j], av, TB_VLOADW(w + j * ws + kk));
        }
    }
    for (int j = 0; j < TB_GEMV_NR; j++) {
        float s = TB_VHSUM(acc[j]);
        for (int64_t t = kk; t < k; t++)
            s += a[t] * TB_WSCALAR(w[j * ws + t]);
        c[j * cs] = s;
    }
}

TB_DECL_MATMUL(TB_MATMUL_NAME)
{
    const TB_WT *W = w;
    const float *A = a;
    if (m == 1) { /* the rows in TB_GEMV_NR contiguous runs, one row of each per block */
        const int64_t per = (n1 - n0) / TB_GEMV_NR;
        for (int64_t i = 0; i < per; i++)
            TB_GEMV_BLOCK(W + (n0 + i) * k, per * k, k, A, c + n0 + i, per);
        for (int64_t j = n0 + per * TB_GEMV_NR; j < n1; j++)
            TB_BLOCK(W + j * k, k, k, A, c + j, n, 1, 1, 1);
        return;
    }
    /* skinny: blocks of TB_SK_NR rows taken from as many contiguous runs, as GEMV takes its rows,
     * then one block of the fewer rows past the runs */
    const int64_t per = (n1 - n0) / TB_SK_NR, blocks = per + ((n1 - n0) % TB_SK_NR != 0);
    for (int64_t bj = 0; bj < blocks; bj++) {
        const int runs = bj < per;
        const int64_t j = runs ? n0 + bj : n0 + per * TB_SK_NR;
        const int64_t ws = runs ? per * k : k, cs = runs ? per : 1;
        const int nr = runs ? TB_SK_NR : (int)(n1 - j);
        for (int64_t i = 0; i < m; i += TB_SK_MR) {
            int mr = m - i < TB_SK_MR ? (int)(m - i) : TB_SK_MR;
            const TB_WT *wj = W + j * k;
            const float *ai = A + i * k;
            float *cij = c + i * n + j;
            /* constant (mr, nr) per call so each block is fully unrolled into registers */
#define TB_CASE(MR_, NR_)                                     \
    case (MR_) * 8 + (NR_):                                   \
        TB_BLOCK(wj, ws, k, ai, cij, n, cs, (MR_), (NR_));    \
        break;
            switch (mr * 8 + nr) {
                TB_CASE(1, 1) TB_CASE(1, 2) TB_CASE(1, 3) TB_CASE(1, 4)
                TB_CASE(2, 1) TB_CASE(2, 2) TB_CASE(2, 3) TB_CASE(2, 4)
                TB_CASE(3, 1) TB_CASE(3, 2) TB_CASE(3, 3) TB_CASE(3, 4)
                TB_CASE(4, 1) TB_CASE(4, 2) TB_CASE(4, 3) TB_CASE(4, 4)
            default:
                break;
            }
#undef TB_CASE
        }
    }
}

#undef TB_BLOCK
#undef TB_GEMV_BLOCK
#undef TB_MATMUL_NAME
#undef TB_WT
#undef TB_VLOADW
#undef TB_WSCALAR
