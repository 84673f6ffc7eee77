/* bench peak --dtype q8_0|q4_0: per tier two ceilings `run` grades q8_0/q4_0 weight products
 * against, measured on their own: the int8 ceiling of the dot instruction the quantized kernels
 * are built on (kernels.h: tb_peak_int8_fn; variant "int8"), and the format ceiling, the tier's
 * minimal product sequence for the --dtype (the table's peak_format; variant "format"). Same
 * protocol as the FMA peak: each checked against a scalar replay, then all timed interleaved on
 * the pinned team, every sample kept. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "bench_case.h"
#include "measure.h"
#include "probe_run.h"
#include "util.h"

/* 2^20 steps: about 4 ms per call for twelve chains of one instruction per cycle, as the FMA
 * peak's calls take; the check replays a short run, whose arithmetic is the same per step. The
 * format probes' calls are made as long (tb_probe_format_iters). */
#define INT8_ITERS (1 << 20)

static const char *int8_operation(const char *name)
{
    if (strstr(name, "_q8_0_") || strstr(name, "_q4_0_"))
        return "the tier's minimal product sequence for the weight format on register-resident blocks: unpacking "
               "or sign handling, the dot instruction, widening, int32 to f32 and the per-block scale multiply-add "
               "(kernels/common/peak_format.h)";
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

/* One probe of one tier (p's kernel, variant "int8" or "format"): its check and its outcome (ops:
 * per call, 2 per multiply-add). */
static json_t *int8_case(const tb_bench_env *env, tb_isa tier, const char *variant, const tb_probe_int8 *p,
                         const char *name, double err, double per_step, const tb_variant *v)
{
    const int nt = tb_team_size(env->team);
    const double ops = 2.0 * per_step * (double)p->iters * nt; /* 2 per multiply-add, as GFLOP/s counts */
    const int passed = err == 0;
    json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I}, s:i, s:o}", "op", "peak", "variant", variant, "backend",
                           "portable", "isa", tb_isa_name(tier), "dtype", env->o->dtype, "shape", "ops_per_call",
                           (json_int_t)ops, "threads", nt, "cpus", tb_team_cpus_json(env->team));
    json_object_set_new(cs, "kernel",
                        json_pack("{s:s, s:s, s:I, s:I}", "name", name, "operation", int8_operation(name),
                                  "multiply_adds_per_step", (json_int_t)per_step, "iterations_per_thread",
                                  (json_int_t)p->iters));
    json_object_set_new(cs, "check",
                        json_pack("{s:b, s:f, s:f, s:s, s:i}", "passed", passed, "max_rel_err",
                                  isfinite(err) ? err : 1e308, "tolerance", 0.0, "reference",
                                  "scalar replay of the instruction's definition (wrapping or saturating) or of "
                                  "the format's block dot products, state and multiply-add count, before timing",
                                  "steps_checked", TB_PROBE_INT8_CHECK_STEPS));
    if (!passed || v->n == 0) {
        tb_bench_case_untimed(cs);
    } else {
        /* SPEC: every bench case carries rate.gflops and rate.gbps; gflops holds the same count
         * (operations, 2 per multiply-add), gops names it */
        tb_bench_case_samples(cs, v, ops, 0);
        json_t *rate = json_object_get(cs, "rate");
        json_object_set_new(rate, "gops", json_real(ops / v->stats.median));
    }
    return cs;
}

/* Probes 2i (the int8 ceiling) and 2i + 1 (the format ceiling, when the tier has one) of tier i. */
int tb_bench_peak_int8(const tb_bench_env *env, const tb_isa *tiers, int ntiers, json_t *cases)
{
    const tb_opts *o = env->o;
    const int nt = tb_team_size(env->team);
    int rc = 0, any_failed = 0, np = 0;
    tb_dtype dt = TB_DT_Q8_0;
    tb_dtype_from_name(o->dtype, &dt); /* validated by the caller: q8_0 or q4_0 */
    tb_probe_int8 probe[2 * TB_ISA_COUNT];
    tb_variant v[2 * TB_ISA_COUNT], *timed[2 * TB_ISA_COUNT];
    const char *name[2 * TB_ISA_COUNT];
    tb_kernels k[TB_ISA_COUNT];
    double err[2 * TB_ISA_COUNT] = {0}, per_step[2 * TB_ISA_COUNT] = {0}; /* set for the probes a tier has */
    memset(probe, 0, sizeof probe);
    memset(v, 0, sizeof v);
    if (!o->quiet)
        fprintf(stderr, "tokbench: peak int8 and %s format, %d tier%s, %d thread%s\n", o->dtype, ntiers,
                ntiers > 1 ? "s" : "", nt, nt > 1 ? "s" : "");
    const char *fault = o->fault_inject; /* test hook (options.h): corrupt one tier's check */
    for (int i = 0; i < 2 * ntiers; i++) {
        const tb_isa tier = tiers[i / 2];
        if (i % 2 == 0)
            tb_kernels_init(&k[i / 2], tier);
        tb_peak_int8_fn fn = i % 2 ? k[i / 2].peak_format[dt] : k[i / 2].peak_int8;
        name[i] = i % 2 ? k[i / 2].peak_format_info[dt].name : k[i / 2].peak_int8_info.name;
        if (!fn) /* no format ceiling on this tier (NEON) */
            continue;
        err[i] = tb_probe_int8_check(fn, name[i], fault && !strcmp(fault, tb_isa_name(tier)), &per_step[i]);
        int64_t iters = i % 2 ? tb_probe_format_iters(INT8_ITERS, per_step[i - 1], per_step[i]) : INT8_ITERS;
        if ((rc = tb_probe_int8_init(&probe[i], env->team, fn, iters, "int8 probe state")))
            goto out;
        v[i].call = tb_probe_int8_call;
        v[i].ctx = &probe[i];
        if (err[i] == 0)
            timed[np++] = &v[i];
    }
    rc = tb_bench_time(o, timed, np);
    /* the int8 cases first, in tier order, then the format cases */
    for (int pass = 0; pass < 2 && rc == 0; pass++)
        for (int i = pass; i < 2 * ntiers; i += 2) {
            if (!probe[i].fn)
                continue;
            any_failed |= err[i] != 0;
            json_array_append_new(cases, int8_case(env, tiers[i / 2], pass ? "format" : "int8", &probe[i], name[i],
                                                   err[i], per_step[i], &v[i]));
        }
out:
    for (int i = 0; i < 2 * ntiers; i++) {
        tb_variant_free(&v[i]);
        tb_probe_int8_free(&probe[i]);
    }
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}
