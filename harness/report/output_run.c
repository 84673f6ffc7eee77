/* Rendering of a run record's rows: one line per sweep combination, as llama-bench prints. */
#include <stdio.h>

#include <tokbench/dtype.h>

#include "output.h"

static double num(const json_t *r, const char *a, const char *b, const char *c)
{
    const json_t *x = json_object_get(json_object_get(r, a), b);
    return tb_json_num(x, c, NULL);
}

/* The rows' cost objects (tokbench run --instance, or the instance DMI names), one line each. */
static void print_cost_lines(const json_t *rows)
{
    size_t i, j;
    json_t *r, *c;
    int header = 0;
    json_array_foreach(rows, i, r) json_array_foreach(json_object_get(r, "cost"), j, c)
    {
        if (!header) {
            const json_t *blend = json_object_get(c, "blend");
            printf("cost on %s, US dollars per hour and per million tokens (input from prefill, output from decode; blended %s by "
                   "token count, utilization %g; floor: blended at the roofline bound):\n",
                   tb_json_str(c, "instance"), json_is_string(blend) ? json_string_value(blend) : "?",
                   tb_json_num(c, "utilization", NULL));
            printf("  %-4s %-16s %-10s %-10s %-32s %-32s %-32s %-10s %s\n", "row", "region", "pricing", "$/hour",
                   "input [95% CI]", "output [95% CI]", "blended [95% CI]", "floor", "basis");
            header = 1;
        }
        char ph[24], in[80], out[80], bl[80], fl[24], basis[48];
        tb_fmt_money(tb_json_num(c, "usd_per_hour", NULL), ph, sizeof ph);
        tb_fmt_money_ci(c, "usd_per_mtok_input", in, sizeof in);
        tb_fmt_money_ci(c, "usd_per_mtok_output", out, sizeof out);
        tb_fmt_money_ci(c, "usd_per_mtok_blended", bl, sizeof bl);
        tb_fmt_money(tb_json_num(c, "usd_per_mtok_blended_floor", NULL), fl, sizeof fl);
        if (json_is_true(json_object_get(c, "projected")))
            snprintf(basis, sizeof basis, "projected x%.2f", tb_json_num(c, "projection", "factor"));
        else
            snprintf(basis, sizeof basis, "measured");
        const char *region = tb_json_str(c, "region");
        printf("  %-4zu %-16s %-10s %-10s %-32s %-32s %-32s %-10s %s\n", i + 1, region && *region ? region : "-",
               tb_json_str(c, "pricing"), ph, in, out, bl, fl, basis);
    }
}

void tb_output_run(const json_t *rec, tb_format fmt)
{
    const json_t *rows = json_object_get(rec, "rows"), *model = json_object_get(rec, "model");
    size_t i;
    json_t *r;
    if (fmt == TB_FMT_CSV)
        printf("batch,threads,prompt,ctx,dtype,prefill_tok_s,prefill_ci95_low,prefill_ci95_high,decode_tok_s,"
               "decode_ci95_low,decode_ci95_high,ttft_ms_median,ttft_ms_p90,tpot_ms_median,tpot_ms_p90,"
               "prefill_pct_of_bound,decode_pct_of_bound\n");
    else if (fmt == TB_FMT_MD)
        printf("| batch | threads | prompt | ctx | dtype | prefill tok/s [95%% CI] | decode tok/s [95%% CI] | TTFT ms "
               "med/p90 | TPOT ms med/p90 | %% prefill bound | %% decode bound |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    else
        printf("model %s (%lld params)\n%5s %7s %6s %6s %-5s %-28s %-28s %-17s %-17s %s\n", tb_json_str(model, "name"),
               (long long)json_integer_value(json_object_get(model, "params")), "batch", "threads", "prompt", "ctx",
               "dtype", "prefill tok/s [95% CI]", "decode tok/s [95% CI]", "TTFT ms med/p90", "TPOT ms med/p90",
               "% of bound pf/dec");
    json_array_foreach(rows, i, r) {
        long long b = json_integer_value(json_object_get(r, "batch")), t = json_integer_value(json_object_get(r, "threads"));
        long long p = json_integer_value(json_object_get(r, "prompt")), c = json_integer_value(json_object_get(r, "ctx"));
        const char *dt = tb_json_str(r, "dtype");
        double pm = num(r, "prefill", "tokens_per_s", "median"), pl = num(r, "prefill", "tokens_per_s", "ci95_low"),
               ph = num(r, "prefill", "tokens_per_s", "ci95_high"), dm = num(r, "decode", "tokens_per_s", "median"),
               dl = num(r, "decode", "tokens_per_s", "ci95_low"), dh = num(r, "decode", "tokens_per_s", "ci95_high");
        double tm = tb_json_num(r, "ttft_ms", "median"), t9 = tb_json_num(r, "ttft_ms", "p90"),
               om = tb_json_num(r, "tpot_ms", "median"), o9 = tb_json_num(r, "tpot_ms", "p90");
        double pp = tb_json_num(r, "roofline", "prefill_pct_of_bound"), dp = tb_json_num(r, "roofline", "decode_pct_of_bound");
        if (fmt == TB_FMT_CSV) {
            printf("%lld,%lld,%lld,%lld,%s,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.6g,%.4g,%.4g\n", b, t, p, c, dt, pm,
                   pl, ph, dm, dl, dh, tm, t9, om, o9, pp, dp);
            continue;
        }
        char pf[64], dc[64], tt[32], tp[32], pct[32];
        /* rates to 3 significant figures (the CI rarely supports more), times in whole ms */
        snprintf(pf, sizeof pf, "%.3g [%.3g, %.3g]", pm, pl, ph);
        snprintf(dc, sizeof dc, "%.3g [%.3g, %.3g]", dm, dl, dh);
        snprintf(tt, sizeof tt, tm < 100 ? "%.1f / %.1f" : "%.0f / %.0f", tm, t9);
        snprintf(tp, sizeof tp, om < 100 ? "%.1f / %.1f" : "%.0f / %.0f", om, o9);
        /* above 100%: a ceiling probe read low (see the note printed below the table) */
        snprintf(pct, sizeof pct, "%.1f%%%s / %.1f%%%s", pp, pp > 100 ? " !" : "", dp, dp > 100 ? " !" : "");
        if (fmt == TB_FMT_MD)
            printf("| %lld | %lld | %lld | %lld | %s | %s | %s | %s | %s | %.1f%% | %.1f%% |\n", b, t, p, c, dt, pf, dc, tt,
                   tp, pp, dp);
        else
            printf("%5lld %7lld %6lld %6lld %-5s %-28s %-28s %-17s %-17s %s\n", b, t, p, c, dt, pf, dc, tt, tp, pct);
    }
    if (fmt != TB_FMT_TEXT)
        return;
    int above = 0;
    json_array_foreach(rows, i, r) {
        above |= tb_json_num(r, "roofline", "prefill_pct_of_bound") > 100;
        above |= tb_json_num(r, "roofline", "decode_pct_of_bound") > 100;
    }
    if (above)
        printf("! above 100%% of the bound: a ceiling probe read low although it was run before and after the rows "
               "(machine noise); roofline.probes in the record has both runs; rerun before trusting that share\n");
    int any_scaled = 0;
    json_array_foreach(rows, i, r) {
        const json_t *x = json_object_get(r, "extrapolation");
        int ds = json_is_true(json_object_get(x, "decode_layers_sampled")), pe = json_is_true(json_object_get(x, "prefill_extrapolated"));
        if (!ds && !pe)
            continue;
        printf("row %zu: ", i + 1);
        if (ds)
            printf("decode ran %lld of %lld layers (memory), scaled to full depth; ",
                   (long long)json_integer_value(json_object_get(x, "decode_layers_run")),
                   (long long)json_integer_value(json_object_get(x, "model_layers")));
        any_scaled |= pe;
        if (pe)
            printf("prefill timed on %lld layer(s) x %lld sequence(s), scaled to %lld x %lld",
                   (long long)json_integer_value(json_object_get(x, "prefill_layers_run")),
                   (long long)json_integer_value(json_object_get(x, "prefill_sequences_run")),
                   (long long)json_integer_value(json_object_get(x, "model_layers")),
                   (long long)json_integer_value(json_object_get(r, "batch")));
        printf("\n");
    }
    if (any_scaled)
        printf("(prefill is scaled to keep a call near --prefill-time %g s at the roofline's ceilings; --prefill-time 0 times "
               "every layer and sequence)\n",
               tb_json_num(json_object_get(rec, "settings"), "prefill_time_s", NULL));
    const json_t *first = json_array_get(rows, 0);
    if (first) {
        printf("op shares (row 1): prefill");
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(json_object_get(first, "prefill"), "breakdown"), k, v)
            printf(" %s %.0f%%", k, 100 * tb_json_num(v, "share", NULL));
        printf("; decode");
        json_object_foreach(json_object_get(json_object_get(first, "decode"), "breakdown"), k, v)
            printf(" %s %.0f%%", k, 100 * tb_json_num(v, "share", NULL));
        printf("\n");
        tb_dtype dt;
        printf("roofline: peak %.1f GFLOP/s", tb_json_num(first, "roofline", "peak_gflops"));
        if (tb_dtype_from_name(json_string_value(json_object_get(first, "dtype")), &dt) == 0 && tb_dtype_is_quantized(dt))
            printf(", int8 %.1f GOP/s (the weight products' ceiling)", tb_json_num(first, "roofline", "peak_int8_gops"));
        printf(", read bandwidth %.1f GB/s (probes on the same cores, this run)\n",
               tb_json_num(first, "roofline", "bandwidth_gbps"));
    }
    print_cost_lines(rows);
    const json_t *slo = json_object_get(rec, "slo");
    if (slo) {
        if (json_is_true(json_object_get(slo, "met")))
            printf("SLO (TTFT p90 <= %g ms, TPOT p90 <= %g ms): largest batch %lld at %lld threads\n",
                   tb_json_num(slo, "ttft_p90_ms_max", NULL), tb_json_num(slo, "tpot_p90_ms_max", NULL),
                   (long long)json_integer_value(json_object_get(slo, "batch")),
                   (long long)json_integer_value(json_object_get(slo, "threads")));
        else
            printf("SLO (TTFT p90 <= %g ms, TPOT p90 <= %g ms): no row meets it\n", tb_json_num(slo, "ttft_p90_ms_max", NULL),
                   tb_json_num(slo, "tpot_p90_ms_max", NULL));
    }
}
