/* Cost arithmetic: dollars per million tokens from an hourly price and a throughput, with the
 * 95% interval carried through, the blend of input and output, and the rules of a projection.
 * Pure functions (no I/O), so every figure can be checked by hand in tests/check_cost.c. */
#ifndef TB_COST_H
#define TB_COST_H

#include "prices.h"

/* A median and its 95% interval; NAN where unknown. */
typedef struct tb_ci {
    double median, lo, hi;
} tb_ci;

/* usd_per_hour / (tokens_per_s x 3600 x utilization) x 1e6. NAN when any input is unknown,
 * the throughput is not positive or the utilization is outside (0, 1]: never 0, never inf. */
double tb_usd_per_mtok(double usd_per_hour, double tokens_per_s, double utilization);

/* The same for an interval: the price falls as throughput rises, so the price's low bound comes
 * from the throughput's high bound and the other way round. */
tb_ci tb_cost_ci(double usd_per_hour, tb_ci tokens_per_s, double utilization);

/* (w_in x in + w_out x out) / (w_in + w_out): the price of a token mix by count. A side with
 * weight 0 does not need to be known. */
double tb_cost_blend(double in, double out, double w_in, double w_out);
/* Endpoint by endpoint (low with low, high with high): the two sides come from separate
 * measurements, so this is the conservative (wider) interval. */
tb_ci tb_cost_blend_ci(tb_ci in, tb_ci out, double w_in, double w_out);

/* Every field multiplied by f. */
tb_ci tb_ci_scale(tb_ci t, double f);

/* "IN:OUT", both non-negative numbers, not both 0. 0 or -1. */
int tb_blend_parse(const char *s, double *in, double *out);

/* --fx "EUR=1.08,GBP=1.27": US dollars per unit of each currency. */
#define TB_FX_MAX 16
typedef struct tb_fx {
    char code[TB_FX_MAX][4];
    double usd_per_unit[TB_FX_MAX];
    int n;
} tb_fx;
/* 0, or -1 with the reason in err. */
int tb_fx_parse(const char *s, tb_fx *fx, char *err, size_t errcap);
/* US dollars per unit of cur: 1 for USD, the --fx rate, or NAN when none is given. */
double tb_fx_rate(const tb_fx *fx, const char *cur);

/* "x86_64" for x86_64/amd64/x86-64, "arm64" for aarch64/arm64; other names as given; NULL
 * for NULL or "". */
const char *tb_arch_normalize(const char *arch);

/* Where a result ran, as its record says. */
typedef struct tb_ran_on {
    const char *provider, *type; /* machine.instance; NULL when unknown */
    const char *arch;            /* machine.cpu.arch */
    double machine_cores;        /* machine.topology.cores; NAN when unknown */
    double cores_used;           /* physical cores the row's threads ran on; NAN when unknown */
} tb_ran_on;

typedef enum tb_proj {
    TB_PROJ_SAME = 0,     /* the instance it ran on: no scaling */
    TB_PROJ_OK,           /* a projection, scaled by *factor */
    TB_PROJ_NEED_FLAG,    /* would be a projection, and --project was not given */
    TB_PROJ_ARCH,         /* another architecture (or one not known): never projected */
    TB_PROJ_CORES_UNKNOWN,/* target's physical_cores or the cores used unknown */
    TB_PROJ_TOO_MANY,     /* the row used more cores than the target has */
} tb_proj;

/* Whether price row p applies to a result that ran on r, and the throughput factor (target
 * physical cores / cores used) when it is a projection. A record that does not name its instance
 * type is taken to have run on p when the provider (the record's, or none and p is not aws, gcp
 * or azure), the architecture and the physical cores (where p gives them) agree. */
tb_proj tb_cost_projection(const tb_ran_on *r, const tb_price *p, int allow_project, double *factor);
/* A short phrase for a refusal ("another architecture"). */
const char *tb_proj_reason(tb_proj s);

#endif
