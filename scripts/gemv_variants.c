/* How close does each way of reading GEMV weights come to the read probe on this machine? The
 * AVX-512 variants of a float GEMV (streams, prefetch distance and kind, k-unrolled accumulators)
 * and the quantized kernels this binary has (AVX2 and VNNI, rows and 8-row interleaved, four
 * streams or one group at a time) are timed against tb_stream_read_avx512 on the same bytes, all
 * interleaved in rounds on two threads pinned to CPUs 0 and 1, the weights rotated through copies
 * of at least 512 MiB so every call reads DRAM.
 *
 * Each call is timed by the larger of its two threads' CPU times (CLOCK_THREAD_CPUTIME_ID): on a
 * shared VM, wall time mostly measures other tenants' time slices. Set WALL=1 for wall time.
 *
 * Not part of the build (x86-64 with AVX-512 F/BW/VL, a built tree). Usage:
 *   cc -O3 -Wall -Wextra -mavx2 -mfma -mf16c -mavx512f -mavx512bw -mavx512vl -Iinclude \
 *      -o /tmp/gemv_variants scripts/gemv_variants.c build/kernels/libtbkernels.a -lm -lpthread
 *   /tmp/gemv_variants DTYPE [VARIANTS] [ROUNDS]
 * DTYPE: f32, bf16, f16 (the dispatched AVX-512 kernel plus VARIANTS, a comma list of names from
 * FLOAT_VARIANTS below: s<streams>, p<bytes> of prefetch, n non-temporal, u two accumulators per
 * row) or q8_0, q4_0 (the x86 quantized kernels). Prints, per variant, the median over ROUNDS (40)
 * of read time / variant time: 1 reads as fast as the probe. */
#define _GNU_SOURCE
#include <stdio.h>

#if !defined(__x86_64__) || !defined(__AVX512F__)
int main(void)
{
    fputs("gemv_variants: x86-64 built with -mavx512f -mavx512bw -mavx512vl only\n", stderr);
    return 1;
}
#else
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <tokbench/dtype.h>
#include <tokbench/kernels.h>
#include <tokbench/probes.h>

#include "../kernels/common/tiers.h"

enum { N = 11008, K = 4096, MAXV = 24 };

typedef void (*float_fn)(const char *w, int64_t n0, int64_t n1);
typedef struct {
    char name[32];
    float_fn float_gemv;  /* a float variant of this file */
    tb_matmul_rows_fn fn; /* or a library kernel */
    int plain;                    /* fn takes the plain rows, not the interleaved copy */
    int per_group;                /* fn called one group of 8 rows at a time */
} variant;

static tb_dtype dt;
static int esz; /* float weight bytes */
static variant vars[MAXV];
static int nvars;
static size_t wbytes;
static char *pool, *plain; /* copies of the weights: as the kernel takes them, and plain rows */
static int copies;
static const float *act;
static void *act_q8;
static float *out;

static inline __m512 load_w(const char *p)
{
    if (dt == TB_DT_F32)
        return _mm512_loadu_ps((const float *)p);
    __m256i h = _mm256_loadu_si256((const __m256i *)p);
    if (dt == TB_DT_BF16)
        return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
    return _mm512_cvtph_ps(h);
}

/* Rows [n0, n1) in S contiguous runs, one row of each per block (the kernels' scheme); PF bytes
 * of prefetch ahead in each run (NTA: non-temporal), U accumulators per row. Constant arguments
 * at every call, so the accumulators stay in registers. */
static inline __attribute__((always_inline)) void float_gemv(const char *w, int64_t n0, int64_t n1, const int S,
                                                             const int PF, const int NTA, const int U)
{
    const int64_t per = (n1 - n0) / S, row = (int64_t)K * esz;
    for (int64_t i = 0; i < per; i++) {
        const char *r[8];
        __m512 acc[8][2];
        for (int t = 0; t < S; t++) {
            r[t] = w + (n0 + t * per + i) * row;
            acc[t][0] = acc[t][1] = _mm512_setzero_ps();
        }
        for (int64_t kk = 0; kk < K; kk += 16 * U)
            for (int u = 0; u < U; u++) {
                const __m512 av = _mm512_loadu_ps(act + kk + 16 * u);
                const int64_t at = (kk + 16 * u) * esz;
                for (int t = 0; t < S; t++) {
                    if (PF && at % 64 == 0) {
                        const char *p = (const char *)((uintptr_t)r[t] + (uintptr_t)(at + PF));
                        if (NTA)
                            _mm_prefetch(p, _MM_HINT_NTA);
                        else
                            _mm_prefetch(p, _MM_HINT_T0);
                    }
                    acc[t][u] = _mm512_fmadd_ps(av, load_w(r[t] + at), acc[t][u]);
                }
            }
        for (int t = 0; t < S; t++)
            out[n0 + t * per + i] = _mm512_reduce_add_ps(_mm512_add_ps(acc[t][0], acc[t][1]));
    }
}

/* The float variants: name, streams, prefetch bytes, non-temporal, accumulators per row. */
#define FLOAT_VARIANTS(X)                                                                             \
    X(s4, 4, 0, 0, 1) X(s4p512, 4, 512, 0, 1) X(s4p1024, 4, 1024, 0, 1) X(s4p2048, 4, 2048, 0, 1)     \
    X(s4p4096, 4, 4096, 0, 1) X(s4p1024n, 4, 1024, 1, 1) X(s2, 2, 0, 0, 1) X(s8, 8, 0, 0, 1)          \
    X(s8p1024, 8, 1024, 0, 1) X(s4u, 4, 0, 0, 2)
#define DEFINE_VARIANT(name, S, PF, NTA, U) \
    static void name(const char *w, int64_t n0, int64_t n1) { float_gemv(w, n0, n1, S, PF, NTA, U); }
FLOAT_VARIANTS(DEFINE_VARIANT)

static const struct {
    const char *name;
    float_fn fn;
} float_variants[] = {
#define LIST_VARIANT(name, S, PF, NTA, U) {#name, name},
    FLOAT_VARIANTS(LIST_VARIANT)
};

/* -1: the read probe. The thread's share is half of the rows (a multiple of 8). */
static void run_share(int v, int copy, int tid)
{
    const int64_t half = N / 2 / 8 * 8, n0 = tid ? half : 0, n1 = tid ? N : half;
    const char *w = pool + (size_t)copy * wbytes;
    if (v < 0) {
        size_t nd = wbytes / 8, b = nd * (size_t)tid / 2, e = nd * (size_t)(tid + 1) / 2;
        volatile double sink = tb_stream_read_avx512((const double *)w + b, e - b);
        (void)sink;
        return;
    }
    const variant *x = &vars[v];
    if (x->float_gemv) {
        x->float_gemv(w, n0, n1);
        return;
    }
    const void *a = tb_dtype_is_quantized(dt) ? act_q8 : (const void *)act;
    if (x->plain)
        w = plain + (size_t)copy * wbytes;
    if (x->per_group)
        for (int64_t g = n0; g < n1; g += 8)
            x->fn(w, a, out, 1, N, K, g, g + 8);
    else
        x->fn(w, a, out, 1, N, K, n0, n1);
}

/* Two threads: this one (CPU 0) and a worker (CPU 1) spinning on a generation counter. */
static atomic_int generation, finished;
static int job_v, job_copy;
static double cpu_s[2];

static double clock_s(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void timed_share(int tid)
{
    double t0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    run_share(job_v, job_copy, tid);
    cpu_s[tid] = clock_s(CLOCK_THREAD_CPUTIME_ID) - t0;
}

static void pin(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    if (sched_setaffinity(0, sizeof s, &s) != 0)
        perror("sched_setaffinity");
}

static void *worker(void *arg)
{
    (void)arg;
    pin(1);
    int seen = 0;
    for (;;) {
        while (atomic_load(&generation) == seen)
            ;
        seen = atomic_load(&generation);
        if (seen < 0)
            return NULL;
        timed_share(1);
        atomic_fetch_add(&finished, 1);
    }
}

static double timed_call(int v, int copy, int wall)
{
    job_v = v;
    job_copy = copy;
    atomic_store(&finished, 0);
    double t0 = clock_s(CLOCK_MONOTONIC);
    atomic_fetch_add(&generation, 1);
    timed_share(0);
    while (atomic_load(&finished) < 1)
        ;
    return wall ? clock_s(CLOCK_MONOTONIC) - t0 : cpu_s[0] > cpu_s[1] ? cpu_s[0] : cpu_s[1];
}

static void add_kernel(const char *name, tb_matmul_rows_fn fn, int plain_rows, int per_group)
{
    variant *v = &vars[nvars++];
    snprintf(v->name, sizeof v->name, "%s", name);
    v->fn = fn;
    v->plain = plain_rows;
    v->per_group = per_group;
}

static int add_float_variant(const char *name)
{
    for (size_t i = 0; i < sizeof float_variants / sizeof *float_variants; i++)
        if (!strcmp(float_variants[i].name, name)) {
            variant *v = &vars[nvars++];
            snprintf(v->name, sizeof v->name, "%s", name);
            v->float_gemv = float_variants[i].fn;
            return 0;
        }
    return -1;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

int main(int argc, char **argv)
{
    if (argc < 2 || tb_dtype_from_name(argv[1], &dt) != 0) {
        fputs("usage: gemv_variants f32|bf16|f16|q8_0|q4_0 [VARIANTS] [ROUNDS]\n", stderr);
        return 2;
    }
    if (!tb_isa_available(TB_ISA_AVX512) || !tb_x86_has_avx512_vnni()) {
        fputs("gemv_variants: needs AVX-512 F/BW/VL and VNNI\n", stderr);
        return 1;
    }
    const int rounds = argc > 3 ? atoi(argv[3]) : 40, wall = getenv("WALL") != NULL;
    const int quant = tb_dtype_is_quantized(dt);
    tb_kernels kern;
    tb_kernels_init(&kern, TB_ISA_AVX512);
    if (quant) {
        int q8 = dt == TB_DT_Q8_0;
        add_kernel("avx2_x8", q8 ? tb_matmul_q8_0x8_avx2 : tb_matmul_q4_0x8_avx2, 0, 0);
        add_kernel("vnni_x8", q8 ? tb_matmul_q8_0x8_avx512vnni : tb_matmul_q4_0x8_avx512vnni, 0, 0);
        add_kernel("vnni_x8_group", q8 ? tb_matmul_q8_0x8_avx512vnni : tb_matmul_q4_0x8_avx512vnni, 0, 1);
        add_kernel("vnni_rows", q8 ? tb_matmul_q8_0_avx512vnni : tb_matmul_q4_0_avx512vnni, 1, 0);
    } else {
        esz = dt == TB_DT_F32 ? 4 : 2;
        add_kernel(kern.gemv_info[dt].name, kern.gemv[dt], 0, 0);
        char *list = strdup(argc > 2 ? argv[2] : "");
        for (char *t = strtok(list, ","); t && nvars < MAXV; t = strtok(NULL, ","))
            if (add_float_variant(t) != 0) {
                fprintf(stderr, "gemv_variants: no variant '%s' (FLOAT_VARIANTS)\n", t);
                return 2;
            }
        free(list);
    }
    wbytes = tb_dtype_row_bytes(dt, K) * N;
    copies = (int)((512u << 20) / wbytes) + 1;
    pool = aligned_alloc(64, wbytes * (size_t)copies);
    plain = aligned_alloc(64, wbytes * (size_t)copies);
    float *a = aligned_alloc(64, K * sizeof(float)), *row = malloc(K * sizeof(float));
    out = aligned_alloc(64, N * sizeof(float));
    act_q8 = malloc(K / TB_QK * sizeof(tb_block_q8_0));
    if (!pool || !plain || !a || !row || !out || !act_q8) {
        fputs("gemv_variants: out of memory\n", stderr);
        return 1;
    }
    for (int i = 0; i < K; i++)
        a[i] = (float)(i % 13) * 0.01f;
    act = a;
    tb_quantize_row_q8_0_ref(a, act_q8, K);
    size_t rb = tb_dtype_row_bytes(dt, K);
    for (int64_t r = 0; r < N; r++) {
        for (int i = 0; i < K; i++)
            row[i] = (float)((r * 31 + i * 17) % 255 - 127) / 127.0f;
        tb_convert_row(dt, row, plain + r * rb, K);
    }
    if (quant)
        tb_wlayout_pack(kern.wlayout[dt], dt, plain, pool, N, K, 0, N);
    else
        memcpy(pool, plain, wbytes);
    for (int c = 1; c < copies; c++) {
        memcpy(pool + (size_t)c * wbytes, pool, wbytes);
        memcpy(plain + (size_t)c * wbytes, plain, wbytes);
    }

    pin(0);
    pthread_t th;
    pthread_create(&th, NULL, worker, NULL);
    const int nv = nvars + 1; /* and the read probe, as -1 */
    double *t = calloc((size_t)nv * (size_t)rounds, sizeof *t);
    int copy = 0;
    for (int v = -1; v < nvars; v++) /* warm-up */
        timed_call(v, copy++ % copies, wall);
    for (int r = 0; r < rounds; r++)
        for (int j = 0; j < nv; j++) { /* each round starts one variant later */
            int v = (j + r) % nv - 1;
            t[(size_t)(v + 1) * (size_t)rounds + (size_t)r] = timed_call(v, copy++ % copies, wall);
        }
    atomic_store(&generation, -1);
    pthread_join(th, NULL);

    double med[MAXV + 1];
    for (int v = 0; v < nv; v++) {
        qsort(t + (size_t)v * (size_t)rounds, (size_t)rounds, sizeof *t, cmp_double);
        med[v] = t[(size_t)v * (size_t)rounds + (size_t)rounds / 2];
    }
    printf("%s N=%d K=%d read %.2f GB/s (%s time):", argv[1], N, K, (double)wbytes / med[0] / 1e9,
           wall ? "wall" : "thread CPU");
    for (int v = 1; v < nv; v++)
        printf(" %s %.3f", vars[v - 1].name, med[0] / med[v]);
    printf("\n");
    return 0;
}
#endif
