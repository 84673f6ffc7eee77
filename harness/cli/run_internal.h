/* What tokbench run's files share (cmd_run.c, run_ceilings.c, run_memory.c, run_row.c,
 * run_slo.c); not part of the command's interface, which is cmd_run.h. */
#ifndef TB_RUN_INTERNAL_H
#define TB_RUN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <tokbench/kernels.h>

#include "forward.h"
#include "model.h"
#include "options.h"
#include "team.h"

/* What every row of a run shares: the model, the weights' and the cache's types, the sampling. */
typedef struct tb_run_cfg {
    const tb_opts *o;
    const tb_model *m;
    tb_dtype dt, kv_dt;
    int min_reps, warmup;
    double min_time, max_time;
} tb_run_cfg;

/* One row of the sweep, and how much of its prefill is timed (cmd_run.c says why). */
typedef struct tb_run_row {
    long long batch, prompt, ctx;
    int64_t pf_layers, pf_seqs;
} tb_run_row;

/* The ceilings a thread count's rows are graded against: the higher of the probes run before
 * and after its rows (a ceiling only reads low when the machine is disturbed), with both runs
 * kept in the record so the noise can be seen. */
typedef struct tb_run_ceilings {
    double peak, peak_int8, bw; /* GFLOP/s, GOP/s, GB/s */
    double format; /* GOP/s of the weight format's ceiling (kernels.h: peak_format); 0: none */
} tb_run_ceilings;

/* run_ceilings.c: the probes of the roofline on the team, the int8 and the format ones (for
 * weights of type dt, when the tier has one) checked first (0, or an exit code after one line;
 * TB_EXIT_CHECK when a check fails). */
int tb_run_measure_ceilings(const tb_opts *o, tb_team *team, const tb_kernels *kern, tb_dtype dt,
                            unsigned long long llc, tb_run_ceilings *c);

/* run_memory.c: s->layers set to the full depth when it fits in memory, else to the most distinct
 * layers that fit, at least 4x the LLC; TB_EXIT_RUNTIME after one line when not even those fit. */
int tb_run_plan_layers(const tb_opts *o, const tb_model *m, tb_fwd_shape *s, const tb_kernels *k, int threads,
                       unsigned long long llc);

/* run_row.c: one row timed on f (layers_alloc distinct layers), graded against the ceilings
 * measured before the rows; *row_out is the SPEC.md row object. 0, or an exit code after one line. */
int tb_run_time_row(const tb_run_cfg *rc, tb_fwd *f, int64_t layers_alloc, const tb_run_row *rp, int threads,
                    const tb_run_ceilings *before, json_t **row_out);
/* run_row.c: rows[first..] (planned as rp[0..]) graded again, against the higher of the ceilings
 * measured before and after them. */
void tb_run_grade_rows(const tb_run_cfg *rc, const tb_run_row *rp, const tb_run_ceilings *before,
                       const tb_run_ceilings *after, json_t *rows, size_t first);

/* run_slo.c: the record's "slo" object (the row with the largest batch whose TTFT and TPOT p90
 * meet --slo-ttft and --slo-tpot), or NULL when neither was given. */
json_t *tb_run_slo_search(const tb_opts *o, json_t *rows);

#endif
