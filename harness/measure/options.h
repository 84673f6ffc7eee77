/* The options of one invocation: parsed from the command line and the environment by cli/, read
 * by every layer above measure/, and written into every record (record.c). A plain struct, so a
 * layer below the command line needs no part of the parser. */
#ifndef TB_OPTIONS_H
#define TB_OPTIONS_H

#include <stdint.h>

typedef enum tb_cmd {
    TB_CMD_NONE = 0,
    TB_CMD_SYSINFO,
    TB_CMD_LIST,
    TB_CMD_BENCH,
    TB_CMD_RUN,
    TB_CMD_COST,
    TB_CMD_COMPARE,
    TB_CMD_REPORT,
    TB_CMD_PRICES,
    TB_CMD_HISTORY,
} tb_cmd;

typedef enum tb_format { TB_FMT_TEXT = 0, TB_FMT_JSON, TB_FMT_CSV, TB_FMT_MD } tb_format;

#define TB_MAX_POSITIONAL 64
#define TB_MAX_PRICE_SOURCES 16
#define TB_MAX_THRESHOLD_RULES 32

typedef struct tb_opts {
    tb_cmd cmd;
    const char *cmd_name;
    const char *positional[TB_MAX_POSITIONAL]; /* bench OP, list WHAT, result files */
    int npositional;

    tb_format format;
    const char *results_dir;
    int no_save, quiet;

    int threads; /* 0 = default */
    const char *cores;
    int smt;

    double min_time, max_time;
    int repetitions, warmup;
    uint64_t seed;

    const char *shape, *backend, *dtype, *isa;
    int cold; /* -1: the op's default, 0: warm weights, 1: cold-weight rotation */
    uint64_t llc_bytes; /* --llc-bytes: the LLC that cold working sets are sized from; 0 = not given */
    int measure_llc;       /* --measure-llc: sweep the cache again */

    /* attention shapes (bench attn-*, later run); 0 / NULL = the op's default */
    int heads, kv_heads, head_dim;
    const char *seq, *ctx, *batch, *kv_dtype;

    /* run */
    const char *model, *prompt, *threads_list; /* run: --threads takes a list */
    double slo_ttft_ms, slo_tpot_ms;            /* 0 = no SLO */
    double prefill_time;                        /* run: < 0 not given (0.5 s); 0: no slicing */

    /* prices and cost */
    const char *prices[TB_MAX_PRICE_SOURCES]; /* --prices, repeatable */
    int nprices;
    const char *instance, *pricing, *blend, *fx, *from, *output;
    double utilization; /* < 0: not given (1) */
    int project;
    int max_age_days; /* -1 = default */

    /* compare */
    double threshold_pct;    /* --threshold: < 0 not given (5% kernels, 10% end to end) */
    int allow_cross_machine; /* compare records of different machines or builds, labelled */
    const char *threshold_for[TB_MAX_THRESHOLD_RULES]; /* --threshold-for GLOB=PCT, repeatable, in order */
    int nthreshold_for;
    int min_base_runs; /* --min-base-runs: 0 not given (1) */
    const char *normalize; /* --normalize none|read|probe: NULL not given (none) */
    /* history: series filters; NULL = all */
    const char *bench_glob, *since, *machine;
    int window; /* history --window: points in a rolling baseline; 0: the default (7) */

    /* Test hooks: options --help does not list, set by the tests through their environment twins
     * (TOKBENCH_FAULT_INJECT, TOKBENCH_MEMAVAILABLE, TOKBENCH_DMI_DIR). */
    const char *fault_inject; /* a backend, variant or tier whose output is spoiled: its check must fail;
                                 bench gemm/gemv: "slow-portable" times the portable kernel twice per call */
    uint64_t mem_available;   /* run: plan memory as if this many bytes were free; 0 = MemAvailable */
    const char *dmi_dir;      /* DMI files instead of /sys/class/dmi/id (NULL) */

    int argc;
    char **argv;
} tb_opts;

#endif
