/* tokbench run's memory plan (run_internal.h): how many distinct layers the forward pass
 * allocates, so that a model larger than memory is still measured (cmd_run.c: extrapolation). */
#include <math.h>

#include "run_internal.h"
#include "sysinfo.h"
#include "util.h"
#include "workset.h"

/* The run plans to fill at most this share of MemAvailable. */
#define MEM_MARGIN 0.85

static double need_bytes(const tb_model *m, tb_fwd_shape *s, const tb_kernels *k, int threads, int64_t layers)
{
    tb_fwd_mem mem;
    s->layers = layers;
    tb_fwd_memory(m, s, k, threads, &mem);
    return mem.weights + mem.kv + mem.act;
}

/* Full depth when it fits; else the most distinct layers that fit, at least 4x the LLC. */
int tb_run_plan_layers(const tb_opts *o, const tb_model *m, tb_fwd_shape *s, const tb_kernels *k, int threads,
                       unsigned long long llc)
{
    /* test hook (options.h): pretend this much memory is free */
    unsigned long long free_bytes = o->mem_available ? o->mem_available : tb_meminfo_bytes("MemAvailable");
    double avail = (double)free_bytes * MEM_MARGIN;
    if (avail <= 0)
        avail = 1e18; /* unreadable: do not refuse on a guess */
    if (need_bytes(m, s, k, threads, m->layers) <= avail)
        return 0;
    double lb = tb_fwd_layer_bytes(m, s, k);
    int64_t min_l = (int64_t)ceil((double)TB_WORKSET_LLC_MULTIPLE * (double)llc / lb);
    min_l = min_l < 1 ? 1 : min_l > m->layers ? m->layers : min_l;
    double need_min = need_bytes(m, s, k, threads, min_l);
    if (need_min > avail) {
        char a[32], b[32], c[32];
        tb_format_bytes(need_bytes(m, s, k, threads, m->layers), a, sizeof a);
        tb_format_bytes(need_min, b, sizeof b);
        tb_format_bytes(avail / MEM_MARGIN, c, sizeof c);
        return tb_fail(TB_EXIT_RUNTIME,
                       "model %s in %s does not fit: full depth needs %s, the smallest sample (%lld layers, 4x the LLC) "
                       "%s, MemAvailable is %s",
                       m->name, tb_dtype_name(s->dt), a, (long long)min_l, b, c);
    }
    int64_t l = min_l;
    while (l + 1 < m->layers && need_bytes(m, s, k, threads, l + 1) <= avail)
        l++;
    s->layers = l;
    return 0;
}
