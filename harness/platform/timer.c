/* Monotonic clock and granularity probe. */
#include "timer.h"

#include <stdio.h>
#include <time.h>

uint64_t tb_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t tb_timer_granularity_ns(void)
{
    static uint64_t cached;
    if (cached)
        return cached;
    uint64_t best = UINT64_MAX;
    for (int i = 0; i < 1000; i++) {
        uint64_t a = tb_now_ns(), b;
        do
            b = tb_now_ns();
        while (b == a);
        if (b - a < best)
            best = b - a;
    }
    cached = best;
    return best;
}

void tb_utc_iso8601(char *buf, int cap)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    snprintf(buf, (size_t)cap, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
}
