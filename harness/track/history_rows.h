/* What the history keeps of one record: its measurements, one per (benchmark, metric), read from
 * a bench record's cases[] or a run record's rows[]. Pure JSON in, values out: no database. */
#ifndef TB_HISTORY_ROWS_H
#define TB_HISTORY_ROWS_H

#include <jansson.h>

typedef struct tb_history_measurement {
    char benchmark[512];    /* the identity: what was measured, never how fast (see history_rows.c) */
    const char *metric;     /* time_per_call, prefill_tokens_per_s, decode_tokens_per_s, ttft_ms, tpot_ms */
    const char *unit;       /* ns, tokens/s, ms */
    double median, ci95_low, ci95_high; /* NAN when the record lacks one */
    long long n;            /* samples; -1 when unknown */
    const json_t *samples;  /* the raw samples_ns array (borrowed), or NULL */
} tb_history_measurement;

/* The series identities (the benchmark column): of a bench case, bench/OP[:VARIANT]/BACKEND/ISA/
 * DTYPE/SHAPE/tTHREADS/cold|warm; of a run row, run/MODEL/DTYPE/kvKV/bBATCH/tTHREADS/pPROMPT/cCTX. */
void tb_history_case_id(const json_t *cs, char *buf, size_t cap);
void tb_history_row_id(const json_t *rec, const json_t *row, char *buf, size_t cap);

/* Calls fn for each measurement of rec; stops at and returns fn's first non-zero result. */
int tb_history_measurements(const json_t *rec, int (*fn)(const tb_history_measurement *m, void *ctx), void *ctx);

#endif
