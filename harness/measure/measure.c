/* Warm-up, interleaved sampling and statistics. */
#include "measure.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timer.h"
#include "util.h"

/* The first signal asks every loop to stop and the command to save what it measured; a second one
 * means now: the temporary file in progress is removed and the process exits at once. */
static void on_signal(int sig)
{
    if (tb_interrupted) {
        tb_tmpfile_drop();
        _exit(128 + sig);
    }
    tb_interrupted = sig;
}

int tb_interrupted_status(void) { return tb_interrupted ? 128 + tb_interrupted : 0; }

void tb_install_interrupt_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* A sample shorter than this many clock steps carries mostly clock noise. */
#define TICKS_PER_SAMPLE 1000

int tb_measure_interleaved(tb_variant *v, int k, const tb_timing_cfg *cfg)
{
    uint64_t *turn = calloc((size_t)k, sizeof *turn);
    uint64_t gran = tb_timer_granularity_ns();
    double *spent = calloc((size_t)k, sizeof *spent);
    if (!spent || !turn) {
        free(spent);
        free(turn);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory for timing state");
    }
    for (int i = 0; i < k; i++) {
        v[i].n = 0;
        v[i].samples_ns = malloc(cfg->max_samples * sizeof(double));
        if (!v[i].samples_ns) {
            free(spent);
            free(turn);
            return tb_fail(TB_EXIT_RUNTIME, "out of memory for %zu samples", cfg->max_samples);
        }
        /* Warm-up (at least one call, which also tells how long a call takes). */
        uint64_t t0 = tb_now_ns();
        int calls = cfg->warmup > 0 ? cfg->warmup : 1;
        for (int w = 0; w < calls && !tb_interrupted; w++)
            v[i].call(v[i].ctx, turn[i]++);
        double per_call = (double)(tb_now_ns() - t0) / calls;
        double need = (double)gran * TICKS_PER_SAMPLE;
        v[i].iterations = per_call >= need ? 1 : (int)(need / (per_call > 1.0 ? per_call : 1.0)) + 1;
    }

    for (;;) {
        int all_done = 1;
        for (int i = 0; i < k && !tb_interrupted; i++) {
            tb_variant *x = &v[i];
            int enough = (int)x->n >= cfg->repetitions && spent[i] >= cfg->min_time_s;
            int capped = x->n >= cfg->max_samples || (x->n > 0 && spent[i] >= cfg->max_time_s);
            if (enough || capped)
                continue;
            all_done = 0;
            uint64_t t0 = tb_now_ns();
            for (int it = 0; it < x->iterations; it++)
                x->call(x->ctx, turn[i]++);
            uint64_t dt = tb_now_ns() - t0;
            x->samples_ns[x->n++] = (double)dt / x->iterations;
            spent[i] += (double)dt * 1e-9;
        }
        if (all_done || tb_interrupted)
            break;
    }
    for (int i = 0; i < k; i++) {
        if ((int)v[i].n < cfg->repetitions && !tb_interrupted)
            tb_warn("only %zu of %d repetitions fit in --max-time %.3g s", v[i].n, cfg->repetitions, cfg->max_time_s);
        tb_stats_compute(v[i].samples_ns, v[i].n, &v[i].stats);
    }
    free(spent);
    free(turn);
    return 0;
}

void tb_variant_free(tb_variant *v)
{
    free(v->samples_ns);
    v->samples_ns = NULL;
    v->n = 0;
}

json_t *tb_stats_json(const tb_stats *st)
{
    return json_pack("{s:I, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "n", (json_int_t)st->n, "min",
                     st->min, "max", st->max, "median", st->median, "mean", st->mean, "stddev", st->stddev, "cv", st->cv,
                     "p90", st->p90, "p99", st->p99, "ci95_low", st->ci95_low, "ci95_high", st->ci95_high,
                     "ci95_coverage", st->ci95_coverage);
}
