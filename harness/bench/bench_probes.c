/* bench stream / bench peak: the machine's ceilings (memory bandwidth, FMA throughput) that every
 * later figure is graded against. Same protocol as the kernels: checked, then timed interleaved,
 * every sample kept; a probe that fails its check is never timed. */
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
#include "measure.h"
#include "sysinfo.h"
#include "util.h"
#include "workset.h"

/* Per-thread results, each on its own cache line so threads do not share one while timed. */
typedef struct {
    double v;
    char pad[56];
} line_double;

static void available_list(char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < TB_ISA_COUNT; i++) {
        tb_probe_kernels k;
        if (tb_isa_available((tb_isa)i) && tb_probe_kernels_get((tb_isa)i, &k) == 0 && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", tb_isa_name((tb_isa)i));
    }
}

/* The tiers to run: --isa LIST (auto: the best this CPU runs); without --isa every tier this CPU
 * runs (all_by_default) or the best one. A tier the CPU or the build lacks is a usage error. */
static int pick_tiers(const tb_opts *o, int all_by_default, tb_probe_kernels *k, int *n)
{
    char avail[128];
    available_list(avail, sizeof avail);
    *n = 0;
    if (!o->isa && all_by_default) {
        for (int i = 0; i < TB_ISA_COUNT; i++)
            if (tb_isa_available((tb_isa)i) && tb_probe_kernels_get((tb_isa)i, &k[*n]) == 0)
                (*n)++;
        return 0;
    }
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", o->isa ? o->isa : "auto") >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--isa: list too long");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        tb_isa isa;
        if (strcmp(t, "auto") == 0) {
            /* The best tier that has probe kernels (a newer dispatch may know tiers we lack). */
            int i = (int)tb_isa_detect();
            while (i > 0 && (!tb_isa_available((tb_isa)i) || tb_probe_kernels_get((tb_isa)i, &k[*n]) != 0))
                i--;
            isa = (tb_isa)i;
        } else if (tb_isa_from_name(t, &isa) != 0) {
            return tb_fail(TB_EXIT_USAGE, "--isa '%s': unknown tier (auto, generic, avx2, avx512, neon)", t);
        } else if (!tb_isa_available(isa)) {
            return tb_fail(TB_EXIT_USAGE, "--isa %s: this CPU or this build cannot run it (available: %s)", t, avail);
        }
        for (int j = 0; j < *n; j++)
            if (k[j].isa == isa)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': %s listed twice", o->isa, tb_isa_name(isa));
        if (*n == TB_ISA_COUNT)
            return tb_fail(TB_EXIT_USAGE, "--isa: at most %d tiers", TB_ISA_COUNT);
        if (tb_probe_kernels_get(isa, &k[*n]) != 0)
            return tb_fail(TB_EXIT_USAGE, "--isa %s: this build has no probe kernels for it (available: %s)", t, avail);
        (*n)++;
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--isa: empty list");
}

static int check_common_opts(const tb_opts *o, const char *op, const char *dtype)
{
    if (o->dtype && strcmp(o->dtype, dtype) != 0)
        return tb_fail(TB_EXIT_USAGE, "--dtype %s: bench %s measures %s only", o->dtype, op, dtype);
    if (o->backend && strcmp(o->backend, "portable") != 0)
        return tb_fail(TB_EXIT_USAGE, "--backend %s: bench %s has the portable probes only (portable)", o->backend, op);
    if (o->cold >= 0)
        return tb_fail(TB_EXIT_USAGE, "--cold/--warm: bench %s has no weights", op);
    return 0;
}

void tb_probe_case_unchecked(json_t *cs)
{
    json_object_set_new(cs, "samples_ns", json_array());
    json_object_set_new(cs, "stats", json_null());
    json_object_set_new(cs, "rate", json_null());
}

void tb_probe_case_samples(json_t *cs, const tb_variant *v, double flops, double bytes)
{
    json_t *s = json_array();
    for (size_t i = 0; i < v->n; i++)
        json_array_append_new(s, json_real(v->samples_ns[i]));
    json_object_set_new(cs, "samples_ns", s);
    json_object_set_new(cs, "iterations_per_sample", json_integer(v->iterations));
    json_object_set_new(cs, "stats", tb_stats_json(&v->stats));
    double med = v->stats.median;
    json_object_set_new(cs, "rate", json_pack("{s:f, s:f, s:f, s:f}", "gflops", flops / med, "gbps", bytes / med, "flops",
                                              flops, "bytes", bytes));
    json_object_set_new(cs, "noisy", json_boolean(v->stats.cv > 0.05));
}

/* ---- stream -------------------------------------------------------------------------------- */

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

/* Arrays: a and b are only read and every writing variant writes c (STREAM chains them: c=a,
 * b=s*c, c=a+b, a=b+s*c). Interleaved timing calls the variants in an order and a number that
 * depend on the clock, and STREAM's chain then grows or shrinks the values by s^2 + 2s per round
 * until they overflow or turn denormal (slow); with fixed inputs every call computes the same
 * values and can be checked at any time. Traffic per call is STREAM's. */
int tb_bench_stream(const tb_bench_env *env, json_t *cases)
{
    const tb_opts *o = env->o;
    int any_failed = 0, rc = check_common_opts(o, "stream", "f64");
    if (rc)
        return rc;
    tb_probe_kernels tiers[TB_ISA_COUNT];
    int ntiers;
    if ((rc = pick_tiers(o, 0, tiers, &ntiers)) != 0)
        return rc;
    if (ntiers != 1)
        return tb_fail(TB_EXIT_USAGE, "--isa %s: bench stream runs one tier at a time", o->isa);

    unsigned long long llc = env->llc->used_bytes;
    uint64_t n;
    if (o->shape) {
        if (parse_stream_size(o->shape, &n) != 0)
            return tb_fail(TB_EXIT_USAGE,
                           "--shape '%s': bench stream expects elements per array (16777216) or bytes per array "
                           "(256MiB, 1GiB)",
                           o->shape);
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
        fprintf(stderr, "tokbench: stream %s, 3 arrays of %s, %d thread%s\n", tiers[0].suffix, hb,
                tb_team_size(env->team), tb_team_size(env->team) > 1 ? "s" : "");

    int nt = tb_team_size(env->team);
    stream_ctx s;
    memset(&s, 0, sizeof s);
    s.team = env->team;
    s.k = tiers[0];
    s.n = (size_t)n;
    s.s = STREAM_SCALAR;
    s.last_write = -1;
    s.a = map_array(bytes, "array a");
    s.b = s.a ? map_array(bytes, "array b") : NULL;
    s.c = s.b ? map_array(bytes, "array c") : NULL;
    s.sum = s.c ? tb_alloc((size_t)nt * sizeof *s.sum, "per-thread sums") : NULL;
    s.err = s.sum ? tb_alloc((size_t)nt * sizeof *s.err, "per-thread errors") : NULL;
    s.expect = s.err ? tb_alloc((size_t)nt * sizeof *s.expect, "per-thread sums") : NULL;
    if (!s.expect) {
        rc = TB_EXIT_RUNTIME;
        goto out;
    }
    stream_job(&s, JOB_INIT, 0);

    /* Check every variant once before any timing. */
    const char *fault = getenv("TOKBENCH_FAULT_INJECT"); /* test hook: corrupt one variant's output */
    stream_variant sv[NV];
    tb_variant v[NV];
    double err[NV];
    int passed[NV], idx[NV], np = 0;
    memset(v, 0, sizeof v);
    for (int i = 0; i < NV; i++) {
        sv[i].s = &s;
        sv[i].id = i;
        v[i].call = stream_call;
        v[i].ctx = &sv[i];
        if (i != V_READ)
            stream_job(&s, JOB_POISON, 0);
        stream_call(&sv[i], 0);
        if (fault && strcmp(fault, v_name[i]) == 0) {
            if (i == V_READ)
                s.sum[0].v += 1.0;
            else
                s.c[s.n - 1] += 1.0;
        }
        err[i] = stream_verify(&s, i);
        passed[i] = err[i] <= STREAM_TOL;
        if (passed[i])
            idx[np++] = i;
    }

    tb_variant timed[NV];
    for (int i = 0; i < np; i++)
        timed[i] = v[idx[i]];
    tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
    if (np)
        rc = tb_measure_interleaved(timed, np, &cfg);
    for (int i = 0; i < np; i++)
        v[idx[i]] = timed[i];

    /* And the state the timed calls left: c from the last writer, the last read's sum. */
    if (rc == 0 && np) {
        if (s.last_write >= 0 && passed[s.last_write]) {
            double e = stream_verify(&s, s.last_write);
            err[s.last_write] = e > err[s.last_write] ? e : err[s.last_write];
            passed[s.last_write] = e <= STREAM_TOL;
        }
        if (passed[V_READ]) {
            double e = stream_verify(&s, V_READ);
            err[V_READ] = e > err[V_READ] ? e : err[V_READ];
            passed[V_READ] = e <= STREAM_TOL;
        }
    }

    for (int i = 0; i < NV && rc == 0; i++) {
        char kname[64];
        snprintf(kname, sizeof kname, "tb_stream_%s_%s", v_name[i], s.k.suffix);
        json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I}, s:i, s:o}", "op", "stream", "variant",
                               v_name[i], "backend", "portable", "isa", s.k.suffix, "dtype", "f64", "shape", "elements",
                               (json_int_t)n, "bytes_per_array", (json_int_t)bytes, "threads", nt, "cpus",
                               tb_team_cpus_json(env->team));
        json_object_set_new(cs, "kernel", json_pack("{s:s, s:s, s:f}", "name", kname, "formula", v_formula[i], "s",
                                                    STREAM_SCALAR));
        json_object_set_new(cs, "arrays",
                            json_pack("{s:i, s:I, s:I, s:f, s:s}", "count", 3, "bytes_total", (json_int_t)(3 * bytes),
                                      "llc_bytes", (json_int_t)llc, "llc_multiple", (double)bytes / (double)llc,
                                      "first_touch", "each thread its own slice"));
        json_object_set_new(cs, "check",
                            json_pack("{s:b, s:f, s:f, s:s, s:I}", "passed", passed[i], "max_rel_err",
                                      isfinite(err[i]) ? err[i] : 1e308, "tolerance", STREAM_TOL, "reference",
                                      "scalar replay per element (STREAM checkSTREAMresults), before timing and of "
                                      "the state the timed calls left",
                                      "elements_checked", (json_int_t)n));
        double flops = (double)v_flops[i] * (double)n, nbytes = (double)v_bytes[i] * (double)n;
        if (!passed[i] || v[i].n == 0) {
            any_failed |= !passed[i];
            tb_probe_case_unchecked(cs);
        } else {
            tb_probe_case_samples(cs, &v[i], flops, nbytes);
            json_object_set_new(json_object_get(cs, "rate"), "bytes_per_element", json_integer(v_bytes[i]));
        }
        json_array_append_new(cases, cs);
    }
    for (int i = 0; i < NV; i++)
        tb_variant_free(&v[i]);
out:
    if (s.a)
        munmap(s.a, bytes);
    if (s.b)
        munmap(s.b, bytes);
    if (s.c)
        munmap(s.c, bytes);
    tb_free(s.sum);
    tb_free(s.err);
    tb_free(s.expect);
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}

/* ---- peak ---------------------------------------------------------------------------------- */

/* About 4 ms per call at full speed on a current core. With mul = add = 1 every accumulator ends
 * at seed + iterations exactly: an integer below 2^24, so float holds it and the check is exact
 * and sees a single missing iteration. */
#define PEAK_ITERS (1 << 21)
_Static_assert((1 << 21) + TB_PEAK_MAX_FLOATS < (1 << 24), "peak results must stay exact in float");

typedef struct {
    tb_team *team;
    tb_probe_kernels k;
    int64_t iters;
    float mul, add; /* runtime values: the compiler sees neither */
    float *acc;     /* TB_PEAK_MAX_FLOATS per thread */
} peak_ctx;

static float peak_seed(int i) { return (float)(i + 1); }

static void peak_worker(void *p, int tid, int nt)
{
    (void)nt;
    peak_ctx *c = p;
    float *x = c->acc + (size_t)tid * TB_PEAK_MAX_FLOATS;
    for (int i = 0; i < c->k.peak_lanes * c->k.peak_chains; i++)
        x[i] = peak_seed(i);
    c->k.peak(x, c->iters, c->mul, c->add);
}

static void peak_call(void *p, uint64_t turn)
{
    (void)turn;
    peak_ctx *c = p;
    tb_team_run(c->team, peak_worker, c);
}

/* Largest relative difference of any thread's accumulators from the replay (seed + iters). */
static double peak_verify(const peak_ctx *c)
{
    double worst = 0;
    for (int t = 0; t < tb_team_size(c->team); t++)
        for (int i = 0; i < c->k.peak_lanes * c->k.peak_chains; i++) {
            double want = (double)peak_seed(i) + (double)c->iters;
            double r = fabs((double)c->acc[(size_t)t * TB_PEAK_MAX_FLOATS + (size_t)i] - want) / want;
            if (!(r <= worst))
                worst = isnan(r) ? INFINITY : r;
        }
    return worst;
}

int tb_bench_peak(const tb_bench_env *env, json_t *cases)
{
    const tb_opts *o = env->o;
    const int int8 = o->dtype && (!strcmp(o->dtype, "q8_0") || !strcmp(o->dtype, "q4_0"));
    if (o->dtype && !int8 && strcmp(o->dtype, "f32") != 0)
        return tb_fail(TB_EXIT_USAGE,
                       "--dtype %s: bench peak measures f32 (the FMA peak) or q8_0/q4_0 (their int8 dot ceiling)",
                       o->dtype);
    int any_failed = 0, rc = check_common_opts(o, "peak", o->dtype ? o->dtype : "f32");
    if (rc)
        return rc;
    if (o->shape)
        return tb_fail(TB_EXIT_USAGE, "--shape %s: bench peak takes no shape", o->shape);
    tb_probe_kernels tiers[TB_ISA_COUNT];
    int ntiers;
    if ((rc = pick_tiers(o, 1, tiers, &ntiers)) != 0)
        return rc;
    if (int8) {
        tb_isa isas[TB_ISA_COUNT];
        for (int i = 0; i < ntiers; i++)
            isas[i] = tiers[i].isa;
        return tb_bench_peak_int8(env, isas, ntiers, cases);
    }
    int nt = tb_team_size(env->team);
    if (!o->quiet)
        fprintf(stderr, "tokbench: peak, %d tier%s, %d thread%s\n", ntiers, ntiers > 1 ? "s" : "", nt,
                nt > 1 ? "s" : "");

    peak_ctx pc[TB_ISA_COUNT];
    tb_variant v[TB_ISA_COUNT];
    double err[TB_ISA_COUNT];
    int passed[TB_ISA_COUNT], idx[TB_ISA_COUNT], np = 0;
    memset(v, 0, sizeof v);
    memset(pc, 0, sizeof pc);
    const char *fault = getenv("TOKBENCH_FAULT_INJECT"); /* test hook: corrupt one tier's result */
    for (int i = 0; i < ntiers; i++) {
        pc[i].acc = tb_alloc((size_t)nt * TB_PEAK_MAX_FLOATS * sizeof(float), "peak accumulators");
        if (!pc[i].acc) {
            rc = TB_EXIT_RUNTIME;
            goto out;
        }
        pc[i].team = env->team;
        pc[i].k = tiers[i];
        pc[i].iters = PEAK_ITERS;
        pc[i].mul = 1.0f;
        pc[i].add = 1.0f;
        v[i].call = peak_call;
        v[i].ctx = &pc[i];
        peak_call(&pc[i], 0);
        if (fault && strcmp(fault, tiers[i].suffix) == 0)
            pc[i].acc[0] += 1.0f;
        err[i] = peak_verify(&pc[i]);
        passed[i] = err[i] == 0;
        if (passed[i])
            idx[np++] = i;
    }

    tb_variant timed[TB_ISA_COUNT];
    for (int i = 0; i < np; i++)
        timed[i] = v[idx[i]];
    tb_timing_cfg cfg = {o->min_time, o->max_time, o->repetitions, o->warmup, 100000};
    if (np)
        rc = tb_measure_interleaved(timed, np, &cfg);
    for (int i = 0; i < np; i++) {
        v[idx[i]] = timed[i];
        double e = peak_verify(&pc[idx[i]]); /* the last timed call's results */
        err[idx[i]] = e > err[idx[i]] ? e : err[idx[i]];
        passed[idx[i]] = e == 0;
    }

    for (int i = 0; i < ntiers && rc == 0; i++) {
        const tb_probe_kernels *k = &tiers[i];
        double flops = (double)k->peak_lanes * 2.0 * (double)k->peak_chains * (double)PEAK_ITERS * (double)nt;
        char kname[64];
        snprintf(kname, sizeof kname, "tb_peak_fma_%s", k->suffix);
        json_t *cs = json_pack("{s:s, s:s, s:s, s:s, s:{s:I}, s:i, s:o}", "op", "peak", "backend", "portable", "isa",
                               k->suffix, "dtype", "f32", "shape", "flops_per_call", (json_int_t)flops, "threads", nt, "cpus",
                               tb_team_cpus_json(env->team));
        json_object_set_new(cs, "kernel",
                            json_pack("{s:s, s:s, s:i, s:i, s:I}", "name", kname, "operation",
                                      k->isa == TB_ISA_GENERIC ? "acc = acc*m + d, vector multiply then add (an FMA "
                                                                 "only where the target contracts it)"
                                                               : "acc = acc*m + d, one fused multiply-add",
                                      "lanes", k->peak_lanes, "chains", k->peak_chains, "iterations_per_thread",
                                      (json_int_t)PEAK_ITERS));
        json_object_set_new(cs, "check",
                            json_pack("{s:b, s:f, s:f, s:s, s:I}", "passed", passed[i], "max_rel_err",
                                      isfinite(err[i]) ? err[i] : 1e308, "tolerance", 0.0, "reference",
                                      "scalar replay: with m = d = 1 every accumulator ends at seed + iterations "
                                      "exactly; before timing and after it",
                                      "elements_checked", (json_int_t)nt * k->peak_lanes * k->peak_chains));
        if (!passed[i] || v[i].n == 0) {
            any_failed |= !passed[i];
            tb_probe_case_unchecked(cs);
        } else {
            tb_probe_case_samples(cs, &v[i], flops, 0);
        }
        json_array_append_new(cases, cs);
    }
out:
    for (int i = 0; i < ntiers; i++) {
        tb_variant_free(&v[i]);
        tb_free(pc[i].acc);
    }
    if (rc)
        return rc;
    return any_failed ? TB_EXIT_CHECK : 0;
}
