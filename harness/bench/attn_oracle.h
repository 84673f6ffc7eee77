/* bench attn-*'s oracle: the double-precision attention of the query rows its check looks at. */
#ifndef TB_ATTN_ORACLE_H
#define TB_ATTN_ORACLE_H

#include <stdint.h>

#include "attn_case.h"

typedef struct {
    int64_t t, hq, n; /* query token (decode: sequence), query head, keys it sees */
} tb_attn_oracle_row;

typedef struct tb_attn_oracle {
    attn_case *a;
    tb_attn_oracle_row *rows;
    int64_t nrows;
    double *ref, *mag, *amax;
    int full; /* every query row is checked */
} tb_attn_oracle;

/* The reference of the checked rows of case a, over copy 0 of its caches, on its team. 0 or an
 * exit code after one error line. */
int tb_attn_oracle_build(tb_attn_oracle *o, attn_case *a);
void tb_attn_oracle_free(tb_attn_oracle *o);

/* Largest |out − ref| / Σp|v| over the checked rows (*err), the largest ratio of a row's error
 * to its bound (*ratio) and that row's bound (*tol). */
void tb_attn_oracle_compare(const tb_attn_oracle *o, const float *out, double *err, double *ratio, double *tol);

#endif
