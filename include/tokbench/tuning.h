/* The tuning parameters the kernels of a tier were built with (the microarchitecture-dependent
 * constants of kernels/common/tuning.h: GEMV streams, prefetch distances, cache blocking, skinny
 * block shape), as name/value pairs, so a record can name the parameter set that ran. */
#ifndef TOKBENCH_TUNING_H
#define TOKBENCH_TUNING_H

#include <tokbench/kernels.h>

typedef struct tb_tuning_param {
    const char *name; /* e.g. "gemv_streams" */
    long value;
} tb_tuning_param;

/* The parameters of the kernels tier `isa` runs on this CPU (the AVX-512 tier's quantized ones
 * depend on AVX512_VNNI, as its dispatch does): sets *out to a static table and returns its
 * length; 0 (and *out NULL) for a tier this binary does not have. */
int tb_tuning_params(tb_isa isa, const tb_tuning_param **out);

/* The name of the whole set: "builtin-" (or "build-" for a build override) and a hash of every
 * tier's names and values, so two records with the same name ran the same values. A static
 * string. */
const char *tb_tuning_set_name(void);

/* What the values rest on (where and how they were chosen): a static string. */
const char *tb_tuning_basis(void);
/* "built-in" (tuning.h as written), or "build override" when the build set values with
 * -DTB_TUNE_... (scripts/tune_sweep.sh). */
const char *tb_tuning_source(void);

#endif
