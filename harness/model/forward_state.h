/* The state of a forward pass, shared by the files that build it (forward_alloc.c), run it
 * (forward.c) and check it against the reference (forward_ref.c). Private to harness/model/. */
#ifndef TB_FORWARD_STATE_H
#define TB_FORWARD_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <tokbench/rng.h>

#include "attn_driver.h"
#include "forward.h"
#include "matmul.h"

/* A layer's weight matrices, in the order of their seeds. */
enum { W_Q, W_K, W_V, W_O, W_G, W_U, W_D, W_COUNT };

typedef struct {
    tb_matmul_weights w[W_COUNT];
    float *attn_norm, *ffn_norm, *bq, *bk, *bv;
    char *kc, *vc; /* [seq][kv_heads][cap][d] in the KV dtype */
} layer;

struct tb_fwd {
    tb_model m;
    tb_fwd_shape s;
    tb_team *team;
    int nt;
    const tb_kernels *k;
    const tb_attention_kernels *ak;
    int64_t H, KV, D, g, hq, hkv, cap, cache_seqs, max_rows, head_rows;
    size_t es;
    layer *L;
    tb_matmul_weights emb, head; /* head.rows == emb.rows when tied */
    float *final_norm;
    float *x, *xn, *q, *kk, *vv, *att, *tmp, *gate, *up, *hn, *logits;
    float *rope_cos, *rope_sin; /* [cap][d/2] */
    int32_t *tokens;
    tb_matmul_ws ws;
    tb_attn_drv attn;
    int64_t last_tokens; /* rows of x after the last call */
};

/* The synthetic token at position pos of sequence seq: the pass and the reference read the same. */
static inline int32_t tb_fwd_token_id(const tb_fwd *f, int64_t seq, int64_t pos)
{
    return (int32_t)(tb_mix64(f->s.seed * 7919u + (uint64_t)seq * 1000003u + (uint64_t)pos) % (uint64_t)f->m.vocab);
}

#endif
