/* Every bench OP's options, validated before anything is measured or written (bench.h). */
#include "bench.h"

#include <string.h>

int tb_bench_check_options(const tb_opts *o, const char *op)
{
    if (!strcmp(op, "stream"))
        return tb_bench_stream_check(o);
    if (!strcmp(op, "peak"))
        return tb_bench_peak_check(o);
    if (!strcmp(op, "attn-prefill") || !strcmp(op, "attn-decode"))
        return tb_bench_attn_check(o, op);
    return tb_bench_gemm_check(o, op);
}
