/* bench stream: the machine's memory bandwidth, the ceiling every memory-bound figure is graded
 * against (bench peak: bench_peak.c). Same protocol as the kernels: checked, then timed
 * interleaved, every sample kept; a probe that fails its check is never timed. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include <tokbench/probes.h>

#include "bench.h"
#include "bench_case.h"
#include "measure.h"
#include "probe_opts.h"
#include "sysinfo.h"
#include "util.h"
#include "workset.h"

/* Per-thread results, each on its own cache line so threads do not share one while timed. */
typedef struct {
    double v;
    char pad[56];
} line_double;

enum { V_COPY, V_SCALE, V_ADD, V_TRIAD, V_READ, NV };
static const char *const v_name[NV] = {"copy", "scale", "add", "triad", "read"};
static const char *const v_formula[NV] = {"c = a", "c = s*a", "c = a + b", "c = a + s*b", "sum(a)"};
/* STREAM's counting: bytes the loop names (read and written), no write-allocate traffic. */
static const int v_bytes[NV] = {16, 16, 24, 24, 8};
static const int v_flops[NV] = {0, 1, 1, 2, 1};

#define STREAM_SCALAR 3.0
/* checkSTREAMresults' epsilon for doubles (ours is per element, not averaged: stricter). */
#define STREAM_TOL 1e-13
/* Slices are whole 4 KiB pages, so the thread that first touches a page is the one that uses it. */
#define STREAM_GRAIN 512

enum { JOB_INIT, JOB_POISON, JOB_RUN, JOB_VERIFY };

typedef struct {
    tb_team *team;
    tb_probe_kernels k;
    double *a, *b, *c; /* a and b are inputs only, c is every variant's output (why: tb_bench_stream) */
    size_t n;
    double s;
    int job, cur;
    int last_write; /* the last variant that wrote c: the post-timing check looks at it */
    line_double *sum, *err, *expect; /* per thread */
} stream_ctx;

typedef struct {
    stream_ctx *s;
    int id;
} stream_variant;

/* Small integers, so every variant's exact result is representable and every sum is exact in any
 * order; neighbours differ, so a shifted or skipped element shows. */
static double val_a(size_t i) { return (double)(1 + i % 1000); }
static double val_b(size_t i) { return (double)(2 + (i * 7) % 1000); }

static double expected(int v, size_t i, double s)
{
    switch (v) {
    case V_COPY:
        return val_a(i);
    case V_SCALE:
        return s * val_a(i);
    case V_ADD:
        return val_a(i) + val_b(i);
    default:
        return val_a(i) + s * val_b(i);
    }
}

static void stream_worker(void *p, int tid, int nt)
{
    stream_ctx *s = p;
    size_t b, e;
    tb_team_split(s->n, STREAM_GRAIN, tid, nt, &b, &e);
    size_t m = e - b;
    switch (s->job) {
    case JOB_INIT: /* first touch: this thread's pages of all three arrays */
        for (size_t i = b; i < e; i++) {
            s->a[i] = val_a(i);
            s->b[i] = val_b(i);
            s->c[i] = 0;
        }
        break;
    case JOB_POISON: /* a kernel that skips an element cannot inherit an earlier variant's answer */
        for (size_t i = b; i < e; i++)
            s->c[i] = NAN;
        break;
    case JOB_RUN:
        switch (s->cur) {
        case V_COPY:
            s->k.copy(s->c + b, s->a + b, m);
            break;
        case V_SCALE:
            s->k.scale(s->c + b, s->a + b, s->s, m);
            break;
        case V_ADD:
            s->k.add(s->c + b, s->a + b, s->b + b, m);
            break;
        case V_TRIAD:
            s->k.triad(s->c + b, s->a + b, s->b + b, s->s, m);
            break;
        default:
            s->sum[tid].v = s->k.read(s->a + b, m);
        }
        break;
    case JOB_VERIFY: /* the scalar replay, as STREAM's checkSTREAMresults */
        if (s->cur == V_READ) {
            double x = 0;
            for (size_t i = b; i < e; i++)
                x += val_a(i);
            s->expect[tid].v = x;
        } else {
            double worst = 0;
            for (size_t i = b; i < e; i++) {
                double want = expected(s->cur, i, s->s);
                double r = fabs(s->c[i] - want) / fabs(want);
                if (!(r <= worst))
                    worst = isnan(r) ? INFINITY : r;
            }
            s->err[tid].v = worst;
        }
        break;
    }
}

static void stream_job(stream_ctx *s, int job, int v)
{
    s->job = job;
    s->cur = v;
    tb_team_run(s->team, stream_worker, s);
}

static void stream_call(void *p, uint64_t turn)
{
    (void)turn;
    stream_variant *sv = p;
    if (sv->id != V_READ)
        sv->s->last_write = sv->id;
    stream_job(sv->s, JOB_RUN, sv->id);
}

/* Max relative error of variant v's last result against the replay. */
static double stream_verify(stream_ctx *s, int v)
{
    int nt = tb_team_size(s->team);
    stream_job(s, JOB_VERIFY, v);
    if (v == V_READ) {
        double got = 0, want = 0;
        for (int t = 0; t < nt; t++) {
            got += s->sum[t].v;
            want += s->expect[t].v;
        }
        double r = want != 0 ? fabs(got - want) / fabs(want) : (got == 0 ? 0 : INFINITY);
        return isnan(r) ? INFINITY : r;
    }
    double worst = 0;
    for (int t = 0; t < nt; t++)
        worst = s->err[t].v > worst ? s->err[t].v : worst;
    return worst;
}

/* --shape for stream: elements per array ("16777216") or bytes per array with a binary unit
 * ("256MiB", "1GiB", "512KiB"). -1 when malformed or out of range. */
static int parse_stream_size(const char *str, uint64_t *elements)
{
    uint64_t n;
    if (tb_parse_bytes(str, &n) != 0)
        return -1;
    if (str[strspn(str, "0123456789")] != '\0')
        n /= sizeof(double); /* a unit: bytes, not elements */
    /* Three arrays must be addressable; anything this large fails the memory check anyway. */
    if (n < 1 || n > (1ull << 50) || n > SIZE_MAX / (3 * sizeof(double)))
        return -1;
    *elements = n;
    return 0;
}

#define STREAM_SHAPE_ERROR "--shape '%s': expected elements per array (16777216) or bytes per array (256MiB, 1GiB)"

static double *map_array(size_t bytes, const char *what)
{
    /* mmap, not tb_alloc: pages must stay untouched until their own thread writes them. */
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        char h[32];
        tb_format_bytes((double)bytes, h, sizeof h);
        tb_fail(TB_EXIT_RUNTIME, "out of memory mapping %s for %s", h, what);
        return NULL;
    }
    return p;
}

/* The size of each array: --shape, else TB_WORKSET_LLC_MULTIPLE x the LLC and at least 64 MiB;
 * refused when the three arrays would not fit in memory, a warning when they are below that
 * multiple. 0 or an exit code after one error line. */
static int stream_size(const tb_bench_env *env, const char *isa, uint64_t *n_out)
{
    const tb_opts *o = env->o;
    unsigned long long llc = env->llc->used_bytes;
    uint64_t n;
    if (o->shape) {
        if (parse_stream_size(o->shape, &n) != 0)
            return tb_fail(TB_EXIT_USAGE, STREAM_SHAPE_ERROR, o->shape);
    } else {
        uint64_t bytes = TB_WORKSET_LLC_MULTIPLE * llc > (64ull << 20) ? TB_WORKSET_LLC_MULTIPLE * llc : 64ull << 20;
        n = (bytes + sizeof(double) - 1) / sizeof(double);
    }
    size_t bytes = (size_t)n * sizeof(double);
    char hb[32], hn[32], ha[32], hl[32];
    tb_format_bytes((double)bytes, hb, sizeof hb);
    tb_format_bytes((double)llc, hl, sizeof hl);
    unsigned long long avail = tb_meminfo_bytes("MemAvailable");
    if (avail && 3.0 * (double)bytes > 0.8 * (double)avail) {
        tb_format_bytes(3.0 * (double)bytes, hn, sizeof hn);
        tb_format_bytes((double)avail, ha, sizeof ha);
        return tb_fail(TB_EXIT_RUNTIME,
                       "bench stream: 3 arrays of %s need %s, more than 80%% of the %s available (MemAvailable); "
                       "--shape sets a smaller size",
                       hb, hn, ha);
    }
    if ((double)bytes < (double)TB_WORKSET_LLC_MULTIPLE * (double)llc)
        tb_warn("--shape %s: arrays of %s are below 4x the last-level cache (%s): the rates include cache hits",
                o->shape ? o->shape : "", hb, hl);
    if (!o->quiet)
        fprintf(stderr, "tokbench: stream %s, 3 arrays of %s, %d thread%s\n", isa, hb, tb_team_size(env->team),
                tb_team_size(env->team) > 1 ? "s" : "");
    *n_out = n;
    return 0;
}

/* The arrays (each thread first touching its own pages) and the per-thread results. */
static int stream_alloc(stream_ctx *s, tb_team *team, const tb_probe_kernels *k, size_t n)
{
    int nt = tb_team_size(team);
    size_t bytes = n * sizeof(double);
    memset(s, 0, sizeof *s);
    s->team = team;
    s->k = *k;
    s->n = n;
    s->s = STREAM_SCALAR;
    s->last_write = -1;
    s->a = map_array(bytes, "array a");
    s->b = s->a ? map_array(bytes, "array b") : NULL;
    s->c = s->b ? map_array(bytes, "array c") : NULL;
    s->sum = s->c ? tb_alloc((size_t)nt * sizeof *s->sum, "per-thread sums") : NULL;
    s->err = s->sum ? tb_alloc((size_t)nt * sizeof *s->err, "per-thread errors") : NULL;
    s->expect = s->err ? tb_alloc((size_t)nt * sizeof *s->expect, "per-thread sums") : NULL;
    if (!s->expect)
        return TB_EXIT_RUNTIME;
    stream_job(s, JOB_INIT, 0);
    return 0;
}

static void stream_free(stream_ctx *s)
{
    size_t bytes = s->n * sizeof(double);
    if (s->a)
        munmap(s->a, bytes);
    if (s->b)
        munmap(s->b, bytes);
    if (s->c)
        munmap(s->c, bytes);
    tb_free(s->sum);
    tb_free(s->err);
    tb_free(s->expect);
}

/* Checks every variant once before any timing (a test hook may corrupt one variant's output),
 * times the passing ones interleaved, then checks the state the timed calls left: c from the
 * last writer, the last read's sum. */
static int stream_check_and_time(const tb_opts *o, stream_ctx *s, stream_variant *sv, tb_variant *v, double *err,
                                 int *passed)
{
    const char *fault = o->fault_inject; /* test hook (options.h): corrupt one variant's output */
    tb_variant *timed[NV];
    int np = 0;
    for (int i = 0; i < NV; i++) {
        sv[i].s = s;
        sv[i].id = i;
        v[i].call = stream_call;
        v[i].ctx = &sv[i];
        if (i != V_READ)
            stream_job(s, JOB_POISON, 0);
        stream_call(&sv[i], 0);
        if (fault && strcmp(fault, v_name[i]) == 0) {
            if (i == V_READ)
                s->sum[0].v += 1.0;
            else
                s->c[s->n - 1] += 1.0;
        }
        err[i] = stream_verify(s, i);
        passed[i] = err[i] <= STREAM_TOL;
        if (passed[i])
            timed[np++] = &v[i];
    }
    int rc = tb_bench_time(o, timed, np);
    if (rc == 0 && np) {
        int last[2] = {s->last_write, V_READ};
        for (int j = 0; j < 2; j++) {
            int i = last[j];
            if (i < 0 || !passed[i])
                continue;
            double e = stream_verify(s, i);
            err[i] = e > err[i] ? e : err[i];
            passed[i] = e <= STREAM_TOL;
        }
    }
    return rc;
}

static json_t *stream_case(const tb_bench_env *env, const stream_ctx *s, int i, double err, int passed,
                           const tb_variant *v)
{
    size_t bytes = s->n * sizeof(double);
    unsigned long long llc = env->llc->used_bytes;
    char kname[64];
    snprintf(kname, sizeof kname, "tb_stream_%s_%s", v_name[i], s->k.suffix);
    json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I}, s:i, s:o}", "op", "stream", "variant", v_name[i],
                           "backend", "portable", "isa", s->k.suffix, "dtype", "f64", "shape", "elements",
                           (json_int_t)s->n, "bytes_per_array", (json_int_t)bytes, "threads",
                           tb_team_size(env->team), "cpus", tb_team_cpus_json(env->team));
    json_object_set_new(cs, "kernel", json_pack("{s:s, s:s, s:f}", "name", kname, "formula", v_formula[i], "s",
                                                STREAM_SCALAR));
    json_object_set_new(cs, "arrays",
                        json_pack("{s:i, s:I, s:I, s:f, s:s}", "count", 3, "bytes_total", (json_int_t)(3 * bytes),
                                  "llc_bytes", (json_int_t)llc, "llc_multiple", (double)bytes / (double)llc,
                                  "first_touch", "each thread its own slice"));
    json_object_set_new(cs, "check",
                        json_pack("{s:b, s:f, s:f, s:s, s:I}", "passed", passed, "max_rel_err",
                                  isfinite(err) ? err : 1e308, "tolerance", STREAM_TOL, "reference",
                                  "scalar replay per element (STREAM checkSTREAMresults), before timing and of "
                                  "the state the timed calls left",
                                  "elements_checked", (json_int_t)s->n));
    double flops = (double)v_flops[i] * (double)s->n, nbytes = (double)v_bytes[i] * (double)s->n;
    if (!passed || v->n == 0) {
        tb_bench_case_untimed(cs);
    } else {
        tb_bench_case_samples(cs, v, flops, nbytes);
        json_object_set_new(json_object_get(cs, "rate"), "bytes_per_element", json_integer(v_bytes[i]));
    }
    return cs;
}

/* Validates bench stream's options and picks its one tier into tiers[0]. */
static int stream_options(const tb_opts *o, tb_probe_kernels *tiers)
{
    int ntiers, rc = tb_bench_probe_opts(o, "stream", "f64");
    uint64_t n;
    if (rc == 0)
        rc = tb_bench_probe_tiers(o, 0, tiers, &ntiers);
    if (rc)
        return rc;
    if (ntiers != 1)
        return tb_fail(TB_EXIT_USAGE, "--isa %s: bench stream runs one tier at a time", o->isa);
    if (o->shape && parse_stream_size(o->shape, &n) != 0)
        return tb_fail(TB_EXIT_USAGE, STREAM_SHAPE_ERROR, o->shape);
    return 0;
}

int tb_bench_stream_check(const tb_opts *o)
{
    tb_probe_kernels tiers[TB_ISA_COUNT];
    return stream_options(o, tiers);
}

/* Arrays: a and b are only read and every writing variant writes c (STREAM chains them: c=a,
 * b=s*c, c=a+b, a=b+s*c). Interleaved timing calls the variants in an order and a number that
 * depend on the clock, and STREAM's chain then grows or shrinks the values by s^2 + 2s per round
 * until they overflow or turn denormal (slow); with fixed inputs every call computes the same
 * values and can be checked at any time. Traffic per call is STREAM's. */
int tb_bench_stream(const tb_bench_env *env, json_t *cases)
{
    const tb_opts *o = env->o;
    tb_probe_kernels tiers[TB_ISA_COUNT];
    int any_failed = 0, rc = stream_options(o, tiers);
    if (rc)
        return rc;
    uint64_t n = 0;
    if ((rc = stream_size(env, tiers[0].suffix, &n)) != 0)
        return rc;

    stream_ctx s;
    stream_variant sv[NV];
    tb_variant v[NV];
    double err[NV];
    int passed[NV];
    memset(v, 0, sizeof v);
    rc = stream_alloc(&s, env->team, &tiers[0], (size_t)n);
    if (rc == 0)
        rc = stream_check_and_time(o, &s, sv, v, err, passed);
    for (int i = 0; i < NV && rc == 0; i++) {
        any_failed |= !passed[i];
        json_array_append_new(cases, stream_case(env, &s, i, err[i], passed[i], &v[i]));
    }
    for (int i = 0; i < NV; i++)
        tb_variant_free(&v[i]);
    stream_free(&s);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}
