/* A record's measurements for the history (history_rows.h).
 *
 * A benchmark's identity is what changes the measured work (SPEC.md, Tracking): the command, the
 * op or model, backend, ISA tier, dtype, the shape or (batch, threads, prompt, ctx), cold or warm.
 * Two records' points belong to one series when their identities are equal; the machine and the
 * build are separate columns of the record, so a series can be narrowed to one machine. The ISA
 * tier is part of a bench identity because one record may time several tiers (--isa a,b). */
#include "history_rows.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const json_t *v)
{
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "-";
}

/* Appends "/k=v,k=v" for an object (values as compact JSON unless integers), or "/v" for a
 * scalar. */
static void append_shape(char *buf, size_t cap, const json_t *shape)
{
    size_t len = strlen(buf);
    if (!json_is_object(shape)) {
        snprintf(buf + len, cap - len, "/-");
        return;
    }
    const char *key;
    json_t *v;
    const char *sep = "/";
    json_object_foreach((json_t *)shape, key, v) {
        len = strlen(buf);
        if (json_is_integer(v)) {
            snprintf(buf + len, cap - len, "%s%s=%lld", sep, key, (long long)json_integer_value(v));
        } else {
            char *t = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(buf + len, cap - len, "%s%s=%s", sep, key, t ? t : "?");
            free(t);
        }
        sep = ",";
    }
}

static int is_cold(const json_t *cs)
{
    return json_is_true(json_object_get(json_object_get(cs, "cold_weights"), "enabled")) ||
           json_is_true(json_object_get(json_object_get(cs, "cold_kv"), "enabled"));
}

/* bench/OP[:VARIANT]/BACKEND/ISA/DTYPE/SHAPE/tTHREADS/cold|warm */
void tb_history_case_id(const json_t *cs, char *buf, size_t cap)
{
    const char *variant = json_string_value(json_object_get(cs, "variant"));
    snprintf(buf, cap, "bench/%s%s%s/%s/%s/%s", str(cs, "op"), variant ? ":" : "", variant ? variant : "",
             str(cs, "backend"), str(cs, "isa"), str(cs, "dtype"));
    append_shape(buf, cap, json_object_get(cs, "shape"));
    size_t len = strlen(buf);
    snprintf(buf + len, cap - len, "/t%lld/%s", (long long)json_integer_value(json_object_get(cs, "threads")),
             is_cold(cs) ? "cold" : "warm");
}

/* run/MODEL/DTYPE/kvKV_DTYPE/bBATCH/tTHREADS/pPROMPT/cCTX */
void tb_history_row_id(const json_t *rec, const json_t *row, char *buf, size_t cap)
{
    const json_t *model = json_object_get(rec, "model");
    snprintf(buf, cap, "run/%s/%s/kv%s/b%lld/t%lld/p%lld/c%lld", str(model, "name"), str(row, "dtype"),
             str(row, "kv_dtype"), (long long)json_integer_value(json_object_get(row, "batch")),
             (long long)json_integer_value(json_object_get(row, "threads")),
             (long long)json_integer_value(json_object_get(row, "prompt")),
             (long long)json_integer_value(json_object_get(row, "ctx")));
}

static long long count_of(const json_t *stats, const json_t *samples)
{
    const json_t *n = json_object_get(stats, "n");
    if (json_is_integer(n))
        return (long long)json_integer_value(n);
    return json_is_array(samples) ? (long long)json_array_size(samples) : -1;
}

static int bench_cases(const json_t *rec, int (*fn)(const tb_history_measurement *, void *), void *ctx)
{
    size_t i;
    json_t *cs;
    json_array_foreach(json_object_get(rec, "cases"), i, cs) {
        const json_t *st = json_object_get(cs, "stats");
        if (!json_is_object(st))
            continue; /* a failed check: nothing was timed */
        tb_history_measurement m = {.metric = "time_per_call", .unit = "ns"};
        tb_history_case_id(cs, m.benchmark, sizeof m.benchmark);
        m.median = num(json_object_get(st, "median"));
        m.ci95_low = num(json_object_get(st, "ci95_low"));
        m.ci95_high = num(json_object_get(st, "ci95_high"));
        m.samples = json_object_get(cs, "samples_ns");
        m.n = count_of(st, m.samples);
        int rc = fn(&m, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

/* A phase's tokens/s (median and interval from phase.tokens_per_s) and its latency in ms (median
 * from the row's ttft_ms or tpot_ms, interval from the phase's stats in ns). */
static int run_phase(const json_t *row, const char *phase, const char *latency, const char *id,
                     int (*fn)(const tb_history_measurement *, void *), void *ctx)
{
    const json_t *ph = json_object_get(row, phase), *tps = json_object_get(ph, "tokens_per_s");
    const json_t *st = json_object_get(ph, "stats"), *samples = json_object_get(ph, "samples_ns");
    if (!json_is_object(tps))
        return 0;
    tb_history_measurement m = {.unit = "tokens/s", .samples = samples, .n = count_of(st, samples)};
    snprintf(m.benchmark, sizeof m.benchmark, "%s", id);
    m.metric = strcmp(phase, "prefill") == 0 ? "prefill_tokens_per_s" : "decode_tokens_per_s";
    m.median = num(json_object_get(tps, "median"));
    m.ci95_low = num(json_object_get(tps, "ci95_low"));
    m.ci95_high = num(json_object_get(tps, "ci95_high"));
    int rc = fn(&m, ctx);
    const json_t *lat = json_object_get(row, latency);
    if (rc || !json_is_object(lat))
        return rc;
    m.metric = latency;
    m.unit = "ms";
    m.median = num(json_object_get(lat, "median"));
    m.ci95_low = num(json_object_get(st, "ci95_low")) / 1e6;
    m.ci95_high = num(json_object_get(st, "ci95_high")) / 1e6;
    return fn(&m, ctx);
}

static int run_rows(const json_t *rec, int (*fn)(const tb_history_measurement *, void *), void *ctx)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(rec, "rows"), i, row) {
        char id[512];
        tb_history_row_id(rec, row, id, sizeof id);
        int rc = run_phase(row, "prefill", "ttft_ms", id, fn, ctx);
        if (!rc)
            rc = run_phase(row, "decode", "tpot_ms", id, fn, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

int tb_history_measurements(const json_t *rec, int (*fn)(const tb_history_measurement *m, void *ctx), void *ctx)
{
    int rc = bench_cases(rec, fn, ctx);
    return rc ? rc : run_rows(rec, fn, ctx);
}
