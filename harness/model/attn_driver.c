/* The attention steps on the team (see attn_driver.h). */
#include "attn_driver.h"

#include <string.h>

#include "util.h"

/* Partial result of keys [c0, c1) of one (sequence, KV head) item of len keys. */
typedef struct {
    int64_t seq, kvh, c0, c1, len;
    float *m, *l, *acc;
} part;

/* A thread holds at most two partial ranges: with SPLIT_KEYS only its two ends can cut an item;
 * with SPLIT_ITEMS ranges are cut only when items < threads, and then there are fewer than
 * 2·threads of them. Aligned apart: every thread writes its own during the same run. */
struct tb_attn_thread {
    _Alignas(64) part part[2];
    int n;
};

/* What the workers of one call share. */
typedef struct {
    tb_attn_drv *d;
    const tb_attn_job *job;
    int64_t parts;      /* SPLIT_ITEMS: ranges per item */
    int64_t total_keys; /* SPLIT_KEYS: Σ kv_heads·len */
} step;

static size_t round16(size_t n) { return (n + 15) / 16 * 16; }
static int64_t group(const tb_attn_drv *d) { return d->dims.heads / d->dims.kv_heads; }
static int64_t seq_len(const tb_attn_job *j, int64_t s) { return j->lens ? j->lens[s] : j->len; }
static float *thread_scratch(const tb_attn_drv *d, int tid) { return d->scratch + (size_t)tid * d->scratch_stride; }

int tb_attn_drv_init(tb_attn_drv *d, tb_team *team, const tb_attn_dims *dims, int64_t pack_seqs, int64_t pack_len)
{
    memset(d, 0, sizeof *d);
    d->team = team;
    d->nt = tb_team_size(team);
    d->dims = *dims;
    atomic_init(&d->next_item, 0);
    int64_t g = group(d), hd = dims->head_dim;
    size_t nt = (size_t)d->nt, kern = tb_attn_decode_scratch_floats(g, hd);
    if (pack_len) {
        size_t pf = tb_attn_prefill_scratch_floats(dims);
        kern = pf > kern ? pf : kern;
        size_t heads = (size_t)(pack_seqs * dims->kv_heads);
        d->ktf = tb_attn_packed_k_floats(hd, pack_len);
        d->vpf = tb_attn_packed_v_floats(hd, pack_len);
        d->kt = tb_alloc(d->ktf * heads * sizeof(float), "packed keys");
        d->vp = d->kt ? tb_alloc(d->vpf * heads * sizeof(float), "packed values") : NULL;
        if (!d->vp)
            return TB_EXIT_RUNTIME;
    }
    d->scratch_stride = round16(kern + 2 * (size_t)g);
    size_t per = 2 * round16((size_t)g) + round16((size_t)(g * hd));
    if (!(d->scratch = tb_alloc(d->scratch_stride * nt * sizeof(float), "attention scratch")) ||
        !(d->th = tb_alloc(nt * sizeof *d->th, "decode partials")) ||
        !(d->partials = tb_alloc(2 * nt * per * sizeof(float), "decode partials")) ||
        !(d->pm = tb_alloc(2 * nt * sizeof *d->pm, "decode partials")) ||
        !(d->pl = tb_alloc(2 * nt * sizeof *d->pl, "decode partials")) ||
        !(d->pa = tb_alloc(2 * nt * sizeof *d->pa, "decode partials")))
        return TB_EXIT_RUNTIME;
    for (size_t i = 0; i < 2 * nt; i++) {
        part *p = &d->th[i / 2].part[i % 2];
        p->m = d->partials + i * per;
        p->l = p->m + round16((size_t)g);
        p->acc = p->l + round16((size_t)g);
    }
    return 0;
}

void tb_attn_drv_free(tb_attn_drv *d)
{
    TB_FREE_ALL(d->kt, d->vp, d->scratch, d->th, d->partials, (void *)d->pm, (void *)d->pl, (void *)d->pa);
    memset(d, 0, sizeof *d);
}

/* ---- prefill ----------------------------------------------------------------------------------- */

static void pack_worker(void *p, int tid, int nt)
{
    const step *s = p;
    const tb_attn_drv *d = s->d;
    const tb_attn_job *j = s->job;
    int64_t kv = d->dims.kv_heads, np = (j->len + TB_ATTN_PANEL - 1) / TB_ATTN_PANEL;
    size_t b, e;
    tb_team_split((size_t)(j->seqs * kv * np), 1, tid, nt, &b, &e);
    for (int64_t i = (int64_t)b; i < (int64_t)e;) {
        int64_t sh = i / np, p0 = i % np, p1 = np < p0 + (int64_t)e - i ? np : p0 + (int64_t)e - i;
        const void *k, *v;
        j->kv(j->kv_ctx, sh / kv, sh % kv, &k, &v);
        j->kern->prefill_pack[j->kv_dt](k, v, d->dims.head_dim, j->len, p0, p1, d->kt + (size_t)sh * d->ktf,
                                        d->vp + (size_t)sh * d->vpf);
        i += p1 - p0;
    }
}

/* Items (query tile, sequence, KV head), the latest tiles first. */
static void tiles_worker(void *p, int tid, int nt)
{
    (void)nt;
    const step *s = p;
    tb_attn_drv *d = s->d;
    const tb_attn_job *j = s->job;
    int64_t kv = d->dims.kv_heads, hq = d->dims.heads * d->dims.head_dim;
    int64_t tt = tb_attn_prefill_tile_tokens(group(d)), ntiles = (j->len + tt - 1) / tt, per_tile = j->seqs * kv;
    long long items = (long long)(ntiles * per_tile);
    float *scratch = thread_scratch(d, tid);
    for (long long i; (i = atomic_fetch_add_explicit(&d->next_item, 1, memory_order_relaxed)) < items;) {
        int64_t tile = ntiles - 1 - i / per_tile, rest = i % per_tile, seq = rest / kv, h = rest % kv;
        int64_t t0 = tile * tt, t1 = t0 + tt < j->len ? t0 + tt : j->len;
        size_t sh = (size_t)rest;
        j->kern->prefill(j->q + seq * j->len * hq, d->kt + sh * d->ktf, d->vp + sh * d->vpf, j->out + seq * j->len * hq,
                         &d->dims, h, t0, t1, scratch);
    }
}

void tb_attn_drv_prefill(tb_attn_drv *d, const tb_attn_job *job)
{
    step s = {d, job, 0, 0};
    tb_team_run(d->team, pack_worker, &s);
    atomic_store(&d->next_item, 0);
    tb_team_run(d->team, tiles_worker, &s);
}

/* ---- decode ------------------------------------------------------------------------------------ */

/* Keys [c0, c1) of item (seq, h): the whole item straight to the output, a part to the thread's
 * next partial result. */
static void decode_range(const step *s, int tid, int64_t seq, int64_t h, int64_t c0, int64_t c1, int64_t len)
{
    tb_attn_drv *d = s->d;
    const tb_attn_job *j = s->job;
    int64_t g = group(d), hd = d->dims.head_dim, row = (seq * d->dims.heads + h * g) * hd;
    const void *k, *v;
    j->kv(j->kv_ctx, seq, h, &k, &v);
    float *scratch = thread_scratch(d, tid);
    if (c1 - c0 == len) {
        float *m = scratch + d->scratch_stride - 2 * (size_t)g;
        j->kern->decode[j->kv_dt](j->q + row, k, v, g, hd, 0, len, m, m + g, j->out + row, 1, scratch);
        return;
    }
    tb_attn_thread *th = &d->th[tid];
    part *pt = &th->part[th->n++];
    pt->seq = seq;
    pt->kvh = h;
    pt->c0 = c0;
    pt->c1 = c1;
    pt->len = len;
    j->kern->decode[j->kv_dt](j->q + row, k, v, g, hd, c0, c1, pt->m, pt->l, pt->acc, 0, scratch);
}

static void decode_worker(void *p, int tid, int nt)
{
    const step *s = p;
    const tb_attn_job *j = s->job;
    int64_t kv = s->d->dims.kv_heads;
    s->d->th[tid].n = 0;
    size_t b, e;
    if (j->split == TB_ATTN_SPLIT_ITEMS) {
        tb_team_split((size_t)(j->seqs * kv * s->parts), 1, tid, nt, &b, &e);
        for (int64_t u = (int64_t)b; u < (int64_t)e; u++) {
            int64_t item = u / s->parts, x = u % s->parts, seq = item / kv, len = seq_len(j, seq);
            decode_range(s, tid, seq, item % kv, x * len / s->parts, (x + 1) * len / s->parts, len);
        }
        return;
    }
    tb_team_split((size_t)s->total_keys, 1, tid, nt, &b, &e);
    /* first: where sequence seq starts in the (sequence, KV head, key) order */
    int64_t pos = (int64_t)b, end = (int64_t)e, seq = 0, first = 0;
    while (seq < j->seqs && first + kv * seq_len(j, seq) <= pos)
        first += kv * seq_len(j, seq++);
    while (pos < end) {
        int64_t len = seq_len(j, seq), rel = pos - first, c0 = rel % len;
        int64_t c1 = c0 + (end - pos) < len ? c0 + (end - pos) : len;
        decode_range(s, tid, seq, rel / len, c0, c1, len);
        pos += c1 - c0;
        if (pos >= first + kv * len) {
            first += kv * len;
            seq++;
        }
    }
}

/* Each cut item is merged by the thread holding its first range: one merger per item, and its
 * other ranges follow in thread order, so gathering them walks forward from there. Their
 * operands go to pm/pl/pa from that range's own index (2·tid + i) on, which the next item's
 * first range lies beyond. */
static void merge_worker(void *p, int tid, int nt)
{
    (void)nt;
    const step *s = p;
    tb_attn_drv *d = s->d;
    int64_t g = group(d), hd = d->dims.head_dim;
    for (int i = 0; i < d->th[tid].n; i++) {
        const part *head = &d->th[tid].part[i];
        if (head->c0)
            continue;
        size_t at = 2 * (size_t)tid + (size_t)i, n = 0;
        for (int t = tid, x = i;;) {
            const part *pt = &d->th[t].part[x];
            d->pm[at + n] = pt->m;
            d->pl[at + n] = pt->l;
            d->pa[at + n] = pt->acc;
            n++;
            if (pt->c1 == pt->len)
                break;
            if (++x == d->th[t].n) {
                x = 0;
                do
                    t++;
                while (d->th[t].n == 0);
            }
        }
        s->job->kern->merge(d->pm + at, d->pl + at, d->pa + at, (int64_t)n, g, hd,
                            s->job->out + (head->seq * d->dims.heads + head->kvh * g) * hd);
    }
}

void tb_attn_drv_decode(tb_attn_drv *d, const tb_attn_job *job)
{
    step s = {d, job, 1, 0};
    int64_t items = job->seqs * d->dims.kv_heads;
    if (job->split == TB_ATTN_SPLIT_ITEMS) {
        int64_t shortest = seq_len(job, 0);
        for (int64_t b = 1; job->lens && b < job->seqs; b++)
            shortest = job->lens[b] < shortest ? job->lens[b] : shortest;
        s.parts = items >= d->nt ? 1 : (d->nt + items - 1) / items;
        s.parts = s.parts > shortest ? shortest : s.parts;
    } else {
        for (int64_t b = 0; b < job->seqs; b++)
            s.total_keys += d->dims.kv_heads * seq_len(job, b);
    }
    tb_team_run(d->team, decode_worker, &s);
    for (int t = 0; t < d->nt; t++)
        if (d->th[t].n) {
            tb_team_run(d->team, merge_worker, &s);
            break;
        }
}
