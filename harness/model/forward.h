/* A real decoder forward pass built from the kernel tables: synthetic seeded weights in the
 * chosen dtype, every op an engine runs per token (embedding rows, RMSNorm, Q/K/V (+bias), RoPE,
 * KV append, attention, output projection, residual, RMSNorm, SwiGLU, residual, final norm, LM
 * head), each layer's output feeding the next, split over the pinned team.
 *
 * One tb_fwd is sized for the largest row of a sweep (sequences, prompt, context) and then runs
 * any smaller prefill or decode step, so the weights are generated once per team. The layers run
 * are `layers` distinct copies (all of the model's when they fit in memory; cmd_run extrapolates
 * otherwise). Each op kind is timed with the monotonic clock; times are summed per call. */
#ifndef TB_FORWARD_H
#define TB_FORWARD_H

#include <stdint.h>

#include <tokbench/attention.h>
#include <tokbench/kernels.h>

#include "model.h"
#include "team.h"

typedef enum tb_op {
    TB_OP_EMBED = 0,
    TB_OP_NORM,
    TB_OP_QKV,
    TB_OP_BIAS,
    TB_OP_ROPE,
    TB_OP_KV_APPEND,
    TB_OP_ATTN,
    TB_OP_O_PROJ,
    TB_OP_RESIDUAL,
    TB_OP_GATE_UP,
    TB_OP_SILU_MUL,
    TB_OP_DOWN,
    TB_OP_LM_HEAD,
    TB_OP_COUNT
} tb_op;

const char *tb_op_name(tb_op op);

typedef struct tb_fwd_shape {
    tb_dtype dt, kv_dt;
    int64_t max_batch;  /* decode sequences */
    int64_t max_seqs;   /* prefill sequences run at once */
    int64_t max_prompt; /* prefill tokens per sequence */
    int64_t max_ctx;    /* decode: tokens already in the cache */
    int64_t layers;     /* distinct layers allocated (<= model layers) */
    uint64_t seed;
} tb_fwd_shape;

typedef struct tb_fwd_mem {
    double weights, kv, act; /* bytes */
} tb_fwd_mem;

/* What tb_fwd_create will allocate for this shape (weights include f32 packed panels). */
void tb_fwd_memory(const tb_model *m, const tb_fwd_shape *s, const tb_kernels *k, int threads, tb_fwd_mem *out);
/* Bytes of one decoder layer's weights as allocated (dtype rows, f32 norms/biases, panels). */
double tb_fwd_layer_bytes(const tb_model *m, const tb_fwd_shape *s, const tb_kernels *k);

typedef struct tb_fwd tb_fwd;

/* Checks the shape against the kernels (head_dim, KV dtype, K multiple of 32 for quantized
 * weights): 0 or TB_EXIT_USAGE after one line. */
int tb_fwd_validate(const tb_model *m, tb_dtype dt, tb_dtype kv_dt);

/* Allocates and fills weights (first touched by the team) and a KV cache of synthetic values.
 * Returns 0 or an exit code after one error line. */
int tb_fwd_create(tb_fwd **out, const tb_model *m, const tb_fwd_shape *s, tb_team *team, const tb_kernels *k,
                  const tb_attention_kernels *ak);
void tb_fwd_destroy(tb_fwd *f);

/* Per-call times (ns) of each op kind, inside the layer loop and outside it (embedding, final
 * norm, LM head), and the wall time of the layer loop. */
typedef struct tb_fwd_times {
    double layer_ns[TB_OP_COUNT], other_ns[TB_OP_COUNT];
    double layers_wall_ns, total_wall_ns;
} tb_fwd_times;

/* Prefill: seqs sequences of prompt tokens each (positions 0..prompt-1) through the first nlayers
 * layers, then the final norm and LM head for each sequence's last token. t may be NULL. */
void tb_fwd_prefill(tb_fwd *f, int64_t seqs, int64_t prompt, int64_t nlayers, tb_fwd_times *t);
/* One decode step: batch sequences, each with ctx tokens in its cache, one new token at
 * position ctx, through all allocated layers and the LM head. */
void tb_fwd_decode(tb_fwd *f, int64_t batch, int64_t ctx, tb_fwd_times *t);

/* The last call's logits: [rows][vocab], one row per sequence. */
const float *tb_fwd_logits(const tb_fwd *f);
/* The residual stream after the last call's last layer: [tokens][hidden]. */
const float *tb_fwd_hidden(const tb_fwd *f);

/* The double-precision reference of sequence 0's first ntok prompt tokens through nlayers
 * layers, on the same weights (dequantized) and, for q8_0/q4_0, the same activation
 * quantization as the kernels, the K/V rounded to the cache dtype. with_head: out = the last
 * token's logits [vocab]; else the hidden state of all ntok tokens [ntok][hidden]. 0 or an exit
 * code (out of memory). */
int tb_fwd_reference(const tb_fwd *f, int64_t ntok, int64_t nlayers, int with_head, double *out);

/* Bound on max|got − ref| / max|ref| for a compare of the kernel pass with the reference
 * (forward_ref.c says why). */
double tb_fwd_tolerance(tb_dtype dt);

/* Runs the kernel prefill of sequence 0 (ntok tokens, nlayers layers, head when with_head) and
 * compares it with the reference: *err = max|got − ref| / max|ref|, non-finite values count as
 * infinite. Returns 0 (check done, compare err with the tolerance) or an exit code. */
int tb_fwd_check(tb_fwd *f, int64_t ntok, int64_t nlayers, int with_head, double *err);

#endif
