/* The roofline probes: every tier's STREAM kernels reproduce STREAM's values (tails, unaligned
 * starts, empty slices), the read sum is exact, the FMA loop does exactly the declared iterations;
 * and end to end through the binary: the cases SPEC.md asks for, a failed check is never timed,
 * a tier the CPU lacks is refused. Behaviour only, never timings. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tokbench/probes.h>
#include "oracle_sample.h"
#include "probe_run.h"
#include "team.h"
#include "testmain.h"
#include "testutil.h"
#include "topo.h"

#define FAST "--format json --min-time 0 --repetitions 2 --warmup 1 --no-save "
/* Small arrays keep the end-to-end run cheap (the binary warns they are below 4x the LLC). */
#define SMALL "--shape 256KiB "

static int tiers(tb_probe_kernels *k)
{
    int n = 0;
    for (int i = 0; i < TB_ISA_COUNT; i++)
        if (tb_isa_available((tb_isa)i) && tb_probe_kernels_get((tb_isa)i, &k[n]) == 0)
            n++;
    return n;
}

/* STREAM's own sequence on this tier: a = 2, b = 2, c = 0, then per round c = a,
 * b = s c, c = a + b, a = b + s c; every element must equal the scalar replay (exact here). */
static void stream_rounds(const tb_probe_kernels *k, size_t n, size_t offset)
{
    double *buf = malloc(3 * (n + offset + 1) * sizeof(double));
    double *a = buf + offset, *b = a + n + offset + 1, *c = b + n + offset + 1;
    for (size_t i = 0; i < n; i++) {
        a[i] = 2.0; /* STREAM's a = 1 then a = 2a, done here: the kernels take no aliased arrays */
        b[i] = 2.0;
        c[i] = 0.0;
    }
    /* guards past the end must survive */
    a[n] = b[n] = c[n] = -7.0;
    double aj = 2.0, bj = 2.0, cj = 0.0, s = 3.0;
    for (int r = 0; r < 3; r++) {
        k->copy(c, a, n);
        k->scale(b, c, s, n);
        k->add(c, a, b, n);
        k->triad(a, b, c, s, n);
        cj = aj;
        bj = s * cj;
        cj = aj + bj;
        aj = bj + s * cj;
    }
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(a[i] == aj && b[i] == bj && c[i] == cj, "%s n=%zu off=%zu element %zu: %g %g %g, want %g %g %g",
                      k->suffix, n, offset, i, a[i], b[i], c[i], aj, bj, cj);
    }
    ck_assert(a[n] == -7.0 && b[n] == -7.0 && c[n] == -7.0);
    free(buf);
}

START_TEST(stream_kernels_give_stream_values)
{
    tb_probe_kernels k[TB_ISA_COUNT];
    int nt = tiers(k);
    static const size_t sizes[] = {0, 1, 3, 7, 8, 15, 16, 17, 1000, 1027};
    for (int t = 0; t < nt; t++)
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
            for (size_t off = 0; off < 2; off++)
                stream_rounds(&k[t], sizes[si], off);
}
END_TEST

START_TEST(read_sum_is_exact)
{
    tb_probe_kernels k[TB_ISA_COUNT];
    int nt = tiers(k);
    size_t n = 100003;
    double *a = malloc((n + 1) * sizeof(double));
    for (int t = 0; t < nt; t++)
        for (size_t off = 0; off < 2; off++) {
            double *x = a + off;
            double want = 0;
            for (size_t m = 0; m < n; m++) {
                x[m] = (double)(m % 1000 + 1);
                want += x[m];
            }
            /* integers: exact in any order; a missed or doubled element changes the sum */
            ck_assert_msg(k[t].read(x, n) == want, "%s off %zu: %.17g vs %.17g", k[t].suffix, off, k[t].read(x, n), want);
            ck_assert(k[t].read(x, 0) == 0.0);
            for (size_t m = 1; m < 40; m++) {
                double w = 0;
                for (size_t j = 0; j < m; j++)
                    w += x[j];
                ck_assert_msg(k[t].read(x, m) == w, "%s: sum of %zu", k[t].suffix, m);
            }
        }
    free(a);
}
END_TEST

START_TEST(peak_loop_does_the_declared_iterations)
{
    tb_probe_kernels k[TB_ISA_COUNT];
    int nt = tiers(k);
    float acc[TB_PEAK_MAX_FLOATS];
    for (int t = 0; t < nt; t++) {
        int nf = k[t].peak_lanes * k[t].peak_chains;
        ck_assert(nf <= TB_PEAK_MAX_FLOATS && k[t].peak_chains >= 10);
        /* m = d = 1: every accumulator ends at seed + iterations, exactly */
        for (int i = 0; i < nf; i++)
            acc[i] = (float)(i + 1);
        k[t].peak(acc, 12345, 1.0f, 1.0f);
        for (int i = 0; i < nf; i++)
            ck_assert_msg(acc[i] == (float)(i + 1 + 12345), "%s acc[%d] = %g", k[t].suffix, i, acc[i]);
        /* m = 0.5: the product is exact, so mul+add and a fused multiply-add agree with the replay */
        for (int i = 0; i < nf; i++)
            acc[i] = (float)(3 * i) - 50.0f;
        k[t].peak(acc, 37, 0.5f, 0.75f);
        for (int i = 0; i < nf; i++) {
            float x = (float)(3 * i) - 50.0f;
            for (int r = 0; r < 37; r++) {
                volatile float p = x * 0.5f;
                x = p + 0.75f;
            }
            ck_assert_msg(acc[i] == x, "%s acc[%d] = %.9g, replay %.9g", k[t].suffix, i, acc[i], x);
        }
        /* zero iterations leave the seeds */
        for (int i = 0; i < nf; i++)
            acc[i] = (float)i;
        k[t].peak(acc, 0, 2.0f, 1.0f);
        for (int i = 0; i < nf; i++)
            ck_assert(acc[i] == (float)i);
    }
}
END_TEST

static const char *const common_fields[] = {
    "op", "backend", "isa", "dtype", "shape", "threads", "cpus", "check.passed", "check.max_rel_err", "samples_ns",
    "stats.n", "stats.min", "stats.median", "stats.mean", "stats.stddev", "stats.cv", "stats.p90", "stats.p99",
    "stats.ci95_low", "stats.ci95_high", "rate.gflops", "rate.gbps"};

static void expect_common_fields(json_t *c)
{
    for (size_t f = 0; f < sizeof common_fields / sizeof *common_fields; f++)
        ck_assert_msg(tb_test_path(c, common_fields[f]) != NULL, "case lacks %s", common_fields[f]);
    ck_assert_str_eq(json_string_value(json_object_get(c, "backend")), "portable");
    ck_assert(json_is_true(tb_test_path(c, "check.passed")));
    ck_assert_int_eq((int)json_array_size(json_object_get(c, "samples_ns")),
                     (int)json_integer_value(tb_test_path(c, "stats.n")));
    ck_assert(json_integer_value(tb_test_path(c, "stats.n")) >= 2);
    ck_assert_int_eq((int)json_array_size(json_object_get(c, "cpus")),
                     (int)json_integer_value(json_object_get(c, "threads")));
}

START_TEST(stream_end_to_end)
{
    json_t *doc = tb_test_run_json(NULL, "bench stream " SMALL FAST, 0);
    json_t *cases = json_object_get(doc, "cases");
    static const char *const want[] = {"copy", "scale", "add", "triad", "read"};
    ck_assert_int_eq((int)json_array_size(cases), 5);
    tb_probe_kernels k[TB_ISA_COUNT];
    int nt = tiers(k);
    for (int i = 0; i < 5; i++) {
        json_t *c = json_array_get(cases, (size_t)i);
        expect_common_fields(c);
        ck_assert_str_eq(json_string_value(json_object_get(c, "op")), "stream");
        ck_assert_str_eq(json_string_value(json_object_get(c, "variant")), want[i]);
        ck_assert_str_eq(json_string_value(json_object_get(c, "dtype")), "f64");
        ck_assert_str_eq(json_string_value(json_object_get(c, "isa")), k[nt - 1].suffix); /* the best tier */
        ck_assert_int_eq((int)json_integer_value(tb_test_path(c, "shape.elements")), 256 * 1024 / 8);
        ck_assert_int_eq((int)json_integer_value(tb_test_path(c, "shape.bytes_per_array")), 256 * 1024);
        ck_assert(json_real_value(tb_test_path(c, "rate.gbps")) > 0);
        ck_assert(json_real_value(tb_test_path(c, "check.max_rel_err")) <= 1e-13);
        /* STREAM's counting: copy/scale 16, add/triad 24, read 8 bytes per element */
        double per = json_number_value(tb_test_path(c, "rate.bytes")) / (256.0 * 1024 / 8);
        ck_assert_msg(per == (i < 2 ? 16 : i < 4 ? 24 : 8), "%s: %g bytes per element", want[i], per);
    }
    json_decref(doc);

    /* every explicit tier runs; text output names the unit */
    for (int t = 0; t < nt; t++) {
        char args[256];
        snprintf(args, sizeof args, "bench stream --isa %s " SMALL FAST, k[t].suffix);
        doc = tb_test_run_json(NULL, args, 0);
        ck_assert_str_eq(json_string_value(tb_test_path(json_array_get(json_object_get(doc, "cases"), 3), "isa")),
                         k[t].suffix);
        json_decref(doc);
    }
    tb_test_expect_printed(NULL, "bench stream --threads 1 " SMALL "--min-time 0 --repetitions 2 --warmup 0 --no-save",
                           0, (const char *const[]){"triad", "GB/s", NULL},
                           (const char *const[]){"below 4x the last-level cache", NULL});
}
END_TEST

START_TEST(peak_end_to_end)
{
    tb_probe_kernels k[TB_ISA_COUNT];
    int nt = tiers(k);
    json_t *doc = tb_test_run_json(NULL, "bench peak " FAST, 0);
    json_t *cases = json_object_get(doc, "cases");
    ck_assert_int_eq((int)json_array_size(cases), nt); /* one case per tier this CPU runs */
    for (int i = 0; i < nt; i++) {
        json_t *c = json_array_get(cases, (size_t)i);
        expect_common_fields(c);
        ck_assert_str_eq(json_string_value(json_object_get(c, "op")), "peak");
        ck_assert_str_eq(json_string_value(json_object_get(c, "isa")), k[i].suffix);
        ck_assert_str_eq(json_string_value(json_object_get(c, "dtype")), "f32");
        ck_assert(json_real_value(tb_test_path(c, "rate.gflops")) > 0);
        ck_assert(json_real_value(tb_test_path(c, "check.max_rel_err")) == 0);
        double threads = (double)json_integer_value(json_object_get(c, "threads"));
        double flops = (double)json_integer_value(tb_test_path(c, "shape.flops_per_call"));
        ck_assert(flops == (double)k[i].peak_lanes * 2 * k[i].peak_chains *
                               (double)json_integer_value(tb_test_path(c, "kernel.iterations_per_thread")) * threads);
    }
    json_decref(doc);

    /* --isa auto: the best tier only */
    doc = tb_test_run_json(NULL, "bench peak --isa auto --threads 1 " FAST, 0);
    cases = json_object_get(doc, "cases");
    ck_assert_int_eq((int)json_array_size(cases), 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_array_get(cases, 0), "isa")), k[nt - 1].suffix);
    json_decref(doc);

    tb_test_expect_printed(NULL,
                           "bench peak --isa generic --min-time 0 --repetitions 2 --warmup 0 --no-save --format md", 0,
                           (const char *const[]){"| peak | generic |", NULL}, NULL);
}
END_TEST

/* --dtype q8_0|q4_0: the int8 dot ceiling per tier, then the format ceiling of each tier that has
 * one, checked and counted like the FMA peak. */
START_TEST(int8_peak_end_to_end)
{
    tb_probe_kernels k[TB_ISA_COUNT];
    int nt = tiers(k), nf = 0;
    const char *fname[TB_ISA_COUNT];
    for (int i = 0; i < nt; i++) {
        tb_kernels kk;
        tb_kernels_init(&kk, k[i].isa);
        if (kk.peak_format[TB_DT_Q8_0])
            fname[nf++] = kk.peak_format_info[TB_DT_Q8_0].name;
    }
    json_t *doc = tb_test_run_json(NULL, "bench peak --dtype q8_0 " FAST, 0);
    json_t *cases = json_object_get(doc, "cases");
    ck_assert_int_eq((int)json_array_size(cases), nt + nf);
    for (int i = 0; i < nf; i++) {
        json_t *c = json_array_get(cases, (size_t)(nt + i));
        expect_common_fields(c);
        ck_assert_str_eq(json_string_value(json_object_get(c, "variant")), "format");
        ck_assert_str_eq(json_string_value(tb_test_path(c, "kernel.name")), fname[i]);
        ck_assert(json_is_true(tb_test_path(c, "check.passed")));
        ck_assert(json_real_value(tb_test_path(c, "rate.gops")) > 0);
    }
    for (int i = 0; i < nt; i++) {
        json_t *c = json_array_get(cases, (size_t)i);
        expect_common_fields(c);
        ck_assert_str_eq(json_string_value(json_object_get(c, "variant")), "int8");
        ck_assert_str_eq(json_string_value(json_object_get(c, "isa")), k[i].suffix);
        ck_assert_str_eq(json_string_value(json_object_get(c, "dtype")), "q8_0");
        ck_assert_int_eq(strncmp(json_string_value(tb_test_path(c, "kernel.name")), "tb_peak_int8_", 13), 0);
        ck_assert(json_is_true(tb_test_path(c, "check.passed")));
        ck_assert(json_real_value(tb_test_path(c, "rate.gops")) > 0);
        double ops = (double)json_integer_value(tb_test_path(c, "shape.ops_per_call"));
        ck_assert(ops == 2.0 * (double)json_integer_value(tb_test_path(c, "kernel.multiply_adds_per_step")) *
                             (double)json_integer_value(tb_test_path(c, "kernel.iterations_per_thread")) *
                             (double)json_integer_value(json_object_get(c, "threads")));
    }
    json_decref(doc);

    tb_run_result r =
        tb_test_run(NULL, "bench peak --dtype q4_0 --isa generic --min-time 0 --repetitions 2 --warmup 0 --no-save");
    ck_assert_msg(r.status == 0, "text: exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "GOP/s"));
    ck_assert_ptr_nonnull(strstr(r.out, "peak format"));
    tb_test_run_free(&r);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    if (!tb_isa_available(TB_ISA_AVX512))
        tb_test_expect_usage_error(NULL, "bench peak --isa avx512 --no-save", "--isa");
    static const tb_usage_case bad[] = {
        {"bench peak --isa sse9 --no-save", "--isa"},
        {"bench peak --isa generic,generic --no-save", "--isa"},
        {"bench stream --isa avx512,generic --no-save", "--isa"},
        {"bench peak --shape 4x4x4 --no-save", "--shape"},
        {"bench peak --dtype f64 --no-save", "--dtype"},
        {"bench peak --dtype bf16 --no-save", "--dtype"},
        {"bench stream --dtype f32 --no-save", "--dtype"},
        {"bench stream --backend openblas --no-save", "--backend"},
        {"bench stream --cold --no-save", "--cold"},
        {"bench stream --shape 0 --no-save", "--shape"},
        {"bench stream --shape 12XiB --no-save", "--shape"},
        {"bench stream --shape 99999999999999999999MiB --no-save", "--shape"},
        {"bench stream --shape 4x4 --no-save", "--shape"},
    };
    tb_test_expect_usage_errors(NULL, bad, sizeof bad / sizeof *bad);
}
END_TEST

START_TEST(arrays_that_do_not_fit_are_refused)
{
    tb_run_result r = tb_test_run(NULL, "bench stream --shape 1000000GiB --no-save");
    ck_assert_msg(r.status == 1, "exit %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.err, "MemAvailable"));
    ck_assert_int_eq(tb_test_count_lines(r.err), 1);
    tb_test_run_free(&r);
}
END_TEST

START_TEST(failed_check_exits_3_and_is_never_timed)
{
    json_t *doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=triad ", "bench stream " SMALL FAST, 3);
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(doc, "cases"), i, c) {
        int bad = strcmp(json_string_value(json_object_get(c, "variant")), "triad") == 0;
        ck_assert(json_is_boolean(tb_test_path(c, "check.passed")));
        ck_assert(json_is_true(tb_test_path(c, "check.passed")) == !bad);
        ck_assert(bad ? json_is_null(json_object_get(c, "rate")) : json_is_object(json_object_get(c, "rate")));
        if (bad)
            ck_assert_int_eq((int)json_array_size(json_object_get(c, "samples_ns")), 0);
    }
    json_decref(doc);

    doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=read ", "bench stream " SMALL FAST, 3);
    c = json_array_get(json_object_get(doc, "cases"), 4);
    ck_assert(json_is_false(tb_test_path(c, "check.passed")));
    ck_assert(json_is_null(json_object_get(c, "stats")));
    json_decref(doc);

    doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=generic ", "bench peak --isa generic " FAST, 3);
    c = json_array_get(json_object_get(doc, "cases"), 0);
    ck_assert(json_is_false(tb_test_path(c, "check.passed")));
    ck_assert(json_is_null(json_object_get(c, "rate")));
    json_decref(doc);

    doc = tb_test_run_json("TOKBENCH_FAULT_INJECT=generic ", "bench peak --dtype q4_0 --isa generic " FAST, 3);
    c = json_array_get(json_object_get(doc, "cases"), 0);
    ck_assert(json_is_false(tb_test_path(c, "check.passed")));
    ck_assert(json_is_null(json_object_get(c, "rate")));
    ck_assert_int_eq((int)json_array_size(json_object_get(c, "samples_ns")), 0);
    json_decref(doc);

    tb_test_expect_printed("TOKBENCH_FAULT_INJECT=copy ",
                           "bench stream " SMALL "--min-time 0 --repetitions 2 --no-save", 3,
                           (const char *const[]){"FAIL", "(not timed)", NULL}, NULL);
}
END_TEST


/* ---- the probes on a team (probe_run.h) ------------------------------------------------------ */

static tb_topo team_tp;
static tb_plan team_plan;

static tb_team *make_team(int threads)
{
    ck_assert_int_eq(tb_topo_load(&team_tp, NULL), 0);
    int avail = tb_topo_allowed_cores(&team_tp);
    tb_place_req req = {threads <= avail ? threads : avail, NULL, 0};
    ck_assert_int_eq(tb_topo_plan(&team_tp, &req, &team_plan), 0);
    tb_team *tm;
    ck_assert_int_eq(tb_team_create(&tm, &team_tp, &team_plan), 0);
    return tm;
}

static void drop_team(tb_team *tm)
{
    tb_team_destroy(tm);
    tb_topo_destroy(&team_tp);
}

/* Every member's slice of the copy of the turn is read, passes times, and a wrong element shows. */
START_TEST(team_read_probe_sums_exactly)
{
    tb_team *tm = make_team(2);
    tb_probe_kernels pk;
    tb_probe_kernels_best(&pk);
    const size_t n = 3 * 512 + 7;
    double *arr = malloc(2 * n * sizeof(double));
    tb_probe_read r;
    ck_assert_int_eq(tb_probe_read_init(&r, tm, pk.read, arr, n, 2, "test sums"), 0);
    tb_probe_read_fill_ones(&r);
    tb_probe_read_call(&r, 1);
    ck_assert_uint_eq(r.copy, 1);
    ck_assert(tb_probe_read_sum(&r) == (double)n && tb_probe_read_err(&r) == 0);
    r.passes = 3;
    tb_probe_read_run(&r);
    ck_assert(tb_probe_read_sum(&r) == 3.0 * (double)n && tb_probe_read_err(&r) == 0);
    arr[n + n - 1] = 2.0; /* the last element of copy 1: the last member's slice */
    tb_probe_read_run(&r);
    ck_assert(tb_probe_read_err(&r) > 0);
    tb_probe_read_call(&r, 2); /* copy 0 is untouched */
    ck_assert(tb_probe_read_err(&r) == 0);
    tb_probe_read_free(&r);
    free(arr);
    drop_team(tm);
}
END_TEST

START_TEST(team_peak_probe_checks_exactly)
{
    tb_team *tm = make_team(2);
    tb_probe_kernels pk;
    tb_probe_kernels_best(&pk);
    tb_probe_peak p;
    ck_assert_int_eq(tb_probe_peak_init(&p, tm, &pk, 1000, "test accumulators"), 0);
    tb_probe_peak_call(&p, 0);
    ck_assert(tb_probe_peak_err(&p) == 0);
    ck_assert(tb_probe_peak_flops(&p) == (double)pk.peak_lanes * 2 * pk.peak_chains * 1000 * tb_team_size(tm));
    int last = (tb_team_size(tm) - 1) * TB_PEAK_MAX_FLOATS + pk.peak_lanes * pk.peak_chains - 1;
    p.acc[last] -= 1.0f; /* one iteration short, in the last member's last chain */
    ck_assert(tb_probe_peak_err(&p) > 0);
    p.acc[last] = NAN;
    ck_assert(isinf(tb_probe_peak_err(&p)));
    tb_probe_peak_free(&p);
    drop_team(tm);
}
END_TEST

START_TEST(team_int8_probe_counts_and_checks)
{
    tb_team *tm = make_team(2);
    tb_kernels k;
    tb_kernels_init(&k, TB_ISA_COUNT);
    double per_step;
    ck_assert(tb_probe_int8_check(k.peak_int8, k.peak_int8_info.name, 0, &per_step) == 0);
    ck_assert(per_step > 0);
    ck_assert(tb_probe_int8_check(k.peak_int8, k.peak_int8_info.name, 1, &per_step) > 0);
    ck_assert(isinf(tb_probe_int8_check(k.peak_int8, "tb_peak_int8_nonesuch", 0, &per_step)));
    tb_probe_int8 p;
    ck_assert_int_eq(tb_probe_int8_init(&p, tm, k.peak_int8, 100, "test state"), 0);
    tb_probe_int8_call(&p, 0);
    ck_assert(tb_probe_int8_macs(&p) == per_step * 100 * tb_team_size(tm));
    /* every member ran from the same seed, so every member's state is the same */
    int nt = tb_team_size(tm);
    ck_assert_int_eq(memcmp(p.state, p.state + (size_t)(nt - 1) * TB_KERNEL_PEAK_INT8_STATE,
                            TB_KERNEL_PEAK_INT8_STATE * sizeof(int32_t)), 0);
    tb_probe_int8_free(&p);
    drop_team(tm);
}
END_TEST

START_TEST(probe_tier_is_at_most_the_one_asked)
{
    tb_probe_kernels k;
    tb_probe_kernels_at_most(TB_ISA_GENERIC, &k);
    ck_assert_int_eq(k.isa, TB_ISA_GENERIC);
    tb_probe_kernels best;
    tb_probe_kernels_best(&best);
    tb_probe_kernels_at_most(TB_ISA_COUNT, &k);
    ck_assert_int_eq(k.isa, best.isa);
}
END_TEST

/* The sampled checks' indices: first and last always, evenly spaced, never more than the extent. */
START_TEST(oracle_sample_takes_both_ends)
{
    static const struct {
        int64_t extent;
        int count, n;
        int64_t want[8];
    } cases[] = {
        {10, 4, 4, {0, 3, 6, 9}}, {10, 1, 2, {0, 9}}, {1, 8, 1, {0}},          {3, 8, 3, {0, 1, 2}},
        {5, 0, 0, {0}},           {2, 2, 2, {0, 1}},  {100, 3, 3, {0, 50, 99}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int n = -1;
        int64_t *v = tb_oracle_sample(cases[c].extent, cases[c].count, &n);
        ck_assert_ptr_nonnull(v);
        ck_assert_int_eq(n, cases[c].n);
        for (int i = 0; i < n; i++)
            ck_assert_msg(v[i] == cases[c].want[i], "extent %lld count %d: [%d] = %lld, want %lld",
                          (long long)cases[c].extent, cases[c].count, i, (long long)v[i], (long long)cases[c].want[i]);
        free(v);
    }
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("probes");
    const TTest *const kernels[] = {stream_kernels_give_stream_values, read_sum_is_exact,
                                    peak_loop_does_the_declared_iterations, NULL};
    tb_test_add_tcase(s, "kernels", 60, kernels);
    const TTest *const team[] = {team_read_probe_sums_exactly, team_peak_probe_checks_exactly,
                                 team_int8_probe_counts_and_checks, probe_tier_is_at_most_the_one_asked,
                                 oracle_sample_takes_both_ends, NULL};
    tb_test_add_tcase(s, "team", 60, team);
    const TTest *const end_to_end[] = {stream_end_to_end, peak_end_to_end, int8_peak_end_to_end, bad_input_is_refused,
                                       arrays_that_do_not_fit_are_refused, failed_check_exits_3_and_is_never_timed,
                                       NULL};
    tb_test_add_tcase(s, "end-to-end", 240, end_to_end);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
