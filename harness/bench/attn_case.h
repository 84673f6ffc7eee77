/* bench attn-prefill / attn-decode: one case (a shape, its inputs, the workspace every variant
 * shares) as the benchmark's parts see it: the inputs (attn_inputs.c), the oracle
 * (attn_oracle.c) and the runner (bench_attn.c). */
#ifndef TB_ATTN_CASE_H
#define TB_ATTN_CASE_H

#include <stddef.h>
#include <stdint.h>

#include <tokbench/attention.h>
#include <tokbench/dtype.h>

#include "attn_driver.h"
#include "probe_run.h"
#include "team.h"

#define TB_ROPE_THETA 10000.0

typedef struct {
    tb_team *team;
    int nt, decode;
    tb_dtype kvdt;
    size_t es;
    int64_t H, kv, D, g;
    int64_t nseq, ntok; /* decode: ntok = nseq (one query per sequence); prefill: nseq = 1 */
    int64_t *len;       /* keys per sequence */
    size_t *seq_off;    /* bytes from a copy's start to sequence b's K; its V follows K */
    int64_t *seg_start; /* decode: first key index of sequence b in the flattened (b, head, key) order */
    int64_t total_keys; /* Σ kv·len */
    size_t copy_bytes;
    int copies, copies_capped;
    char *caches;
    float *q, *out;
    tb_attn_drv drv;
    /* per thread */
    float *scratch; /* making the inputs */
    size_t scratch_stride;
    double *work; /* reference: one row of softmax weights per thread */
    size_t work_stride;
    /* read and peak probes */
    size_t rd_n; /* doubles per copy: as many bytes as the KV caches */
    int rd_copies, rd_capped;
    tb_probe_read rd;
    tb_probe_peak peak;
} attn_case;

/* Rows per KV head of sequence b's caches: its keys, rounded up to whole K blocks. */
static inline int64_t attn_cap(const attn_case *a, int64_t b) { return tb_attn_capacity(a->len[b]); }

static inline size_t attn_kv_head_bytes(const attn_case *a, int64_t b)
{
    return (size_t)attn_cap(a, b) * (size_t)a->D * a->es;
}

static inline const char *attn_k_head(const attn_case *a, int copy, int64_t b, int64_t h)
{
    return a->caches + (size_t)copy * a->copy_bytes + a->seq_off[b] + (size_t)h * attn_kv_head_bytes(a, b);
}

static inline const char *attn_v_head(const attn_case *a, int copy, int64_t b, int64_t h)
{
    return attn_k_head(a, copy, b, h) + (size_t)a->kv * attn_kv_head_bytes(a, b);
}

/* Query row of token t (decode: sequence t), head hq. */
static inline const float *attn_q_row(const attn_case *a, int64_t t, int64_t hq) { return a->q + (t * a->H + hq) * a->D; }

/* Position of query token t and the keys it sees. */
static inline int64_t attn_q_pos(const attn_case *a, int64_t t) { return a->decode ? a->len[t] - 1 : t; }
static inline int64_t attn_q_seq(const attn_case *a, int64_t t) { return a->decode ? t : 0; }

/* ---- inputs (attn_inputs.c) ---------------------------------------------------------------- */

/* Floats of per-thread scratch making the inputs needs. */
size_t tb_attn_case_scratch_floats(const attn_case *a);

/* Seeded random q, k, v in [-1, 1); q and k rotated at their positions and k, v appended to copy 0
 * of the caches, with kernels k, on the team. */
void tb_attn_case_make_inputs(attn_case *a, const tb_attention_kernels *k, uint64_t seed);

/* On a sample of the keys of sequence 0, kernels k's RoPE against the double rotation and its
 * append against the scalar conversion, over the inputs made from seed (attn_inputs.c says
 * how). */
void tb_attn_case_check_rope_append(const attn_case *a, const tb_attention_kernels *k, uint64_t seed,
                                    double *rope_err, int *rope_ok, int *append_ok);

#endif
