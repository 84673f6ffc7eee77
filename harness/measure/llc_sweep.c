/* The read-bandwidth sweep that finds where a team's working set leaves the last-level cache. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <tokbench/probes.h>

#include "llc.h"
#include "measure.h"
#include "timer.h"
#include "util.h"

/* Bytes each timed measurement reads at least: long enough that a clock step and the team's
 * wake-up are far below 1% of it even for sizes that sit in L2. */
#define SWEEP_BYTES_PER_POINT (64ull << 20)

typedef struct {
    double *arr;
    size_t n; /* doubles of the working set being read */
    int passes;
    tb_stream_read_fn read;
    double *sums; /* per member, 8 apart (no false sharing) */
} sweep_job;

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

static void ones_worker(void *p, int tid, int nt)
{
    sweep_job *j = p;
    size_t b, e;
    tb_team_split(j->n, 512, tid, nt, &b, &e);
    for (size_t i = b; i < e; i++)
        j->arr[i] = 1.0;
}

static void read_worker(void *p, int tid, int nt)
{
    sweep_job *j = p;
    size_t b, e;
    tb_team_split(j->n, 512, tid, nt, &b, &e);
    double s = 0;
    for (int r = 0; r < j->passes; r++)
        s += j->read(j->arr + b, e - b);
    j->sums[tid * 8] = s;
}

/* Runs the job and checks that every member summed exactly the ones it read. */
static int read_checked(tb_team *team, sweep_job *j)
{
    tb_team_run(team, read_worker, j);
    double total = 0;
    for (int t = 0; t < tb_team_size(team); t++)
        total += j->sums[t * 8];
    return total == (double)j->n * (double)j->passes ? 0 : -1;
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
    int nt = tb_team_size(team), rc = 0;
    tb_probe_kernels pk;
    tb_probe_kernels_best(&pk);
    sweep_job j = {.read = pk.read};
    size_t arr_bytes = (size_t)out->bytes[out->n - 1];
    j.arr = sweep_alloc(arr_bytes);
    j.sums = tb_alloc((size_t)nt * 8 * sizeof(double), "the cache sweep's sums");
    if (!j.arr || !j.sums) {
        rc = j.arr ? TB_EXIT_RUNTIME
                   : tb_fail(TB_EXIT_RUNTIME, "out of memory mapping %zu bytes for the cache sweep", arr_bytes);
        goto out;
    }
    j.n = (size_t)(out->bytes[out->n - 1] / sizeof(double));
    tb_team_run(team, ones_worker, &j);
    /* Sizes interleaved round by round, so a noisy neighbour's burst lowers one point of one
     * round instead of a whole stretch of the curve; the best of the rounds is kept, since noise
     * only ever lowers a rate. */
    for (int r = 0; r < rounds && !tb_interrupted; r++)
        for (int i = 0; i < out->n && !tb_interrupted; i++) {
            j.n = (size_t)(out->bytes[i] / sizeof(double));
            j.passes = 1; /* untimed: brings the working set into whatever holds it */
            int bad = read_checked(team, &j);
            uint64_t passes = (SWEEP_BYTES_PER_POINT + out->bytes[i] - 1) / out->bytes[i];
            j.passes = passes < 2 ? 2 : (int)passes;
            uint64_t t0 = tb_now_ns();
            bad |= read_checked(team, &j);
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
        rc = tb_fail(TB_EXIT_RUNTIME, "interrupted while measuring the last-level cache");
out:
    if (j.arr)
        munmap(j.arr, arr_bytes);
    tb_free(j.sums);
    return rc;
}
