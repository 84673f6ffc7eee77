/* The timing protocol shared by every benchmark: warm-up, interleaved sampling of several
 * variants, inner iterations when one call is too short for the clock, every sample kept. */
#ifndef TB_MEASURE_H
#define TB_MEASURE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "stats.h"

/* Set by SIGINT/SIGTERM: loops stop and the record is saved with complete = false. */
/* The signal (SIGINT, SIGTERM) that asked tokbench to stop; 0 while none did. */
extern volatile sig_atomic_t tb_interrupted;
/* The exit status that signal calls for: 130 for SIGINT, 143 for SIGTERM (SPEC.md); 0 when none. */
int tb_interrupted_status(void);
void tb_install_interrupt_handler(void);

typedef struct tb_timing_cfg {
    double min_time_s; /* per variant, summed sample time */
    double max_time_s; /* per variant; stops early (with a warning) once it is exceeded */
    int repetitions;   /* samples per variant, at least */
    int warmup;        /* untimed calls per variant first */
    size_t max_samples;
} tb_timing_cfg;

typedef struct tb_variant {
    /* One kernel call. `turn` counts this variant's own calls (0, 1, 2, ...): a variant with R
     * weight copies uses copy turn % R, so it walks all of them whatever the other variants do.
     * (A counter shared by k interleaved variants would hand each only every k-th copy.) */
    void (*call)(void *ctx, uint64_t turn);
    void *ctx;
    /* outputs */
    double *samples_ns; /* per call (a sample's time / iterations) */
    size_t n;
    int iterations; /* calls per sample */
    tb_stats stats;
} tb_variant;

/* Times k variants in rounds (one sample of each per round, A B A B ...) so that drift in a
 * noisy machine hits all of them alike. Returns 0, or TB_EXIT_RUNTIME when out of memory. */
int tb_measure_interleaved(tb_variant *v, int k, const tb_timing_cfg *cfg);
void tb_variant_free(tb_variant *v);

/* {"n", "min", "median", "mean", "stddev", "cv", "p90", "p99", "ci95_low", "ci95_high", ...} */
json_t *tb_stats_json(const tb_stats *st);

#endif
