/* The inputs of an attention case, and the check of the kernels that make them (attn_case.h).
 *
 * Data: seeded random q, k, v in [-1, 1); q and k rotated (RoPE, theta TB_ROPE_THETA) at their
 * positions and k, v appended to the caches with the best tier's kernels, once, outside timing.
 * The RoPE and append kernels of each portable tier are checked too (on a sample of tokens) as
 * part of that variant's check. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/rng.h>

#include "attn_case.h"
#include "oracle_sample.h"

#define ROPE_SAMPLE_TOKENS 8

typedef struct {
    attn_case *a;
    const tb_attention_kernels *k;
    uint64_t seed;
} prep_job;

static float *thread_floats(attn_case *a, int tid) { return a->scratch + (size_t)tid * a->scratch_stride; }

/* Raw (unrotated) k and v rows of key `key` of sequence b, all KV heads: [kv][D] each. */
static void raw_kv(const attn_case *a, uint64_t seed, int64_t b, int64_t key, float *k, float *v)
{
    uint64_t at = ((uint64_t)(a->seg_start[b] / a->kv) + (uint64_t)key) * (uint64_t)(a->kv * a->D);
    for (int64_t i = 0; i < a->kv * a->D; i++) {
        k[i] = tb_rand_sym(seed + 1, at + (uint64_t)i);
        v[i] = tb_rand_sym(seed + 2, at + (uint64_t)i);
    }
}

static void raw_q(const attn_case *a, uint64_t seed, int64_t t, float *q)
{
    for (int64_t i = 0; i < a->H * a->D; i++)
        q[i] = tb_rand_sym(seed, (uint64_t)(t * a->H * a->D + i));
}

/* Thread scratch is big enough for: cos/sin tables (D) + k and v rows (2·kv·D) + a q row (H·D). */
size_t tb_attn_case_scratch_floats(const attn_case *a) { return (size_t)(a->D + 2 * a->kv * a->D + a->H * a->D + 64); }

static void prep_worker(void *p, int tid, int nt)
{
    prep_job *j = p;
    attn_case *a = j->a;
    float *cs = thread_floats(a, tid), *sn = cs + a->D / 2, *k = cs + a->D, *v = k + a->kv * a->D,
          *q = v + a->kv * a->D;
    size_t b0, e0;
    tb_team_split((size_t)a->total_keys / (size_t)a->kv + (size_t)a->ntok, 1, tid, nt, &b0, &e0);
    int64_t nkeys = a->total_keys / a->kv, b = 0, key = (int64_t)b0;
    while (b < a->nseq && key >= a->len[b]) /* the sequence of the first key, then walk on */
        key -= a->len[b++];
    for (int64_t x = (int64_t)b0; x < (int64_t)e0; x++) {
        if (x < nkeys) { /* a key: rotate k at its position, append k and v to copy 0 */
            while (key >= a->len[b]) {
                key = 0;
                b++;
            }
            raw_kv(a, j->seed, b, key, k, v);
            tb_attn_rope_table(cs, sn, a->D, key, TB_ROPE_THETA);
            j->k->rope(k, k, a->kv, a->D, cs, sn);
            j->k->kv_append[a->kvdt](k, v, (char *)attn_k_head(a, 0, b, 0), (char *)attn_v_head(a, 0, b, 0), 1, a->kv,
                                     a->D, attn_cap(a, b), key);
            key++;
        } else { /* a query token */
            int64_t t = x - nkeys;
            raw_q(a, j->seed, t, q);
            tb_attn_rope_table(cs, sn, a->D, attn_q_pos(a, t), TB_ROPE_THETA);
            j->k->rope(q, a->q + t * a->H * a->D, a->H, a->D, cs, sn);
        }
    }
}

void tb_attn_case_make_inputs(attn_case *a, const tb_attention_kernels *k, uint64_t seed)
{
    prep_job pj = {a, k, seed};
    tb_team_run(a->team, prep_worker, &pj);
}

/* On ROPE_SAMPLE_TOKENS keys of sequence 0 (first, last, evenly spaced): the tier's RoPE against
 * the double rotation (bound 8u·(|x_i| + |x_pair|)), then its append against the scalar
 * conversion (bit-exact: both round to nearest even). */
void tb_attn_case_check_rope_append(const attn_case *a, const tb_attention_kernels *kern, uint64_t seed,
                                    double *rope_err, int *rope_ok, int *append_ok)
{
    int64_t D = a->D, kv = a->kv;
    int n = 0;
    int64_t *keys = tb_oracle_sample(a->len[0], ROPE_SAMPLE_TOKENS, &n);
    float *buf = malloc(sizeof(float) * (size_t)(5 * kv * D + D));
    double *ref = malloc(sizeof(double) * (size_t)D);
    /* one K block and one V block of capacity TB_ATTN_KBLOCK per KV head; the row goes to key 0 */
    const size_t cache_elems = (size_t)(kv * D) * TB_ATTN_KBLOCK;
    unsigned char *cache = malloc(2 * cache_elems * a->es);
    *rope_ok = *append_ok = keys && buf && ref && cache;
    *rope_err = 0;
    for (int i = 0; i < n && *rope_ok; i++) {
        float *k = buf, *v = k + kv * D, *y = v + kv * D, *cs = y + kv * D, *sn = cs + D / 2;
        raw_kv(a, seed, 0, keys[i], k, v);
        tb_attn_rope_table(cs, sn, D, keys[i], TB_ROPE_THETA);
        kern->rope(k, y, kv, D, cs, sn);
        for (int64_t h = 0; h < kv; h++) {
            tb_attn_rope_ref(k + h * D, ref, D, keys[i], TB_ROPE_THETA);
            for (int64_t j = 0; j < D; j++) {
                int64_t pair = j < D / 2 ? j + D / 2 : j - D / 2;
                double scale = fabs((double)k[h * D + j]) + fabs((double)k[h * D + pair]);
                double e = scale > 0 ? fabs((double)y[h * D + j] - ref[j]) / scale : fabs((double)y[h * D + j]);
                if (!(e <= *rope_err))
                    *rope_err = isnan(e) ? INFINITY : e;
            }
        }
        kern->kv_append[a->kvdt](y, v, cache, cache + cache_elems * a->es, 1, kv, D, TB_ATTN_KBLOCK, 0);
        for (int64_t j = 0; j < kv * D; j++)
            for (int w = 0; w < 2; w++) {
                float src = (w ? v : y)[j];
                int64_t h = j / D, x = j % D;
                size_t at = (size_t)(h * TB_ATTN_KBLOCK * D) + (w ? (size_t)x : tb_attn_k_offset(D, 0, x));
                const unsigned char *c = cache + ((size_t)w * cache_elems + at) * a->es;
                if (a->kvdt == TB_DT_F16) {
                    uint16_t want = tb_f32_to_f16(src), got;
                    memcpy(&got, c, 2);
                    *append_ok &= got == want;
                } else {
                    /* the appended float must be the very bits, NaN and -0 included */
                    /* NOLINTNEXTLINE(bugprone-suspicious-memory-comparison,cert-exp42-c,cert-flp37-c) */
                    *append_ok &= memcmp(c, &src, 4) == 0;
                }
            }
    }
    *rope_ok &= *rope_err <= 8.0 * ldexp(1.0, -24);
    free(keys);
    free(buf);
    free(ref);
    free(cache);
}
