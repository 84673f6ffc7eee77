/* bench peak --dtype q8_0|q4_0: the int8 ceiling of the dot instruction each tier's quantized
 * kernels are built on (kernels.h: tb_peak_int8_fn), the ceiling `run` grades q8_0/q4_0 weight
 * products against, measured on its own. Same protocol as the FMA peak: checked against a
 * scalar replay, then timed interleaved on the pinned team, every sample kept. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "measure.h"
#include "util.h"

/* 2^20 steps: about 4 ms per call for twelve chains of one instruction per cycle, as the FMA
 * peak's calls take; the check replays a short run, whose arithmetic is the same per step. */
#define INT8_ITERS (1 << 20)
#define INT8_CHECK_STEPS 1000

typedef struct {
    tb_team *team;
    tb_peak_int8_fn fn;
    int32_t *state; /* TB_KERNEL_PEAK_INT8_STATE per thread */
} int8_ctx;

static void int8_seed(int32_t *s)
{
    for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++)
        s[i] = i * 7 + 1;
}

static void int8_worker(void *p, int tid, int nt)
{
    (void)nt;
    int8_ctx *c = p;
    int32_t *s = c->state + (size_t)tid * TB_KERNEL_PEAK_INT8_STATE;
    int8_seed(s);
    c->fn(s, INT8_ITERS);
}

static void int8_call(void *p, uint64_t turn)
{
    (void)turn;
    int8_ctx *c = p;
    tb_team_run(c->team, int8_worker, c);
}

double tb_peak_int8_check(tb_peak_int8_fn fn, const char *name, int corrupt, double *macs_per_step)
{
    int32_t got[TB_KERNEL_PEAK_INT8_STATE], want[TB_KERNEL_PEAK_INT8_STATE];
    int8_seed(got);
    int8_seed(want);
    int64_t m = fn(got, INT8_CHECK_STEPS), r = tb_peak_int8_ref(name, want, INT8_CHECK_STEPS);
    if (corrupt)
        got[0] += 1;
    *macs_per_step = (double)m / INT8_CHECK_STEPS;
    if (r < 0 || m != r)
        return INFINITY;
    double worst = 0;
    for (int i = 0; i < TB_KERNEL_PEAK_INT8_STATE; i++) {
        double d = fabs((double)got[i] - (double)want[i]) / fmax(1.0, fabs((double)want[i]));
        worst = d > worst ? d : worst;
    }
    return worst;
}

static const char *int8_operation(const char *name)
{
    if (strstr(name, "avx512vnni"))
        return "vpdpbusd zmm: 64 u8 x s8 products summed into int32 lanes, accumulator fed back";
    if (strstr(name, "avx2"))
        return "vpmaddubsw ymm: 32 u8 x s8 products summed in int16 pairs (saturating), result fed back as the "
               "unsigned operand";
    if (strstr(name, "neon_dotprod"))
        return "sdot: 16 s8 x s8 products summed into int32 lanes, accumulator fed back";
    if (strstr(name, "neon"))
        return "smlal: 8 s8 x s8 products added to int16 lanes, accumulator fed back";
    return "16-bit vector multiply then add (the generic tier's widest integer multiply), result fed back";
}

int tb_bench_peak_int8(const tb_bench_env *env, const tb_isa *tiers, int ntiers, json_t *cases)
{
    const tb_opts *o = env->o;
    const int nt = tb_team_size(env->team);
    int rc = 0, any_failed = 0, np = 0, idx[TB_ISA_COUNT];
    int8_ctx ctx[TB_ISA_COUNT];
    tb_variant v[TB_ISA_COUNT], timed[TB_ISA_COUNT];
    tb_kernels k[TB_ISA_COUNT];
    double err[TB_ISA_COUNT], per_step[TB_ISA_COUNT];
    memset(ctx, 0, sizeof ctx);
    memset(v, 0, sizeof v);
    if (!o->quiet)
        fprintf(stderr, "tokbench: peak int8, %d tier%s, %d thread%s\n", ntiers, ntiers > 1 ? "s" : "", nt,
                nt > 1 ? "s" : "");
    const char *fault = getenv("TOKBENCH_FAULT_INJECT"); /* test hook: corrupt one tier's check */
    for (int i = 0; i < ntiers; i++) {
        tb_kernels_init(&k[i], tiers[i]);
        ctx[i].team = env->team;
        ctx[i].fn = k[i].peak_int8;
        ctx[i].state = tb_alloc((size_t)nt * TB_KERNEL_PEAK_INT8_STATE * sizeof(int32_t), "int8 probe state");
        if (!ctx[i].state) {
            rc = TB_EXIT_RUNTIME;
            goto out;
        }
        v[i].call = int8_call;
        v[i].ctx = &ctx[i];
        err[i] = tb_peak_int8_check(ctx[i].fn, k[i].peak_int8_info.name,
                                    fault && !strcmp(fault, tb_isa_name(tiers[i])), &per_step[i]);
        if (err[i] == 0)
            idx[np++] = i;
    }
    for (int i = 0; i < np; i++)
        timed[i] = v[idx[i]];
    tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
    if (np)
        rc = tb_measure_interleaved(timed, np, &cfg);
    for (int i = 0; i < np; i++)
        v[idx[i]] = timed[i];

    for (int i = 0; i < ntiers && rc == 0; i++) {
        const double ops = 2.0 * per_step[i] * INT8_ITERS * nt; /* 2 per multiply-add, as GFLOP/s counts */
        const int passed = err[i] == 0;
        json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I}, s:i, s:o}", "op", "peak", "variant", "int8",
                               "backend", "portable", "isa", tb_isa_name(tiers[i]), "dtype", o->dtype, "shape",
                               "ops_per_call", (json_int_t)ops, "threads", nt, "cpus", tb_team_cpus_json(env->team));
        json_object_set_new(cs, "kernel",
                            json_pack("{s:s, s:s, s:I, s:I}", "name", k[i].peak_int8_info.name, "operation",
                                      int8_operation(k[i].peak_int8_info.name), "multiply_adds_per_step",
                                      (json_int_t)per_step[i], "iterations_per_thread", (json_int_t)INT8_ITERS));
        json_object_set_new(cs, "check",
                            json_pack("{s:b, s:f, s:f, s:s, s:i}", "passed", passed, "max_rel_err",
                                      isfinite(err[i]) ? err[i] : 1e308, "tolerance", 0.0, "reference",
                                      "scalar replay of the instruction's definition (wrapping or saturating), "
                                      "state and multiply-add count, before timing",
                                      "steps_checked", INT8_CHECK_STEPS));
        if (!passed || v[i].n == 0) {
            any_failed |= !passed;
            tb_probe_case_unchecked(cs);
        } else {
            /* SPEC: every bench case carries rate.gflops and rate.gbps; gflops holds the same count
             * (operations, 2 per multiply-add), gops names it */
            tb_probe_case_samples(cs, &v[i], ops, 0);
            json_t *rate = json_object_get(cs, "rate");
            json_object_set_new(rate, "gops", json_real(ops / v[i].stats.median));
        }
        json_array_append_new(cases, cs);
    }
out:
    for (int i = 0; i < ntiers; i++) {
        tb_variant_free(&v[i]);
        tb_free(ctx[i].state);
    }
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}
