/* q8_0 and q4_0 GEMV / skinny GEMM, AVX2+FMA+F16C tier, and the q8_0 activation quantizer.
 *
 * Integer dot of a 32-element block with _mm256_maddubs_epi16 (unsigned × signed bytes):
 *   q8_0: the weights take the activations' sign (vpsignb) and meet |a|, so a weight block needs
 *         one sign op per activation row;
 *   q4_0: the nibbles 0..15 are the unsigned side as they are; the −8 is applied as 8·Σa,
 *         computed once per activation block, not per weight block.
 * Several weight rows are done together and their int16/int32 partial sums are folded into the
 * lanes of one vector, [r0 .. r7] in GEMV, [r0 r1 r2 r3 | r0 r1 r2 r3] (low and high half-block)
 * in skinny GEMM, so the f16 scales of the rows are converted by one vcvtph2ps (packed in a GPR)
 * and a block costs one cvtdq2ps, one mul and one FMA for all of them: the per-block scale
 * multiply is off the per-row path. Everything before the float conversion is exact: int16 sums
 * stay below 2·127·127 (q8_0) or 16·15·127 (q4_0).
 *
 * Per call, the activation scales (and q4_0's Σa) are converted once into a stack buffer for a
 * slab of up to 32 activation rows and a chunk of K. Decode (M = 1) is bandwidth-bound, and the
 * hardware prefetcher alone restarts too slowly on rows of a few KiB to keep DRAM busy: software
 * prefetch runs PF_DIST bytes ahead in each row of the group, into the next group's rows near the
 * end.
 *
 * The same file is built a second time with AVX-512 F/BW/VL/VNNI flags and TB_QUANT_VNNI
 * (kernels/meson.build): there one vpdpbusd does what maddubs + madd do (u8 × s8 summed in
 * fours into int32, no int16 step). Decode is bandwidth-bound and stays on ymm registers; the
 * skinny products of the interleaved layouts, bound by instructions, take two groups per zmm
 * (x8_tile2). */
#include <immintrin.h>
#include <string.h>

#include "../common/tiers.h"

#ifdef TB_QUANT_VNNI
#define TB_QFN(op) tb_##op##_avx512vnni
/* Σ of four u8 × s8 products per int32 lane */
static inline __m256i dot_u8s8(__m256i u, __m256i s) { return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s); }
#else
#define TB_QFN(op) tb_##op##_avx2
static inline __m256i dot_u8s8(__m256i u, __m256i s)
{
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
#endif

#define SLAB TB_SKINNY_MAX /* activation rows per pass */
#define SCRATCH 4096        /* activation blocks of precomputed data per pass (32 KiB of stack) */
#define MR 4                /* activation rows per register block (the switch below knows 1..4) */
#ifdef TB_QUANT_VNNI
#define PF_DIST TB_TUNE_AVX512_Q_PF_DIST /* bytes ahead in each weight row (tuning.h) */
#define X8_PF_DIST TB_TUNE_AVX512_X8_PF_DIST
#define X8_STREAMS TB_TUNE_AVX512_X8_STREAMS
#else
#define PF_DIST TB_TUNE_AVX2_Q_PF_DIST
#define X8_PF_DIST TB_TUNE_AVX2_X8_PF_DIST
#define X8_STREAMS TB_TUNE_AVX2_X8_STREAMS
#endif

#ifndef TB_QUANT_VNNI /* VNNI sums into int32 directly (fold4_epi32) */
/* int16 vectors of four rows → [Σ r0 Σ r1 Σ r2 Σ r3 | same for the high lane], still int16
 * pairs: lane k of each 128-bit half holds two int16 partial sums of row k. */
static inline __m256i fold4_epi16(__m256i p0, __m256i p1, __m256i p2, __m256i p3)
{
    __m256i u01 = _mm256_add_epi16(_mm256_unpacklo_epi32(p0, p1), _mm256_unpackhi_epi32(p0, p1));
    __m256i u23 = _mm256_add_epi16(_mm256_unpacklo_epi32(p2, p3), _mm256_unpackhi_epi32(p2, p3));
    return _mm256_add_epi16(_mm256_unpacklo_epi64(u01, u23), _mm256_unpackhi_epi64(u01, u23));
}
#endif

static inline __m256i fold4_epi32(__m256i d0, __m256i d1, __m256i d2, __m256i d3)
{
    __m256i u01 = _mm256_add_epi32(_mm256_unpacklo_epi32(d0, d1), _mm256_unpackhi_epi32(d0, d1));
    __m256i u23 = _mm256_add_epi32(_mm256_unpacklo_epi32(d2, d3), _mm256_unpackhi_epi32(d2, d3));
    return _mm256_add_epi32(_mm256_unpacklo_epi64(u01, u23), _mm256_unpackhi_epi64(u01, u23));
}

/* 32 nibbles of a q4_0 block as bytes: low nibbles (elements 0..15) in the low lane, high
 * nibbles (16..31) in the high lane. */
static inline __m256i unpack_q4(const uint8_t *qs)
{
    __m256i b = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)qs));
    return _mm256_and_si256(_mm256_srlv_epi64(b, _mm256_set_epi64x(4, 4, 0, 0)), _mm256_set1_epi8(0x0f));
}

static inline __m256i load_qs(const int8_t *qs) { return _mm256_loadu_si256((const __m256i *)qs); }

/* ------------------------------------------------------------------------------------------ */
/* activation quantizer */

TB_DECL_QUANTIZE(TB_QFN(quantize_row_q8_0))
{
    tb_block_q8_0 *yb = y;
    const __m256 absmask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
    const __m256i perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    for (int64_t b = 0; b < k / TB_QK; b++) {
        const float *xb = x + b * TB_QK;
        __m256 v[4];
        __m256 mx = _mm256_setzero_ps();
        for (int j = 0; j < 4; j++) {
            v[j] = _mm256_loadu_ps(xb + 8 * j);
            /* max_ps returns its second operand when either is NaN: NaNs are skipped, as fmaxf does */
            mx = _mm256_max_ps(_mm256_and_ps(v[j], absmask), mx);
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(mx), _mm256_extractf128_ps(mx, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        /* the reference's scalar expressions, so that d and 1/d are bit-identical */
        float amax = _mm_cvtss_f32(m4);
        float d = amax / 127.0f, id = d ? 1.0f / d : 0.0f;
        yb[b].d = tb_f32_to_f16(d);
        const __m256 idv = _mm256_set1_ps(id);
        __m256i q[4];
        for (int j = 0; j < 4; j++) {
            /* roundf (half away from zero) without adding anything to the product, so no FMA
             * contraction can change it: |t| ≥ trunc|t| + 0.5 rounds up */
            __m256 t = _mm256_mul_ps(v[j], idv);
            __m256 a = _mm256_and_ps(t, absmask);
            __m256 r = _mm256_round_ps(a, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
            __m256 up = _mm256_cmp_ps(a, _mm256_add_ps(r, half), _CMP_GE_OQ);
            r = _mm256_add_ps(r, _mm256_and_ps(up, one));
            q[j] = _mm256_sign_epi32(_mm256_cvttps_epi32(r), _mm256_castps_si256(t));
        }
        __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(q[0], q[1]), _mm256_packs_epi32(q[2], q[3]));
        _mm256_storeu_si256((__m256i *)yb[b].qs, _mm256_permutevar8x32_epi32(p, perm));
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Per-pass activation data: the scale of every block as float and, for q4_0, mult·Σq. */

typedef struct {
    float da[SCRATCH];
    int32_t s[SCRATCH];
} act_prep;

static void prepare(act_prep *p, const tb_block_q8_0 *a, int64_t nb, int64_t rows, int64_t b0, int64_t nbc,
                    int mult)
{
    const __m256i mv = _mm256_set1_epi8((char)mult), ones = _mm256_set1_epi16(1);
    for (int64_t i = 0; i < rows; i++)
        for (int64_t b = 0; b < nbc; b++) {
            const tb_block_q8_0 *blk = a + i * nb + b0 + b;
            p->da[i * nbc + b] = _cvtsh_ss(blk->d);
            if (mult) {
                __m256i s = _mm256_madd_epi16(_mm256_maddubs_epi16(mv, load_qs(blk->qs)), ones);
                __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
                t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
                t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
                p->s[i * nbc + b] = _mm_cvtsi128_si32(t);
            }
        }
}

/* ------------------------------------------------------------------------------------------ */
/* Register blocks over a chunk of nbc blocks of nr weight rows (the last ones repeated when
 * fewer are valid, their results dropped): GEMV takes 8 rows and one activation row, skinny
 * GEMM 4 rows × mr activation rows. nr and mr are constants at every call site. */

typedef struct {
    const void *w[8];     /* the rows, at the chunk's first block */
    int64_t seg_bytes;    /* bytes of one row in this chunk */
    int64_t group_stride; /* bytes from a row to the same row of the next group */
    int prefetch;
} wrows;

/* always_inline: GCC 12 otherwise finds this void function free of side effects (prefetches
 * do not count) and deletes the call before inlining it */
static inline __attribute__((always_inline)) void prefetch_rows(const wrows *r, int64_t at, const int nr)
{
    int64_t off = at + PF_DIST;
    if (off >= r->seg_bytes) /* past this chunk of the row: the next group's rows come next */
        off += r->group_stride - r->seg_bytes;
    for (int t = 0; t < nr; t++) /* an address, not a pointer: it may lie past the matrix */
        _mm_prefetch((const char *)((uintptr_t)r->w[t] + (uintptr_t)off), _MM_HINT_T0);
}

static inline uint64_t pack4_f16(uint16_t a, uint16_t b, uint16_t c, uint16_t d)
{
    return (uint64_t)a | (uint64_t)b << 16 | (uint64_t)c << 32 | (uint64_t)d << 48;
}

/* the f16 scales of eight rows, packed in GPRs, converted by one vcvtph2ps (built from two
 * vmovq, not _mm_set_epi64x, which GCC turns into vector shifts and ors) */
#define SCALES8(w, b)                                                                                       \
    _mm256_cvtph_ps(                                                                                       \
        _mm_unpacklo_epi64(_mm_cvtsi64_si128((long long)pack4_f16((w)[0][b].d, (w)[1][b].d, (w)[2][b].d, (w)[3][b].d)), \
                           _mm_cvtsi64_si128((long long)pack4_f16((w)[4][b].d, (w)[5][b].d, (w)[6][b].d, (w)[7][b].d))))

/* [d0 d1 d2 d3 | d0 d1 d2 d3] */
static inline __m256 scales4(uint16_t d0, uint16_t d1, uint16_t d2, uint16_t d3)
{
    __m128 f = _mm_cvtph_ps(_mm_cvtsi64_si128((long long)pack4_f16(d0, d1, d2, d3)));
    return _mm256_set_m128(f, f);
}

/* [s0..s7] of eight rows from two fold4 results [r0..r3 | r0..r3] (low and high half-blocks) */
static inline __m256i join_halves(__m256i f03, __m256i f47, int epi16)
{
    __m256i lo = _mm256_permute2x128_si256(f03, f47, 0x20), hi = _mm256_permute2x128_si256(f03, f47, 0x31);
    return epi16 ? _mm256_add_epi16(lo, hi) : _mm256_add_epi32(lo, hi);
}

/* Writes or adds nvalid results of one activation row. */
static inline void store_rows(__m256 v, float *c, int nvalid, int accumulate)
{
    float t[8];
    _mm256_storeu_ps(t, v);
    for (int r = 0; r < nvalid; r++)
        c[r] = accumulate ? c[r] + t[r] : t[r];
}

static inline __m256 sum_halves(__m256 acc)
{
    __m128 v = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
    return _mm256_zextps128_ps256(v);
}

/* GEMV, q4_0: eight rows, lanes [r0..r7] */
static inline __attribute__((always_inline)) void gemv8_q4_0(const wrows *r, int64_t nbc, const tb_block_q8_0 *a,
                                                            const float *da, const int32_t *s8, float *c, int nvalid,
                                                            int accumulate)
{
    const tb_block_q4_0 *w[8];
    for (int t = 0; t < 8; t++)
        w[t] = r->w[t];
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nbc; b++) {
        if (!(b & 1)) /* 36 B of each row per two blocks: one line each */
            prefetch_rows(r, b * (int64_t)sizeof(tb_block_q4_0), 8);
        __m256i aq = load_qs(a[b].qs);
        __m256i p[8];
#ifdef TB_QUANT_VNNI
        for (int t = 0; t < 8; t++)
            p[t] = dot_u8s8(unpack_q4(w[t][b].qs), aq);
        __m256i h = join_halves(fold4_epi32(p[0], p[1], p[2], p[3]), fold4_epi32(p[4], p[5], p[6], p[7]), 0);
        h = _mm256_sub_epi32(h, _mm256_set1_epi32(s8[b]));
#else
        for (int t = 0; t < 8; t++)
            p[t] = _mm256_maddubs_epi16(unpack_q4(w[t][b].qs), aq);
        /* Σ q·a over 16 elements ≤ 16·15·127: still int16 after joining the halves */
        __m256i h = join_halves(fold4_epi16(p[0], p[1], p[2], p[3]), fold4_epi16(p[4], p[5], p[6], p[7]), 1);
        h = _mm256_sub_epi32(_mm256_madd_epi16(h, _mm256_set1_epi16(1)), _mm256_set1_epi32(s8[b]));
#endif
        __m256 s = _mm256_mul_ps(SCALES8(w, b), _mm256_set1_ps(da[b]));
        acc = _mm256_fmadd_ps(s, _mm256_cvtepi32_ps(h), acc);
    }
    store_rows(acc, c, nvalid, accumulate);
}

/* GEMV, q8_0: eight rows, lanes [r0..r7] */
static inline __attribute__((always_inline)) void gemv8_q8_0(const wrows *r, int64_t nbc, const tb_block_q8_0 *a,
                                                            const float *da, float *c, int nvalid, int accumulate)
{
    const tb_block_q8_0 *w[8];
    for (int t = 0; t < 8; t++)
        w[t] = r->w[t];
    __m256 acc = _mm256_setzero_ps();
    for (int64_t b = 0; b < nbc; b++) {
        prefetch_rows(r, b * (int64_t)sizeof(tb_block_q8_0), 8); /* 34 B of each row per block */
        __m256i aq = load_qs(a[b].qs), aabs = _mm256_abs_epi8(aq);
        __m256i d[8];
        for (int t = 0; t < 8; t++)
            d[t] = dot_u8s8(aabs, _mm256_sign_epi8(load_qs(w[t][b].qs), aq));
        __m256i h = join_halves(fold4_epi32(d[0], d[1], d[2], d[3]), fold4_epi32(d[4], d[5], d[6], d[7]), 0);
        __m256 s = _mm256_mul_ps(SCALES8(w, b), _mm256_set1_ps(da[b]));
        acc = _mm256_fmadd_ps(s, _mm256_cvtepi32_ps(h), acc);
    }
    store_rows(acc, c, nvalid, accumulate);
}

/* skinny, q4_0: four rows × mr activation rows, lanes [r0..r3 | r0..r3] */
static inline __attribute__((always_inline)) void block_q4_0(const wrows *r, int64_t nbc, const tb_block_q8_0 *a,
                                                            int64_t lda, const float *da, const int32_t *s4,
                                                            int64_t ldp, float *c, int64_t ldc, int nvalid,
                                                            int accumulate, const int mr)
{
    const tb_block_q4_0 *w0 = r->w[0], *w1 = r->w[1], *w2 = r->w[2], *w3 = r->w[3];
    __m256 acc[MR];
    for (int i = 0; i < mr; i++)
        acc[i] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nbc; b++) {
        if (r->prefetch && !(b & 1))
            prefetch_rows(r, b * (int64_t)sizeof(tb_block_q4_0), 4);
        __m256i q0 = unpack_q4(w0[b].qs), q1 = unpack_q4(w1[b].qs), q2 = unpack_q4(w2[b].qs),
                q3 = unpack_q4(w3[b].qs);
        __m256 dw = scales4(w0[b].d, w1[b].d, w2[b].d, w3[b].d);
        for (int i = 0; i < mr; i++) {
            __m256i aq = load_qs(a[i * lda + b].qs);
#ifdef TB_QUANT_VNNI
                __m256i h = fold4_epi32(dot_u8s8(q0, aq), dot_u8s8(q1, aq), dot_u8s8(q2, aq), dot_u8s8(q3, aq));
#else
            /* Σ q·a over 8 elements ≤ 8·15·127: the fold stays in int16 */
            __m256i h = fold4_epi16(_mm256_maddubs_epi16(q0, aq), _mm256_maddubs_epi16(q1, aq),
                                    _mm256_maddubs_epi16(q2, aq), _mm256_maddubs_epi16(q3, aq));
            h = _mm256_madd_epi16(h, _mm256_set1_epi16(1));
#endif
            /* −8·Σa as −4·Σa in each half: both halves get the same scale */
            h = _mm256_sub_epi32(h, _mm256_set1_epi32(s4[i * ldp + b]));
            __m256 s = _mm256_mul_ps(dw, _mm256_set1_ps(da[i * ldp + b]));
            acc[i] = _mm256_fmadd_ps(s, _mm256_cvtepi32_ps(h), acc[i]);
        }
    }
    for (int i = 0; i < mr; i++)
        store_rows(sum_halves(acc[i]), c + i * ldc, nvalid, accumulate);
}

/* skinny, q8_0: four rows × mr activation rows, lanes [r0..r3 | r0..r3] */
static inline __attribute__((always_inline)) void block_q8_0(const wrows *r, int64_t nbc, const tb_block_q8_0 *a,
                                                            int64_t lda, const float *da, const int32_t *s4,
                                                            int64_t ldp, float *c, int64_t ldc, int nvalid,
                                                            int accumulate, const int mr)
{
    (void)s4;
    const tb_block_q8_0 *w0 = r->w[0], *w1 = r->w[1], *w2 = r->w[2], *w3 = r->w[3];
    __m256 acc[MR];
    for (int i = 0; i < mr; i++)
        acc[i] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nbc; b++) {
        if (r->prefetch)
            prefetch_rows(r, b * (int64_t)sizeof(tb_block_q8_0), 4);
        __m256i q0 = load_qs(w0[b].qs), q1 = load_qs(w1[b].qs), q2 = load_qs(w2[b].qs), q3 = load_qs(w3[b].qs);
        __m256 dw = scales4(w0[b].d, w1[b].d, w2[b].d, w3[b].d);
        for (int i = 0; i < mr; i++) {
            __m256i aq = load_qs(a[i * lda + b].qs), aabs = _mm256_abs_epi8(aq);
            __m256i d0 = dot_u8s8(aabs, _mm256_sign_epi8(q0, aq)), d1 = dot_u8s8(aabs, _mm256_sign_epi8(q1, aq));
            __m256i d2 = dot_u8s8(aabs, _mm256_sign_epi8(q2, aq)), d3 = dot_u8s8(aabs, _mm256_sign_epi8(q3, aq));
            __m256 s = _mm256_mul_ps(dw, _mm256_set1_ps(da[i * ldp + b]));
            acc[i] = _mm256_fmadd_ps(s, _mm256_cvtepi32_ps(fold4_epi32(d0, d1, d2, d3)), acc[i]);
        }
    }
    for (int i = 0; i < mr; i++)
        store_rows(sum_halves(acc[i]), c + i * ldc, nvalid, accumulate);
}

/* ------------------------------------------------------------------------------------------ */
/* Driver: slabs of ≤ 32 activation rows × chunks of K whose activation data fit the scratch;
 * within them, groups of weight rows, each meeting every activation row of the slab while it
 * sits in L1, so a weight block comes from memory once per slab and chunk. */

static inline __attribute__((always_inline)) wrows group(const void *w, size_t bs, int64_t nb, int64_t j, int nvalid,
                                                         int64_t b0, int64_t nbc, const int nr)
{
    wrows r = {.seg_bytes = nbc * (int64_t)bs, .group_stride = nr * nb * (int64_t)bs, .prefetch = 1};
    for (int t = 0; t < nr; t++)
        r.w[t] = (const char *)w + ((j + (t < nvalid ? t : nvalid - 1)) * nb + b0) * (int64_t)bs;
    return r;
}

#define DEFINE_MATMUL(NAME, WT, GEMV8, BLOCK, SUMS)                                                       \
    TB_DECL_MATMUL(NAME)                                                                                  \
    {                                                                                                     \
        const int64_t nb = k / TB_QK;                                                                     \
        const tb_block_q8_0 *A = a;                                                                       \
        act_prep prep;                                                                                    \
        if (nb == 0) /* an empty sum; the chunk loop below would not run */                               \
            for (int64_t i = 0; i < m; i++)                                                               \
                for (int64_t j = n0; j < n1; j++)                                                         \
                    c[i * n + j] = 0.0f;                                                                  \
        for (int64_t i0 = 0; i0 < m; i0 += SLAB) {                                                        \
            const int64_t rows = m - i0 < SLAB ? m - i0 : SLAB;                                           \
            const int64_t chunk = SCRATCH / rows < nb ? SCRATCH / rows : nb;                              \
            for (int64_t b0 = 0; b0 < nb; b0 += chunk) {                                                  \
                const int64_t nbc = nb - b0 < chunk ? nb - b0 : chunk;                                    \
                const int acc = b0 > 0;                                                                   \
                /* q4_0's −8·Σa: whole blocks in GEMV lanes, half blocks in skinny lanes */     \
                prepare(&prep, A + i0 * nb, nb, rows, b0, nbc, (SUMS) ? (rows == 1 ? 8 : 4) : 0);                                     \
                if (rows == 1) {                                                                          \
                    for (int64_t j = n0; j < n1; j += 8) {                                                \
                        const int nvalid = n1 - j < 8 ? (int)(n1 - j) : 8;                                \
                        wrows r = group(w, sizeof(WT), nb, j, nvalid, b0, nbc, 8);                        \
                        GEMV8(&r, nbc, A + i0 * nb + b0, prep.da, c + i0 * n + j, nvalid, acc);           \
                    }                                                                                     \
                    continue;                                                                             \
                }                                                                                         \
                for (int64_t j = n0; j < n1; j += 4) {                                                    \
                    const int nvalid = n1 - j < 4 ? (int)(n1 - j) : 4;                                    \
                    wrows r = group(w, sizeof(WT), nb, j, nvalid, b0, nbc, 4);                            \
                    for (int64_t i = 0; i < rows; i += MR) {                                              \
                        const tb_block_q8_0 *ai = A + (i0 + i) * nb + b0;                                 \
                        float *ci = c + (i0 + i) * n + j;                                                 \
                        const float *da = prep.da + i * nbc;                                              \
                        const int32_t *s4 = prep.s + i * nbc;                                            \
                        r.prefetch = i == 0; /* later tiles find the rows in L1 */                        \
                        switch (rows - i < MR ? rows - i : MR) {                                          \
                        case 1: BLOCK(&r, nbc, ai, nb, da, s4, nbc, ci, n, nvalid, acc, 1); break;        \
                        case 2: BLOCK(&r, nbc, ai, nb, da, s4, nbc, ci, n, nvalid, acc, 2); break;        \
                        case 3: BLOCK(&r, nbc, ai, nb, da, s4, nbc, ci, n, nvalid, acc, 3); break;        \
                        default: BLOCK(&r, nbc, ai, nb, da, s4, nbc, ci, n, nvalid, acc, 4); break;       \
                        }                                                                                 \
                    }                                                                                     \
                }                                                                                         \
            }                                                                                             \
        }                                                                                                 \
    }

#define GEMV8_Q4_0(r, nbc, a, da, c, nvalid, acc) gemv8_q4_0(r, nbc, a, da, prep.s, c, nvalid, acc)
DEFINE_MATMUL(TB_QFN(matmul_q8_0), tb_block_q8_0, gemv8_q8_0, block_q8_0, 0)
DEFINE_MATMUL(TB_QFN(matmul_q4_0), tb_block_q4_0, GEMV8_Q4_0, block_q4_0, 1)

/* ------------------------------------------------------------------------------------------ */
/* q4_0 in the interleaved layout (TB_WL_Q4_0X8, kernels.h): a 144-byte block holds block b of 8
 * rows, and dword r of each of its four 32-byte vectors is row r's. Such a vector's nibbles meet
 * one activation dword broadcast to every lane (vpbroadcastd from memory: a load, no shuffle),
 * so each lane sums its own row: none of the row layout's folding of lanes, and the 8 scales
 * convert with one vcvtph2ps from memory. About half the instructions per weight of the row
 * kernels above, and one sequential stream per group instead of eight rows. The activation
 * broadcasts come from the q8_0 blocks themselves: a pre-broadcast copy (256 B per block) spills
 * out of L1 and loses the gain when the weights come from DRAM. */

/* X8_PF_DIST: bytes ahead in the group's stream; X8_STREAMS: groups read in step by the GEMV
 * (x8_gemv). Both from tuning.h, above. */

static inline __m256i bcast_dword(const int8_t *p)
{
    int32_t v;
    memcpy(&v, p, sizeof v);
    return _mm256_set1_epi32(v);
}

/* acc[r] += (d_w·d_a)·Σ q·a over block `blk` of the group, for mr activation rows (row r's block
 * at a + r·lda, its scale and 8·Σa at da[r·ldp], s8[r·ldp]). */
static inline __attribute__((always_inline)) void x8_block(const uint8_t *blk, const tb_block_q8_0 *a, int64_t lda,
                                                          const float *da, const int32_t *s8, int64_t ldp,
                                                          __m256 *acc, const int mr)
{
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256i lo[4], hi[4];
    for (int i = 0; i < 4; i++) {
        __m256i l = _mm256_loadu_si256((const __m256i *)(blk + 16 + 32 * i));
        lo[i] = _mm256_and_si256(l, m4);
        hi[i] = _mm256_and_si256(_mm256_srli_epi16(l, 4), m4);
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
    for (int r = 0; r < mr; r++) {
        const int8_t *q = a[r * lda].qs;
#ifdef TB_QUANT_VNNI
        __m256i s = _mm256_setzero_si256();
        for (int i = 0; i < 4; i++) {
            s = _mm256_dpbusd_epi32(s, lo[i], bcast_dword(q + 4 * i));
            s = _mm256_dpbusd_epi32(s, hi[i], bcast_dword(q + 16 + 4 * i));
        }
#else
        /* 8 pair sums of at most 2·15·127 each: the int16 total stays below 30481 */
        __m256i s16 = _mm256_setzero_si256();
        for (int i = 0; i < 4; i++) {
            s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(lo[i], bcast_dword(q + 4 * i)));
            s16 = _mm256_add_epi16(s16, _mm256_maddubs_epi16(hi[i], bcast_dword(q + 16 + 4 * i)));
        }
        __m256i s = _mm256_madd_epi16(s16, _mm256_set1_epi16(1));
#endif
        s = _mm256_sub_epi32(s, _mm256_set1_epi32(s8[r * ldp]));
        acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(da[r * ldp])), _mm256_cvtepi32_ps(s), acc[r]);
    }
}

/* q8_0 in the interleaved layout (TB_WL_Q8_0X8, kernels.h): the same scheme with eight vectors
 * per block. Each vector's |w| is taken once for all mr activation rows, and each row's broadcast
 * dword takes the weights' signs (vpsignb), so a vector costs per activation row a sign, a
 * maddubs, a madd and an add (VNNI: a sign and a vpdpbusd), with no lanes to fold: fewer
 * instructions than the row kernel. The int16 pair sums can reach 2·127·127, so AVX2's madd to
 * int32 cannot be deferred across vectors. */
static inline __attribute__((always_inline)) void x8q8_block(const uint8_t *blk, const tb_block_q8_0 *a, int64_t lda,
                                                            const float *da, const int32_t *s8, int64_t ldp,
                                                            __m256 *acc, const int mr)
{
    (void)s8;
#ifndef TB_QUANT_VNNI
    const __m256i ones = _mm256_set1_epi16(1);
#endif
    __m256i s[MR];
    for (int r = 0; r < mr; r++)
        s[r] = _mm256_setzero_si256();
    for (int i = 0; i < 8; i++) {
        const __m256i w = _mm256_loadu_si256((const __m256i *)(blk + 16 + 32 * i)), aw = _mm256_abs_epi8(w);
        for (int r = 0; r < mr; r++) {
            const __m256i sa = _mm256_sign_epi8(bcast_dword(a[r * lda].qs + 4 * i), w);
#ifdef TB_QUANT_VNNI
            s[r] = _mm256_dpbusd_epi32(s[r], aw, sa);
#else
            s[r] = _mm256_add_epi32(s[r], _mm256_madd_epi16(_mm256_maddubs_epi16(aw, sa), ones));
#endif
        }
    }
    const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)blk));
    for (int r = 0; r < mr; r++)
        acc[r] = _mm256_fmadd_ps(_mm256_mul_ps(dw, _mm256_set1_ps(da[r * ldp])), _mm256_cvtepi32_ps(s[r]), acc[r]);
}

/* Prefetches X8_PF_DIST ahead of block b in each of `groups` adjacent groups' chunks (seg bytes
 * of bb-byte blocks each); past the chunk, into the next `groups` groups' chunks, which come next. */
static inline __attribute__((always_inline)) void x8_prefetch(const uint8_t *gw, int64_t b, int64_t bb, int64_t seg,
                                                             int64_t group_bytes, const int groups)
{
    int64_t off = b * bb + X8_PF_DIST;
    if (off >= seg)
        off += groups * group_bytes - seg;
    for (int g = 0; g < groups; g++) {
        const char *p = (const char *)((uintptr_t)gw + (uintptr_t)(off + g * group_bytes)); /* may lie past the matrix */
        for (int l = 0; l < (bb + 63) / 64; l++)
            _mm_prefetch(p + 64 * l, _MM_HINT_T0);
    }
}

/* One group × mr activation rows over a chunk of nbc blocks; stores lanes [l0, l1) of each row.
 * q8 (a constant at every call site) picks the q8_0 blocks over the q4_0 ones. */
static inline __attribute__((always_inline)) void x8_tile(const uint8_t *gw, int64_t nbc, int64_t group_bytes,
                                                         const tb_block_q8_0 *a, int64_t lda, const float *da,
                                                         const int32_t *s8, int64_t ldp, float *c, int64_t ldc,
                                                         int l0, int l1, int accumulate, int prefetch, const int mr,
                                                         const int q8)
{
    const int64_t bb = q8 ? TB_Q8_0X8_BLOCK_BYTES : TB_Q4_0X8_BLOCK_BYTES;
    __m256 acc[MR];
    for (int r = 0; r < mr; r++)
        acc[r] = _mm256_setzero_ps();
    const int64_t seg = nbc * bb;
    for (int64_t b = 0; b < nbc; b++) {
        if (prefetch)
            x8_prefetch(gw, b, bb, seg, group_bytes, 1);
        if (q8) {
            x8q8_block(gw + b * bb, a + b, lda, da + b, s8 + b, ldp, acc, mr);
            continue;
        }
        x8_block(gw + b * bb, a + b, lda, da + b, s8 + b, ldp, acc, mr);
    }
    for (int r = 0; r < mr; r++) {
        float t[8];
        _mm256_storeu_ps(t, acc[r]);
        for (int x = l0; x < l1; x++)
            c[r * ldc + x] = accumulate ? c[r * ldc + x] + t[x] : t[x];
    }
}

#ifdef TB_QUANT_VNNI
/* Two groups side by side in zmm registers (group g in the low 256 bits, g + 1 in the high): one
 * activation dword broadcast from memory meets 16 rows at once, so a vpdpbusd does twice the
 * work of the ymm tile's, and a block's scales of both groups convert with one vcvtph2ps. For
 * q8_0 the activations come biased to unsigned bytes (a + 128, made once per call by
 * x8_bias_acts) and meet the signed weights directly; 128·Σw, one more vpdpbusd per weight
 * vector shared by every activation row, takes the bias back out. The per-row sign step of the
 * ymm tile (AVX-512 has no vpsignb: it took a mask and a masked subtract) is gone. For the
 * cache-resident skinny products; the GEMV stays on ymm streams. */
/* Blocks of biased activations the stack holds per pass (34 KiB): rows × chunk stays within it. */
#define BIAS_BLOCKS 1024
/* Activation rows per zmm tile: 8 rows' sums and accumulators are 16 of the 32 registers, and the
 * weight vector's load and Σw serve twice as many rows as the ymm tile's 4. */
#define MR2 8

/* Rows × nbc activation blocks (row stride nb) into out (row stride nbc), each byte + 128 as an
 * unsigned byte, the scale kept: vpdpbusd's unsigned operand. */
static void x8_bias_acts(const tb_block_q8_0 *a, int64_t nb, int64_t rows, int64_t nbc, tb_block_q8_0 *out)
{
    const __m256i flip = _mm256_set1_epi8((char)0x80);
    for (int64_t r = 0; r < rows; r++)
        for (int64_t b = 0; b < nbc; b++) {
            const tb_block_q8_0 *src = a + r * nb + b;
            tb_block_q8_0 *dst = out + r * nbc + b;
            dst->d = src->d;
            _mm256_storeu_si256((__m256i *)dst->qs, _mm256_xor_si256(load_qs(src->qs), flip));
        }
}

static inline __attribute__((always_inline)) __m512i pair256(const uint8_t *lo, const uint8_t *hi)
{
    return _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)lo)),
                              _mm256_loadu_si256((const __m256i *)hi), 1);
}

static inline __attribute__((always_inline)) void x8_block2(const uint8_t *b0, const uint8_t *b1,
                                                           const tb_block_q8_0 *a, int64_t lda, const float *da,
                                                           const int32_t *s8, int64_t ldp, __m512 *acc, const int mr,
                                                           const int q8)
{
    __m512i s[MR2];
    for (int r = 0; r < mr; r++)
        s[r] = _mm512_setzero_si512();
    if (q8) { /* a holds the activations + 128 as bytes (x8_bias_acts): Σ(a + 128)·w − 128·Σw */
        const __m512i ones = _mm512_set1_epi8(1);
        __m512i wsum = _mm512_setzero_si512();
        for (int i = 0; i < 8; i++) {
            const __m512i w = pair256(b0 + 16 + 32 * i, b1 + 16 + 32 * i);
            wsum = _mm512_dpbusd_epi32(wsum, ones, w);
            for (int r = 0; r < mr; r++) {
                int32_t v;
                memcpy(&v, a[r * lda].qs + 4 * i, sizeof v);
                s[r] = _mm512_dpbusd_epi32(s[r], _mm512_set1_epi32(v), w);
            }
        }
        const __m512i corr = _mm512_slli_epi32(wsum, 7);
        for (int r = 0; r < mr; r++)
            s[r] = _mm512_sub_epi32(s[r], corr);
    } else {
        const __m512i m4 = _mm512_set1_epi8(0x0f);
        for (int i = 0; i < 4; i++) {
            const __m512i l = pair256(b0 + 16 + 32 * i, b1 + 16 + 32 * i);
            const __m512i lo = _mm512_and_si512(l, m4), hi = _mm512_and_si512(_mm512_srli_epi16(l, 4), m4);
            for (int r = 0; r < mr; r++) {
                int32_t vl, vh;
                memcpy(&vl, a[r * lda].qs + 4 * i, sizeof vl);
                memcpy(&vh, a[r * lda].qs + 16 + 4 * i, sizeof vh);
                s[r] = _mm512_dpbusd_epi32(s[r], lo, _mm512_set1_epi32(vl));
                s[r] = _mm512_dpbusd_epi32(s[r], hi, _mm512_set1_epi32(vh));
            }
        }
        for (int r = 0; r < mr; r++)
            s[r] = _mm512_sub_epi32(s[r], _mm512_set1_epi32(s8[r * ldp]));
    }
    const __m256i h = _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)b0)),
                                              _mm_loadu_si128((const __m128i *)b1), 1);
    const __m512 dw = _mm512_cvtph_ps(h);
    for (int r = 0; r < mr; r++)
        acc[r] = _mm512_fmadd_ps(_mm512_mul_ps(dw, _mm512_set1_ps(da[r * ldp])), _mm512_cvtepi32_ps(s[r]), acc[r]);
}

/* Groups g and g + 1 (at gw and gw + group_bytes) × mr activation rows over a chunk of nbc
 * blocks, as x8_tile; lanes [l0, l1) of the 16 are stored. */
static inline __attribute__((always_inline)) void x8_tile2(const uint8_t *gw, int64_t nbc, int64_t group_bytes,
                                                          const tb_block_q8_0 *a, int64_t lda, const float *da,
                                                          const int32_t *s8, int64_t ldp, float *c, int64_t ldc,
                                                          int l0, int l1, int accumulate, int prefetch, const int mr,
                                                          const int q8)
{
    const int64_t bb = q8 ? TB_Q8_0X8_BLOCK_BYTES : TB_Q4_0X8_BLOCK_BYTES;
    __m512 acc[MR2];
    for (int r = 0; r < mr; r++)
        acc[r] = _mm512_setzero_ps();
    const int64_t seg = nbc * bb;
    for (int64_t b = 0; b < nbc; b++) {
        if (prefetch)
            x8_prefetch(gw, b, bb, seg, group_bytes, 2);
        x8_block2(gw + b * bb, gw + group_bytes + b * bb, a + b, lda, da + b, s8 + b, ldp, acc, mr, q8);
    }
    for (int r = 0; r < mr; r++) {
        float t[16];
        _mm512_storeu_ps(t, acc[r]);
        for (int x = l0; x < l1; x++)
            c[r * ldc + x] = accumulate ? c[r * ldc + x] + t[x] : t[x];
    }
}
#endif

/* GEMV (one activation row, all of K in one chunk) over the groups of rows [n0, n1) of an
 * interleaved layout: the groups are split into X8_STREAMS contiguous runs walked in step, so a
 * thread reads its weights as that many long sequential streams, the read probe's pattern, which
 * the hardware prefetcher keeps fed; one group after another were short streams that it
 * restarted on. q4_0, with more instructions per byte, also prefetches X8_PF_DIST ahead in each
 * stream; q8_0 lost a little with that. Lanes outside [n0, n1) are not stored. Four streams: 2
 * matched 4 at 2 threads and lost at 1, and 8 lost at both. */
static inline __attribute__((always_inline)) void x8_gemv_step(const uint8_t *const *gw, int64_t nb,
                                                               const tb_block_q8_0 *a, const float *da,
                                                               const int32_t *s8, float *c, const int64_t *g,
                                                               int64_t n0, int64_t n1, const int S, const int q8)
{
    const int64_t bb = q8 ? TB_Q8_0X8_BLOCK_BYTES : TB_Q4_0X8_BLOCK_BYTES;
    __m256 acc[X8_STREAMS];
    for (int t = 0; t < S; t++)
        acc[t] = _mm256_setzero_ps();
    for (int64_t b = 0; b < nb; b++)
        for (int t = 0; t < S; t++) {
            if (!q8) { /* an address, not a pointer: it may lie past the matrix */
                const char *p = (const char *)((uintptr_t)gw[t] + (uintptr_t)(b * bb + X8_PF_DIST));
                for (int l = 0; l < (bb + 63) / 64; l++)
                    _mm_prefetch(p + 64 * l, _MM_HINT_T0);
            }
            if (q8)
                x8q8_block(gw[t] + b * bb, a + b, 0, da + b, s8 + b, 0, &acc[t], 1);
            else
                x8_block(gw[t] + b * bb, a + b, 0, da + b, s8 + b, 0, &acc[t], 1);
        }
    for (int t = 0; t < S; t++) {
        float v[8];
        _mm256_storeu_ps(v, acc[t]);
        for (int x = 0; x < 8; x++)
            if (8 * g[t] + x >= n0 && 8 * g[t] + x < n1)
                c[8 * g[t] + x] = v[x];
    }
}

static inline __attribute__((always_inline)) void x8_gemv(const uint8_t *w, const tb_block_q8_0 *a,
                                                          const act_prep *prep, int64_t nb, float *c, int64_t n0,
                                                          int64_t n1, const int q8)
{
    const int64_t gb = nb * (q8 ? TB_Q8_0X8_BLOCK_BYTES : TB_Q4_0X8_BLOCK_BYTES);
    const int64_t g0 = n0 / 8, g1 = (n1 + 7) / 8, per = (g1 - g0 + X8_STREAMS - 1) / X8_STREAMS;
    for (int64_t i = 0; i < per; i++) {
        const uint8_t *gw[X8_STREAMS];
        int64_t g[X8_STREAMS];
        int S = 0;
        for (int t = 0; t < X8_STREAMS; t++)
            if (g0 + t * per + i < g1) {
                g[S] = g0 + t * per + i;
                gw[S] = w + g[S] * gb;
                S++;
            }
        if (S == X8_STREAMS)
            x8_gemv_step(gw, nb, a, prep->da, prep->s, c, g, n0, n1, X8_STREAMS, q8);
        else
            for (int t = 0; t < S; t++)
                x8_gemv_step(gw + t, nb, a, prep->da, prep->s, c, g + t, n0, n1, 1, q8);
    }
}

/* The interleaved layouts' driver: slabs, chunks and activation data as in DEFINE_MATMUL, the
 * groups in place of weight rows. */
static inline __attribute__((always_inline)) void x8_matmul(const void *w, const void *a, float *c, int64_t m,
                                                           int64_t n, int64_t k, int64_t n0, int64_t n1, const int q8)
{
    const int64_t nb = k / TB_QK, n8 = n / 8 * 8, g_end = n1 < n8 ? n1 : n8;
    if (n1 > n8 && n1 > n0) { /* rows past the last whole group are plain rows where the row layout has them */
        const int64_t t0 = n0 > n8 ? n0 : n8;
        if (q8)
            TB_QFN(matmul_q8_0)(w, a, c, m, n, k, t0, n1);
        else
            TB_QFN(matmul_q4_0)(w, a, c, m, n, k, t0, n1);
    }
    if (n0 >= g_end)
        return;
    const tb_block_q8_0 *A = a;
    const int64_t bb = q8 ? TB_Q8_0X8_BLOCK_BYTES : TB_Q4_0X8_BLOCK_BYTES, group_bytes = nb * bb;
    if (nb == 0) {
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = n0; j < g_end; j++)
                c[i * n + j] = 0.0f;
        return;
    }
    act_prep prep;
#ifdef TB_QUANT_VNNI
    tb_block_q8_0 biased[BIAS_BLOCKS]; /* x8_bias_acts: the slab's chunk, rows × nbc */
#endif
    for (int64_t i0 = 0; i0 < m; i0 += SLAB) {
        const int64_t rows = m - i0 < SLAB ? m - i0 : SLAB;
        int64_t limit = SCRATCH / rows;
#ifdef TB_QUANT_VNNI
        if (q8 && !(rows == 1 && nb <= limit)) /* every pass but the whole-row GEMV biases its chunk */
            limit = BIAS_BLOCKS / rows;
#endif
        const int64_t chunk = limit < nb ? limit : nb;
        for (int64_t b0 = 0; b0 < nb; b0 += chunk) {
            const int64_t nbc = nb - b0 < chunk ? nb - b0 : chunk;
            prepare(&prep, A + i0 * nb, nb, rows, b0, nbc, q8 ? 0 : 8);
            if (rows == 1 && nbc == nb) {
                x8_gemv(w, A + i0 * nb, &prep, nb, c + i0 * n, n0, g_end, q8);
                continue;
            }
#ifdef TB_QUANT_VNNI
            if (q8)
                x8_bias_acts(A + i0 * nb + b0, nb, rows, nbc, biased);
#endif
            for (int64_t g = n0 / 8, step; g * 8 < g_end; g += step) {
#ifdef TB_QUANT_VNNI
                step = (g + 1) * 8 < g_end ? 2 : 1; /* g_end <= n8: group g + 1 is whole */
#else
                step = 1;
#endif
                const uint8_t *gw = (const uint8_t *)w + g * group_bytes + b0 * bb;
                const int l0 = n0 > 8 * g ? (int)(n0 - 8 * g) : 0;
                const int l1 = g_end < 8 * (g + step) ? (int)(g_end - 8 * g) : 8 * (int)step;
#ifdef TB_QUANT_VNNI
                const int64_t istep = step == 2 ? MR2 : MR;
#else
                const int64_t istep = MR;
#endif
                for (int64_t i = 0; i < rows; i += istep) {
                    const tb_block_q8_0 *ai = A + (i0 + i) * nb + b0;
                    const float *da = prep.da + i * nbc;
                    const int32_t *s8 = prep.s + i * nbc;
                    float *ci = c + (i0 + i) * n + 8 * g;
                    const int pf = i == 0, acc = b0 > 0; /* later tiles find the group in L1 */
#ifdef TB_QUANT_VNNI
                    if (step == 2) {
                        const tb_block_q8_0 *ab = q8 ? biased + i * nbc : ai; /* q8_0: biased, row stride nbc */
                        const int64_t lab = q8 ? nbc : nb;
#define TILE2(R) x8_tile2(gw, nbc, group_bytes, ab, lab, da, s8, nbc, ci, n, l0, l1, acc, pf, R, q8)
                        switch (rows - i < MR2 ? rows - i : MR2) {
                        case 1: TILE2(1); break;
                        case 2: TILE2(2); break;
                        case 3: TILE2(3); break;
                        case 4: TILE2(4); break;
                        case 5: TILE2(5); break;
                        case 6: TILE2(6); break;
                        case 7: TILE2(7); break;
                        default: TILE2(8); break;
                        }
#undef TILE2
                        continue;
                    }
#endif
                    switch (rows - i < MR ? rows - i : MR) {
                    case 1: x8_tile(gw, nbc, group_bytes, ai, nb, da, s8, nbc, ci, n, l0, l1, acc, pf, 1, q8); break;
                    case 2: x8_tile(gw, nbc, group_bytes, ai, nb, da, s8, nbc, ci, n, l0, l1, acc, pf, 2, q8); break;
                    case 3: x8_tile(gw, nbc, group_bytes, ai, nb, da, s8, nbc, ci, n, l0, l1, acc, pf, 3, q8); break;
                    default: x8_tile(gw, nbc, group_bytes, ai, nb, da, s8, nbc, ci, n, l0, l1, acc, pf, 4, q8); break;
                    }
                }
            }
        }
    }
}

TB_DECL_MATMUL(TB_QFN(matmul_q4_0x8)) { x8_matmul(w, a, c, m, n, k, n0, n1, 0); }

TB_DECL_MATMUL(TB_QFN(matmul_q8_0x8)) { x8_matmul(w, a, c, m, n, k, n0, n1, 1); }

/* ------------------------------------------------------------------------------------------ */
/* The roofline's int8 ceiling (TB_DECL_PEAK_INT8): twelve chains of this file's dot instruction,
 * each step's result fed back as the next step's accumulator (VNNI) or unsigned operand
 * (maddubs). AVX2: vpmaddubsw ymm, 32 u8×s8 products summed in pairs. VNNI: vpdpbusd on zmm, 64
 * products into int32, the machine's widest, although the kernels above use ymm. The chains are
 * twelve named variables, not an array: GCC kept the array in memory and stored part of it back
 * every step, and that loop timed the stores rather than the instruction (two per cycle on Zen 3;
 * scripts/int8_sequences.c shows the kernels' sequences against it). */
#define PEAK_CHAINS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11)
TB_DECL_PEAK_INT8(TB_QFN(peak_int8))
{
#ifdef TB_QUANT_VNNI
    const __m512i x = _mm512_set1_epi8(5), y = _mm512_set1_epi8(3);
#define PEAK_LOAD(i) __m512i c##i = _mm512_loadu_si512((const void *)(state + 16 * (i)));
#define PEAK_STEP(i) c##i = _mm512_dpbusd_epi32(c##i, x, y);
#define PEAK_STORE(i) _mm512_storeu_si512((void *)(state + 16 * (i)), c##i);
    PEAK_CHAINS(PEAK_LOAD)
    for (int64_t it = 0; it < iters; it++) {
        PEAK_CHAINS(PEAK_STEP)
    }
    PEAK_CHAINS(PEAK_STORE)
    return iters * 12 * 64;
#else
    const __m256i y = _mm256_set1_epi8(3);
#define PEAK_LOAD(i) __m256i c##i = _mm256_loadu_si256((const __m256i *)(state + 8 * (i)));
#define PEAK_STEP(i) c##i = _mm256_maddubs_epi16(c##i, y);
#define PEAK_STORE(i) _mm256_storeu_si256((__m256i *)(state + 8 * (i)), c##i);
    PEAK_CHAINS(PEAK_LOAD)
    for (int64_t it = 0; it < iters; it++) {
        PEAK_CHAINS(PEAK_STEP)
    }
    PEAK_CHAINS(PEAK_STORE)
    return iters * 12 * 32;
#endif
#undef PEAK_LOAD
#undef PEAK_STEP
#undef PEAK_STORE
}
#undef PEAK_CHAINS
