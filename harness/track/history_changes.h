/* Change detection over the history's series (steps.h), one machine at a time: a series of
 * `tokbench history` holds every machine's points of one (benchmark, metric), and a trend across
 * machines would read a hardware difference as a change over time. */
#ifndef TB_HISTORY_CHANGES_H
#define TB_HISTORY_CHANGES_H

#include <stddef.h>

#include <jansson.h>

/* For each series {"benchmark", "metric", "unit", "points": [{"machine", "median", "samples_ns",
 * ...}]} of the array: "changes" (steps_json.h, by index, with the started_at, commit and machine
 * of the point) and "latest_regressions" (the same objects, one per machine whose latest point is
 * a regression); the points' samples_ns are
 * dropped. window: points in a baseline; threshold_pct < 0: compare's defaults (10% for run/
 * series, 5% for the rest). Returns how many series have a latest regression, or -1 when out of
 * memory. */
int tb_history_changes(json_t *series, size_t window, double threshold_pct);

#endif
