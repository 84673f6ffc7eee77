/* One side of `tokbench compare`: a record file or a folder of records, read into its benchmarks.
 * A benchmark is what the settings that change the measured work identify (SPEC.md, Tracking):
 * a bench case by command, op, backend, dtype, shape, threads, variant and cold or warm; a run row
 * by model, dtype, batch, threads, prompt and ctx, twice (prefill and decode). The ISA tier that
 * ran is kept beside the identity, not in it: a tier change is a build difference to report, not
 * a different benchmark. Every metric is a time per call (ns), so "slower" is always "higher". */
#ifndef TB_COMPARE_INPUT_H
#define TB_COMPARE_INPUT_H

#include <jansson.h>
#include <stddef.h>

#include "compare_normalize.h"
#include "history.h"

typedef enum { TB_CMP_KERNEL = 0, TB_CMP_END_TO_END } tb_cmp_kind;

typedef struct tb_cmp_bench {
    char *key; /* the identity: how the two sides are matched, and what is printed */
    char *isa; /* the tier that ran ("" when the record does not say) */
    const char *metric;
    tb_cmp_kind kind;
    double *s; /* raw samples, ns per call; the samples of every record of the side that has it */
    size_t n, cap;
    double *run_median; /* the median of each record's own samples, one per record that has it */
    size_t nrun, run_cap;
    /* a run row without samples_ns: 1 / its tokens/s median (a time up to a constant factor, so
     * only its ratio means something); NaN when there are samples */
    double fallback;
    /* --normalize (compare_normalize.h): what its times are divided by, NULL when they are not;
     * probe: a probe case under any mode but none, reported but not judged (the machine, not
     * the code) */
    const char *normalized_by;
    int probe;
} tb_cmp_bench;

typedef struct tb_cmp_side {
    const char *arg; /* as named on the command line */
    json_t **rec;    /* the records, a folder's in name order */
    char **file;
    size_t nrec, rcap, fcap;
    tb_cmp_bench *b; /* in order of first appearance */
    size_t nb, bcap;
    /* an @history side: pick[r] names record r's selected series; only they are read from it */
    tb_history_selection sel;
    tb_norm_mode normalize; /* --normalize */
} tb_cmp_side;

/* Reads arg (a record, every *.json under a folder, or @history[:FILTERS] of results_dir's
 * history, history.h) into s; with normalize, each kernel's and run row's times divided by its
 * probe's (compare_normalize.h), the key saying by what. Errors name the file: cannot read, not JSON (file:line), not a
 * record, another schema, no cases or rows. Returns 0 or an exit code after one "tokbench: ..."
 * line. */
int tb_cmp_side_load(const char *arg, const char *results_dir, tb_norm_mode normalize, tb_cmp_side *s);
void tb_cmp_side_free(tb_cmp_side *s);

/* The benchmark of s with this key, or NULL. */
const tb_cmp_bench *tb_cmp_side_find(const tb_cmp_side *s, const char *key);

#endif
