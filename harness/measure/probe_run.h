/* The roofline probes (tokbench/probes.h, kernels.h: tb_peak_int8_fn) run on a pinned team: every
 * member runs the probe on its own slice or its own accumulators, and each probe's result can be
 * checked exactly. Used by bench (stream, peak, gemv's and attention's read and peak variants), by
 * run's ceilings and by the LLC sweep, so that all of them measure the same thing. */
#ifndef TB_PROBE_RUN_H
#define TB_PROBE_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <tokbench/kernels.h>
#include <tokbench/probes.h>

#include "team.h"

/* ---- read: the STREAM read-only sum over arrays of ones ------------------------------------- */

/* Ones: their sum is exact, so the probe's check is exact too. Members split each copy in whole
 * 4 KiB pages (512 doubles), the same slices when filling as when reading, so the member that
 * first touches a page is the one that reads it. */
typedef struct tb_probe_read {
    tb_team *team;
    tb_stream_read_fn read;
    double *arr;  /* copies x n doubles, the caller's */
    size_t n;     /* doubles per copy read (a sweep reads fewer than it filled) */
    int copies;   /* for cold rotation: the call of turn t reads copy t % copies */
    int passes;   /* reads of its slice per member per run */
    size_t copy;  /* the copy the next run reads */
    double *sums; /* per member, 8 apart (a cache line each): no false sharing while timed */
} tb_probe_read;

/* Sets up r for `copies` copies of n doubles at arr (which the caller allocates and frees), one
 * pass each, and allocates the sums (what: for the error). 0, or TB_EXIT_RUNTIME after one line;
 * every field is set either way, so tb_probe_read_free is always safe. */
int tb_probe_read_init(tb_probe_read *r, tb_team *team, tb_stream_read_fn read, double *arr, size_t n, int copies,
                       const char *what);
void tb_probe_read_free(tb_probe_read *r);
/* Writes ones to all copies' first n doubles, each member its own slices. */
void tb_probe_read_fill_ones(tb_probe_read *r);
/* One run: every member sums its slice of copy r->copy, r->passes times. */
void tb_probe_read_run(tb_probe_read *r);
/* The team's total of the last run. */
double tb_probe_read_sum(const tb_probe_read *r);
/* |sum - n·passes| / (n·passes) of the last run: 0 when exact, NaN for a NaN sum. */
double tb_probe_read_err(const tb_probe_read *r);
/* As tb_variant's call (measure.h): the call of turn t reads copy t % copies. */
void tb_probe_read_call(void *r, uint64_t turn);

/* ---- peak: f32 multiply-add chains -------------------------------------------------------- */

/* With mul = add = 1 every accumulator ends at seed + iterations exactly (seeds 1, 2, 3, ...);
 * while that stays below 2^24 float holds it, so the check is exact and sees a single missing
 * iteration. */
typedef struct tb_probe_peak {
    tb_team *team;
    tb_probe_kernels k;
    int64_t iters;
    float mul, add; /* runtime values: the compiler sees neither */
    float *acc;     /* TB_PEAK_MAX_FLOATS per member */
} tb_probe_peak;

/* Sets up p for tier k, iters steps a run, mul = add = 1, and allocates the accumulators (what:
 * for the error). 0, or TB_EXIT_RUNTIME after one line. */
int tb_probe_peak_init(tb_probe_peak *p, tb_team *team, const tb_probe_kernels *k, int64_t iters, const char *what);
void tb_probe_peak_free(tb_probe_peak *p);
/* One run: every member seeds its accumulators and runs the chains. */
void tb_probe_peak_run(tb_probe_peak *p);
/* As tb_variant's call (measure.h). */
void tb_probe_peak_call(void *p, uint64_t turn);
/* Largest relative difference of any member's accumulators from seed + iters (infinity for NaN). */
double tb_probe_peak_err(const tb_probe_peak *p);
/* Floating-point operations of one run: 2 per lane, chain, step and member. */
double tb_probe_peak_flops(const tb_probe_peak *p);
/* Steps of a run in bench peak and in the peak variants beside kernels: about 4 ms a call, and
 * seed + steps stays exact in float. */
#define TB_PROBE_PEAK_ITERS (1 << 21)
/* p set up for TB_PROBE_PEAK_ITERS steps and one checked run, an accumulator spoiled first when
 * corrupt (the fault hook): *err is tb_probe_peak_err. 0, or TB_EXIT_RUNTIME after one line. */
int tb_probe_peak_checked(tb_probe_peak *p, tb_team *team, const tb_probe_kernels *k, int corrupt, double *err);

/* ---- int8: the dot instruction of the quantized kernels ------------------------------------ */

typedef struct tb_probe_int8 {
    tb_team *team;
    tb_peak_int8_fn fn;
    int64_t iters;
    int32_t *state; /* TB_KERNEL_PEAK_INT8_STATE per member */
    int64_t *macs;  /* per member: the multiply-adds its last call counted */
} tb_probe_int8;

/* Sets up p for probe fn, iters steps a run, and allocates the state and counts (what: for the
 * error). 0, or TB_EXIT_RUNTIME after one line. */
int tb_probe_int8_init(tb_probe_int8 *p, tb_team *team, tb_peak_int8_fn fn, int64_t iters, const char *what);
void tb_probe_int8_free(tb_probe_int8 *p);
/* One run: every member seeds its state (tb_probe_int8_seed) and runs the probe. */
void tb_probe_int8_run(tb_probe_int8 *p);
/* As tb_variant's call (measure.h). */
void tb_probe_int8_call(void *p, uint64_t turn);
/* The multiply-adds of the last run, all members. */
double tb_probe_int8_macs(const tb_probe_int8 *p);
/* The state every run starts from, and the check's: s[i] = 7i + 1, so neighbouring words differ. */
void tb_probe_int8_seed(int32_t *s);

/* An int8 ceiling probe against its scalar replay over a short run (TB_PROBE_INT8_CHECK_STEPS):
 * the largest relative difference of any state word (0 when exact), or infinity when the
 * multiply-add counts differ or no replay knows the probe `name`. corrupt (a test hook) spoils the
 * probe's result first; *macs_per_step gets the probe's count per step of one thread. */
#define TB_PROBE_INT8_CHECK_STEPS 1000
double tb_probe_int8_check(tb_peak_int8_fn fn, const char *name, int corrupt, double *macs_per_step);

/* Steps of a format-ceiling probe (kernels.h: peak_format) whose call lasts about as long as an
 * int8 probe's call of int8_iters steps, from each one's multiply-adds per step (the format
 * sequences run at about half the instruction's rate). Calls of one length are equally likely
 * to be cut by the scheduler on a shared machine: there, calls of 4 ms were nearly always cut
 * and 1 ms ones often not, so a longer probe would read low. */
static inline int64_t tb_probe_format_iters(int64_t int8_iters, double int8_per_step, double format_per_step)
{
    int64_t n = (int64_t)((double)int8_iters * int8_per_step / (2.0 * format_per_step));
    return n > 1 ? n : 1;
}

#endif
