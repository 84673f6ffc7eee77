/* The one clock every sample is taken with, and its measured granularity. */
#ifndef TB_TIMER_H
#define TB_TIMER_H

#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds: not slewed backwards by NTP, shared by all cores. */
uint64_t tb_now_ns(void);

/* Smallest non-zero step seen between back-to-back clock reads (ns), measured once and cached.
 * A sample must last many of these to mean anything (STREAM asks for 20 ticks; we ask for 1000). */
uint64_t tb_timer_granularity_ns(void);

/* UTC wall-clock time as ISO-8601 ("2026-11-26T18:43:00.123Z"). */
void tb_utc_iso8601(char *buf, int cap);

#endif
