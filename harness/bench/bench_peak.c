/* bench peak: the FMA throughput of each ISA tier, the ceiling every compute-bound figure is graded
 * against (--dtype q8_0|q4_0: bench_peak_int8.c). Same protocol as the kernels: checked, then
 * timed interleaved, every sample kept; a probe that fails its check is never timed. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <tokbench/probes.h>

#include "bench.h"
#include "bench_case.h"
#include "probe_opts.h"
#include "probe_run.h"
#include "util.h"

/* About 4 ms per call at full speed on a current core. With mul = add = 1 every accumulator ends
 * at seed + iterations exactly: an integer below 2^24, so float holds it and the check is exact
 * and sees a single missing iteration. */
_Static_assert(TB_PROBE_PEAK_ITERS + TB_PEAK_MAX_FLOATS < (1 << 24), "peak results must stay exact in float");

/* The tiers' probes checked (a test hook may corrupt one tier's result), then the passing ones
 * timed interleaved and checked again on the state the last timed call left. */
static int check_and_time(const tb_opts *o, tb_probe_peak *pc, tb_variant *v, double *err, int ntiers)
{
    tb_variant *timed[TB_ISA_COUNT];
    int idx[TB_ISA_COUNT], np = 0;
    const char *fault = o->fault_inject; /* test hook (options.h): corrupt one tier's result */
    for (int i = 0; i < ntiers; i++) {
        v[i].call = tb_probe_peak_call;
        v[i].ctx = &pc[i];
        tb_probe_peak_run(&pc[i]);
        if (fault && strcmp(fault, pc[i].k.suffix) == 0)
            pc[i].acc[0] += 1.0f;
        err[i] = tb_probe_peak_err(&pc[i]);
        if (err[i] == 0) {
            idx[np] = i;
            timed[np++] = &v[i];
        }
    }
    int rc = tb_bench_time(o, timed, np);
    for (int i = 0; i < np; i++) {
        double e = tb_probe_peak_err(&pc[idx[i]]); /* the last timed call's results */
        err[idx[i]] = e > err[idx[i]] ? e : err[idx[i]];
    }
    return rc;
}

static json_t *peak_case(const tb_bench_env *env, const tb_probe_peak *pc, double err, const tb_variant *v)
{
    const tb_probe_kernels *k = &pc->k;
    const int nt = tb_team_size(env->team), passed = err == 0;
    double flops = tb_probe_peak_flops(pc);
    char kname[64];
    snprintf(kname, sizeof kname, "tb_peak_fma_%s", k->suffix);
    json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:{s:I}, s:i, s:o}", "op", "peak", "backend", "portable", "isa",
                           k->suffix, "dtype", "f32", "shape", "flops_per_call", (json_int_t)flops, "threads", nt, "cpus",
                           tb_team_cpus_json(env->team));
    json_object_set_new(cs, "kernel",
                        json_pack("{s:s, s:s, s:i, s:i, s:I}", "name", kname, "operation",
                                  k->isa == TB_ISA_GENERIC ? "acc = acc*m + d, vector multiply then add (an FMA "
                                                             "only where the target contracts it)"
                                                           : "acc = acc*m + d, one fused multiply-add",
                                  "lanes", k->peak_lanes, "chains", k->peak_chains, "iterations_per_thread",
                                  (json_int_t)TB_PROBE_PEAK_ITERS));
    json_object_set_new(cs, "check",
                        json_pack("{s:b, s:f, s:f, s:s, s:I}", "passed", passed, "max_rel_err",
                                  isfinite(err) ? err : 1e308, "tolerance", 0.0, "reference",
                                  "scalar replay: with m = d = 1 every accumulator ends at seed + iterations "
                                  "exactly; before timing and after it",
                                  "elements_checked", (json_int_t)nt * k->peak_lanes * k->peak_chains));
    if (!passed || v->n == 0)
        tb_bench_case_untimed(cs);
    else
        tb_bench_case_samples(cs, v, flops, 0);
    return cs;
}

/* Validates bench peak's options and picks its tiers; int8 says whether q8_0/q4_0 was asked. */
static int peak_options(const tb_opts *o, tb_probe_kernels *tiers, int *ntiers, int *int8)
{
    *int8 = o->dtype && (!strcmp(o->dtype, "q8_0") || !strcmp(o->dtype, "q4_0"));
    if (o->dtype && !*int8 && strcmp(o->dtype, "f32") != 0)
        return tb_fail(TB_EXIT_USAGE,
                       "--dtype %s: bench peak measures f32 (the FMA peak) or q8_0/q4_0 (their int8 dot ceiling)",
                       o->dtype);
    int rc = tb_bench_probe_opts(o, "peak", o->dtype ? o->dtype : "f32");
    if (rc)
        return rc;
    if (o->shape)
        return tb_fail(TB_EXIT_USAGE, "--shape %s: bench peak takes no shape", o->shape);
    return tb_bench_probe_tiers(o, 1, tiers, ntiers);
}

int tb_bench_peak_check(const tb_opts *o)
{
    tb_probe_kernels tiers[TB_ISA_COUNT];
    int ntiers, int8;
    return peak_options(o, tiers, &ntiers, &int8);
}

int tb_bench_peak(const tb_bench_env *env, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_probe_kernels tiers[TB_ISA_COUNT];
    int ntiers, int8, any_failed = 0;
    int rc = peak_options(o, tiers, &ntiers, &int8);
    if (rc)
        return rc;
    if (int8) {
        tb_isa isas[TB_ISA_COUNT];
        for (int i = 0; i < ntiers; i++)
            isas[i] = tiers[i].isa;
        return tb_bench_peak_int8(env, isas, ntiers, cases);
    }
    int nt = tb_team_size(env->team);
    if (!o->quiet)
        fprintf(stderr, "tokbench: peak, %d tier%s, %d thread%s\n", ntiers, ntiers > 1 ? "s" : "", nt,
                nt > 1 ? "s" : "");

    tb_probe_peak pc[TB_ISA_COUNT];
    tb_variant v[TB_ISA_COUNT];
    double err[TB_ISA_COUNT];
    memset(v, 0, sizeof v);
    memset(pc, 0, sizeof pc);
    for (int i = 0; i < ntiers && rc == 0; i++)
        rc = tb_probe_peak_init(&pc[i], env->team, &tiers[i], TB_PROBE_PEAK_ITERS, "peak accumulators");
    if (rc == 0)
        rc = check_and_time(o, pc, v, err, ntiers);
    for (int i = 0; i < ntiers && rc == 0; i++) {
        any_failed |= err[i] != 0;
        json_array_append_new(cases, peak_case(env, &pc[i], err[i], &v[i]));
    }
    for (int i = 0; i < ntiers; i++) {
        tb_variant_free(&v[i]);
        tb_probe_peak_free(&pc[i]);
    }
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}
