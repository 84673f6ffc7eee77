/* Option table and parser. */
#include "cli.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tb_config.h"
#include "util.h"

enum { A_FLAG, A_INT, A_U64, A_BYTES, A_DOUBLE, A_STR, A_FORMAT, A_PRICES, A_THRESHOLD_FOR };

/* Which commands take an option. */
#define C_SYSINFO (1u << TB_CMD_SYSINFO)
#define C_LIST (1u << TB_CMD_LIST)
#define C_BENCH (1u << TB_CMD_BENCH)
#define C_RUN (1u << TB_CMD_RUN)
#define C_COST (1u << TB_CMD_COST)
#define C_PRICES (1u << TB_CMD_PRICES)
#define C_COMPARE (1u << TB_CMD_COMPARE)
#define C_HISTORY (1u << TB_CMD_HISTORY)
#define C_REPORT (1u << TB_CMD_REPORT)
#define C_ALL 0xffffu
#define C_MEASURE (C_BENCH | C_RUN)

typedef struct opt_def {
    const char *name;
    int kind;
    size_t offset;
    unsigned cmds;
    int lo, hi;       /* for A_INT */
    const char *help; /* NULL: a test hook, which --help does not list */
} opt_def;

#define OFF(f) offsetof(tb_opts, f)

static const opt_def opts_table[] = {
    {"format", A_FORMAT, OFF(format), C_ALL, 0, 0, "text|json|csv|md: what goes to stdout (default text)"},
    {"quiet", A_FLAG, OFF(quiet), C_ALL, 0, 0, "no warnings or progress on stderr"},
    {"results-dir", A_STR, OFF(results_dir), C_MEASURE | C_HISTORY | C_COMPARE | C_REPORT, 0, 0,
     "where records are saved, and the history database (default results/)"},
    {"no-save", A_FLAG, OFF(no_save), C_MEASURE, 0, 0, "do not save a record"},
    {"threads", A_INT, OFF(threads), C_BENCH, 1, 1 << 20, "worker threads (default: one per physical core)"},
    {"threads", A_STR, OFF(threads_list), C_RUN, 0, 0, "worker threads, a list such as 1,2,4 (default: one per core)"},
    {"model", A_STR, OFF(model), C_RUN, 0, 0, "a preset (tokbench list models) or a Hugging Face config.json path"},
    {"prompt", A_STR, OFF(prompt), C_RUN, 0, 0, "prompt tokens per sequence, a list (default 512)"},
    {"slo-ttft", A_DOUBLE, OFF(slo_ttft_ms), C_RUN, 0, 0, "find the largest batch whose TTFT p90 stays under MS"},
    {"slo-tpot", A_DOUBLE, OFF(slo_tpot_ms), C_RUN, 0, 0, "find the largest batch whose TPOT p90 stays under MS"},
    {"prefill-time", A_DOUBLE, OFF(prefill_time), C_RUN, 0, 0,
     "seconds a prefill call may take at the measured ceilings (int8 for q8_0/q4_0 weights) before fewer "
     "layers/sequences are timed and scaled (default 0.5; 0: time all of it)"},
    {"cores", A_STR, OFF(cores), C_MEASURE, 0, 0, "OS CPU ids to run on, taskset syntax: 0-3,8"},
    {"smt", A_FLAG, OFF(smt), C_MEASURE, 0, 0, "allow SMT siblings of one core"},
    {"min-time", A_DOUBLE, OFF(min_time), C_MEASURE, 0, 0, "seconds of timed samples per case, at least (default 1)"},
    {"max-time", A_DOUBLE, OFF(max_time), C_MEASURE, 0, 0, "seconds per case at most, once one sample is in (default 60)"},
    {"repetitions", A_INT, OFF(repetitions), C_MEASURE, 1, 1000000, "timed samples per case, at least (default 10)"},
    {"warmup", A_INT, OFF(warmup), C_MEASURE, 0, 1000000, "untimed runs before sampling (default 2)"},
    {"seed", A_U64, OFF(seed), C_MEASURE, 0, 0, "seed of the synthetic data (default 42)"},
    {"shape", A_STR, OFF(shape), C_BENCH, 0, 0,
     "gemm: MxNxK[,...] for C[M×N] = A[M×K]·W[N×K]ᵀ; gemv: NxK; stream: elements or 256MiB per array"},
    {"backend", A_STR, OFF(backend), C_BENCH, 0, 0,
     "portable|openblas|ref, probes read|peak (comma list: timed interleaved, ratio shown; default gemm/gemv "
     "portable,openblas, attn-decode portable,read, attn-prefill portable,peak)"},
    {"dtype", A_STR, OFF(dtype), C_MEASURE, 0, 0, "weights: f32|bf16|f16|q8_0|q4_0 (default: f32 for bench, q8_0 for run)"},
    {"isa", A_STR, OFF(isa), C_MEASURE, 0, 0, "auto|generic|avx2|avx512|neon, or a comma list of tiers to compare"},
    {"cold", A_FLAG, OFF(cold), C_BENCH, 0, 0, "weights from DRAM: rotate copies totalling >= 4x the LLC"},
    {"llc-bytes", A_BYTES, OFF(llc_bytes), C_SYSINFO | C_MEASURE, 0, 0,
     "size cold working sets from this LLC (33554432, 32MiB) instead of the reported or measured one"},
    {"measure-llc", A_FLAG, OFF(measure_llc), C_SYSINFO | C_MEASURE, 0, 0,
     "measure the LLC with a read-bandwidth sweep now (else only when the reported size is missing or implausible)"},
    {"heads", A_INT, OFF(heads), C_MEASURE, 1, 1 << 16, "attention query heads"},
    {"kv-heads", A_INT, OFF(kv_heads), C_MEASURE, 1, 1 << 16, "attention KV heads (grouped-query: divides --heads)"},
    {"head-dim", A_INT, OFF(head_dim), C_MEASURE, 1, 1 << 12, "attention head dimension"},
    {"seq", A_STR, OFF(seq), C_BENCH, 0, 0, "attn-prefill: tokens per sequence"},
    {"ctx", A_STR, OFF(ctx), C_MEASURE, 0, 0, "attn-decode: KV-cache length (a list for run)"},
    {"batch", A_STR, OFF(batch), C_MEASURE, 0, 0, "sequences per step (attn-decode: a list gives mixed lengths)"},
    {"kv-dtype", A_STR, OFF(kv_dtype), C_MEASURE, 0, 0, "KV cache: f32|f16 (default f16)"},
    {"prices", A_PRICES, OFF(prices), C_RUN | C_COST | C_LIST, 0, 0, "price table FILE or DIR (repeatable)"},
    {"instance", A_STR, OFF(instance), C_RUN | C_COST, 0, 0, "price for this instance type (default: from DMI)"},
    {"pricing", A_STR, OFF(pricing), C_RUN | C_COST | C_LIST, 0, 0, "on-demand|spot|commit-1y|commit-3y"},
    {"utilization", A_DOUBLE, OFF(utilization), C_RUN | C_COST, 0, 0, "fraction of the hour doing work, 0 < U <= 1"},
    {"blend", A_STR, OFF(blend), C_RUN | C_COST, 0, 0, "IN:OUT token ratio of the blended price (default 3:1)"},
    {"fx", A_STR, OFF(fx), C_RUN | C_COST, 0, 0, "exchange rates to USD, e.g. EUR=1.08,GBP=1.27"},
    {"project", A_FLAG, OFF(project), C_RUN | C_COST, 0, 0, "allow pricing a result on another instance (labelled projected)"},
    {"max-age-days", A_INT, OFF(max_age_days), C_RUN | C_COST | C_LIST | C_PRICES, 0, 100000,
     "warn about prices older than this (default 180)"},
    {"from", A_STR, OFF(from), C_PRICES, 0, 0, "prices import: aws|azure|gcp (the cloud's own price-list format)"},
    {"output", A_STR, OFF(output), C_PRICES, 0, 0, "write the CSV here instead of stdout"},
    {"benchmark", A_STR, OFF(bench_glob), C_HISTORY, 0, 0, "history: only benchmarks matching this glob (bench/gemm/*)"},
    {"since", A_STR, OFF(since), C_HISTORY, 0, 0, "history: only records started on or after DATE (2026-11-20)"},
    {"machine", A_STR, OFF(machine), C_HISTORY, 0, 0, "history: only records of this machine fingerprint"},
    {"window", A_INT, OFF(window), C_HISTORY, 3, 1000,
     "history: points per baseline: a step against the N points before, a drift against the N before those (default 7)"},
    {"output", A_STR, OFF(output), C_REPORT, 0, 0, "the HTML file to write (-o FILE.html)"},
    {"warm", A_FLAG, OFF(cold), C_BENCH, 0, 0, "weights stay cache-warm (one copy)"},
    {"threshold", A_DOUBLE, OFF(threshold_pct), C_COMPARE, 0, 0,
     "PCT: smallest change that counts, both ways (default 5 for kernels, 10 for end-to-end tokens/s)"},
    {"allow-cross-machine", A_FLAG, OFF(allow_cross_machine), C_COMPARE, 0, 0,
     "compare records of different machines or builds anyway (the output says so)"},
    {"min-base-runs", A_INT, OFF(min_base_runs), C_COMPARE, 1, 1000,
     "N: a benchmark whose base holds fewer runs is at most inconclusive (default 1; nightly.sh uses 3)"},
    {"normalize", A_STR, OFF(normalize), C_COMPARE, 0, 0,
     "read: a kernel's time over the read probe's of the same rounds; probe: also over a peak probe's, and a run's "
     "over its roofline bound (default none)"},
    {"threshold-for", A_THRESHOLD_FOR, OFF(threshold_for), C_COMPARE, 0, 0,
     "GLOB=PCT: this threshold for benchmarks matching GLOB (repeatable; the first match wins over --threshold)"},
    /* test hooks (options.h): the tests set them as TOKBENCH_FAULT_INJECT and so on */
    {"fault-inject", A_STR, OFF(fault_inject), C_MEASURE, 0, 0, NULL},
    {"memavailable", A_U64, OFF(mem_available), C_RUN, 0, 0, NULL},
    {"dmi-dir", A_STR, OFF(dmi_dir), C_SYSINFO | C_MEASURE, 0, 0, NULL},
};

void tb_cli_usage(void)
{
    printf("usage: tokbench COMMAND [options]\n\ncommands:\n");
    for (size_t i = 0; i < tb_ncommands; i++)
        printf("  %-9s %s\n", tb_commands[i].name, tb_commands[i].help);
    printf("\n'tokbench COMMAND --help' lists a command's options; 'tokbench --version' the version.\n");
}

static void command_help(const tb_command *c)
{
    printf("usage: tokbench %s %s\n\noptions:\n", c->name, c->help);
    for (size_t i = 0; i < sizeof opts_table / sizeof *opts_table; i++)
        if ((opts_table[i].cmds & (1u << c->cmd)) && opts_table[i].help)
            printf("  --%-13s %s\n", opts_table[i].name, opts_table[i].help);
    printf("\nEvery option also reads TOKBENCH_<NAME> from the environment (--min-time: TOKBENCH_MIN_TIME).\n");
}

/* Options whose value is a comma list: an empty item (",", "a,,b", "a,") is an error for each of
 * them, never skipped, so "--isa ," cannot quietly mean "--isa auto". */
static int is_list(const char *name)
{
    static const char *const lists[] = {"shape", "backend", "isa", "threads", "batch", "prompt",
                                        "ctx",   "seq",     "fx",  "instance", "cores"};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
        if (strcmp(name, lists[i]) == 0)
            return 1;
    return 0;
}

static int has_empty_item(const char *v)
{
    size_t n = strlen(v);
    return v[0] == ',' || v[n - 1] == ',' || strstr(v, ",,") != NULL;
}

/* A repeatable option's value, appended to list (max entries). */
static int add_repeated(const opt_def *d, const char *val, const char **list, int *n, int max, const char *origin)
{
    if (!*val)
        return tb_fail(TB_EXIT_USAGE, "%s%s: empty value", origin, d->name);
    if (*n >= max)
        return tb_fail(TB_EXIT_USAGE, "%s%s: at most %d of them", origin, d->name, max);
    list[(*n)++] = val;
    return 0;
}

static int set_value(const opt_def *d, const char *val, tb_opts *o, const char *origin)
{
    void *base = (char *)o + d->offset; /* the option's field, of the type its kind names */
    switch (d->kind) {
    case A_INT:
        if (tb_parse_int(val, d->lo, d->hi, (int *)base) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s%s '%s': expected a whole number from %d to %d", origin, d->name, val, d->lo,
                           d->hi);
        return 0;
    case A_U64:
        if (tb_parse_u64(val, (uint64_t *)base) != 0)
            return tb_fail(TB_EXIT_USAGE, "%s%s '%s': expected a non-negative whole number", origin, d->name, val);
        return 0;
    case A_BYTES:
        /* below a page no cache is plausible, and 0 would mean "not given" */
        if (tb_parse_bytes(val, (uint64_t *)base) != 0 || *(uint64_t *)base < 4096)
            return tb_fail(TB_EXIT_USAGE, "%s%s '%s': expected a byte count of at least 4096 (33554432, 32MiB, 1GiB)",
                           origin, d->name, val);
        return 0;
    case A_DOUBLE: {
        double v;
        if (tb_parse_double(val, &v) != 0 || v < 0)
            return tb_fail(TB_EXIT_USAGE, "%s%s '%s': expected a non-negative number", origin, d->name, val);
        *(double *)base = v;
        return 0;
    }
    case A_STR:
        if (!*val)
            return tb_fail(TB_EXIT_USAGE, "%s%s: empty value", origin, d->name);
        if (is_list(d->name) && has_empty_item(val))
            return tb_fail(TB_EXIT_USAGE, "%s%s '%s': an empty item in the list", origin, d->name, val);
        *(const char **)base = val;
        return 0;
    case A_PRICES:
        return add_repeated(d, val, o->prices, &o->nprices, TB_MAX_PRICE_SOURCES, origin);
    case A_THRESHOLD_FOR:
        return add_repeated(d, val, o->threshold_for, &o->nthreshold_for, TB_MAX_THRESHOLD_RULES, origin);
    case A_FORMAT: {
        static const char *names[] = {"text", "json", "csv", "md"};
        for (int i = 0; i < 4; i++)
            if (strcmp(val, names[i]) == 0) {
                *(tb_format *)base = (tb_format)i;
                return 0;
            }
        return tb_fail(TB_EXIT_USAGE, "%s%s '%s': expected text, json, csv or md", origin, d->name, val);
    }
    }
    return 0;
}

static void set_flag(const opt_def *d, tb_opts *o)
{
    /* --warm shares --cold's slot: the flag sets it to 0. */
    *(int *)((char *)o + d->offset) = strcmp(d->name, "warm") != 0;
}

/* TOKBENCH_MIN_TIME and friends, applied before the command line so flags win. */
static int apply_env(tb_opts *o)
{
    for (size_t i = 0; i < sizeof opts_table / sizeof *opts_table; i++) {
        const opt_def *d = &opts_table[i];
        if (!(d->cmds & (1u << o->cmd)))
            continue;
        char var[64] = "TOKBENCH_";
        size_t n = strlen(var);
        for (const char *p = d->name; *p && n + 1 < sizeof var; p++)
            var[n++] = (char)(*p == '-' ? '_' : *p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        var[n] = '\0';
        const char *val = getenv(var);
        if (!val)
            continue;
        if (d->kind == A_FLAG) {
            if (strcmp(val, "1") == 0)
                set_flag(d, o);
            else if (strcmp(val, "0") != 0)
                return tb_fail(TB_EXIT_USAGE, "environment %s='%s': expected 0 or 1", var, val);
            continue;
        }
        char origin[128];
        snprintf(origin, sizeof origin, "environment %s for --", var);
        int rc = set_value(d, val, o, origin);
        if (rc)
            return rc;
    }
    return 0;
}

/* The entry for this name and command (one name may mean a number for bench, a list for run). */
static const opt_def *find_opt(const char *name, size_t len, tb_cmd cmd)
{
    for (size_t i = 0; i < sizeof opts_table / sizeof *opts_table; i++)
        if (strlen(opts_table[i].name) == len && strncmp(opts_table[i].name, name, len) == 0 &&
            (opts_table[i].cmds & (1u << cmd)))
            return &opts_table[i];
    return NULL;
}

int tb_cli_parse(int argc, char **argv, tb_opts *o)
{
    memset(o, 0, sizeof *o);
    o->argc = argc;
    o->argv = argv;
    o->results_dir = "results";
    o->min_time = 1.0;
    o->max_time = 60.0;
    o->repetitions = 10;
    o->warmup = 2;
    o->seed = 42;
    o->cold = -1;
    o->max_age_days = -1;
    o->utilization = -1;
    o->prefill_time = -1;
    o->threshold_pct = -1;

    if (argc < 2)
        return tb_fail(TB_EXIT_USAGE, "give a command: sysinfo, list, bench, run, cost, compare, report or prices "
                                      "(tokbench --help says what each does)");
    const char *c = argv[1];
    if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0 || strcmp(c, "help") == 0) {
        tb_cli_usage();
        return -1;
    }
    if (strcmp(c, "--version") == 0 || strcmp(c, "-V") == 0) {
        printf("tokbench %s\n", TB_VERSION);
        return -1;
    }
    const tb_command *command = tb_command_named(c);
    if (!command)
        return tb_fail(TB_EXIT_USAGE, "unknown command '%s' (see tokbench --help)", c);
    o->cmd = command->cmd;
    o->cmd_name = command->name;

    int rc = apply_env(o);
    if (rc)
        return rc;

    int only_positional = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            if (o->npositional >= TB_MAX_POSITIONAL)
                return tb_fail(TB_EXIT_USAGE, "too many arguments (at most %d)", TB_MAX_POSITIONAL);
            o->positional[o->npositional++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            command_help(command);
            return -1;
        }
        /* -o is the one short option: --output, as report's usage line writes it */
        if (strcmp(a, "-o") == 0 && o->cmd == TB_CMD_REPORT)
            a = "--output";
        if (a[1] != '-')
            return tb_fail(TB_EXIT_USAGE, "unknown flag '%s' for '%s' (see tokbench %s --help)", a, o->cmd_name,
                           o->cmd_name);
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const opt_def *d = find_opt(name, len, o->cmd);
        if (!d)
            return tb_fail(TB_EXIT_USAGE, "unknown flag '--%.*s' for '%s' (see tokbench %s --help)", (int)len, name,
                           o->cmd_name, o->cmd_name);
        if (d->kind == A_FLAG) {
            if (eq)
                return tb_fail(TB_EXIT_USAGE, "--%s takes no value", d->name);
            set_flag(d, o);
            continue;
        }
        const char *val = eq ? eq + 1 : NULL;
        if (!val) {
            if (i + 1 >= argc)
                return tb_fail(TB_EXIT_USAGE, "--%s needs a value", d->name);
            val = argv[++i];
        }
        if ((rc = set_value(d, val, o, "--")) != 0)
            return rc;
    }
    if (o->max_time < o->min_time)
        o->max_time = o->min_time;
    tb_set_quiet(o->quiet);
    return 0;
}
