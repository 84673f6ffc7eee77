/* The timing and the outcome of bench cases (bench_case.h). */
#include "bench_case.h"

#include "util.h"

int tb_bench_time(const tb_opts *o, tb_variant *const *v, int np)
{
    if (np == 0)
        return 0;
    if (np > TB_BENCH_MAX_TIMED)
        return tb_fail(TB_EXIT_RUNTIME, "internal: %d variants to time, at most %d", np, TB_BENCH_MAX_TIMED);
    tb_variant timed[TB_BENCH_MAX_TIMED];
    for (int i = 0; i < np; i++)
        timed[i] = *v[i];
    tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
    int rc = tb_measure_interleaved(timed, np, &cfg);
    for (int i = 0; i < np; i++)
        *v[i] = timed[i];
    return rc;
}

void tb_bench_case_untimed(json_t *cs)
{
    json_object_set_new(cs, "samples_ns", json_array());
    json_object_set_new(cs, "stats", json_null());
    json_object_set_new(cs, "rate", json_null());
}

void tb_bench_case_timed(json_t *cs, const tb_variant *v, json_t *rate)
{
    json_t *s = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(s, json_real(v->samples_ns[i]));
    json_object_set_new(cs, "samples_ns", s);
    json_object_set_new(cs, "iterations_per_sample", json_integer(v->iterations));
    json_object_set_new(cs, "stats", tb_stats_json(&v->stats));
    json_object_set_new(cs, "rate", rate);
    json_object_set_new(cs, "noisy", json_boolean(v->stats.cv > 0.05));
}

void tb_bench_case_samples(json_t *cs, const tb_variant *v, double flops, double bytes)
{
    double med = v->stats.median;
    tb_bench_case_timed(cs, v, json_pack("{s:f, s:f, s:f, s:f}", "gflops", flops / med, "gbps", bytes / med, "flops",
                                         flops, "bytes", bytes));
}
