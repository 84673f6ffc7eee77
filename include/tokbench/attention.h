/* Attention kernels of a decoder layer: causal prefill (flash-style tiles, online softmax), decode
 * against a KV cache (grouped-query heads, the context split across threads and merged by
 * log-sum-exp), RoPE and the KV-cache append. Same rules as kernels.h: leaf functions (no threads,
 * no allocation, no CPU checks), one table filled with the generic tier and upgraded per ISA tier
 * at run time (tb_attention_kernels_init).
 *
 * Layouts, all row-major:
 *   Q, output   [tokens][heads][head_dim] f32 (decode: one token per sequence, tokens = batch)
 *   V cache     per sequence [kv_heads][capacity][head_dim] in the KV dtype (f32 or f16)
 *   K cache     per sequence [kv_heads][capacity / 16][head_dim][16] in the KV dtype: the keys of
 *               one KV head in blocks of TB_ATTN_KBLOCK, each block transposed, so element x of
 *               key p sits at tb_attn_k_offset(d, p, x); capacity is a multiple of TB_ATTN_KBLOCK
 *               (tb_attn_capacity)
 *   grouped-query: query head h reads KV head h / g, g = heads / kv_heads, so the g query heads of
 *   one KV head are consecutive, both in Q and in the output.
 * Why these cache layouts: the keys and values of one KV head are contiguous, so decode streams
 * each head's K and V once, front to back, for all g query heads of its group (each K/V element
 * loaded from memory once per step), and prefill packs each KV head from one contiguous block;
 * append writes one row of V and one column of a K block per KV head and token. K is transposed
 * in blocks because decode multiplies it by q (one score per key): with keys across the vector
 * lanes, a vector of scores is a chain of FMAs of broadcast q elements and nothing is summed
 * across lanes, where rows of K leave a horizontal sum per score. The blocks are the prefill's
 * packed K panels already. V is multiplied by the weights p (one output row per head): rows of V
 * are its natural order.
 * Scores use scale = 1/sqrt(head_dim). head_dim is a multiple of 8 up to TB_ATTN_MAX_HEAD_DIM.
 * Positions: token t of a prefill sits at position t and attends to keys 0..t (causal); a decode
 * query attends to every key of its sequence's cache (keys 0..len-1, the new one included).
 *
 * Softmax: scores are kept in log2 units (q is pre-multiplied by scale·log2(e)) and exponentiated
 * with the tier's exp2 (a polynomial, relative error below 2e-7 over the range softmax uses: see
 * tb_attn_exp2_fn), so a partial result's m and l are in log2 units too.
 *
 * RoPE convention: "rotate half" (GPT-NeoX, Hugging Face Llama): element i is paired with element
 * i + head_dim/2 and rotated by the angle pos·theta^(−2i/head_dim), i < head_dim/2. Meta's original
 * Llama code rotates interleaved pairs (2i, 2i+1) instead; Hugging Face checkpoints permute the q/k
 * projection weights so that the two give the same attention. */
#ifndef TOKBENCH_ATTENTION_H
#define TOKBENCH_ATTENTION_H

#include <stddef.h>
#include <stdint.h>

#include <tokbench/dtype.h>
#include <tokbench/kernels.h>

#define TB_ATTN_MAX_HEAD_DIM 512
#define TB_ATTN_HEAD_DIM_ALIGN 8
/* Prefill tiles: about TB_ATTN_TILE_ROWS query rows (tokens × the group's heads, so every key
 * tile is packed once for the whole group) against TB_ATTN_TILE_KEYS keys. */
#define TB_ATTN_TILE_ROWS 48
#define TB_ATTN_TILE_KEYS 64
/* A tile's rows are padded to a multiple of this: every tier's micro-tile rows divide it (12 on
 * AVX-512; 6 or 3 elsewhere). */
#define TB_ATTN_ROW_ALIGN 12
/* Keys per packed K panel (every tier: the packed layout does not depend on the tier). */
#define TB_ATTN_PANEL 16
/* Decode: keys per online-softmax step. Each step scores a chunk and then accumulates p·V; both
 * phases prefetch half of the next chunk's K rows and half of its V rows, so both streams stay in
 * flight. 32 keys (8 KiB of f16 rows of 128): the next chunk must fit in L1 beside the current
 * one, shorter chunks pay the softmax step more often, and longer ones read DRAM no faster. */
#define TB_ATTN_DECODE_CHUNK 32
/* Keys per transposed K-cache block (the panel width: a block is a packed panel in the KV dtype). */
#define TB_ATTN_KBLOCK TB_ATTN_PANEL
_Static_assert(TB_ATTN_DECODE_CHUNK % TB_ATTN_KBLOCK == 0, "decode chunks are whole K blocks");

/* Element x of key p in a KV head's K cache (head_dim d), in elements from the head's start. */
static inline size_t tb_attn_k_offset(int64_t d, int64_t p, int64_t x)
{
    return (size_t)(((p / TB_ATTN_KBLOCK) * d + x) * TB_ATTN_KBLOCK + p % TB_ATTN_KBLOCK);
}
/* The cache capacity (rows per KV head) that holds n keys: n rounded up to whole K blocks. */
static inline int64_t tb_attn_capacity(int64_t n) { return (n + TB_ATTN_KBLOCK - 1) / TB_ATTN_KBLOCK * TB_ATTN_KBLOCK; }

typedef struct tb_attn_dims {
    int64_t heads, kv_heads, head_dim;
    int64_t capacity; /* rows per KV head in a sequence's caches: a multiple of TB_ATTN_KBLOCK */
} tb_attn_dims;

/* Prefill runs in two steps, both inside a timed call:
 * 1. pack (per KV dtype): keys and values 0..n−1 of one KV head (k, v: that head's caches) to
 *    f32, K in panels of TB_ATTN_PANEL keys: kt[p][x][j] = K[p·16 + j][x] (the cache's blocks,
 *    widened), and V in rows of dp = tb_attn_padded_dim(d) floats: vp[key][x]; keys ≥ n and
 *    columns ≥ d are zero.
 *    This writes panels [p0, p1), so threads can share a head. Once per call: every query tile
 *    of the head then reads the same packed operands.
 * 2. prefill: query tokens [t0, t1) of one sequence for the g query heads of KV head kvh against
 *    that head's packed keys (kt, vp point at the head's arrays, packed for n ≥ t1 keys); token
 *    t attends to keys 0..t (a prompt from position 0: no earlier cache). q and out:
 *    [tokens][heads][head_dim]. The kernel walks the range in tiles of
 *    tb_attn_prefill_tile_tokens(g) tokens (rows = tokens × g, so the g heads share every key
 *    tile). scratch: tb_attn_prefill_scratch_floats floats, 64-byte aligned, one per thread. */
#define TB_DECL_ATTN_PREFILL_PACK(name)                                                                     \
    void name(const void *k, const void *v, int64_t d, int64_t n, int64_t p0, int64_t p1, float *kt, float *vp)
#define TB_DECL_ATTN_PREFILL(name)                                                                              \
    void name(const float *q, const float *kt, const float *vp, float *out, const tb_attn_dims *dims, int64_t kvh, \
              int64_t t0, int64_t t1, float *scratch)

/* Decode over keys [c0, c1) of one KV head: k and v point at that head's caches (K blocks, V
 * rows [capacity][d]), q at the group's g query rows ([g][d], f32). The kernel reads the whole K
 * blocks that hold keys c0..c1−1 (keys of those blocks outside the range are read and ignored, so
 * they need not have been written). Writes the partial result of those keys:
 *   m[i] = a reference score (log2 units) between the largest score − 16 and the largest,
 *   l[i] = Σ 2^(s − m), acc[i][·] = Σ 2^(s − m)·v;
 * with normalize, acc holds acc/l (the attention output when [c0, c1) is the whole context).
 * c1 > c0. scratch: tb_attn_decode_scratch_floats(g, d) floats, 64-byte aligned. */
#define TB_DECL_ATTN_DECODE(name)                                                                              \
    void name(const float *q, const void *k, const void *v, int64_t g, int64_t d, int64_t c0, int64_t c1, float *m, \
              float *l, float *acc, int normalize, float *scratch)

/* Flash-decoding merge: parts partial results (m, l, acc as written by decode without normalize)
 * of the same g query rows over disjoint key ranges, into out[g][d] = Σ 2^(m_p − M) acc_p /
 * Σ 2^(m_p − M) l_p with M the largest m_p. */
#define TB_DECL_ATTN_MERGE(name)                                                                          \
    void name(const float *const *m, const float *const *l, const float *const *acc, int64_t parts, int64_t g, \
              int64_t d, float *out)

/* RoPE ("rotate half", see above) of rows x[r·d .. r·d + d), r < rows, all at one position whose
 * table is cos[d/2], sin[d/2] (tb_attn_rope_table). Out of place or in place (y == x). */
#define TB_DECL_ATTN_ROPE(name) \
    void name(const float *x, float *y, int64_t rows, int64_t d, const float *cos, const float *sin)

/* Appends ntok tokens' k and v rows ([ntok][kv_heads][d] f32) at positions pos .. pos+ntok−1 of a
 * sequence's caches (kc: K blocks, vc: V rows, per KV head of capacity rows, in the cache dtype),
 * converting: f16 rounds to nearest even (as tb_f32_to_f16). */
#define TB_DECL_ATTN_KV_APPEND(name)                                                                           \
    void name(const float *k, const float *v, void *kc, void *vc, int64_t ntok, int64_t kv_heads, int64_t d, \
              int64_t capacity, int64_t pos)

/* y[i] = 2^x[i], the softmax's exponential. Relative error below 2e-7 for x in [−126, 127]
 * (tested); x below −126 (including −inf) gives 0; NaN gives 0 too (softmax inputs are never NaN
 * unless the data are, and then the output check fails anyway). */
#define TB_DECL_ATTN_EXP2(name) void name(const float *x, float *y, int64_t n)

/* The SwiGLU gate of a feed-forward layer, in place: x[i] = silu(x[i]) · y[i], silu(g) = g / (1 +
 * e^−g), computed as g · (g < 0 ? t : 1) / (1 + t) with t = e^−|g|, so the exponential (the tier's
 * exp2) only ever sees arguments ≤ 0 and nothing cancels: relative error within 8 + 2|g| float
 * roundings (e^g's condition number is |g|; tested); 0 for g below -87, where e^g is under the
 * smallest normal float. With the attention kernels: it shares their exp2. */
#define TB_DECL_ATTN_SILU_MUL(name) void name(float *x, const float *y, int64_t n)

typedef TB_DECL_ATTN_PREFILL_PACK((*tb_attn_prefill_pack_fn));
typedef TB_DECL_ATTN_PREFILL((*tb_attn_prefill_fn));
typedef TB_DECL_ATTN_DECODE((*tb_attn_decode_fn));
typedef TB_DECL_ATTN_MERGE((*tb_attn_merge_fn));
typedef TB_DECL_ATTN_ROPE((*tb_attn_rope_fn));
typedef TB_DECL_ATTN_KV_APPEND((*tb_attn_kv_append_fn));
typedef TB_DECL_ATTN_EXP2((*tb_attn_exp2_fn));
typedef TB_DECL_ATTN_SILU_MUL((*tb_attn_silu_mul_fn));

typedef struct tb_attention_kernels {
    tb_isa isa; /* the tier reached */
    tb_attn_prefill_fn prefill; /* on packed f32 operands, whatever the KV dtype */
    /* indexed by the KV dtype: TB_DT_F32 and TB_DT_F16 are set, the others NULL */
    tb_attn_prefill_pack_fn prefill_pack[TB_DT_COUNT];
    tb_attn_decode_fn decode[TB_DT_COUNT];
    tb_attn_kv_append_fn kv_append[TB_DT_COUNT];
    tb_attn_merge_fn merge;
    tb_attn_rope_fn rope;
    tb_attn_exp2_fn exp2;
    tb_attn_silu_mul_fn silu_mul;
    tb_kernel_info prefill_info, prefill_pack_info[TB_DT_COUNT], decode_info[TB_DT_COUNT],
        kv_append_info[TB_DT_COUNT];
    tb_kernel_info merge_info, rope_info, exp2_info, silu_mul_info;
} tb_attention_kernels;

/* Fills k with the best attention kernels of the tiers up to max (TB_ISA_COUNT: no limit) that
 * this binary has and this CPU runs. Returns the tier reached. */
tb_isa tb_attention_kernels_init(tb_attention_kernels *k, tb_isa max);

/* 1 for the KV dtypes the kernels take (f32, f16). */
int tb_attn_kv_dtype_ok(tb_dtype dt);
/* 1 when head_dim is one the kernels take (a multiple of 8, at most TB_ATTN_MAX_HEAD_DIM). */
int tb_attn_head_dim_ok(int64_t d);

/* Query tokens per prefill tile for a group of g query heads: rows = tokens × g ≈ TB_ATTN_TILE_ROWS. */
static inline int64_t tb_attn_prefill_tile_tokens(int64_t g) { return g >= TB_ATTN_TILE_ROWS ? 1 : TB_ATTN_TILE_ROWS / g; }
/* Row length of packed V and of the prefill's row buffers: d rounded up to a panel. */
static inline int64_t tb_attn_padded_dim(int64_t d) { return (d + TB_ATTN_PANEL - 1) / TB_ATTN_PANEL * TB_ATTN_PANEL; }
/* Floats of one KV head's packed K (kt) and of its packed V (vp) for n keys. */
static inline size_t tb_attn_packed_k_floats(int64_t d, int64_t n)
{
    return (size_t)((n + TB_ATTN_PANEL - 1) / TB_ATTN_PANEL * TB_ATTN_PANEL) * (size_t)d;
}
static inline size_t tb_attn_packed_v_floats(int64_t d, int64_t n)
{
    return (size_t)((n + TB_ATTN_PANEL - 1) / TB_ATTN_PANEL * TB_ATTN_PANEL) * (size_t)tb_attn_padded_dim(d);
}

/* Where a prefill's scratch keeps what (offsets in floats, each 64-byte aligned): the tile's
 * pre-scaled queries qs and output sums os (rows × dp), its scores s (rows × TB_ATTN_TILE_KEYS),
 * and per row the running max m, sum l and rescale factor alpha. */
typedef struct tb_attn_prefill_layout {
    int64_t rows, dp;
    size_t qs, os, s, m, l, alpha, total;
} tb_attn_prefill_layout;

static inline void tb_attn_prefill_layout_get(const tb_attn_dims *dims, tb_attn_prefill_layout *L)
{
    int64_t g = dims->heads / dims->kv_heads, rows = tb_attn_prefill_tile_tokens(g) * g;
    L->rows = (rows + TB_ATTN_ROW_ALIGN - 1) / TB_ATTN_ROW_ALIGN * TB_ATTN_ROW_ALIGN;
    L->dp = tb_attn_padded_dim(dims->head_dim);
    size_t at = 0, r = (size_t)L->rows, dp = (size_t)L->dp;
#define TB_ATTN_TAKE(field, n)  \
    do {                        \
        L->field = at;          \
        at += ((n) + 15) / 16 * 16; \
    } while (0)
    TB_ATTN_TAKE(qs, r * dp);
    TB_ATTN_TAKE(os, r * dp);
    TB_ATTN_TAKE(s, r * TB_ATTN_TILE_KEYS);
    TB_ATTN_TAKE(m, r);
    TB_ATTN_TAKE(l, r);
    TB_ATTN_TAKE(alpha, r);
#undef TB_ATTN_TAKE
    L->total = at;
}

static inline size_t tb_attn_prefill_scratch_floats(const tb_attn_dims *dims)
{
    tb_attn_prefill_layout L;
    tb_attn_prefill_layout_get(dims, &L);
    return L.total;
}

/* Decode scratch: the pre-scaled queries (g × d), one chunk of scores (g × chunk), g factors and a
 * vector of partial sums per head (16 floats: the widest tier's). */
static inline size_t tb_attn_decode_scratch_floats(int64_t g, int64_t d)
{
    return (size_t)((g * d + 15) / 16 * 16 + (g * TB_ATTN_DECODE_CHUNK + 15) / 16 * 16 + (g + 15) / 16 * 16 + g * 16);
}

/* The RoPE table of one position: cos[i], sin[i] of pos·theta^(−2i/d), i < d/2, computed in double
 * and rounded once. */
void tb_attn_rope_table(float *cos, float *sin, int64_t d, int64_t pos, double theta);

/* --- the double-precision reference (kernels/ref/attention_ref.c) ---------------------------- */

/* One query row q[d] against keys 0..n−1 of one KV head (k: its K cache blocks, v: its V rows
 * [≥ n][d], both in kv_dt), with a materialised softmax in double: out[d] = Σ p_j v_j, and the
 * yardsticks of the check:
 *   vmag[d] = Σ p_j |v_j|   (the scale of each output element, as Σ|a·w| for a GEMM)
 *   *amax  = max_j scale·Σ|q·k_j|  (bounds a float kernel's score error)
 * work holds n doubles. Any argument but the first six may be NULL when not wanted. */
void tb_attn_ref_row(const float *q, const void *k, const void *v, tb_dtype kv_dt, int64_t d, int64_t n, double *out,
                     double *vmag, double *amax, double *work);

/* RoPE of one row in double (angles and rotation), for checking the kernels. */
void tb_attn_rope_ref(const float *x, double *y, int64_t d, int64_t pos, double theta);

/* Check bound on |out − ref| / vmag for an f32 kernel, given head_dim d, n keys and the row's
 * amax: score errors (a d-term float dot product each) move the softmax by at most about twice
 * their size, the sums over n keys add the rest. (bench_attn.c and the tests share it.) */
double tb_attn_tolerance(int64_t d, int64_t n, double amax);

#endif
