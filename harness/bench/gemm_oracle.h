/* bench gemm's oracle: the double-precision reference for the elements its check looks at. */
#ifndef TB_GEMM_ORACLE_H
#define TB_GEMM_ORACLE_H

#include <stdint.h>

#include <tokbench/gemm.h>

#include "team.h"

/* The reference for the checked elements: whole rows (all N columns) and whole columns (all M
 * rows). Sampled mode takes the first and last rows and columns plus evenly spaced ones, so that
 * every edge tile and every thread's slice of N is looked at. */
typedef struct tb_gemm_oracle {
    const float *a, *w;
    tb_gemm_dims d;
    int64_t *rows, *cols;
    int nr, nc;
    double *row_val, *row_mag, *col_val, *col_mag;
} tb_gemm_oracle;

/* Whether the check covers every element (the reference is cheap enough), else sampled lines. */
int tb_gemm_full_check(tb_gemm_dims d);

/* Bytes the oracle of a d-shaped product may hold at most (two doubles per checked element). */
double tb_gemm_oracle_bytes(tb_gemm_dims d);

/* The reference of c = a·wᵀ at the checked elements, computed on the team. 0 or TB_EXIT_RUNTIME. */
int tb_gemm_oracle_build(tb_gemm_oracle *o, tb_team *team, const float *a, const float *w, tb_gemm_dims d);
void tb_gemm_oracle_free(tb_gemm_oracle *o);

/* How many elements the check looks at. */
uint64_t tb_gemm_oracle_elements(const tb_gemm_oracle *o);

/* Largest error over the checked elements of c, relative to Σ|a·w| of each element (infinity for
 * a NaN, or for any difference where Σ|a·w| is 0). */
double tb_gemm_oracle_max_err(const tb_gemm_oracle *o, const float *c);

#endif
