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

#include "blas.h"
#include "json_path.h"
#include "llc.h"
#include "measure.h"
#include "output.h"
#include "record.h"
#include "run_internal.h"
#include "run_pricing.h"
#include "sysinfo.h"
#include "timer.h"
#include "topo.h"
#include "tuning_record.h"
#include "util.h"

#define MAX_LIST 64
#define PREFILL_BUDGET_S 0.5
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

/* One invocation's sweep: the options checked, the kernels, the machine, the progress. */
typedef struct {
    const tb_opts *o;
    tb_model m;
    tb_run_cfg cfg;
    tb_isa isa_max;
    ilist batches, prompts, ctxs, threads;
    double prefill_s; /* seconds a prefill call may take at the ceilings; 0: no slicing */
    tb_kernels kern;
    tb_attention_kernels akern;
    tb_topo tp;
    int total, done; /* rows of the whole sweep, rows begun */
} run_sweep;

/* The options and the lists, all checked before anything is measured. */
static int sweep_setup(const tb_opts *o, run_sweep *r)
{
    if (o->npositional)
        return tb_fail(TB_EXIT_USAGE, "run takes no argument '%s' (options only)", o->positional[0]);
    r->o = o;
    int rc = tb_model_resolve(o->model ? o->model : "llama-3.2-1b", &r->m);
    if (rc)
        return rc;
    tb_run_cfg *cfg = &r->cfg;
    *cfg = (tb_run_cfg){o, &r->m, TB_DT_Q8_0, TB_DT_F16, 3, 1, 0.0, o->max_time};
    if (o->dtype && tb_dtype_from_name(o->dtype, &cfg->dt))
        return tb_fail(TB_EXIT_USAGE, "--dtype '%s': expected f32, bf16, f16, q8_0 or q4_0", o->dtype);
    if (o->kv_dtype && (tb_dtype_from_name(o->kv_dtype, &cfg->kv_dt) || !tb_attn_kv_dtype_ok(cfg->kv_dt)))
        return tb_fail(TB_EXIT_USAGE, "--kv-dtype '%s': expected f32 or f16", o->kv_dtype);
    if (given(o, "--min-time", "TOKBENCH_MIN_TIME"))
        cfg->min_time = o->min_time;
    if (given(o, "--repetitions", "TOKBENCH_REPETITIONS"))
        cfg->min_reps = o->repetitions;
    if (given(o, "--warmup", "TOKBENCH_WARMUP"))
        cfg->warmup = o->warmup;
    r->isa_max = TB_ISA_COUNT;
    if (o->isa && strcmp(o->isa, "auto") != 0 &&
        (tb_isa_from_name(o->isa, &r->isa_max) || !tb_isa_available(r->isa_max)))
        return tb_fail(TB_EXIT_USAGE, "--isa '%s': not a tier this binary and CPU run (one tier for run)", o->isa);
    if ((rc = tb_fwd_validate(&r->m, cfg->dt, cfg->kv_dt)))
        return rc;
    if ((rc = parse_list("batch", o->batch, "1,8", 1, 4096, &r->batches)) ||
        (rc = parse_list("prompt", o->prompt, "512", 1, 1 << 20, &r->prompts)) ||
        (rc = parse_list("ctx", o->ctx, "1024", 0, 1 << 22, &r->ctxs)) ||
        (rc = parse_list("threads", o->threads_list, "0", 0, TB_MAX_THREADS, &r->threads)))
        return rc;
    r->prefill_s = o->prefill_time < 0 ? PREFILL_BUDGET_S : o->prefill_time;
    r->total = r->batches.n * r->prompts.n * r->ctxs.n * r->threads.n;
    r->done = 0;
    return 0;
}

/* The record's settings of the sweep and its model, before any team exists. */
static void describe_sweep(const run_sweep *r, json_t *rec)
{
    json_t *settings = json_object_get(rec, "settings");
    json_object_set_new(settings, "op", json_string("run"));
    json_object_set_new(settings, "timer_granularity_ns", json_integer((json_int_t)tb_timer_granularity_ns()));
    json_object_set_new(settings, "min_time_s", json_real(r->cfg.min_time));
    json_object_set_new(settings, "repetitions", json_integer(r->cfg.min_reps));
    json_object_set_new(settings, "warmup", json_integer(r->cfg.warmup));
    json_object_set_new(settings, "kv_dtype", json_string(tb_dtype_name(r->cfg.kv_dt)));
    json_object_set_new(settings, "prefill_time_s", json_real(r->prefill_s));
    json_object_set_new(settings, "isa", json_string(tb_isa_name(r->kern.isa)));
    /* the matmuls' tier and attention's (which may be a lower one) */
    tb_record_set_tuning(rec, TB_TIER_BIT(r->kern.isa) | TB_TIER_BIT(r->akern.isa));
    json_object_set_new(rec, "model", tb_model_json(&r->m));
    tb_warn_if_unrepresentative(r->o);
    json_object_set_new(settings, "placement_per_threads", json_array());
}

/* Each team its own LLC (a wider team may sit under more caches), kept beside its placement; the
 * record's machine shows the first team's LLC, as its settings show that team's placement. */
static int team_llc(const run_sweep *r, tb_team *team, int first, json_t *rec, unsigned long long *llc)
{
    json_t *settings = json_object_get(rec, "settings"), *machine = json_object_get(rec, "machine");
    tb_llc llc_info;
    tb_llc_req llc_req = {r->o->llc_bytes, r->o->measure_llc,
                          json_string_value(json_object_get(machine, "fingerprint")), r->o->quiet};
    int rc = tb_llc_resolve(&r->tp, team, &llc_req, &llc_info);
    if (rc)
        return rc;
    *llc = llc_info.used_bytes;
    int nt = tb_team_size(team);
    json_array_append_new(json_object_get(settings, "placement_per_threads"),
                          json_pack("{s:i, s:o, s:o}", "threads", nt, "placement", tb_team_placement_json(team), "llc",
                                    tb_llc_json(&llc_info)));
    if (first) {
        json_object_set_new(json_object_get(json_object_get(machine, "cpu"), "caches"), "llc", tb_llc_json(&llc_info));
        json_object_set_new(settings, "threads", json_integer(nt));
        json_object_set_new(settings, "placement", tb_team_placement_json(team));
    }
    return 0;
}

/* Multiply-adds of one token through one decoder layer's weight products (QKV, O, FFN). */
static double layer_macs(const tb_model *m)
{
    double hq = (double)(m->heads * m->head_dim), hkv = (double)(m->kv_heads * m->head_dim);
    return (double)m->hidden * (hq + 2 * hkv) + hq * (double)m->hidden + 3.0 * (double)m->hidden * (double)m->intermediate;
}

/* Per row: how much of the prefill to time (see the top of the file); *s the forward pass's shape
 * for the sweep's largest row. Returns the number of rows. */
static int plan_rows(const run_sweep *r, const tb_run_ceilings *c, tb_run_row *rp, tb_fwd_shape *s)
{
    const tb_model *m = &r->m;
    const double prefill_s = r->prefill_s;
    int nr = 0;
    /* the ceilings the roofline grades the row against: a quantized prefill at the FMA peak
     * would be planned at about half the time the flag asks for */
    const double mm_peak = tb_dtype_is_quantized(r->cfg.dt) ? c->peak_int8 : c->peak;
    *s = (tb_fwd_shape){r->cfg.dt, r->cfg.kv_dt, list_max(&r->batches), 1, list_max(&r->prompts), list_max(&r->ctxs),
                        m->layers, r->o->seed};
    for (int bi = 0; bi < r->batches.n; bi++)
        for (int pi = 0; pi < r->prompts.n; pi++)
            for (int ci = 0; ci < r->ctxs.n; ci++) {
                if (nr == MAX_LIST * MAX_LIST)
                    break;
                tb_run_row *w = &rp[nr++];
                w->batch = r->batches.v[bi];
                w->prompt = r->prompts.v[pi];
                w->ctx = r->ctxs.v[ci];
                /* seconds of one sequence through one layer: weight products, then the
                 * causal attention's h·d·P·(P+1) multiply-adds; 2 flops each */
                double per = 2.0 * (double)w->prompt * layer_macs(m) / (mm_peak * 1e9) +
                             2.0 * (double)(m->heads * m->head_dim) * (double)w->prompt * (double)(w->prompt + 1) /
                                 (c->peak * 1e9);
                double fit = prefill_s > 0 ? floor(prefill_s / (per * (double)w->batch)) : INFINITY;
                w->pf_layers = fit >= (double)m->layers ? m->layers : fit < 1 ? 1 : (int64_t)fit;
                w->pf_seqs = w->batch;
                if (fit < 1) {
                    double sfit = floor(prefill_s / per);
                    w->pf_seqs = sfit < 1 ? 1 : sfit > (double)w->batch ? w->batch : (int64_t)sfit;
                }
                s->max_seqs = w->pf_seqs > s->max_seqs ? w->pf_seqs : s->max_seqs;
            }
    return nr;
}

/* The forward pass against the double reference before anything is timed: full logits when the
 * reference is cheap, else one layer's output. The check goes in the record, passed or not. */
static int check_forward(const run_sweep *r, tb_fwd *fwd, const tb_fwd_shape *s, int nt, json_t *checks)
{
    const tb_model *m = &r->m;
    int64_t ptok = s->max_prompt;
    double full_macs = (double)ptok * ((double)m->layers * layer_macs(m) + (double)m->vocab * (double)m->hidden);
    int full = s->layers == m->layers && full_macs <= FULL_CHECK_MACS;
    int64_t ctok = full ? ptok : (ptok < PARTIAL_CHECK_TOKENS ? ptok : PARTIAL_CHECK_TOKENS);
    double err = INFINITY, tol = tb_fwd_tolerance(r->cfg.dt);
    int rc = tb_fwd_check(fwd, ctok, full ? m->layers : 1, full, &err);
    if (rc)
        return rc;
    int passed = err <= tol;
    json_array_append_new(checks, json_pack("{s:i, s:b, s:s, s:I, s:I, s:f, s:f, s:s}", "threads", nt, "passed", passed,
                                            "compared", full ? "logits" : "hidden state after layer 1", "tokens",
                                            (json_int_t)ctok, "layers", (json_int_t)(full ? m->layers : 1), "max_rel_err",
                                            isfinite(err) ? err : 1e308, "tolerance", tol, "reference",
                                            "double-precision forward on the same weights"));
    if (!passed)
        return tb_fail(TB_EXIT_CHECK,
                       "the forward pass failed its check against the reference (max error %.3g of max|ref|, bound "
                       "%.3g): nothing was timed",
                       err, tol);
    return 0;
}

/* Every planned row timed on the team's forward pass (layers distinct layers), appended to rows. */
static int time_rows(run_sweep *r, tb_fwd *fwd, int64_t layers, tb_team *team, const tb_run_row *rp, int nr,
                     const tb_run_ceilings *before, json_t *rows)
{
    int nt = tb_team_size(team);
    for (int i = 0; i < nr && !tb_interrupted; i++) {
        if (!r->o->quiet)
            fprintf(stderr, "tokbench: [%d/%d] batch %lld, threads %d, prompt %lld, ctx %lld\n", ++r->done, r->total,
                    rp[i].batch, nt, rp[i].prompt, rp[i].ctx);
        json_t *row = NULL;
        int rc = tb_run_time_row(&r->cfg, fwd, layers, &rp[i], nt, before, &row);
        if (rc)
            return rc;
        /* physical cores used: what `cost` scales a projection by */
        json_object_set_new(row, "cores", json_integer(tb_team_cores(team)));
        json_array_append_new(rows, row);
    }
    return 0;
}

/* One thread count (threads.v[ti]): its pinned team, LLC and ceilings, one forward pass sized for
 * its largest row and checked, then every row timed, and graded again after the probes rerun. */
static int run_team(run_sweep *r, int ti, json_t *rec, json_t *rows, json_t *checks)
{
    tb_place_req req = {(int)r->threads.v[ti], r->o->cores, r->o->smt};
    static tb_plan plan;
    tb_run_row rp[MAX_LIST * MAX_LIST];
    tb_team *team = NULL;
    tb_fwd *fwd = NULL;
    unsigned long long llc = 0;
    tb_run_ceilings before, after;
    tb_fwd_shape s;
    int rc, nt = 0, nr = 0;
    size_t first = json_array_size(rows);
    if ((rc = tb_topo_plan(&r->tp, &req, &plan)) || (rc = tb_team_create(&team, &r->tp, &plan)) ||
        (rc = tb_blas_place(team)) || (rc = team_llc(r, team, ti == 0, rec, &llc)) ||
        (rc = tb_run_measure_ceilings(r->o, team, &r->kern, r->cfg.dt, llc, &before)))
        goto out;
    nt = tb_team_size(team);
    nr = plan_rows(r, &before, rp, &s);
    if ((rc = tb_run_plan_layers(r->o, &r->m, &s, &r->kern, nt, llc)))
        goto out;
    for (int i = 0; i < nr; i++)
        rp[i].pf_layers = rp[i].pf_layers > s.layers ? s.layers : rp[i].pf_layers;
    if (!r->o->quiet)
        fprintf(stderr, "tokbench: run %s %s, %d thread%s: generating weights (%lld of %lld layers)\n", r->m.name,
                tb_dtype_name(r->cfg.dt), nt, nt > 1 ? "s" : "", (long long)s.layers, (long long)r->m.layers);
    if ((rc = tb_fwd_create(&fwd, &r->m, &s, team, &r->kern, &r->akern)) ||
        (rc = check_forward(r, fwd, &s, nt, checks)) || (rc = time_rows(r, fwd, s.layers, team, rp, nr, &before, rows)))
        goto out;
    /* The probes again, after the rows (tb_run_grade_rows says why). */
    if (json_array_size(rows) > first) {
        if ((rc = tb_run_measure_ceilings(r->o, team, &r->kern, r->cfg.dt, llc, &after)))
            goto out;
        tb_run_grade_rows(&r->cfg, rp, &before, &after, rows, first);
    }
out:
    tb_fwd_destroy(fwd);
    tb_team_destroy(team);
    return rc;
}

int tb_cmd_run(const tb_opts *o)
{
    run_sweep r;
    int rc = sweep_setup(o, &r);
    if (rc)
        return rc;
    tb_install_interrupt_handler();
    tb_kernels_init(&r.kern, r.isa_max);
    tb_attention_kernels_init(&r.akern, r.isa_max);
    if ((rc = tb_topo_load(&r.tp, NULL)))
        return rc;
    tb_run_pricing *pricing = NULL;
    json_t *machine = tb_sysinfo_json(&r.tp, o->dmi_dir), *rec = NULL, *rows = json_array(), *checks = json_array();
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
    /* Price tables, the instance and the results folder first: a bad one fails before the minutes
     * of measuring. */
    if ((rc = tb_run_pricing_open(o, json_object_get(rec, "machine"), &pricing)) ||
        (rc = tb_record_prepare(tb_json_str_or(rec, "machine.fingerprint", NULL), o)))
        goto out;
    describe_sweep(&r, rec);
    /* a team stopped by a signal ends the loop, not the run: the rows measured so far are saved,
     * complete: false */
    for (int ti = 0; ti < r.threads.n && !tb_interrupted; ti++)
        if ((rc = run_team(&r, ti, rec, rows, checks)) && !tb_interrupted)
            goto out;
    json_object_set_new(rec, "check", checks);
    checks = NULL;
    json_object_set_new(rec, "rows", rows);
    rows = NULL;
    json_t *slo = tb_run_slo_search(o, json_object_get(rec, "rows"));
    if (slo)
        json_object_set_new(rec, "slo", slo);
    /* A pricing error is reported after the measured rows are saved, never instead of them. */
    int price_rc = pricing ? tb_run_pricing_apply(pricing, rec) : 0;
    rc = tb_record_publish(rec, o, 1, tb_output_run, 0);
    if (!rc)
        rc = price_rc;
out:
    tb_run_pricing_close(pricing);
    json_decref(rows);
    json_decref(checks);
    json_decref(rec);
    json_decref(machine);
    tb_topo_destroy(&r.tp);
    return rc;
}
