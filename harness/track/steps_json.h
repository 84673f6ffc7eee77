/* The change detector (steps.h) on a series held as JSON points: what `tokbench history` and the
 * report's trend charts both hand it. */
#ifndef TB_STEPS_JSON_H
#define TB_STEPS_JSON_H

#include <stddef.h>

#include <jansson.h>

/* The detection on points[idx[0..n)] (idx NULL: points[0..n)), each an object with "median" and
 * optionally "samples_ns" (raw times). higher_is_better: the median is a rate (tokens/s), so
 * without samples its inverse is the time. Returns a new array, one object per change: "index"
 * (into points), "kind" (step, drift), "verdict", "ratio" (candidate / baseline time, as compare's:
 * above 1 slower), "ci95_low", "ci95_high", "p_value", "p_adjusted", "baseline" ([first, last]
 * indices into points). *latest (when latest is not NULL) is set to a new object of the same
 * fields when the last point is a regression (tb_steps_latest_regression), else NULL. NULL when
 * out of memory. */
json_t *tb_steps_json(const json_t *points, const size_t *idx, size_t n, int higher_is_better, double threshold_pct,
                      size_t window, json_t **latest);

/* The report's hook (charts.h): the changes of one trend with the default window and compare's
 * default threshold for its kind. */
json_t *tb_steps_trend_changes(const json_t *points, int higher_is_better, int end_to_end);

#endif
