/* tokbench run's ceilings (run_internal.h): the FMA peak, the int8 ceiling, the weight format's
 * ceiling and the read bandwidth, measured on the team that runs the rows. */
#include <stdlib.h>
#include <string.h>

#include <tokbench/probes.h>

#include "probe_run.h"
#include "run_internal.h"
#include "timer.h"
#include "util.h"
#include "workset.h"

/* Steps per thread of one FMA-peak run; the int8 probe runs half as many, and the format probe
 * as many as make its calls as long as the int8 probe's (tb_probe_format_iters). */
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

/* Six runs of each probe in turn, and the best of the last five of each (the first warms up);
 * fmt->fn NULL: no format ceiling. */
static void time_probes(tb_probe_peak *peak, tb_probe_read *rd, tb_probe_int8 *int8, tb_probe_int8 *fmt,
                        tb_run_ceilings *c)
{
    double pf[6], rb[6], iq[6], fq[6] = {0};
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
        if (fmt->fn) {
            tb_probe_int8_run(fmt);
            fq[i] = 2.0 * tb_probe_int8_macs(fmt) / (double)(tb_now_ns() - t3);
        }
    }
    c->format = best_of_5(fq);
    c->peak_int8 = best_of_5(iq);
    c->peak = best_of_5(pf);
    c->bw = best_of_5(rb);
}

/* Best of 5 runs (after one warm-up) of the FMA peak, of the int8 ceiling of the quantized
 * kernels (kernels.h: tb_peak_int8_fn, in GOP/s: 2 per multiply-add), of the format ceiling of dt
 * (kernels.h: peak_format, in GOP/s; quantized dt only) and of the STREAM read sum
 * over an array of 4x the last-level cache, on the team: the roofline's ceilings for these very
 * cores. The best, not the median: a ceiling, and on a shared machine noise only ever lowers a
 * sample. The probes are those of the kernels' tier (or the best below it that this build has). */
int tb_run_measure_ceilings(const tb_opts *o, tb_team *team, const tb_kernels *kern, tb_dtype dt,
                            unsigned long long llc, tb_run_ceilings *c)
{
    *c = (tb_run_ceilings){0, 0, 0, 0};
    tb_probe_kernels pk;
    tb_probe_kernels_at_most(kern->isa, &pk);
    /* as bench peak does: the int8 probe against its scalar replay before it is timed */
    const char *fault = o->fault_inject; /* test hook (options.h): corrupt the probe's result */
    double per_step, fmt_per_step = 1;
    if (tb_probe_int8_check(kern->peak_int8, kern->peak_int8_info.name, fault && strcmp(fault, "int8") == 0,
                            &per_step) != 0)
        return tb_fail(TB_EXIT_CHECK,
                       "the int8 ceiling probe %s failed its check against a scalar replay: nothing was timed",
                       kern->peak_int8_info.name);
    tb_peak_int8_fn ffn = tb_dtype_is_quantized(dt) ? kern->peak_format[dt] : NULL;
    if (ffn && tb_probe_int8_check(ffn, kern->peak_format_info[dt].name, fault && strcmp(fault, "format") == 0,
                                   &fmt_per_step) != 0)
        return tb_fail(TB_EXIT_CHECK,
                       "the format ceiling probe %s failed its check against a scalar replay: nothing was timed",
                       kern->peak_format_info[dt].name);
    size_t n = (size_t)(TB_WORKSET_LLC_MULTIPLE * llc) / sizeof(double);
    tb_probe_peak peak = {0};
    tb_probe_int8 int8 = {0}, fmt = {0};
    tb_probe_read rd = {0};
    double *arr = NULL;
    int rc = tb_probe_peak_init(&peak, team, &pk, PEAK_ITERS, "probe buffers");
    if (rc == 0)
        rc = tb_probe_int8_init(&int8, team, kern->peak_int8, PEAK_ITERS / 2, "probe buffers");
    if (rc == 0 && ffn)
        rc = tb_probe_int8_init(&fmt, team, ffn, tb_probe_format_iters(PEAK_ITERS / 2, per_step, fmt_per_step),
                                "probe buffers");
    /* untouched: first touched by the members that read it (tb_probe_read_fill_ones) */
    if (rc == 0 && !(arr = tb_alloc_untouched(n * sizeof(double), "probe buffers")))
        rc = TB_EXIT_RUNTIME;
    if (rc == 0)
        rc = tb_probe_read_init(&rd, team, pk.read, arr, n, 1, "probe buffers");
    if (rc == 0) {
        tb_probe_read_fill_ones(&rd);
        time_probes(&peak, &rd, &int8, &fmt, c);
    }
    tb_probe_peak_free(&peak);
    tb_probe_int8_free(&int8);
    tb_probe_int8_free(&fmt);
    tb_probe_read_free(&rd);
    tb_free(arr);
    return rc;
}
