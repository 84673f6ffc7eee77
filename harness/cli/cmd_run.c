/* tokbench run (see cmd_run.h). Per thread count: a pinned team, the roofline probes on it, one
 * forward pass sized for the sweep's largest row (weights generated once), its check against the
 * double reference, then every (batch, prompt, ctx) row timed.
 *
 * Extrapolation, always said in the row's "extrapolation" object:
 *  - layers: when the model does not fit in memory, `layers.allocated` distinct layers (together at
 *    least 4x the last-level cache) run in sequence and the layer loop's time is scaled to the
 *    model's depth (all layers have the same shape); embedding and LM head are timed for real.
 *  - prefill: a prefill call is kept near --prefill-time (PREFILL_BUDGET_S by default) at the
 *    measured ceilings (the roofline's: the int8 one for quantized weight products, the FMA peak
 *    for the rest) by timing fewer layers and, past one layer, fewer of the batch's sequences
 *    (each sequence's prefill is the same independent work, as an engine's ubatches are); times
 *    are scaled back up. --prefill-time 0 times every layer and sequence: slower, nothing scaled.
 *    The default exists for the 60-second default run: batch 8 × 512 tokens of a 1B model is
 *    10 TFLOP, two minutes on two cores. */
#include "cmd_run.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/attention.h>
#include <tokbench/rng.h>

#include <tokbench/probes.h>

#include "bench.h"
#include "blas.h"
#include "cmd_prices.h"
#include "forward.h"
#include "llc.h"
#include "measure.h"
#include "model.h"
#include "output.h"
#include "probe_run.h"
#include "record.h"
#include "roofline.h"
#include "stats.h"
#include "sysinfo.h"
#include "tb_config.h"
#include "team.h"
#include "timer.h"
#include "topo.h"
#include "util.h"
#include "workset.h"

#define MAX_LIST 64
#define PREFILL_BUDGET_S 0.5
#define MEM_MARGIN 0.85
/* Full-model logits check when the reference costs at most this many multiply-adds. */
#define FULL_CHECK_MACS 3e8
#define PARTIAL_CHECK_TOKENS 4

typedef struct {
    int64_t v[MAX_LIST];
    int n;
} ilist;

/* A sweep's list (tb_parse_int_list), s or else dflt, with no value twice. */
static int parse_list(const char *flag, const char *s, const char *dflt, int64_t lo, int64_t hi, ilist *out)
{
    const char *v = s ? s : dflt;
    int rc = tb_parse_int_list(v, lo, hi, out->v, MAX_LIST, &out->n);
    if (rc == TB_LIST_TOO_MANY)
        return tb_fail(TB_EXIT_USAGE, "--%s: at most %d values", flag, MAX_LIST);
    if (rc)
        return tb_fail(TB_EXIT_USAGE, "--%s '%s': expected a list of whole numbers in %lld..%lld", flag, v,
                       (long long)lo, (long long)hi);
    /* a repeated value would time the same row twice and give the SLO search two answers */
    for (int i = 1; i < out->n; i++)
        for (int j = 0; j < i; j++)
            if (out->v[j] == out->v[i])
                return tb_fail(TB_EXIT_USAGE, "--%s '%s': %lld listed twice", flag, v, (long long)out->v[i]);
    return 0;
}

static long long list_max(const ilist *l)
{
    long long m = l->v[0];
    for (int i = 1; i < l->n; i++)
        m = l->v[i] > m ? l->v[i] : m;
    return m;
}

/* Whether a timing option was given (flag or environment): run has its own defaults. */
static int given(const tb_opts *o, const char *flag, const char *env)
{
    if (getenv(env))
        return 1;
    size_t n = strlen(flag);
    for (int i = 2; i < o->argc; i++)
        if (strncmp(o->argv[i], flag, n) == 0 && (o->argv[i][n] == '\0' || o->argv[i][n] == '='))
            return 1;
    return 0;
}

/* ---- probes --------------------------------------------------------------------------------- */

/* Steps per thread of one FMA-peak run; the int8 probe runs half as many. */
#define PEAK_ITERS (1 << 20)

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The best of samples 1..5 (sample 0 is the warm-up). */
static double best_of_5(double *x)
{
    qsort(x + 1, 5, sizeof(double), cmp_double);
    return x[5];
}

/* Six runs of each probe in turn, and the best of the last five of each (the first warms up). */
static void time_probes(tb_probe_peak *peak, tb_probe_read *rd, tb_probe_int8 *int8, double *gflops, double *int8_gops,
                        double *gbps)
{
    double pf[6], rb[6], iq[6];
    for (int i = 0; i < 6; i++) {
        uint64_t t0 = tb_now_ns();
        tb_probe_peak_run(peak);
        uint64_t t1 = tb_now_ns();
        tb_probe_read_run(rd);
        uint64_t t2 = tb_now_ns();
        tb_probe_int8_run(int8);
        uint64_t t3 = tb_now_ns();
        pf[i] = tb_probe_peak_flops(peak) / (double)(t1 - t0);
        rb[i] = (double)(rd->n * sizeof(double)) / (double)(t2 - t1);
        iq[i] = 2.0 * tb_probe_int8_macs(int8) / (double)(t3 - t2);
    }
    *int8_gops = best_of_5(iq);
    *gflops = best_of_5(pf);
    *gbps = best_of_5(rb);
}

/* Best of 5 runs (after one warm-up) of the FMA peak, of the int8 ceiling of the quantized
 * kernels (kernels.h: tb_peak_int8_fn, in GOP/s: 2 per multiply-add) and of the STREAM read sum
 * over an array of 4x the last-level cache, on the team: the roofline's ceilings for these very
 * cores. The best, not the median: a ceiling, and on a shared machine noise only ever lowers a
 * sample. The probes are those of the kernels' tier (or the best below it that this build has). */
static int run_probes(const tb_opts *o, tb_team *team, const tb_kernels *kern, unsigned long long llc, double *gflops, double *int8_gops,
                      double *gbps)
{
    *gflops = *int8_gops = *gbps = 0;
    tb_probe_kernels pk;
    tb_probe_kernels_at_most(kern->isa, &pk);
    /* as bench peak does: the int8 probe against its scalar replay before it is timed */
    const char *fault = o->fault_inject; /* test hook (options.h): corrupt the probe's result */
    double per_step;
    if (tb_probe_int8_check(kern->peak_int8, kern->peak_int8_info.name, fault && strcmp(fault, "int8") == 0,
                            &per_step) != 0)
        return tb_fail(TB_EXIT_CHECK,
                       "the int8 ceiling probe %s failed its check against a scalar replay: nothing was timed",
                       kern->peak_int8_info.name);
    size_t n = (size_t)(TB_WORKSET_LLC_MULTIPLE * llc) / sizeof(double);
    tb_probe_peak peak = {0};
    tb_probe_int8 int8 = {0};
    tb_probe_read rd = {0};
    double *arr = NULL;
    int rc = tb_probe_peak_init(&peak, team, &pk, PEAK_ITERS, "probe buffers");
    if (rc == 0)
        rc = tb_probe_int8_init(&int8, team, kern->peak_int8, PEAK_ITERS / 2, "probe buffers");
    /* untouched: first touched by the members that read it (tb_probe_read_fill_ones) */
    if (rc == 0 && !(arr = tb_alloc_untouched(n * sizeof(double), "probe buffers")))
        rc = TB_EXIT_RUNTIME;
    if (rc == 0)
        rc = tb_probe_read_init(&rd, team, pk.read, arr, n, 1, "probe buffers");
    if (rc == 0) {
        tb_probe_read_fill_ones(&rd);
        time_probes(&peak, &rd, &int8, gflops, int8_gops, gbps);
    }
    tb_probe_peak_free(&peak);
    tb_probe_int8_free(&int8);
    tb_probe_read_free(&rd);
    tb_free(arr);
    return rc;
}

/* ---- rows ----------------------------------------------------------------------------------- */

typedef struct {
    long long batch, prompt, ctx;
    int64_t pf_layers, pf_seqs;
} row_plan;

static double layer_macs(const tb_model *m)
{
    double hq = (double)(m->heads * m->head_dim), hkv = (double)(m->kv_heads * m->head_dim);
    return (double)m->hidden * (hq + 2 * hkv) + hq * (double)m->hidden + 3.0 * (double)m->hidden * (double)m->intermediate;
}

static json_t *rate_json(const tb_stats *st, double tokens)
{
    return json_pack("{s:f, s:f, s:f}", "median", tokens / st->median * 1e9, "ci95_low", tokens / st->ci95_high * 1e9,
                     "ci95_high", tokens / st->ci95_low * 1e9);
}

static json_t *ms_json(const tb_stats *st)
{
    return json_pack("{s:f, s:f, s:f}", "median", st->median / 1e6, "p90", st->p90 / 1e6, "p99", st->p99 / 1e6);
}

static json_t *samples_json(const double *s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_real(s[i]));
    return a;
}

static json_t *cost_json(const tb_phase_cost *c)
{
    return json_pack("{s:f, s:f, s:f, s:f, s:f}", "flops", c->flops, "matmul_flops", c->matmul_flops, "weight_bytes",
                     c->weight_bytes, "kv_bytes", c->kv_bytes, "act_bytes", c->act_bytes);
}

static json_t *breakdown_json(const double *ns)
{
    double tot = 0;
    for (int i = 0; i < TB_OP_COUNT; i++)
        tot += ns[i];
    json_t *o = json_object();
    for (int i = 0; i < TB_OP_COUNT; i++)
        if (ns[i] > 0)
            json_object_set_new(o, tb_op_name((tb_op)i), json_pack("{s:f, s:f}", "ns", ns[i], "share", tot > 0 ? ns[i] / tot : 0));
    return o;
}

typedef struct {
    const tb_opts *o;
    const tb_model *m;
    tb_dtype dt, kv_dt;
    int min_reps, warmup;
    double min_time, max_time;
} run_cfg;

/* The ceilings a thread count's rows are graded against: the higher of the probes run before
 * and after its rows (a ceiling only reads low when the machine is disturbed), with both runs
 * kept in the record so the noise can be seen. */
typedef struct {
    double peak, peak_int8, bw;
} ceilings;

static json_t *ceilings_json(const ceilings *c)
{
    return json_pack("{s:f, s:f, s:f}", "peak_gflops", c->peak, "peak_int8_gops", c->peak_int8, "bandwidth_gbps", c->bw);
}

/* The row's roofline object: analytic costs, bounds at the ceilings `use`, and the share of them
 * the medians rp_med and rd_med (tokens/s) reached. */
static json_t *roofline_json(const run_cfg *rc, const row_plan *rp, double rp_med, double rd_med, const ceilings *use,
                             const ceilings *before, const ceilings *after)
{
    const tb_model *m = rc->m;
    double pf_tokens = (double)(rp->batch * rp->prompt), dc_tokens = (double)rp->batch;
    tb_phase_cost cp = tb_phase_cost_of(m, rc->dt, rc->kv_dt, rp->batch, rp->prompt, rp->ctx, TB_PHASE_PREFILL);
    tb_phase_cost cd = tb_phase_cost_of(m, rc->dt, rc->kv_dt, rp->batch, rp->prompt, rp->ctx, TB_PHASE_DECODE);
    /* q8_0/q4_0 products are integer dots: their ceiling is the int8 one */
    double mm_peak = tb_dtype_is_quantized(rc->dt) ? use->peak_int8 : use->peak;
    double bp = tb_roofline_tokens_per_s(&cp, pf_tokens, use->peak, mm_peak, use->bw);
    double bd = tb_roofline_tokens_per_s(&cd, dc_tokens, use->peak, mm_peak, use->bw);
    json_t *roof = json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:o, s:o}", "peak_gflops", use->peak,
                             "peak_int8_gops", use->peak_int8, "matmul_peak_gflops", mm_peak, "bandwidth_gbps", use->bw,
                             "prefill_tokens_per_s_bound", bp, "decode_tokens_per_s_bound", bd, "prefill_pct_of_bound",
                             100.0 * rp_med / bp, "decode_pct_of_bound", 100.0 * rd_med / bd, "prefill", cost_json(&cp),
                             "decode", cost_json(&cd));
    json_object_set_new(roof, "probes",
                        json_pack("{s:o, s:o*, s:s}", "before_rows", ceilings_json(before), "after_rows",
                                  after ? ceilings_json(after) : NULL, "used", "the higher of the two, per ceiling"));
    return roof;
}

/* Times one row: warm-up, then prefill and decode samples in turns until both have the
 * repetitions and the minimum time (or the maximum time ran out). */
static int time_row(const run_cfg *rc, tb_fwd *f, int64_t layers_alloc, const row_plan *rp, int threads,
                    const ceilings *before, json_t **row_out)
{
    const tb_model *m = rc->m;
    size_t cap = (size_t)rc->min_reps + 64, n = 0;
    double *pf = malloc(cap * sizeof(double)), *dc = malloc(cap * sizeof(double));
    double pf_ops[TB_OP_COUNT] = {0}, dc_ops[TB_OP_COUNT] = {0};
    if (!pf || !dc) {
        free(pf);
        free(dc);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for samples");
    }
    double lf_pf = (double)m->layers / (double)rp->pf_layers, sf = (double)rp->batch / (double)rp->pf_seqs;
    double lf_dc = (double)m->layers / (double)layers_alloc, sum_pf = 0, sum_dc = 0;
    uint64_t start = tb_now_ns();
    for (int i = 0;; i++) {
        tb_fwd_times tp, td;
        tb_fwd_prefill(f, rp->pf_seqs, rp->prompt, rp->pf_layers, &tp);
        if (i == 0) { /* never time a pass whose logits are not finite */
            const float *lg = tb_fwd_logits(f);
            for (int64_t x = 0; x < rp->pf_seqs * m->vocab; x++)
                if (!isfinite(lg[x])) {
                    free(pf);
                    free(dc);
                    return tb_fail(TB_EXIT_CHECK, "the prefill's logits are not finite (batch %lld): nothing was timed",
                                   rp->batch);
                }
        }
        tb_fwd_decode(f, rp->batch, rp->ctx, &td);
        if (i < rc->warmup)
            continue;
        if (tb_interrupted)
            break;
        if (n == cap) {
            cap *= 2;
            double *a = realloc(pf, cap * sizeof(double)), *b = a ? realloc(dc, cap * sizeof(double)) : NULL;
            if (!a || !b) {
                free(a ? a : pf);
                free(dc);
                return tb_fail(TB_EXIT_RUNTIME, "out of memory for samples");
            }
            pf = a;
            dc = b;
        }
        pf[n] = (tp.total_wall_ns - tp.layers_wall_ns + tp.layers_wall_ns * lf_pf) * sf;
        dc[n] = td.total_wall_ns - td.layers_wall_ns + td.layers_wall_ns * lf_dc;
        for (int op = 0; op < TB_OP_COUNT; op++) {
            pf_ops[op] += (tp.other_ns[op] + tp.layer_ns[op] * lf_pf) * sf;
            dc_ops[op] += td.other_ns[op] + td.layer_ns[op] * lf_dc;
        }
        sum_pf += pf[n];
        sum_dc += dc[n];
        n++;
        double el = (double)(tb_now_ns() - start) / 1e9;
        if ((n >= (size_t)rc->min_reps && sum_pf / 1e9 >= rc->min_time && sum_dc / 1e9 >= rc->min_time) ||
            (el > rc->max_time && n >= 1) || n >= 100000)
            break;
    }
    tb_stats sp, sd;
    if (n == 0 || tb_stats_compute(pf, n, &sp) || tb_stats_compute(dc, n, &sd)) {
        free(pf);
        free(dc);
        return tb_fail(TB_EXIT_RUNTIME, "interrupted before a sample was taken");
    }
    for (int op = 0; op < TB_OP_COUNT; op++) {
        pf_ops[op] /= (double)n;
        dc_ops[op] /= (double)n;
    }
    double pf_tokens = (double)(rp->batch * rp->prompt), dc_tokens = (double)rp->batch;
    double rp_med = pf_tokens / sp.median * 1e9, rd_med = dc_tokens / sd.median * 1e9;
    json_t *pfo = json_pack("{s:o, s:o, s:o, s:o}", "tokens_per_s", rate_json(&sp, pf_tokens), "samples_ns",
                            samples_json(pf, n), "stats", tb_stats_json(&sp), "breakdown", breakdown_json(pf_ops));
    json_t *dco = json_pack("{s:o, s:o, s:o, s:o}", "tokens_per_s", rate_json(&sd, dc_tokens), "samples_ns",
                            samples_json(dc, n), "stats", tb_stats_json(&sd), "breakdown", breakdown_json(dc_ops));
    json_t *roof = roofline_json(rc, rp, rp_med, rd_med, before, before, NULL);
    int sampled = layers_alloc < m->layers, pf_ext = rp->pf_layers < m->layers || rp->pf_seqs < rp->batch;
    json_t *ext = json_pack("{s:b, s:I, s:I, s:b, s:I, s:I}", "decode_layers_sampled", sampled, "decode_layers_run",
                            (json_int_t)layers_alloc, "model_layers", (json_int_t)m->layers, "prefill_extrapolated", pf_ext,
                            "prefill_layers_run", (json_int_t)rp->pf_layers, "prefill_sequences_run", (json_int_t)rp->pf_seqs);
    *row_out = json_pack("{s:I, s:i, s:I, s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:[]}", "batch",
                         (json_int_t)rp->batch, "threads", threads, "prompt", (json_int_t)rp->prompt, "ctx",
                         (json_int_t)rp->ctx, "dtype", tb_dtype_name(rc->dt), "kv_dtype", tb_dtype_name(rc->kv_dt),
                         "prefill", pfo, "decode", dco, "ttft_ms", ms_json(&sp), "tpot_ms", ms_json(&sd), "roofline",
                         roof, "extrapolation", ext, "cost");
    free(pf);
    free(dc);
    return *row_out ? 0 : tb_fail(TB_EXIT_RUNTIME, "out of memory building the row");
}

/* ---- memory plan ----------------------------------------------------------------------------- */

static double need_bytes(const tb_model *m, tb_fwd_shape *s, const tb_kernels *k, int threads, int64_t layers)
{
    tb_fwd_mem mem;
    s->layers = layers;
    tb_fwd_memory(m, s, k, threads, &mem);
    return mem.weights + mem.kv + mem.act;
}

/* Full depth when it fits; else the most distinct layers that fit, at least 4x the LLC. */
static int plan_layers(const tb_opts *o, const tb_model *m, tb_fwd_shape *s, const tb_kernels *k, int threads,
                       unsigned long long llc)
{
    /* test hook (options.h): pretend this much memory is free */
    unsigned long long free_bytes = o->mem_available ? o->mem_available : tb_meminfo_bytes("MemAvailable");
    double avail = (double)free_bytes * MEM_MARGIN;
    if (avail <= 0)
        avail = 1e18; /* unreadable: do not refuse on a guess */
    if (need_bytes(m, s, k, threads, m->layers) <= avail)
        return 0;
    double lb = tb_fwd_layer_bytes(m, s, k);
    int64_t min_l = (int64_t)ceil((double)TB_WORKSET_LLC_MULTIPLE * (double)llc / lb);
    min_l = min_l < 1 ? 1 : min_l > m->layers ? m->layers : min_l;
    double need_min = need_bytes(m, s, k, threads, min_l);
    if (need_min > avail) {
        char a[32], b[32], c[32];
        tb_format_bytes(need_bytes(m, s, k, threads, m->layers), a, sizeof a);
        tb_format_bytes(need_min, b, sizeof b);
        tb_format_bytes(avail / MEM_MARGIN, c, sizeof c);
        return tb_fail(TB_EXIT_RUNTIME,
                       "model %s in %s does not fit: full depth needs %s, the smallest sample (%lld layers, 4x the LLC) "
                       "%s, MemAvailable is %s",
                       m->name, tb_dtype_name(s->dt), a, (long long)min_l, b, c);
    }
    int64_t l = min_l;
    while (l + 1 < m->layers && need_bytes(m, s, k, threads, l + 1) <= avail)
        l++;
    s->layers = l;
    return 0;
}

/* ---- SLO ---------------------------------------------------------------------------------------- */

static json_t *slo_search(const tb_opts *o, json_t *rows)
{
    if (o->slo_ttft_ms <= 0 && o->slo_tpot_ms <= 0)
        return NULL;
    json_t *best = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        double ttft = json_real_value(json_object_get(json_object_get(r, "ttft_ms"), "p90"));
        double tpot = json_real_value(json_object_get(json_object_get(r, "tpot_ms"), "p90"));
        if ((o->slo_ttft_ms > 0 && ttft > o->slo_ttft_ms) || (o->slo_tpot_ms > 0 && tpot > o->slo_tpot_ms))
            continue;
        json_int_t b = json_integer_value(json_object_get(r, "batch"));
        double dec = json_real_value(json_object_get(json_object_get(json_object_get(r, "decode"), "tokens_per_s"), "median"));
        if (!best || b > json_integer_value(json_object_get(best, "batch")) ||
            (b == json_integer_value(json_object_get(best, "batch")) &&
             dec > json_real_value(json_object_get(json_object_get(json_object_get(best, "decode"), "tokens_per_s"), "median"))))
            best = r;
    }
    json_t *slo = json_pack("{s:f, s:f, s:b}", "ttft_p90_ms_max", o->slo_ttft_ms, "tpot_p90_ms_max", o->slo_tpot_ms, "met",
                            best != NULL);
    if (best) {
        json_object_set_new(slo, "batch", json_integer(json_integer_value(json_object_get(best, "batch"))));
        json_object_set_new(slo, "threads", json_integer(json_integer_value(json_object_get(best, "threads"))));
        json_object_set_new(slo, "prompt", json_integer(json_integer_value(json_object_get(best, "prompt"))));
        json_object_set_new(slo, "ctx", json_integer(json_integer_value(json_object_get(best, "ctx"))));
    }
    return slo;
}

/* ---- the command -------------------------------------------------------------------------------- */

int tb_cmd_run(const tb_opts *o)
{
    if (o->npositional)
        return tb_fail(TB_EXIT_USAGE, "run takes no argument '%s' (options only)", o->positional[0]);
    tb_model m;
    int rc = tb_model_resolve(o->model ? o->model : "llama-3.2-1b", &m);
    if (rc)
        return rc;
    run_cfg cfg = {o, &m, TB_DT_Q8_0, TB_DT_F16, 3, 1, 0.0, o->max_time};
    if (o->dtype && tb_dtype_from_name(o->dtype, &cfg.dt))
        return tb_fail(TB_EXIT_USAGE, "--dtype '%s': expected f32, bf16, f16, q8_0 or q4_0", o->dtype);
    if (o->kv_dtype && (tb_dtype_from_name(o->kv_dtype, &cfg.kv_dt) || !tb_attn_kv_dtype_ok(cfg.kv_dt)))
        return tb_fail(TB_EXIT_USAGE, "--kv-dtype '%s': expected f32 or f16", o->kv_dtype);
    if (given(o, "--min-time", "TOKBENCH_MIN_TIME"))
        cfg.min_time = o->min_time;
    if (given(o, "--repetitions", "TOKBENCH_REPETITIONS"))
        cfg.min_reps = o->repetitions;
    if (given(o, "--warmup", "TOKBENCH_WARMUP"))
        cfg.warmup = o->warmup;
    tb_isa isa_max = TB_ISA_COUNT;
    if (o->isa && strcmp(o->isa, "auto") != 0 &&
        (tb_isa_from_name(o->isa, &isa_max) || !tb_isa_available(isa_max)))
        return tb_fail(TB_EXIT_USAGE, "--isa '%s': not a tier this binary and CPU run (one tier for run)", o->isa);
    if ((rc = tb_fwd_validate(&m, cfg.dt, cfg.kv_dt)))
        return rc;
    ilist batches, prompts, ctxs, threads;
    if ((rc = parse_list("batch", o->batch, "1,8", 1, 4096, &batches)) ||
        (rc = parse_list("prompt", o->prompt, "512", 1, 1 << 20, &prompts)) ||
        (rc = parse_list("ctx", o->ctx, "1024", 0, 1 << 22, &ctxs)) ||
        (rc = parse_list("threads", o->threads_list, "0", 0, TB_MAX_THREADS, &threads)))
        return rc;
    tb_install_interrupt_handler();

    tb_kernels kern;
    tb_attention_kernels akern;
    tb_kernels_init(&kern, isa_max);
    tb_attention_kernels_init(&akern, isa_max);

    tb_topo tp;
    if ((rc = tb_topo_load(&tp, NULL)))
        return rc;
    static tb_plan plan;
    tb_team *team = NULL;
    tb_fwd *fwd = NULL;
    tb_run_pricing *pricing = NULL;
    json_t *machine = tb_sysinfo_json(&tp, o->dmi_dir), *rec = NULL, *rows = json_array(), *checks = json_array();
    if (!machine) {
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory describing the machine");
        goto out;
    }
    rec = tb_record_new(o, machine);
    machine = NULL;
    if (!rec) {
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory for the record");
        goto out;
    }
    /* Price tables and the instance first: a bad table fails before the minutes of measuring. */
    if ((rc = tb_run_pricing_open(o, json_object_get(rec, "machine"), &pricing)))
        goto out;
    json_t *settings = json_object_get(rec, "settings");
    json_object_set_new(settings, "op", json_string("run"));
    json_object_set_new(settings, "timer_granularity_ns", json_integer((json_int_t)tb_timer_granularity_ns()));
    json_object_set_new(settings, "min_time_s", json_real(cfg.min_time));
    json_object_set_new(settings, "repetitions", json_integer(cfg.min_reps));
    json_object_set_new(settings, "warmup", json_integer(cfg.warmup));
    json_object_set_new(settings, "kv_dtype", json_string(tb_dtype_name(cfg.kv_dt)));
    const double prefill_s = o->prefill_time < 0 ? PREFILL_BUDGET_S : o->prefill_time;
    json_object_set_new(settings, "prefill_time_s", json_real(prefill_s));
    json_object_set_new(settings, "isa", json_string(tb_isa_name(kern.isa)));
    json_object_set_new(rec, "model", tb_model_json(&m));
    tb_warn_if_unrepresentative(o);
    int total = batches.n * prompts.n * ctxs.n * threads.n, done = 0;
    json_t *placements = json_array();
    const char *fingerprint = json_string_value(json_object_get(json_object_get(rec, "machine"), "fingerprint"));
    json_object_set_new(settings, "placement_per_threads", placements);
    for (int ti = 0; ti < threads.n && !tb_interrupted; ti++) {
        tb_place_req req = {(int)threads.v[ti], o->cores, o->smt};
        if ((rc = tb_topo_plan(&tp, &req, &plan)) || (rc = tb_team_create(&team, &tp, &plan)) ||
            (rc = tb_blas_place(team)))
            goto out;
        int nt = tb_team_size(team);
        /* each team its own LLC: a wider team may sit under more caches */
        tb_llc llc_info;
        tb_llc_req llc_req = {o->llc_bytes, o->measure_llc, fingerprint, o->quiet};
        if ((rc = tb_llc_resolve(&tp, team, &llc_req, &llc_info)))
            goto out;
        const unsigned long long llc = llc_info.used_bytes;
        json_array_append_new(placements, json_pack("{s:i, s:o, s:o}", "threads", nt, "placement",
                                                    tb_team_placement_json(team), "llc", tb_llc_json(&llc_info)));
        if (ti == 0) {
            /* the record's machine shows the first team's LLC, as settings shows its placement */
            json_object_set_new(json_object_get(json_object_get(json_object_get(rec, "machine"), "cpu"), "caches"),
                                "llc", tb_llc_json(&llc_info));
            json_object_set_new(settings, "threads", json_integer(nt));
            json_object_set_new(settings, "placement", tb_team_placement_json(team));
        }
        ceilings before, after;
        if ((rc = run_probes(o, team, &kern, llc, &before.peak, &before.peak_int8, &before.bw)))
            goto out;
        const double peak = before.peak, peak_int8 = before.peak_int8;
        /* Per row: how much of the prefill to time (see the top of the file). */
        row_plan rp[MAX_LIST * MAX_LIST];
        int nr = 0;
        /* the ceilings the roofline grades the row against: a quantized prefill at the FMA peak
         * would be planned at about half the time the flag asks for */
        const double mm_peak = tb_dtype_is_quantized(cfg.dt) ? peak_int8 : peak;
        tb_fwd_shape s = {cfg.dt, cfg.kv_dt, list_max(&batches), 1, list_max(&prompts), list_max(&ctxs), m.layers,
                          o->seed};
        for (int bi = 0; bi < batches.n; bi++)
            for (int pi = 0; pi < prompts.n; pi++)
                for (int ci = 0; ci < ctxs.n; ci++) {
                    if (nr == MAX_LIST * MAX_LIST)
                        break;
                    row_plan *r = &rp[nr++];
                    r->batch = batches.v[bi];
                    r->prompt = prompts.v[pi];
                    r->ctx = ctxs.v[ci];
                    /* seconds of one sequence through one layer: weight products, then the
                     * causal attention's h·d·P·(P+1) multiply-adds; 2 flops each */
                    double per = 2.0 * (double)r->prompt * layer_macs(&m) / (mm_peak * 1e9) +
                                 2.0 * (double)(m.heads * m.head_dim) * (double)r->prompt * (double)(r->prompt + 1) /
                                     (peak * 1e9);
                    double fit = prefill_s > 0 ? floor(prefill_s / (per * (double)r->batch)) : INFINITY;
                    r->pf_layers = fit >= (double)m.layers ? m.layers : fit < 1 ? 1 : (int64_t)fit;
                    r->pf_seqs = r->batch;
                    if (fit < 1) {
                        double sfit = floor(prefill_s / per);
                        r->pf_seqs = sfit < 1 ? 1 : sfit > (double)r->batch ? r->batch : (int64_t)sfit;
                    }
                    s.max_seqs = r->pf_seqs > s.max_seqs ? r->pf_seqs : s.max_seqs;
                }
        if ((rc = plan_layers(o, &m, &s, &kern, nt, llc)))
            goto out;
        for (int i = 0; i < nr; i++)
            rp[i].pf_layers = rp[i].pf_layers > s.layers ? s.layers : rp[i].pf_layers;
        if (!o->quiet)
            fprintf(stderr, "tokbench: run %s %s, %d thread%s: generating weights (%lld of %lld layers)\n", m.name,
                    tb_dtype_name(cfg.dt), nt, nt > 1 ? "s" : "", (long long)s.layers, (long long)m.layers);
        if ((rc = tb_fwd_create(&fwd, &m, &s, team, &kern, &akern)))
            goto out;
        /* The check: full logits when the reference is cheap, else one layer's output. */
        int64_t ptok = s.max_prompt;
        int full = s.layers == m.layers && (double)ptok * ((double)m.layers * layer_macs(&m) + (double)m.vocab * (double)m.hidden) <= FULL_CHECK_MACS;
        int64_t ctok = full ? ptok : (ptok < PARTIAL_CHECK_TOKENS ? ptok : PARTIAL_CHECK_TOKENS);
        double err = INFINITY, tol = tb_fwd_tolerance(cfg.dt);
        if ((rc = tb_fwd_check(fwd, ctok, full ? m.layers : 1, full, &err)))
            goto out;
        int passed = err <= tol;
        json_array_append_new(checks, json_pack("{s:i, s:b, s:s, s:I, s:I, s:f, s:f, s:s}", "threads", nt, "passed", passed,
                                                "compared", full ? "logits" : "hidden state after layer 1", "tokens",
                                                (json_int_t)ctok, "layers", (json_int_t)(full ? m.layers : 1), "max_rel_err",
                                                isfinite(err) ? err : 1e308, "tolerance", tol, "reference",
                                                "double-precision forward on the same weights"));
        if (!passed) {
            rc = tb_fail(TB_EXIT_CHECK, "the forward pass failed its check against the reference (max error %.3g of max|ref|, bound %.3g): nothing was timed",
                         err, tol);
            goto out;
        }
        const size_t first = json_array_size(rows);
        for (int i = 0; i < nr && !tb_interrupted; i++) {
            if (!o->quiet)
                fprintf(stderr, "tokbench: [%d/%d] batch %lld, threads %d, prompt %lld, ctx %lld\n", ++done, total,
                        rp[i].batch, nt, rp[i].prompt, rp[i].ctx);
            json_t *row = NULL;
            if ((rc = time_row(&cfg, fwd, s.layers, &rp[i], nt, &before, &row)))
                goto out;
            /* physical cores used: what `cost` scales a projection by */
            json_object_set_new(row, "cores", json_integer(tb_team_cores(team)));
            json_array_append_new(rows, row);
        }
        /* The probes again, after the rows: one disturbed probe run would otherwise put a row
         * above its bound. The rows are graded against the higher of the two. */
        if (json_array_size(rows) > first) {
            if ((rc = run_probes(o, team, &kern, llc, &after.peak, &after.peak_int8, &after.bw)))
                goto out;
            ceilings use = {fmax(before.peak, after.peak), fmax(before.peak_int8, after.peak_int8),
                            fmax(before.bw, after.bw)};
            for (size_t r = first; r < json_array_size(rows); r++) {
                json_t *row = json_array_get(rows, r);
                double rp_med = tb_json_num(row, "prefill.tokens_per_s.median");
                double rd_med = tb_json_num(row, "decode.tokens_per_s.median");
                json_object_set_new(row, "roofline",
                                    roofline_json(&cfg, &rp[r - first], rp_med, rd_med, &use, &before, &after));
            }
        }
        tb_fwd_destroy(fwd);
        fwd = NULL;
        tb_team_destroy(team);
        team = NULL;
    }
    json_object_set_new(rec, "check", checks);
    checks = NULL;
    json_object_set_new(rec, "rows", rows);
    rows = NULL;
    json_t *slo = slo_search(o, json_object_get(rec, "rows"));
    if (slo)
        json_object_set_new(rec, "slo", slo);
    /* A pricing error is reported after the measured rows are saved, never instead of them. */
    int price_rc = pricing ? tb_run_pricing_apply(pricing, rec) : 0;
    rc = tb_record_publish(rec, o, 1, tb_output_run, 0);
    if (!rc)
        rc = price_rc;
out:
    tb_run_pricing_close(pricing);
    tb_fwd_destroy(fwd);
    tb_team_destroy(team);
    json_decref(rows);
    json_decref(checks);
    json_decref(rec);
    json_decref(machine);
    tb_topo_destroy(&tp);
    return rc;
}
