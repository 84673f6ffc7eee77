/* GEMM: the OpenBLAS backend against the double reference on odd shapes, and OpenBLAS's threads
 * really running on the team's CPUs. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <tokbench/backend_openblas.h>
#include <tokbench/gemm.h>

#include "bench.h"
#include "blas.h"
#include "tasks.h"
#include "team.h"
#include "testmain.h"
#include "testutil.h"
#include "topo.h"

/* None of these is a multiple of any tile size (4, 6, 8, 16, 32, 64). */
static const int shapes[][3] = {
    {1, 1, 1},   {1, 257, 131}, {2, 3, 5},   {7, 13, 257}, {13, 1, 97},
    {31, 67, 1}, {33, 129, 65}, {65, 97, 255}, {127, 5, 33}, {257, 257, 257},
};

/* max over elements of |c - ref| / Σ|a·w| */
static double max_err(const float *a, const float *w, const float *c, tb_gemm_dims d)
{
    double worst = 0;
    for (int64_t i = 0; i < d.m; i++)
        for (int64_t j = 0; j < d.n; j++) {
            double v, mag;
            tb_gemm_f32_ref_dot(a + i * d.k, w + j * d.k, d.k, &v, &mag);
            double e = fabs((double)c[i * d.n + j] - v) / (mag > 0 ? mag : 1);
            if (!(e <= worst))
                worst = e;
        }
    return worst;
}

START_TEST(openblas_matches_reference_on_odd_shapes)
{
    tb_gemm_dims d = {shapes[_i][0], shapes[_i][1], shapes[_i][2]};
    float *a = malloc(sizeof(float) * (size_t)(d.m * d.k)), *w = malloc(sizeof(float) * (size_t)(d.n * d.k));
    float *c = malloc(sizeof(float) * (size_t)(d.m * d.n)), *r = malloc(sizeof(float) * (size_t)(d.m * d.n));
    tb_test_fill(a, (size_t)(d.m * d.k), 1 + (uint64_t)_i);
    tb_test_fill(w, (size_t)(d.n * d.k), 100 + (uint64_t)_i);
    for (int64_t i = 0; i < d.m * d.n; i++)
        c[i] = NAN;
    tb_gemm_f32_openblas(a, w, c, d);
    double e = max_err(a, w, c, d);
    ck_assert_msg(e <= tb_gemm_f32_tolerance(d.k), "%ldx%ldx%ld: error %g above bound %g", (long)d.m, (long)d.n,
                  (long)d.k, e, tb_gemm_f32_tolerance(d.k));
    /* the float reference rounds the double sum once: error at most 2^-24 relative */
    tb_gemm_f32_ref(a, w, r, d, 0, d.n);
    ck_assert(max_err(a, w, r, d) <= ldexp(1.0, -24));
    free(a);
    free(w);
    free(c);
    free(r);
}
END_TEST

START_TEST(bound_catches_one_dropped_term)
{
    /* A kernel that loses the last k term must fail the check even at K = 4096. */
    enum { K = 4096, N = 64 };
    float *a = malloc(sizeof(float) * K), *w = malloc(sizeof(float) * K * N), c[N];
    tb_test_fill(a, K, 7);
    tb_test_fill(w, (size_t)K * N, 8);
    double worst = 0;
    for (int j = 0; j < N; j++) {
        double v_short, mag_short, v, mag;
        tb_gemm_f32_ref_dot(a, w + (size_t)j * K, K - 1, &v_short, &mag_short);
        tb_gemm_f32_ref_dot(a, w + (size_t)j * K, K, &v, &mag);
        c[j] = (float)v_short;
        double e = fabs((double)c[j] - v) / mag;
        worst = e > worst ? e : worst;
    }
    ck_assert_msg(worst > tb_gemm_f32_tolerance(K), "dropped term went unnoticed: %g <= %g", worst,
                  tb_gemm_f32_tolerance(K));
    free(a);
    free(w);
}
END_TEST

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

START_TEST(two_thread_openblas_runs_on_two_cpus)
{
    tb_topo tp;
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    if (tb_topo_allowed_cores(&tp) < 2) {
        tb_topo_destroy(&tp);
        return; /* reported by the SKIP of the meson test 'platform/gemm-2cpu' on such machines */
    }
    tb_place_req req = {2, NULL, 0};
    static tb_plan plan;
    ck_assert_int_eq(tb_topo_plan(&tp, &req, &plan), 0);
    tb_team *tm;
    ck_assert_int_eq(tb_team_create(&tm, &tp, &plan), 0);
    ck_assert_int_eq(tb_blas_place(tm), 0);

    enum { S = 512 };
    float *a = calloc(S * S, sizeof(float)), *c = calloc(S * S, sizeof(float));
    tb_test_fill(a, S * S, 3);
    static tb_task before[TB_MAX_TASKS], after[TB_MAX_TASKS];
    int nb = tb_tasks_list(before, TB_MAX_TASKS);
    double t0 = now_s();
    tb_gemm_dims d = {S, S, S};
    while (now_s() - t0 < 0.5)
        tb_gemm_f32_openblas(a, a, c, d);
    double wall = now_s() - t0;
    int na = tb_tasks_list(after, TB_MAX_TASKS);

    /* The thread bound to the team's second CPU alone, and not ours, is OpenBLAS's worker. The
     * masks are the proof of two CPUs (each thread may run only on its own); CPU time only shows
     * that both took part, so its threshold is low enough to hold on a loaded machine. */
    double worker_cpu = -1, caller_cpu = -1;
    for (int i = 0; i < na; i++) {
        double prev = 0;
        for (int j = 0; j < nb; j++)
            if (before[j].tid == after[i].tid)
                prev = before[j].cpu_seconds;
        double used = after[i].cpu_seconds - prev;
        int ours = after[i].tid == tb_team_tid(tm, 0) || after[i].tid == tb_team_tid(tm, 1);
        if (!ours && after[i].n_cpus == 1 && after[i].first_cpu == plan.slot[1].os_pu)
            worker_cpu = used;
        if (after[i].tid == tb_team_tid(tm, 0)) {
            ck_assert_int_eq(after[i].n_cpus, 1);
            ck_assert_int_eq(after[i].first_cpu, plan.slot[0].os_pu);
            caller_cpu = used;
        }
    }
    ck_assert_msg(worker_cpu >= 0.05 * wall, "OpenBLAS worker on CPU %d used %.3f s of %.3f s", plan.slot[1].os_pu,
                  worker_cpu, wall);
    ck_assert_msg(caller_cpu >= 0.05 * wall, "caller on CPU %d used %.3f s of %.3f s", plan.slot[0].os_pu, caller_cpu,
                  wall);
    json_t *info = tb_blas_info_json(tm);
    ck_assert_int_eq(json_integer_value(json_object_get(info, "threads")), 2);
    json_decref(info);
    free(a);
    free(c);
    tb_team_destroy(tm);
    tb_topo_destroy(&tp);
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("gemm");
    const TTest *const reference[] = {bound_catches_one_dropped_term, NULL};
    TCase *tc = tb_test_add_tcase(s, "reference", 60, reference);
    tcase_add_loop_test(tc, openblas_matches_reference_on_odd_shapes, 0, (int)(sizeof shapes / sizeof *shapes));
    const TTest *const placement[] = {two_thread_openblas_runs_on_two_cpus, NULL};
    tb_test_add_tcase(s, "placement", 60, placement);
    return s;
}

/* Alone, `check_openblas --placement` runs the placement case, and only where two cores are
 * allowed (meson test 'platform/gemm-2cpu'); otherwise the reference case runs. */
const tb_test_spec tb_test_this = {
    .suite = build_suite,
    .tcase = "reference",
    .alone = {"--placement", "placement", tb_test_cores_allowed, 2},
};
