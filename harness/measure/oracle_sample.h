/* Which rows, columns, tokens or heads a sampled correctness check looks at. */
#ifndef TB_ORACLE_SAMPLE_H
#define TB_ORACLE_SAMPLE_H

#include <stdint.h>

/* min(count, extent) indices of [0, extent), in increasing order: the first and the last always
 * (so edge tiles and the last thread's slice are looked at), the others evenly spaced between
 * them (so is every slice of an even split). A count of 1 still takes both ends when extent > 1;
 * a count of 0 takes none. Returns a malloc'd array (free it; never NULL for n = 0) and its
 * length in *n_out, or NULL when out of memory. */
int64_t *tb_oracle_sample(int64_t extent, int count, int *n_out);

#endif
