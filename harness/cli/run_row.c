/* tokbench run's rows (run_internal.h): one row timed, prefill and decode in turns, and its
 * roofline object; the rows of a team graded again once the ceilings are measured after them. */
#include <math.h>
#include <stdlib.h>

#include "json_path.h"
#include "measure.h"
#include "roofline.h"
#include "run_internal.h"
#include "stats.h"
#include "timer.h"
#include "util.h"

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

static json_t *ceilings_json(const tb_run_ceilings *c)
{
    json_t *o = json_pack("{s:f, s:f, s:f}", "peak_gflops", c->peak, "peak_int8_gops", c->peak_int8, "bandwidth_gbps",
                          c->bw);
    if (c->format > 0)
        json_object_set_new(o, "format_ceiling_gops", json_real(c->format));
    return o;
}

/* Quantized rows with a format ceiling: the bounds with the weight products at that ceiling
 * instead of the int8 instruction's, and the shares of them reached. The format ceiling is the
 * most a kernel for the format can do on this ISA, so these shares say how close the kernels
 * are to it; the int8 ones (prefill_pct_of_bound, ...) how close the format lets them come to
 * the hardware. */
static void add_format_bounds(json_t *roof, const tb_phase_cost *cp, const tb_phase_cost *cd, double pf_tokens,
                              double dc_tokens, double rp_med, double rd_med, const tb_run_ceilings *use)
{
    double bp = tb_roofline_tokens_per_s(cp, pf_tokens, use->peak, use->format, use->bw);
    double bd = tb_roofline_tokens_per_s(cd, dc_tokens, use->peak, use->format, use->bw);
    json_object_update_new(roof, json_pack("{s:f, s:f, s:f, s:f, s:f}", "format_ceiling_gops", use->format,
                                           "prefill_tokens_per_s_format_bound", bp, "decode_tokens_per_s_format_bound",
                                           bd, "prefill_pct_of_format_bound", 100.0 * rp_med / bp,
                                           "decode_pct_of_format_bound", 100.0 * rd_med / bd));
}

/* The row's roofline object: analytic costs, bounds at the ceilings `use`, and the share of them
 * the medians rp_med and rd_med (tokens/s) reached. */
static json_t *roofline_json(const tb_run_cfg *rc, const tb_run_row *rp, double rp_med, double rd_med,
                             const tb_run_ceilings *use, const tb_run_ceilings *before, const tb_run_ceilings *after)
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
    if (tb_dtype_is_quantized(rc->dt) && use->format > 0)
        add_format_bounds(roof, &cp, &cd, pf_tokens, dc_tokens, rp_med, rd_med, use);
    json_object_set_new(roof, "probes",
                        json_pack("{s:o, s:o*, s:s}", "before_rows", ceilings_json(before), "after_rows",
                                  after ? ceilings_json(after) : NULL, "used", "the higher of the two, per ceiling"));
    return roof;
}

/* Times one row: warm-up, then prefill and decode samples in turns until both have the
 * repetitions and the minimum time (or the maximum time ran out). */
int tb_run_time_row(const tb_run_cfg *rc, tb_fwd *f, int64_t layers_alloc, const tb_run_row *rp, int threads,
                    const tb_run_ceilings *before, json_t **row_out)
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
        if (tb_interrupted) /* warm-up calls too: a signal is answered within one pass */
            break;
        if (i < rc->warmup)
            continue;
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
        /* a signal before the first sample: the caller saves the rows before this one */
        return tb_interrupted ? TB_EXIT_RUNTIME : tb_fail(TB_EXIT_RUNTIME, "no sample was taken");
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

/* The probes again, after the rows: one disturbed probe run would otherwise put a row above its
 * bound. The rows are graded against the higher of the two. */
void tb_run_grade_rows(const tb_run_cfg *rc, const tb_run_row *rp, const tb_run_ceilings *before,
                       const tb_run_ceilings *after, json_t *rows, size_t first)
{
    tb_run_ceilings use = {fmax(before->peak, after->peak), fmax(before->peak_int8, after->peak_int8),
                           fmax(before->bw, after->bw), fmax(before->format, after->format)};
    for (size_t r = first; r < json_array_size(rows); r++) {
        json_t *row = json_array_get(rows, r);
        double rp_med = tb_json_num(row, "prefill.tokens_per_s.median");
        double rd_med = tb_json_num(row, "decode.tokens_per_s.median");
        json_object_set_new(row, "roofline", roofline_json(rc, &rp[r - first], rp_med, rd_med, &use, before, after));
    }
}
