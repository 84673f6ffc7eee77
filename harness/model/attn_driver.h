/* The attention of one layer step on the pinned team, from the leaf kernels of
 * <tokbench/attention.h>: the forward pass (forward.c) and bench attn-* (bench_attn.c) both run
 * it, so the `run` figures and the attention benchmark time the same threading.
 *
 * Prefill: pack every (sequence, KV head)'s keys and values once (tb_team_split over panels),
 * then a dynamic queue of (query tile, sequence, KV head) items, the latest tiles first: they see
 * the most keys, and starting them early keeps the tail of the queue short.
 * Decode: (sequence, KV head) key ranges over the threads (see tb_attn_split); a range cut between
 * threads yields partial results that are merged by log-sum-exp afterwards.
 *
 * Layouts as in attention.h; the cache is reached through a callback so that each caller keeps
 * its own (per-sequence capacity, copies rotated for cold caches, one buffer per layer). */
#ifndef TB_ATTN_DRIVER_H
#define TB_ATTN_DRIVER_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <tokbench/attention.h>

#include "team.h"

/* k, v: the first row of KV head kvh of sequence seq, [≥ its length][head_dim] in the KV dtype. */
typedef void (*tb_attn_kv_fn)(const void *ctx, int64_t seq, int64_t kvh, const void **k, const void **v);

/* How decode cuts its work between threads. Both merge the ranges they cut. */
typedef enum tb_attn_split {
    /* Whole (sequence, KV head) items, tb_team_split over them; when there are fewer items than
     * threads each is cut into parts = ceil(threads / items) equal key ranges (at most the
     * shortest length), so every thread still gets one. No cut when items ≥ threads. */
    TB_ATTN_SPLIT_ITEMS,
    /* The (sequence, KV head, key) order cut into equal thread ranges: balanced whatever the
     * lengths, at the price of a cut (and a merge) wherever a thread boundary falls. */
    TB_ATTN_SPLIT_KEYS,
} tb_attn_split;

/* One step. Query and output rows are [tokens][heads][head_dim] f32, sequence after sequence:
 * prefill tokens = seqs·len (token t of a sequence at position t), decode tokens = seqs. */
typedef struct tb_attn_job {
    const tb_attention_kernels *kern;
    tb_dtype kv_dt;
    int64_t seqs;
    int64_t len;         /* prefill: prompt tokens; decode: keys per sequence, unless lens */
    const int64_t *lens; /* decode only: keys of each sequence, NULL when all have len */
    tb_attn_kv_fn kv;
    const void *kv_ctx;
    const float *q;
    float *out;
    tb_attn_split split; /* decode only */
} tb_attn_job;

typedef struct tb_attn_thread tb_attn_thread;

/* The workspace of the steps: all of it allocated by tb_attn_drv_init, so a step allocates
 * nothing. Only this module reads the fields. */
typedef struct tb_attn_drv {
    tb_team *team;
    int nt;
    tb_attn_dims dims;
    float *kt, *vp; /* packed K and V, per (sequence, KV head) */
    size_t ktf, vpf;
    float *scratch; /* per thread: the kernels' scratch, then m and l of a whole decode range */
    size_t scratch_stride;
    tb_attn_thread *th;
    float *partials;              /* the m, l, acc of th's ranges */
    const float **pm, **pl, **pa; /* merge operands, two per thread */
    atomic_llong next_item;
} tb_attn_drv;

/* For steps on team with dims (the capacity is passed on to the prefill kernel as is) of at most
 * pack_seqs sequences of pack_len prompt tokens (both 0 for decode only). Returns 0 or an exit
 * code after one error line; d can then be freed either way. */
int tb_attn_drv_init(tb_attn_drv *d, tb_team *team, const tb_attn_dims *dims, int64_t pack_seqs, int64_t pack_len);
void tb_attn_drv_free(tb_attn_drv *d);

/* Causal prefill of job->seqs prompts of job->len tokens (lens is not used). */
void tb_attn_drv_prefill(tb_attn_drv *d, const tb_attn_job *job);
/* One decode query per sequence against all of its keys. */
void tb_attn_drv_decode(tb_attn_drv *d, const tb_attn_job *job);

#endif
