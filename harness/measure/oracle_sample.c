/* Sampled checks' indices (oracle_sample.h). */
#include "oracle_sample.h"

#include <stdlib.h>

int64_t *tb_oracle_sample(int64_t extent, int count, int *n_out)
{
    int n = extent < count ? (int)extent : count;
    if (n == 1 && extent > 1)
        n = 2; /* one sample cannot be both ends */
    int64_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (int i = 0; i < n; i++)
        v[i] = n == 1 ? 0 : (int64_t)((double)i * (double)(extent - 1) / (double)(n - 1) + 0.5);
    *n_out = n;
    return v;
}
