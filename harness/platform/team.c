/* Persistent pinned thread team. Workers spin briefly on a generation counter after each job so
 * that back-to-back kernel calls do not pay a futex wake-up, then sleep on a condition variable
 * so an idle team does not steal cycles from another library's threads. */
#include "team.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <tokbench/dtype.h>
#include <tokbench/rng.h>

#include "timer.h"
#include "util.h"

#define TB_SPIN_NS 50000u /* 50 µs: longer than a kernel-to-kernel gap, short against a sample */

struct tb_team {
    const tb_topo *tp;
    tb_plan plan;
    pthread_t *threads;
    pid_t *tids;
    int *bound;    /* 1 when the kernel confirmed the binding */
    int *seen_cpu; /* sched_getcpu() right after binding */

    pthread_mutex_t mu;
    pthread_cond_t cv_start, cv_done;
    atomic_uint gen;
    atomic_int pending;
    atomic_int stop;
    tb_team_fn fn;
    void *arg;

    int ready, start_err;
};

typedef struct {
    tb_team *tm;
    int id;
} worker_arg;

static int bind_self(tb_team *tm, int id)
{
    tm->tids[id] = (pid_t)syscall(SYS_gettid);
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(tm->tp->topo, (unsigned)tm->plan.slot[id].os_pu);
    if (!pu || hwloc_set_cpubind(tm->tp->topo, pu->cpuset, HWLOC_CPUBIND_THREAD | HWLOC_CPUBIND_STRICT) != 0)
        return -1;
    /* Trust but verify: read the mask back and see the CPU we are on after the migration. */
    hwloc_bitmap_t got = hwloc_bitmap_alloc();
    int ok = hwloc_get_cpubind(tm->tp->topo, got, HWLOC_CPUBIND_THREAD) == 0 && hwloc_bitmap_isequal(got, pu->cpuset);
    hwloc_bitmap_free(got);
    sched_yield();
    tm->seen_cpu[id] = sched_getcpu();
    /* A Linux kernel migrates the thread before sched_setaffinity returns, so the two agree. A
     * sandboxed kernel (gVisor) keeps the mask but reports virtual CPU numbers: the mask decides,
     * and the record keeps seen_cpu, with a warning from tb_team_create. */
    tm->bound[id] = ok;
    return ok ? 0 : -1;
}

static void *worker_main(void *p)
{
    worker_arg *wa = p;
    tb_team *tm = wa->tm;
    int id = wa->id;
    free(wa);

    int err = bind_self(tm, id);
    pthread_mutex_lock(&tm->mu);
    if (err)
        tm->start_err = 1;
    tm->ready++;
    pthread_cond_broadcast(&tm->cv_done);
    pthread_mutex_unlock(&tm->mu);

    unsigned seen = 0;
    for (;;) {
        uint64_t t0 = tb_now_ns();
        while (atomic_load(&tm->gen) == seen && !atomic_load(&tm->stop) && tb_now_ns() - t0 < TB_SPIN_NS)
            ;
        if (atomic_load(&tm->gen) == seen && !atomic_load(&tm->stop)) {
            pthread_mutex_lock(&tm->mu);
            while (atomic_load(&tm->gen) == seen && !atomic_load(&tm->stop))
                pthread_cond_wait(&tm->cv_start, &tm->mu);
            pthread_mutex_unlock(&tm->mu);
        }
        if (atomic_load(&tm->stop))
            break;
        seen = atomic_load(&tm->gen);
        tm->fn(tm->arg, id, tm->plan.n);
        if (atomic_fetch_sub(&tm->pending, 1) == 1) {
            pthread_mutex_lock(&tm->mu);
            pthread_cond_signal(&tm->cv_done);
            pthread_mutex_unlock(&tm->mu);
        }
    }
    return NULL;
}

int tb_team_create(tb_team **out, const tb_topo *tp, const tb_plan *plan)
{
    *out = NULL;
    if (!tp->this_system)
        return tb_fail(TB_EXIT_RUNTIME, "cannot bind threads on a topology loaded from XML");
    tb_team *tm = calloc(1, sizeof *tm);
    if (!tm)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory creating the thread team");
    int n = plan->n;
    tm->tp = tp;
    tm->plan = *plan;
    tm->threads = calloc((size_t)n, sizeof *tm->threads);
    tm->tids = calloc((size_t)n, sizeof *tm->tids);
    tm->bound = calloc((size_t)n, sizeof *tm->bound);
    tm->seen_cpu = calloc((size_t)n, sizeof *tm->seen_cpu);
    if (!tm->threads || !tm->tids || !tm->bound || !tm->seen_cpu) {
        tb_team_destroy(tm);
        return tb_fail(TB_EXIT_RUNTIME, "out of memory creating the thread team");
    }
    pthread_mutex_init(&tm->mu, NULL);
    pthread_cond_init(&tm->cv_start, NULL);
    pthread_cond_init(&tm->cv_done, NULL);
    atomic_init(&tm->gen, 0);
    atomic_init(&tm->pending, 0);
    atomic_init(&tm->stop, 0);

    int started = 1;
    for (int i = 1; i < n; i++) {
        worker_arg *wa = malloc(sizeof *wa);
        if (!wa)
            break;
        wa->tm = tm;
        wa->id = i;
        if (pthread_create(&tm->threads[i], NULL, worker_main, wa) != 0) {
            free(wa);
            break;
        }
        started++;
    }
    /* Workers are created before the caller binds itself so they never inherit a 1-CPU mask. */
    int self_err = bind_self(tm, 0);
    pthread_mutex_lock(&tm->mu);
    while (tm->ready < started - 1)
        pthread_cond_wait(&tm->cv_done, &tm->mu);
    pthread_mutex_unlock(&tm->mu);
    tm->plan.n = started; /* destroy joins only what exists */
    if (started < n) {
        tb_team_destroy(tm);
        return tb_fail(TB_EXIT_RUNTIME, "could not start %d worker threads", n);
    }
    if (self_err || tm->start_err) {
        for (int i = 0; i < n; i++)
            if (!tm->bound[i]) {
                int pu = plan->slot[i].os_pu, seen = tm->seen_cpu[i];
                tb_team_destroy(tm);
                return tb_fail(TB_EXIT_RUNTIME, "thread %d could not be bound to CPU %d (it runs on CPU %d)", i, pu,
                               seen);
            }
    }
    for (int i = 0; i < n; i++)
        if (tm->seen_cpu[i] != plan->slot[i].os_pu) {
            tb_warn("thread %d: the kernel kept its binding to CPU %d but says it runs on CPU %d "
                    "(a sandboxed kernel?): placement is as requested but unconfirmed",
                    i, plan->slot[i].os_pu, tm->seen_cpu[i]);
            break;
        }
    *out = tm;
    return 0;
}

void tb_team_destroy(tb_team *tm)
{
    if (!tm)
        return;
    pthread_mutex_lock(&tm->mu);
    atomic_store(&tm->stop, 1);
    pthread_cond_broadcast(&tm->cv_start);
    pthread_mutex_unlock(&tm->mu);
    for (int i = 1; i < tm->plan.n; i++)
        if (tm->threads && tm->threads[i])
            pthread_join(tm->threads[i], NULL);
    pthread_mutex_destroy(&tm->mu);
    pthread_cond_destroy(&tm->cv_start);
    pthread_cond_destroy(&tm->cv_done);
    free(tm->threads);
    free(tm->tids);
    free(tm->bound);
    free(tm->seen_cpu);
    free(tm);
}

int tb_team_size(const tb_team *tm) { return tm->plan.n; }
const tb_plan *tb_team_plan(const tb_team *tm) { return &tm->plan; }
pid_t tb_team_tid(const tb_team *tm, int i) { return tm->tids[i]; }

void tb_team_run(tb_team *tm, tb_team_fn fn, void *arg)
{
    int n = tm->plan.n;
    if (n == 1) {
        fn(arg, 0, 1);
        return;
    }
    tm->fn = fn;
    tm->arg = arg;
    atomic_store(&tm->pending, n - 1);
    pthread_mutex_lock(&tm->mu);
    atomic_fetch_add(&tm->gen, 1);
    pthread_cond_broadcast(&tm->cv_start);
    pthread_mutex_unlock(&tm->mu);

    fn(arg, 0, n);

    uint64_t t0 = tb_now_ns();
    while (atomic_load(&tm->pending) > 0 && tb_now_ns() - t0 < TB_SPIN_NS)
        ;
    if (atomic_load(&tm->pending) > 0) {
        pthread_mutex_lock(&tm->mu);
        while (atomic_load(&tm->pending) > 0)
            pthread_cond_wait(&tm->cv_done, &tm->mu);
        pthread_mutex_unlock(&tm->mu);
    }
}

void tb_team_split(size_t n, size_t grain, int tid, int nthreads, size_t *begin, size_t *end)
{
    if (grain == 0)
        grain = 1;
    size_t units = (n + grain - 1) / grain;
    size_t per = units / (size_t)nthreads, extra = units % (size_t)nthreads;
    size_t t = (size_t)tid;
    size_t b = t * per + (t < extra ? t : extra);
    size_t e = b + per + (t < extra);
    *begin = b * grain < n ? b * grain : n;
    *end = e * grain < n ? e * grain : n;
}

typedef struct {
    char *buf;
    size_t n;
    int elem_bytes;
    uint64_t seed;
} fill_job;

static void fill_worker(void *p, int tid, int nt)
{
    fill_job *j = p;
    size_t b, e;
    tb_team_split(j->n, 1024, tid, nt, &b, &e);
    for (size_t i = b; i < e; i++) {
        float x = tb_rand_sym(j->seed, i);
        if (j->elem_bytes == 2) {
            uint16_t h = tb_f32_to_f16(x);
            memcpy(j->buf + 2 * i, &h, 2);
        } else {
            memcpy(j->buf + 4 * i, &x, 4);
        }
    }
}

void tb_team_fill_random_as(tb_team *tm, void *buf, size_t n, int elem_bytes, uint64_t seed)
{
    fill_job j = {buf, n, elem_bytes, seed};
    tb_team_run(tm, fill_worker, &j);
}

void tb_team_fill_random(tb_team *tm, float *buf, size_t n, uint64_t seed)
{
    tb_team_fill_random_as(tm, buf, n, 4, seed);
}

int tb_team_cores(const tb_team *tm)
{
    int n = 0;
    for (int i = 0; i < tm->plan.n; i++) {
        int seen = 0;
        for (int j = 0; j < i; j++)
            seen |= tm->plan.slot[j].core_logical == tm->plan.slot[i].core_logical;
        n += !seen;
    }
    return n;
}

json_t *tb_team_cpus_json(const tb_team *tm)
{
    json_t *a = json_array();
    for (int i = 0; i < tm->plan.n; i++)
        json_array_append_new(a, json_integer(tm->plan.slot[i].os_pu));
    return a;
}

json_t *tb_team_placement_json(const tb_team *tm)
{
    json_t *arr = json_array();
    for (int i = 0; i < tm->plan.n; i++) {
        const tb_slot *s = &tm->plan.slot[i];
        json_array_append_new(arr, json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:b, s:i}", "thread", i, "os_pu",
                                             s->os_pu, "core", s->core_logical, "core_os", s->core_os, "numa_node",
                                             s->numa_os, "package", s->package_os, "tid", (int)tm->tids[i], "bound",
                                             tm->bound[i], "seen_cpu", tm->seen_cpu[i]));
    }
    return arr;
}
