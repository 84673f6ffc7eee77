/* Attention kernels (include/tokbench/attention.h), written once and included by every tier after
 * it defines its vector operations:
 *   TB_V, TB_VL                 vector type and its float lanes (4, 8 or 16; head_dim is a
 *                               multiple of 8, so with 16 lanes a row may end half-way into a
 *                               vector: the d loops end with a masked vector, below)
 *   TB_VZERO(), TB_VSET1(x)     zero; x in every lane
 *   TB_VLOAD(p), TB_VSTORE(p,v) VL floats, unaligned
 *   TB_VADD, TB_VSUB, TB_VMUL, TB_VMAX(a, b)   lane-wise (TB_VMAX(x, c): c when x is NaN)
 *   TB_VFMA(acc, x, y)          acc + x·y
 *   TB_VHSUM(v), TB_VHMAX(v)    of the lanes
 *   TB_VEXP2(v)                 2^v as attention.h documents for tb_attn_exp2_fn
 *   TB_PF_MR                    rows of the prefill micro-tiles (divides TB_ATTN_ROW_ALIGN)
 *   TB_ATTN_TIER                the name suffix (generic, avx2)
 * optionally (the defaults are the 16-register sizes and a VL that divides 8):
 *   TB_PF_NW                    16-key panels (QK) and 16-column strips (P·V) per micro-tile: 1
 *   TB_AT_ACC                   decode block accumulators at most: 12 (a score block of h heads
 *                               takes min(chunk / VL, ACC / h) vectors of keys)
 *   TB_AT_PV4, _PV3, _PV2, _PV1 vectors of d per decode P·V block of 4, 3, 2, 1 heads: 3, 3, 6, 12
 *   TB_VANY_GT(v, x)            1 when a lane of v exceeds x: TB_VHMAX(v) > x
 *   TB_VMASK, TB_VMASK_ALL, TB_VMASK_FIRST(n)   a lane mask: all lanes; lanes 0..n−1
 *   TB_VLOAD_M(p, m), TB_VSTORE_M(p, m, v)       the lanes of m only (others read as 0, not
 *                               touched): the last vector of a row of d floats; required when VL
 *                               does not divide 8
 * and, once per KV dtype:
 *   TB_KV                       f32 or f16 (name part)
 *   TB_KV_T                     float or uint16_t
 *   TB_KV_LOAD(p), TB_KV_STORE(p, v), TB_KV_SCALAR(x), TB_KV_FROM(x)   VL elements as floats and
 *                               back; one element to float; one float to an element
 *   TB_KV_LOAD_M(p, m)          the lanes of m as floats, the others 0 (as TB_VLOAD_M)
 * The first inclusion also defines the dtype-free kernels (RoPE, merge, exp2, the prefill tiles).
 *
 * Register budgets matter more than anything else here: a block whose accumulators do not fit the
 * 16 vector registers spills one into a store-to-load chain, which adds the forwarding latency to
 * every FMA on that accumulator, and eight accumulators (not twelve) leave the two 4-cycle FMA
 * pipes without slack. Every block below is sized for 16 registers unless the tier sets the knobs
 * above for its 32: the rule is the same for both, accumulators + the operands held for them +
 * one broadcast fit the register file, and there are more independent FMA chains than pipes ×
 * FMA latency (8), so a late load does not stall both pipes. */

#define TB_AT_CAT2(a, b) a##b
#define TB_AT_CAT(a, b) TB_AT_CAT2(a, b)
/* tb_attn_<op>_<kv>_<tier> and tb_attn_<op>_<tier> */
#define TB_AT_FN(op) TB_AT_CAT(TB_AT_CAT(TB_AT_CAT(tb_attn_, op), TB_AT_CAT(_, TB_KV)), TB_AT_CAT(_, TB_ATTN_TIER))
#define TB_AT_TFN(op) TB_AT_CAT(TB_AT_CAT(tb_attn_, op), TB_AT_CAT(_, TB_ATTN_TIER))

#ifndef TB_ATTN_SHARED_DONE
#define TB_ATTN_SHARED_DONE

#include <math.h>
#include <string.h>

#define TB_AT_INLINE static inline __attribute__((always_inline))
#define TB_AT_LOG2E 1.4426950408889634
/* Keys per packed K panel, in every tier: the packed layout is tier-independent. */
#define TB_PF_NR 16
#define TB_PF_NV (TB_PF_NR / TB_VL)
#ifndef TB_PF_NW
#define TB_PF_NW 1
#endif
_Static_assert(TB_ATTN_ROW_ALIGN % TB_PF_MR == 0, "the scratch's rows are whole micro-tiles");
/* Decode block sizes (16 registers unless the tier says otherwise; see the blocks below). */
#ifndef TB_AT_ACC
#define TB_AT_ACC 12
#define TB_AT_PV4 3
#define TB_AT_PV3 3
#define TB_AT_PV2 6
#define TB_AT_PV1 12
#endif
_Static_assert(4 * TB_AT_PV4 <= TB_AT_ACC && 3 * TB_AT_PV3 <= TB_AT_ACC && 2 * TB_AT_PV2 <= TB_AT_ACC &&
                   TB_AT_PV1 <= TB_AT_ACC && TB_AT_ACC >= 4,
               "decode blocks fit the accumulator budget");
/* Vectors of keys per decode score block of h heads: the chunk's, or as many as the budget takes. */
#define AT_CHUNK_NV (TB_ATTN_DECODE_CHUNK / TB_VL)
#define AT_SKV(h) (AT_CHUNK_NV < TB_AT_ACC / (h) ? AT_CHUNK_NV : TB_AT_ACC / (h))
_Static_assert(AT_CHUNK_NV <= 8, "a score block's leftover vectors are 4 + 2 + 1 at most");
#define AT_ACC_N TB_AT_ACC
#ifndef TB_VANY_GT
#define TB_VANY_GT(v, x) (TB_VHMAX(v) > (x))
#endif
/* Rows of d floats end inside a vector only when VL does not divide 8; such a tier masks the
 * last vector of a row. The others need no mask, and these defaults compile to plain accesses. */
#define TB_AT_TAILS (TB_ATTN_HEAD_DIM_ALIGN % TB_VL != 0)
#ifndef TB_VMASK
#define TB_VMASK int
#define TB_VMASK_ALL 0
#define TB_VMASK_FIRST(n) 0
#define TB_VLOAD_M(p, m) TB_VLOAD(p)
#define TB_VSTORE_M(p, m, v) TB_VSTORE(p, v)
/* without masks every vector of a row is whole */
#define AT_MASK(n) TB_VMASK_ALL
#else
/* The mask of a vector with n floats of its row left: all lanes but at a row's masked end. */
#define AT_MASK(n) (TB_AT_TAILS && (n) < TB_VL ? TB_VMASK_FIRST(n) : TB_VMASK_ALL)
#endif

static inline int64_t at_min(int64_t a, int64_t b) { return a < b ? a : b; }

/* q·scale·log2(e): scores come out in log2 units, so the softmax needs exp2 only. */
static inline float at_qscale(int64_t d) { return (float)(TB_AT_LOG2E / sqrt((double)d)); }

static inline float at_exp2_scalar(float x)
{
    float buf[TB_VL];
    TB_VSTORE(buf, TB_VEXP2(TB_VSET1(x)));
    return buf[0];
}

/* Lane-wise max of a row of n floats (n a multiple of VL). */
static inline TB_V at_rowmax(const float *s, int64_t n)
{
    TB_V mx = TB_VSET1(-INFINITY);
    for (int64_t j = 0; j < n; j += TB_VL)
        mx = TB_VMAX(TB_VLOAD(s + j), mx);
    return mx;
}

/* s[j] = 2^(s[j] − mref) in place for j < n (a multiple of VL); returns sum plus them, lane-wise. */
static inline TB_V at_exp_row(float *s, int64_t n, float mref, TB_V sum)
{
    const TB_V vm = TB_VSET1(mref);
    for (int64_t j = 0; j < n; j += TB_VL) {
        TB_V p = TB_VEXP2(TB_VSUB(TB_VLOAD(s + j), vm));
        TB_VSTORE(s + j, p);
        sum = TB_VADD(sum, p);
    }
    return sum;
}

/* ---- prefill micro-kernels: f32 only, on packed operands ------------------------------------ */

/* S[MR×16W] = Qs[MR×d] · W panels (consecutive, each 16 keys transposed: [d][16]): the GEMM
 * pattern, one broadcast of q per row and W·NV vector loads of keys per step of d. W is TB_PF_NW,
 * or 1 for a last odd panel. */
TB_AT_INLINE void at_qk_tile(const float *qs, int64_t ldq, const float *panel, int64_t d, float *s, int64_t lds,
                             const int W)
{
    TB_V acc[TB_PF_MR][TB_PF_NW * TB_PF_NV];
    for (int r = 0; r < TB_PF_MR; r++)
        for (int v = 0; v < W * TB_PF_NV; v++)
            acc[r][v] = TB_VZERO();
    for (int64_t x = 0; x < d; x++) {
        TB_V b[TB_PF_NW * TB_PF_NV];
        for (int v = 0; v < W * TB_PF_NV; v++)
            b[v] = TB_VLOAD(panel + (v / TB_PF_NV) * d * TB_PF_NR + x * TB_PF_NR + (v % TB_PF_NV) * TB_VL);
        for (int r = 0; r < TB_PF_MR; r++) {
            TB_V a = TB_VSET1(qs[r * ldq + x]);
            for (int v = 0; v < W * TB_PF_NV; v++)
                acc[r][v] = TB_VFMA(acc[r][v], a, b[v]);
        }
    }
    for (int r = 0; r < TB_PF_MR; r++)
        for (int v = 0; v < W * TB_PF_NV; v++)
            TB_VSTORE(s + r * lds + v * TB_VL, acc[r][v]);
}

/* O[MR×16W] = O·alpha + P[MR×nk] · V[nk×16W] (V rows of stride ldv; W as above, in 16-column
 * strips): broadcasts of p, vector loads of v, the output block in registers for the key tile. */
TB_AT_INLINE void at_pv_tile(const float *p, int64_t ldp, const float *vp, int64_t ldv, int64_t nk, const float *alpha,
                             float *o, int64_t ldo, const int W)
{
    TB_V acc[TB_PF_MR][TB_PF_NW * TB_PF_NV];
    for (int r = 0; r < TB_PF_MR; r++) {
        TB_V al = TB_VSET1(alpha[r]);
        for (int v = 0; v < W * TB_PF_NV; v++)
            acc[r][v] = TB_VMUL(TB_VLOAD(o + r * ldo + v * TB_VL), al);
    }
    for (int64_t j = 0; j < nk; j++) {
        TB_V b[TB_PF_NW * TB_PF_NV];
        for (int v = 0; v < W * TB_PF_NV; v++)
            b[v] = TB_VLOAD(vp + j * ldv + v * TB_VL);
        for (int r = 0; r < TB_PF_MR; r++) {
            TB_V a = TB_VSET1(p[r * ldp + j]);
            for (int v = 0; v < W * TB_PF_NV; v++)
                acc[r][v] = TB_VFMA(acc[r][v], a, b[v]);
        }
    }
    for (int r = 0; r < TB_PF_MR; r++)
        for (int v = 0; v < W * TB_PF_NV; v++)
            TB_VSTORE(o + r * ldo + v * TB_VL, acc[r][v]);
}

/* Lines [i·lines/n, (i+1)·lines/n) of `lines` cache lines from base, stride bytes apart: one share
 * per micro-tile call, so the requests overlap with the FMAs of n calls (n = 1: all at once). */
static inline void at_prefetch_share(const void *base, int64_t stride, int64_t lines, int64_t i, int64_t n)
{
    const char *b = (const char *)base;
    for (int64_t j = i * lines / n; j < (i + 1) * lines / n; j++)
        __builtin_prefetch(b + j * stride, 0, 3);
}

/* The prefill of one query tile (rows = tokens [t0, t1) × the group's g heads, row r is token
 * t0 + r/g, head r%g) against the packed keys 0..t1−1. */
static void at_prefill_tile(const float *q, const float *kt, const float *vp, float *out, const tb_attn_dims *dm,
                            int64_t kvh, int64_t t0, int64_t t1, float *scratch)
{
    const int64_t d = dm->head_dim, g = dm->heads / dm->kv_heads, hd = dm->heads * d;
    tb_attn_prefill_layout L;
    tb_attn_prefill_layout_get(dm, &L);
    float *qs = scratch + L.qs, *os = scratch + L.os, *s = scratch + L.s;
    float *m = scratch + L.m, *l = scratch + L.l, *al = scratch + L.alpha;
    const int64_t dp = L.dp, rows = (t1 - t0) * g, rp = (rows + TB_PF_MR - 1) / TB_PF_MR * TB_PF_MR;
    const float f = at_qscale(d);

    for (int64_t r = 0; r < rp; r++) {
        float *dst = qs + r * dp;
        if (r < rows) {
            const float *src = q + (t0 + r / g) * hd + (kvh * g + r % g) * d;
            for (int64_t x = 0; x < d; x++)
                dst[x] = src[x] * f;
        } else {
            for (int64_t x = 0; x < d; x++)
                dst[x] = 0.0f; /* padding rows: finite, never written out */
        }
        for (int64_t x = 0; x < dp; x++)
            os[r * dp + x] = 0.0f;
        m[r] = -INFINITY;
        l[r] = 0.0f;
    }

    /* Key tiles of up to TILE_KEYS, ending at the panel that holds key t1−1, so that only the
     * last tile crosses the diagonal and it wastes little. */
    const int64_t npanels = (t1 + TB_PF_NR - 1) / TB_PF_NR, per_tile = TB_ATTN_TILE_KEYS / TB_PF_NR;
    int64_t first = npanels % per_tile ? npanels % per_tile : per_tile;
    for (int64_t p0 = 0; p0 < npanels; p0 += first, first = per_tile) {
        const int64_t np = at_min(first, npanels - p0), k0 = p0 * TB_PF_NR, nk = np * TB_PF_NR;
        /* Each micro-tile call also requests a share of what the next calls read first: while the
         * row blocks score panel p, panel p + 1 (after the last panel, this tile's first V strip);
         * while they multiply V strip x, strip x + 16 (after the last strip, the next tile's first
         * panel). The first row block to touch a panel or strip otherwise waits for it from L3;
         * requested a share per call while the one before is computed, it is in cache by then. */
        const int64_t nb = rp / TB_PF_MR, vstride = dp * (int64_t)sizeof(float);
        /* W panels at a time, a last odd one alone */
        for (int64_t p = 0, w = at_min(TB_PF_NW, np); p < np; p += w, w = at_min(TB_PF_NW, np - p))
            for (int64_t r = 0; r < rp; r += TB_PF_MR) {
                if (p + w < np)
                    at_prefetch_share(kt + (p0 + p + w) * d * TB_PF_NR, 64, d * at_min(TB_PF_NW, np - p - w),
                                      r / TB_PF_MR, nb);
                else
                    at_prefetch_share(vp + k0 * dp, vstride, nk, r / TB_PF_MR, nb);
                const float *pan = kt + (p0 + p) * d * TB_PF_NR;
                float *sr = s + r * TB_ATTN_TILE_KEYS + p * TB_PF_NR;
                /* NOLINTNEXTLINE(bugprone-branch-clone): W is a constant for the inliner; clones if TB_PF_NW is 1 */
                if (w == TB_PF_NW)
                    at_qk_tile(qs + r * dp, dp, pan, d, sr, TB_ATTN_TILE_KEYS, TB_PF_NW);
                else
                    at_qk_tile(qs + r * dp, dp, pan, d, sr, TB_ATTN_TILE_KEYS, 1);
            }
        /* Causal mask: row r sees keys ≤ its token. Padding rows take the last token's keys. */
        if (k0 + nk - 1 > t0)
            for (int64_t r = 0; r < rp; r++) {
                int64_t t = r < rows ? t0 + r / g : t1 - 1;
                for (int64_t j = t - k0 + 1 > 0 ? t - k0 + 1 : 0; j < nk; j++)
                    s[r * TB_ATTN_TILE_KEYS + j] = -INFINITY;
            }
        /* Online softmax: a new row max rescales what the row has summed so far. Key 0 is in the
         * first tile for every row, so m is finite from then on. */
        for (int64_t r = 0; r < rp; r++) {
            float *sr = s + r * TB_ATTN_TILE_KEYS;
            float mx = TB_VHMAX(at_rowmax(sr, nk)), mn = mx > m[r] ? mx : m[r];
            al[r] = at_exp2_scalar(m[r] - mn);
            l[r] = l[r] * al[r] + TB_VHSUM(at_exp_row(sr, nk, mn, TB_VZERO()));
            m[r] = mn;
        }
        /* W strips of 16 columns at a time, a last odd one alone; the next W strips are requested
         * as W shares, each one 64-byte line of each of the nk rows */
        for (int64_t x = 0, w = at_min(TB_PF_NW, dp / TB_PF_NR); x < dp;
             x += w * TB_PF_NR, w = at_min(TB_PF_NW, (dp - x) / TB_PF_NR))
            for (int64_t r = 0; r < rp; r += TB_PF_MR) {
                const int64_t xn = x + w * TB_PF_NR;
                if (xn < dp)
                    for (int64_t u = 0; u < at_min(TB_PF_NW, (dp - xn) / TB_PF_NR); u++)
                        at_prefetch_share(vp + k0 * dp + xn + u * TB_PF_NR, vstride, nk, r / TB_PF_MR, nb);
                else if (p0 + np < npanels)
                    at_prefetch_share(kt + (p0 + np) * d * TB_PF_NR, 64, d * at_min(TB_PF_NW, npanels - p0 - np),
                                      r / TB_PF_MR, nb);
                const float *pr = s + r * TB_ATTN_TILE_KEYS;
                /* NOLINTNEXTLINE(bugprone-branch-clone): W is a constant for the inliner; clones if TB_PF_NW is 1 */
                if (w == TB_PF_NW)
                    at_pv_tile(pr, TB_ATTN_TILE_KEYS, vp + k0 * dp + x, dp, nk, al + r, os + r * dp + x, dp, TB_PF_NW);
                else
                    at_pv_tile(pr, TB_ATTN_TILE_KEYS, vp + k0 * dp + x, dp, nk, al + r, os + r * dp + x, dp, 1);
            }
    }

    for (int64_t r = 0; r < rows; r++) {
        float *dst = out + (t0 + r / g) * hd + (kvh * g + r % g) * d;
        TB_V inv = TB_VSET1(1.0f / l[r]);
        for (int64_t x = 0; x < d; x += TB_VL)
            TB_VSTORE_M(dst + x, AT_MASK(d - x), TB_VMUL(TB_VLOAD(os + r * dp + x), inv));
    }
}

TB_DECL_ATTN_PREFILL(TB_AT_TFN(prefill))
{
    const int64_t tt = tb_attn_prefill_tile_tokens(dims->heads / dims->kv_heads);
    for (int64_t t = t0; t < t1; t += tt)
        at_prefill_tile(q, kt, vp, out, dims, kvh, t, at_min(t + tt, t1), scratch);
}

/* ---- decode blocks ------------------------------------------------------------------------- */

/* Software prefetch of the next chunk at the pace a block consumes the current one: each iteration
 * requests the next B/2 bytes of both the next chunk's K rows (at pk) and its V rows (at pv) and
 * moves both on, B being the bytes of K or V the iteration loads, so a phase requests as many bytes
 * as it reads. Both streams are requested in both phases (scores: the first half of the next
 * chunk's K and V rows; p·V: the second halves), not one stream per phase (scores prefetching this
 * chunk's V, p·V the next chunk's K), so that both streams stay in flight through the whole chunk
 * instead of each for half of it. Paced requests overlap with the FMAs; bursts fill the miss
 * buffers and stall the core, and then nothing overlaps. B and PF are constants once the block is
 * inlined: the line loop unrolls and nothing is tested per iteration (a bounds test per iteration
 * would add a large share of the score loop's instructions). */
#define AT_PF_PACED(PF, pk, pv, B)                               \
    do {                                                         \
        if (PF)                                                  \
            for (int r_ = 0; r_ < ((B) / 2 + 63) / 64; r_++) {   \
                __builtin_prefetch((pk) + r_ * 64, 0, 3);        \
                __builtin_prefetch((pv) + r_ * 64, 0, 3);        \
            }                                                    \
        (pk) += (B) / 2;                                         \
        (pv) += (B) / 2;                                         \
    } while (0)

/* Scores of HB heads × NB key vectors (keys v0·VL .. (v0 + NB)·VL − 1 of the chunk at kc, whose
 * K blocks hold the keys across the lanes): for each element x of d, one broadcast of q[h][x] per
 * head and one vector of keys per key vector, so a vector of scores is a chain of FMAs and leaves
 * as one store, with no sum across lanes. Each score is split into XS partial sums over
 * interleaved x (added at the end), so that there are HB·NB·XS independent FMA chains: at least
 * 8 cover two 4-cycle FMA pipes, and 12-16 leave slack for a late load. Whichever of the NB key
 * vectors and the HB broadcasts is fewer is held in registers and the other streamed. Lanes of
 * keys past the chunk's n read whatever the cache block holds there; the softmax overwrites their
 * scores. */
#define AT_XS(n) (TB_AT_ACC / (n) >= 4 ? 4 : TB_AT_ACC / (n) >= 2 ? 2 : 1)
#define AT_SCORE_BLOCK(NAME, KVT)                                                                               \
    TB_AT_INLINE void NAME(const float *qs, const KVT *kc, int64_t v0, int64_t d, float *sc, const int HB,     \
                           const int NB, const int PF, const char *pk, const char *pv)                          \
    {                                                                                                           \
        const int XS = AT_XS(HB * NB);                                                                          \
        TB_V acc[AT_ACC_N];                                                                                     \
        const KVT *kb[AT_ACC_N];                                                                                \
        for (int b = 0; b < NB; b++)                                                                            \
            kb[b] = kc + tb_attn_k_offset(d, (v0 + b) * TB_VL, 0);                                              \
        for (int i = 0; i < XS * HB * NB; i++)                                                                  \
            acc[i] = TB_VZERO();                                                                                \
        for (int64_t x = 0; x < d; x += XS) {                                                                   \
            AT_PF_PACED(PF, pk, pv, XS * NB * TB_VL * (int)sizeof(KVT));                                        \
            for (int u = 0; u < XS; u++) {                                                                      \
                TB_V *au = acc + u * HB * NB;                                                                   \
                const int64_t xu = (x + u) * TB_ATTN_KBLOCK;                                                    \
                if (NB <= HB) { /* NB key vectors held: NB + 1 + XS·HB·NB registers */                          \
                    TB_V kv[4];                                                                                 \
                    for (int b = 0; b < NB; b++)                                                                \
                        kv[b] = TB_KV_LOAD(kb[b] + xu);                                                         \
                    for (int h = 0; h < HB; h++) {                                                              \
                        TB_V qv = TB_VSET1(qs[h * d + x + u]);                                                  \
                        for (int b = 0; b < NB; b++)                                                            \
                            au[h * NB + b] = TB_VFMA(au[h * NB + b], qv, kv[b]);                                \
                    }                                                                                           \
                } else { /* HB broadcasts held: HB + 1 + XS·HB·NB registers */                                  \
                    TB_V qv[4];                                                                                 \
                    for (int h = 0; h < HB; h++)                                                                \
                        qv[h] = TB_VSET1(qs[h * d + x + u]);                                                    \
                    for (int b = 0; b < NB; b++) {                                                              \
                        TB_V kv = TB_KV_LOAD(kb[b] + xu);                                                       \
                        for (int h = 0; h < HB; h++)                                                            \
                            au[h * NB + b] = TB_VFMA(au[h * NB + b], qv[h], kv);                                \
                    }                                                                                           \
                }                                                                                               \
            }                                                                                                   \
        }                                                                                                       \
        for (int h = 0; h < HB; h++)                                                                            \
            for (int b = 0; b < NB; b++) {                                                                      \
                TB_V t = acc[h * NB + b];                                                                       \
                for (int u = 1; u < XS; u++)                                                                    \
                    t = TB_VADD(t, acc[u * HB * NB + h * NB + b]);                                              \
                TB_VSTORE(sc + h * TB_ATTN_DECODE_CHUNK + (v0 + b) * TB_VL, t);                                 \
            }                                                                                                   \
    }

/* acc[HB][NV·VL] = acc·alpha + P[HB][n] · V[n][NV·VL] (V rows of stride d). Per key, whichever of
 * the NV V vectors and the HB broadcast weights is fewer is held in registers and the other
 * streamed, so the block needs HB·NV accumulators + min(HB, NV) + 1 registers: (4, 3), (3, 3),
 * (2, 6), (1, 12) fit 16; (4, 3) replaced (4, 2), with a third fewer loop iterations and weight
 * broadcasts per key. TAIL: the block ends a row of d inside its last vector, which it then
 * loads, reads and writes through the mask mt. */
/* NOLINTBEGIN(bugprone-branch-clone): a tier without masks (TB_VMASK unset) defines the masked
 * loads and stores as the plain ones, so there the TAIL branches are clones of each other */
#define AT_PV_BLOCK(NAME, KVT, KVLOAD, KVLOADM)                                                                    \
    TB_AT_INLINE void NAME(const float *p, const KVT *vr, int64_t d, int64_t n, const float *alpha, float *acc,  \
                           const int HB, const int NV, const int TAIL, const TB_VMASK mt, const int PF,            \
                           const char *pk, const char *pv)                                                         \
    {                                                                                                              \
        TB_V a[AT_ACC_N];                                                                                          \
        (void)mt;                                                                                                  \
        for (int h = 0; h < HB; h++) {                                                                             \
            TB_V al = TB_VSET1(alpha[h]);                                                                          \
            for (int v = 0; v < NV; v++)                                                                           \
                a[h * NV + v] = TB_VMUL(TAIL && v == NV - 1 ? TB_VLOAD_M(acc + h * d + v * TB_VL, mt)             \
                                                            : TB_VLOAD(acc + h * d + v * TB_VL),                   \
                                        al);                                                                       \
        }                                                                                                          \
        for (int64_t j = 0; j < n; j++) {                                                                          \
            AT_PF_PACED(PF, pk, pv, NV * TB_VL * (int)sizeof(KVT));                                                \
            if (NV <= HB) { /* NV V vectors held, one weight at a time: NV + 1 + HB·NV registers */              \
                TB_V b[4];                                                                                         \
                for (int v = 0; v < NV; v++)                                                                       \
                    b[v] = TAIL && v == NV - 1 ? KVLOADM(vr + j * d + v * TB_VL, mt) : KVLOAD(vr + j * d + v * TB_VL); \
                for (int h = 0; h < HB; h++) {                                                                     \
                    TB_V pv = TB_VSET1(p[h * TB_ATTN_DECODE_CHUNK + j]);                                           \
                    for (int v = 0; v < NV; v++)                                                                   \
                        a[h * NV + v] = TB_VFMA(a[h * NV + v], pv, b[v]);                                          \
                }                                                                                                  \
            } else { /* HB weights held, each V vector used at once: HB + 1 + HB·NV registers */                  \
                TB_V pv[4];                                                                                        \
                for (int h = 0; h < HB; h++)                                                                       \
                    pv[h] = TB_VSET1(p[h * TB_ATTN_DECODE_CHUNK + j]);                                             \
                for (int v = 0; v < NV; v++) {                                                                     \
                    TB_V b = TAIL && v == NV - 1 ? KVLOADM(vr + j * d + v * TB_VL, mt) : KVLOAD(vr + j * d + v * TB_VL); \
                    for (int h = 0; h < HB; h++)                                                                   \
                        a[h * NV + v] = TB_VFMA(a[h * NV + v], pv[h], b);                                          \
                }                                                                                                  \
            }                                                                                                      \
        }                                                                                                          \
        for (int h = 0; h < HB; h++)                                                                               \
            for (int v = 0; v < NV; v++) {                                                                         \
                if (TAIL && v == NV - 1)                                                                           \
                    TB_VSTORE_M(acc + h * d + v * TB_VL, mt, a[h * NV + v]);                                       \
                else                                                                                               \
                    TB_VSTORE(acc + h * d + v * TB_VL, a[h * NV + v]);                                             \
            }                                                                                                      \
    }
/* NOLINTEND(bugprone-branch-clone) */

/* ---- dtype-free kernels ------------------------------------------------------------------- */

TB_DECL_ATTN_EXP2(TB_AT_TFN(exp2))
{
    int64_t i = 0;
    for (; i + TB_VL <= n; i += TB_VL)
        TB_VSTORE(y + i, TB_VEXP2(TB_VLOAD(x + i)));
    if (i < n) {
        float buf[TB_VL];
        for (int j = 0; j < TB_VL; j++)
            buf[j] = i + j < n ? x[i + j] : 0.0f;
        TB_VSTORE(buf, TB_VEXP2(TB_VLOAD(buf)));
        for (int j = 0; i + j < n; j++)
            y[i + j] = buf[j];
    }
}

TB_DECL_ATTN_SILU_MUL(TB_AT_TFN(silu_mul))
{
    enum { CHUNK = 256 }; /* exponentials per pass: a stack buffer that stays in L1 */
    float t[CHUNK];
    for (int64_t i0 = 0; i0 < n; i0 += CHUNK) {
        const int64_t m = n - i0 < CHUNK ? n - i0 : CHUNK;
        float *g = x + i0;
        const float *u = y + i0;
        for (int64_t j = 0; j < m; j++)
            t[j] = -fabsf(g[j]) * 1.44269504088896341f; /* e^-|g| = 2^(-|g| log2 e) */
        TB_AT_TFN(exp2)(t, t, m);
        for (int64_t j = 0; j < m; j++)
            g[j] = g[j] * ((g[j] < 0.0f ? t[j] : 1.0f) / (1.0f + t[j])) * u[j]; /* no cancellation */
    }
}

TB_DECL_ATTN_ROPE(TB_AT_TFN(rope))
{
    const int64_t half = d / 2;
    for (int64_t r = 0; r < rows; r++) {
        const float *a = x + r * d;
        float *b = y + r * d;
        int64_t i = 0;
        for (; i + TB_VL <= half; i += TB_VL) {
            TB_V x0 = TB_VLOAD(a + i), x1 = TB_VLOAD(a + half + i), c = TB_VLOAD(cos + i), s = TB_VLOAD(sin + i);
            TB_VSTORE(b + i, TB_VSUB(TB_VMUL(x0, c), TB_VMUL(x1, s)));
            TB_VSTORE(b + half + i, TB_VADD(TB_VMUL(x1, c), TB_VMUL(x0, s)));
        }
        for (; i < half; i++) {
            float x0 = a[i], x1 = a[half + i];
            b[i] = x0 * cos[i] - x1 * sin[i];
            b[half + i] = x1 * cos[i] + x0 * sin[i];
        }
    }
}

TB_DECL_ATTN_MERGE(TB_AT_TFN(merge))
{
    for (int64_t h = 0; h < g; h++) {
        float mx = -INFINITY, sum = 0.0f;
        for (int64_t p = 0; p < parts; p++)
            mx = m[p][h] > mx ? m[p][h] : mx;
        for (int64_t p = 0; p < parts; p++)
            sum += l[p][h] * at_exp2_scalar(m[p][h] - mx);
        float *o = out + h * d;
        for (int64_t x = 0; x < d; x += TB_VL)
            TB_VSTORE_M(o + x, AT_MASK(d - x), TB_VZERO());
        for (int64_t p = 0; p < parts; p++) {
            TB_V w = TB_VSET1(at_exp2_scalar(m[p][h] - mx) / sum);
            const float *a = acc[p] + h * d;
            for (int64_t x = 0; x < d; x += TB_VL) {
                const TB_VMASK k = AT_MASK(d - x);
                (void)k;
                TB_VSTORE_M(o + x, k, TB_VFMA(TB_VLOAD_M(o + x, k), w, TB_VLOAD_M(a + x, k)));
            }
        }
    }
}

#endif /* TB_ATTN_SHARED_DONE */

/* ---- per KV dtype ------------------------------------------------------------------------- */

#ifndef TB_KV_LOAD_M
#define TB_KV_LOAD_M(p, m) TB_KV_LOAD(p)
#endif
AT_SCORE_BLOCK(TB_AT_FN(score_block), TB_KV_T)
AT_PV_BLOCK(TB_AT_FN(pv_block), TB_KV_T, TB_KV_LOAD, TB_KV_LOAD_M)

/* Each k row is converted by the vector store (the same rounding as a V row) into a buffer and
 * written down its key's column of the K block. */
TB_DECL_ATTN_KV_APPEND(TB_AT_FN(kv_append))
{
    TB_KV_T row[TB_ATTN_MAX_HEAD_DIM];
    for (int64_t t = 0; t < ntok; t++)
        for (int64_t h = 0; h < kv_heads; h++) {
            const float *ks = k + (t * kv_heads + h) * d, *vs = v + (t * kv_heads + h) * d;
            TB_KV_T *kd = (TB_KV_T *)kc + h * capacity * d, *vd = (TB_KV_T *)vc + (h * capacity + pos + t) * d;
            int64_t x = 0;
            for (; x + TB_VL <= d; x += TB_VL) {
                TB_KV_STORE(row + x, TB_VLOAD(ks + x));
                TB_KV_STORE(vd + x, TB_VLOAD(vs + x));
            }
            for (; x < d; x++) {
                row[x] = TB_KV_FROM(ks[x]);
                vd[x] = TB_KV_FROM(vs[x]);
            }
            kd += tb_attn_k_offset(d, pos + t, 0);
            for (x = 0; x < d; x++)
                kd[x * TB_ATTN_KBLOCK] = row[x];
        }
}

/* Packing (attention.h): K blocks widened to f32 panels, V in padded rows. Once per call. */
_Static_assert(TB_PF_NR == TB_ATTN_KBLOCK && TB_PF_NR % TB_VL == 0, "a packed K panel is a widened K block");
TB_DECL_ATTN_PREFILL_PACK(TB_AT_FN(prefill_pack))
{
    const TB_KV_T *K = k, *V = v;
    const int64_t dp = tb_attn_padded_dim(d);
    for (int64_t p = p0; p < p1; p++) {
        float *panel = kt + p * d * TB_PF_NR;
        const TB_KV_T *kb = K + p * d * TB_PF_NR;
        const int64_t live = at_min(TB_PF_NR, n - p * TB_PF_NR > 0 ? n - p * TB_PF_NR : 0);
        if (live > 0)
            for (int64_t i = 0; i < d * TB_PF_NR; i += TB_VL)
                TB_VSTORE(panel + i, TB_KV_LOAD(kb + i));
        if (live < TB_PF_NR) /* keys ≥ n: zero, whatever the cache holds there */
            for (int64_t x = 0; x < d; x++)
                for (int64_t j = live; j < TB_PF_NR; j++)
                    panel[x * TB_PF_NR + j] = 0.0f;
        for (int64_t j = 0; j < TB_PF_NR; j++) {
            int64_t key = p * TB_PF_NR + j;
            float *vr = vp + key * dp;
            int64_t x = 0;
            if (key < n) {
                for (x = 0; x + TB_VL <= d; x += TB_VL)
                    TB_VSTORE(vr + x, TB_KV_LOAD(V + key * d + x));
                for (; x < d; x++) /* a row that ends inside a vector */
                    vr[x] = TB_KV_SCALAR(V[key * d + x]);
            }
            for (; x < dp; x++)
                vr[x] = 0.0f;
        }
    }
}

/* The three phases of a decode chunk of n keys at kc, vc (keys before j0 dropped), for the g heads.
 * pf: the first block of heads requests, at the pace it reads (AT_PF_PACED), a half of the K chunk
 * at nk and a half of the V chunk at nv: scores the first halves, P·V the second. */

/* Runs PHASE(pf) or PHASE(0) (the phase's block runs, with or without requests) over the heads in
 * blocks of hb = 4, 3, 2, 1 from head h, after LOCALS; only the first block requests. */
#define AT_HEAD_BLOCKS(LOCALS, PHASE)                       \
    for (int64_t h = 0; h < g;) {                           \
        const int hb = g - h >= 4 ? 4 : (int)(g - h);       \
        LOCALS;                                             \
        if (h == 0 && pf)                                   \
            PHASE(1)                                        \
        else                                                \
            PHASE(0)                                        \
        h += hb;                                            \
    }

/* Scores: heads in blocks of 4, 3, 2, 1 with AT_SKV(heads) vectors of keys at a time, the leftover
 * vectors in blocks of 4, 2, 1; the block at key vector j requests the share starting j·VL·d/2
 * elements into the halves. */
TB_AT_INLINE void TB_AT_FN(score_chunk)(const float *qs, const TB_KV_T *kc, int64_t n, int64_t g, int64_t d, float *sc,
                                        int pf, const char *nk, const char *nv)
{
    const int64_t nvk = (n + TB_VL - 1) / TB_VL;
#define AT_SB(HB_, NB_, PF_)                                                                                    \
    do {                                                                                                        \
        const int64_t o_ = j * TB_VL * d * (int64_t)sizeof(TB_KV_T) / 2;                                        \
        TB_AT_FN(score_block)(qh, kc, j, d, sh, HB_, NB_, PF_, nk + o_, nv + o_);                               \
        j += (NB_);                                                                                             \
    } while (0)
/* a block of P (a power of two) items where the main blocks take K, else a harmless 1 for the
 * call that the false test around it removes */
#define AT_BELOW(K, P) ((K) > (P) ? (P) : 1)
#define AT_SCORE_RUN(HB_, PF_)                                   \
    do {                                                         \
        while (j + AT_SKV(HB_) <= nvk)                           \
            AT_SB(HB_, AT_SKV(HB_), PF_);                        \
        if (AT_SKV(HB_) > 4 && j + 4 <= nvk)                     \
            AT_SB(HB_, AT_BELOW(AT_SKV(HB_), 4), PF_);           \
        if (AT_SKV(HB_) > 2 && j + 2 <= nvk)                     \
            AT_SB(HB_, AT_BELOW(AT_SKV(HB_), 2), PF_);           \
        if (AT_SKV(HB_) > 1 && j < nvk)                          \
            AT_SB(HB_, 1, PF_);                                  \
    } while (0)
#define AT_SCORE_HEADS(PF_)          \
    switch (hb) {                    \
    case 4:                          \
        AT_SCORE_RUN(4, PF_);        \
        break;                       \
    case 3:                          \
        AT_SCORE_RUN(3, PF_);        \
        break;                       \
    case 2:                          \
        AT_SCORE_RUN(2, PF_);        \
        break;                       \
    default:                         \
        AT_SCORE_RUN(1, PF_);        \
    }
    AT_HEAD_BLOCKS(float *sh = sc + h * TB_ATTN_DECODE_CHUNK; const float *qh = qs + h * d; int64_t j = 0,
                   AT_SCORE_HEADS)
#undef AT_SCORE_HEADS
#undef AT_SCORE_RUN
#undef AT_SB
}

/* Online softmax per head: scores to weights 2^(s − m) in place, the sum of the weights added to
 * the head's vector of partial sums lv (VL lanes, summed across only once, at the end), al[h] the
 * factor that rescales what was summed before. The reference m moves only when a score exceeds it
 * by more than AT_RESCALE_SLACK (and then to the chunk's max), so most chunks need neither a
 * horizontal max nor a new factor: a weight stays below 2^AT_RESCALE_SLACK, far from overflow, and
 * the result is the same up to rounding (the conditional rescaling of FlashAttention-4). Keys
 * before j0 and lanes past n are −inf, so the vector loops may run over them. */
#define AT_RESCALE_SLACK 16.0f
TB_AT_INLINE void TB_AT_FN(softmax_chunk)(float *sc, int64_t n, int64_t j0, int64_t g, float *m, float *lv, float *al)
{
    const int64_t npad = (n + TB_VL - 1) / TB_VL * TB_VL;
    for (int64_t h = 0; h < g; h++) {
        float *sh = sc + h * TB_ATTN_DECODE_CHUNK;
        for (int64_t j = 0; j < j0; j++)
            sh[j] = -INFINITY;
        for (int64_t j = n; j < npad; j++)
            sh[j] = -INFINITY;
        const TB_V mx = at_rowmax(sh, npad);
        al[h] = 1.0f;
        if (TB_VANY_GT(mx, m[h] + AT_RESCALE_SLACK)) { /* a chunk always has a finite score */
            const float mn = TB_VHMAX(mx);
            al[h] = at_exp2_scalar(m[h] - mn);
            m[h] = mn;
        }
        TB_VSTORE(lv + h * TB_VL, at_exp_row(sh, npad, m[h], TB_VMUL(TB_VLOAD(lv + h * TB_VL), TB_VSET1(al[h]))));
    }
}

/* acc = acc·alpha + P·V over keys j0..n−1: heads in blocks of 4, 3, 2, 1 with TB_AT_PV4, _PV3,
 * _PV2, _PV1 vectors of d (3, 3, 6, 12 with 16 registers; a row that ends inside a vector counts
 * it whole, masked), the leftover vectors as for the keys above, except that 4 heads end 4 vectors
 * as 2 + 2, not 3 + 1: a one-vector block has only 4 FMA chains, too few to cover the 4-cycle
 * latency of two pipes; the block at column x requests the share starting x·n/2 elements into
 * the halves. */
TB_AT_INLINE void TB_AT_FN(pv_chunk)(const float *sc, const TB_KV_T *vc, int64_t n, int64_t j0, int64_t g, int64_t d,
                                     const float *al, float *acc, int pf, const char *nk, const char *nv)
{
    const int64_t dr = (d + TB_VL - 1) / TB_VL * TB_VL;
    const TB_KV_T *vj = vc + j0 * d;
#define AT_PB(HB_, NV_, PF_)                                                                                    \
    do {                                                                                                        \
        const int64_t o_ = x * n * (int64_t)sizeof(TB_KV_T) / 2;                                                \
        if (TB_AT_TAILS && x + (NV_) * TB_VL > d)                                                               \
            TB_AT_FN(pv_block)(ph, vj + x, d, n - j0, al + h, ah + x, HB_, NV_, 1,                              \
                               AT_MASK(d - x - ((NV_) - 1) * TB_VL), PF_, nk + o_, nv + o_);                   \
        else                                                                                                    \
            TB_AT_FN(pv_block)(ph, vj + x, d, n - j0, al + h, ah + x, HB_, NV_, 0, TB_VMASK_ALL, PF_, nk + o_, \
                               nv + o_);                                                                        \
        x += (NV_) * TB_VL;                                                                                     \
    } while (0)
#define AT_PV_RUN(HB_, NV_, PF_)                                                           \
    do {                                                                                   \
        while (x + (NV_) * TB_VL <= dr && !((HB_) == 4 && (NV_) == 3 && dr - x == 4 * TB_VL)) \
            AT_PB(HB_, NV_, PF_);                                                          \
        if ((NV_) > 16 && x + 16 * TB_VL <= dr)                                            \
            AT_PB(HB_, AT_BELOW(NV_, 16), PF_);                                            \
        if ((NV_) > 8 && x + 8 * TB_VL <= dr)                                              \
            AT_PB(HB_, AT_BELOW(NV_, 8), PF_);                                             \
        if ((NV_) > 4 && x + 4 * TB_VL <= dr)                                              \
            AT_PB(HB_, AT_BELOW(NV_, 4), PF_);                                             \
        while ((NV_) > 2 && x + 2 * TB_VL <= dr)                                           \
            AT_PB(HB_, AT_BELOW(NV_, 2), PF_);                                             \
        if ((NV_) > 1 && x < dr)                                                           \
            AT_PB(HB_, 1, PF_);                                                            \
    } while (0)
#define AT_PV_HEADS(PF_)                   \
    switch (hb) {                          \
    case 4:                                \
        AT_PV_RUN(4, TB_AT_PV4, PF_);      \
        break;                             \
    case 3:                                \
        AT_PV_RUN(3, TB_AT_PV3, PF_);      \
        break;                             \
    case 2:                                \
        AT_PV_RUN(2, TB_AT_PV2, PF_);      \
        break;                             \
    default:                               \
        AT_PV_RUN(1, TB_AT_PV1, PF_);      \
    }
    AT_HEAD_BLOCKS(const float *ph = sc + h * TB_ATTN_DECODE_CHUNK + j0; float *ah = acc + h * d; int64_t x = 0,
                   AT_PV_HEADS)
#undef AT_PV_HEADS
#undef AT_PV_RUN
#undef AT_PB
#undef AT_BELOW
}

/* Chunks start on K blocks: the first one at the block holding c0, whose keys before c0 are
 * scored and then dropped. While a chunk is scored and then multiplied by V, both phases request
 * halves of the next chunk's K and V. The first chunk has no chunk before it to request it: all
 * its rows at once. (Scoring chunk c + 1 before the P·V of chunk c, to overlap the softmax with
 * FMAs, read no faster.) */
TB_DECL_ATTN_DECODE(TB_AT_FN(decode))
{
    const TB_KV_T *K = k, *V = v;
    const int64_t dc = (g * d + 15) / 16 * 16, sc_n = (g * TB_ATTN_DECODE_CHUNK + 15) / 16 * 16;
    const int64_t al_n = (g + 15) / 16 * 16, ch = TB_ATTN_DECODE_CHUNK;
    float *qs = scratch, *sc = scratch + dc, *al = sc + sc_n, *lv = al + al_n;
    const float f = at_qscale(d);
    for (int64_t i = 0; i < g * d; i++) {
        qs[i] = q[i] * f;
        acc[i] = 0.0f;
    }
    for (int64_t h = 0; h < g; h++) {
        m[h] = -INFINITY;
        TB_VSTORE(lv + h * TB_VL, TB_VZERO());
    }
    const int64_t es = (int64_t)sizeof(TB_KV_T), cs = c0 / TB_ATTN_KBLOCK * TB_ATTN_KBLOCK;
    const int64_t first_lines = (at_min(ch, c1 - cs) * d * es + 63) / 64;
    at_prefetch_share(K + cs * d, 64, first_lines, 0, 1);
    at_prefetch_share(V + cs * d, 64, first_lines, 0, 1);
    for (int64_t c = cs, j0 = c0 - cs; c < c1; c += ch, j0 = 0) {
        /* n is a whole chunk whenever there is a next one. A shorter next chunk is overshot by at
         * most a chunk less its length rows: prefetches do not fault. */
        const int64_t n = at_min(ch, c1 - c), half = n / 2 * d * es;
        const int more = c + n < c1;
        const char *nk = (const char *)(K + (c + n) * d), *nv = (const char *)(V + (c + n) * d);
        TB_AT_FN(score_chunk)(qs, K + c * d, n, g, d, sc, more, nk, nv);
        TB_AT_FN(softmax_chunk)(sc, n, j0, g, m, lv, al);
        TB_AT_FN(pv_chunk)(sc, V + c * d, n, j0, g, d, al, acc, more, nk + half, nv + half);
    }
    for (int64_t h = 0; h < g; h++)
        l[h] = TB_VHSUM(TB_VLOAD(lv + h * TB_VL));
    if (normalize)
        for (int64_t h = 0; h < g; h++) {
            TB_V inv = TB_VSET1(1.0f / l[h]);
            for (int64_t x = 0; x < d; x += TB_VL) {
                const TB_VMASK k = AT_MASK(d - x);
                (void)k;
                TB_VSTORE_M(acc + h * d + x, k, TB_VMUL(TB_VLOAD_M(acc + h * d + x, k), inv));
            }
        }
}

#undef AT_HEAD_BLOCKS
#undef TB_KV
#undef TB_KV_T
#undef TB_KV_LOAD
#undef TB_KV_STORE
#undef TB_KV_SCALAR
#undef TB_KV_FROM
#undef TB_KV_LOAD_M
