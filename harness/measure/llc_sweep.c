/* The read-bandwidth sweep that finds where a team's working set leaves the last-level cache. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <tokbench/probes.h>

#include "llc.h"
#include "measure.h"
#include "probe_run.h"
#include "timer.h"
#include "util.h"

/* Bytes each timed measurement reads at least: long enough that a clock step and the team's
 * wake-up are far below 1% of it even for sizes that sit in L2. */
#define SWEEP_BYTES_PER_POINT (64ull << 20)

/* Huge pages where the kernel grants them: with 4 KiB pages the page walks of a working set past
 * the TLB's reach lower the rate too, and the knee would mark the TLB instead of the cache. */
static double *sweep_alloc(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

/* Runs the read probe and checks that every member summed exactly the ones it read. */
static int read_checked(tb_probe_read *r)
{
    tb_probe_read_run(r);
    return tb_probe_read_err(r) == 0 ? 0 : -1;
}

int tb_llc_sweep_run(tb_team *team, uint64_t start_bytes, uint64_t max_bytes, int rounds, tb_llc_sweep *out)
{
    memset(out, 0, sizeof *out);
    for (uint64_t s = start_bytes; s <= max_bytes && out->n < TB_LLC_SWEEP_MAX_POINTS; s *= 2)
        out->bytes[out->n++] = s;
    if (out->n < 2)
        return tb_fail(TB_EXIT_RUNTIME, "the cache sweep needs working sets from %llu to %llu bytes: too little memory",
                       (unsigned long long)start_bytes, (unsigned long long)max_bytes);
    out->rounds = rounds;
    int rc = 0;
    tb_probe_kernels pk;
    tb_probe_kernels_best(&pk);
    tb_probe_read j = {0};
    size_t arr_bytes = (size_t)out->bytes[out->n - 1];
    double *arr = sweep_alloc(arr_bytes);
    if (!arr || tb_probe_read_init(&j, team, pk.read, arr, arr_bytes / sizeof(double), 1, "the cache sweep's sums")) {
        rc = arr ? TB_EXIT_RUNTIME
                 : tb_fail(TB_EXIT_RUNTIME, "out of memory mapping %zu bytes for the cache sweep", arr_bytes);
        goto out;
    }
    tb_probe_read_fill_ones(&j);
    /* Sizes interleaved round by round, so a noisy neighbour's burst lowers one point of one
     * round instead of a whole stretch of the curve; the best of the rounds is kept, since noise
     * only ever lowers a rate. */
    for (int r = 0; r < rounds && !tb_interrupted; r++)
        for (int i = 0; i < out->n && !tb_interrupted; i++) {
            j.n = (size_t)(out->bytes[i] / sizeof(double));
            j.passes = 1; /* untimed: brings the working set into whatever holds it */
            int bad = read_checked(&j);
            uint64_t passes = (SWEEP_BYTES_PER_POINT + out->bytes[i] - 1) / out->bytes[i];
            j.passes = passes < 2 ? 2 : (int)passes;
            uint64_t t0 = tb_now_ns();
            bad |= read_checked(&j);
            uint64_t t1 = tb_now_ns();
            if (bad) {
                rc = tb_fail(TB_EXIT_CHECK, "the cache sweep's read kernel (%s) summed wrongly: no size was measured",
                             pk.suffix);
                goto out;
            }
            double gbps = (double)out->bytes[i] * j.passes / (double)(t1 > t0 ? t1 - t0 : 1);
            if (gbps > out->gbps[i])
                out->gbps[i] = gbps;
        }
    if (tb_interrupted)
        rc = tb_fail(tb_interrupted_status(), "interrupted while measuring the last-level cache");
out:
    if (arr)
        munmap(arr, arr_bytes);
    tb_probe_read_free(&j);
    return rc;
}
