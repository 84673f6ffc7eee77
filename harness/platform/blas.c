/* OpenBLAS thread placement and description.
 * Why this exists: OpenBLAS (pthread build, NO_AFFINITY in Debian) creates its workers either at
 * load or lazily at the first threaded call, and they inherit the creating thread's mask. On the
 * development machine, binding the main thread first made both workers share one CPU and halved
 * 2-thread sgemm. So we create them on purpose, then bind each one explicitly and check. */
#include "blas.h"

#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <tokbench/kernels.h>

#include "tb_config.h"
#include "tasks.h"
#include "util.h"

#if TB_HAVE_OPENBLAS
#include <cblas.h>

static int is_team_tid(const tb_team *tm, pid_t tid)
{
    for (int i = 0; i < tb_team_size(tm); i++)
        if (tb_team_tid(tm, i) == tid)
            return 1;
    return 0;
}

/* A product large enough for OpenBLAS to use all its threads (its cut-off is M·N·K >= 2^18). */
static void force_thread_creation(void)
{
    enum { S = 128 };
    static float a[S * S], c[S * S];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, S, S, S, 1.0f, a, S, a, S, 0.0f, c, S);
}

/* OpenBLAS picks its kernels from a table of CPU models known at its release; a newer CPU falls
 * back to the oldest x86-64 kernels (0.3.21 runs Prescott SSE3 code on an Emerald Rapids Xeon,
 * a fifth of what it can do). Compared with that, every tokbench kernel would look several
 * times better than the reference really is: say so. */
void tb_blas_warn_if_fallback_core(void)
{
    static const char *const vector_cores[] = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids",
                                               "neoversen1", "neoversen2", "neoversev1", "neoversev2", "armv8",
                                               "cortexa57", "cortexa72", "cortexa53", "thunderx2t99", "a64fx"};
    static int warned;
    const char *core = openblas_get_corename();
    if (warned || !core || !tb_isa_available(TB_ISA_AVX2))
        return;
    warned = 1;
    for (size_t i = 0; i < sizeof vector_cores / sizeof vector_cores[0]; i++)
        if (strcasecmp(core, vector_cores[i]) == 0)
            return;
    tb_warn("OpenBLAS runs its '%s' kernels on this AVX2%s CPU (a model it does not know, or OPENBLAS_CORETYPE): the openblas "
            "reference is understated; set OPENBLAS_CORETYPE=%s to compare against its fastest kernels",
            core, tb_isa_available(TB_ISA_AVX512) ? "/AVX-512" : "",
            tb_isa_available(TB_ISA_AVX512) ? "SkylakeX" : "Haswell");
}

int tb_blas_place(tb_team *tm)
{
    int n = tb_team_size(tm);
    if (openblas_get_parallel() != OPENBLAS_THREAD) {
        openblas_set_num_threads(n);
        tb_warn("OpenBLAS is not the pthread build (parallel=%d): its threads are not pinned", openblas_get_parallel());
        return 0;
    }
    openblas_set_num_threads(n);
    force_thread_creation();
    const tb_plan *plan = tb_team_plan(tm);
    for (int i = 0; i + 1 < n; i++) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(plan->slot[i + 1].os_pu, &set);
        if (openblas_setaffinity(i, sizeof set, &set) != 0)
            return tb_fail(TB_EXIT_RUNTIME, "OpenBLAS: cannot bind its thread %d to CPU %d", i, plan->slot[i + 1].os_pu);
    }
    /* Check: each of slots 1..n-1 must hold exactly one foreign (OpenBLAS) thread bound to it alone. */
    static tb_task tasks[TB_MAX_TASKS];
    int nt = tb_tasks_list(tasks, TB_MAX_TASKS);
    for (int s = 1; s < n && nt >= 0; s++) {
        int found = 0;
        for (int t = 0; t < nt; t++)
            if (!is_team_tid(tm, tasks[t].tid) && tasks[t].n_cpus == 1 && tasks[t].first_cpu == plan->slot[s].os_pu)
                found++;
        if (found != 1)
            return tb_fail(TB_EXIT_RUNTIME, "OpenBLAS: expected one worker bound to CPU %d, found %d", plan->slot[s].os_pu,
                           found);
    }
    return 0;
}

const char *tb_blas_corename(void) { return openblas_get_corename(); }

const char *tb_blas_version(void)
{
    static char ver[32];
    const char *cfg = openblas_get_config();
    if (sscanf(cfg, "OpenBLAS %31s", ver) != 1)
        snprintf(ver, sizeof ver, "unknown");
    return ver;
}

json_t *tb_blas_info_json(const tb_team *tm)
{
    json_t *o = json_pack("{s:b, s:s, s:s, s:s, s:i, s:i}", "available", 1, "version", tb_blas_version(), "config",
                          openblas_get_config(), "corename", openblas_get_corename(), "parallel",
                          openblas_get_parallel(), "threads", openblas_get_num_threads());
    if (!tm)
        return o;
    /* Every thread that is not ours belongs to OpenBLAS (the harness starts no others). */
    static tb_task tasks[TB_MAX_TASKS];
    int nt = tb_tasks_list(tasks, TB_MAX_TASKS);
    json_t *pl = json_array();
    for (int t = 0; t < nt; t++) {
        if (is_team_tid(tm, tasks[t].tid))
            continue;
        json_array_append_new(pl, json_pack("{s:i, s:s}", "tid", (int)tasks[t].tid, "cpus", tasks[t].cpus));
    }
    json_object_set_new(o, "workers", pl);
    return o;
}

#else /* !TB_HAVE_OPENBLAS */

int tb_blas_place(tb_team *tm)
{
    (void)tm;
    return 0;
}

void tb_blas_warn_if_fallback_core(void) {}

const char *tb_blas_version(void) { return NULL; }

const char *tb_blas_corename(void) { return "none"; }

json_t *tb_blas_info_json(const tb_team *tm)
{
    (void)tm;
    return json_pack("{s:b}", "available", 0);
}

#endif
