/* The chart sections of the HTML report: the series and points the records hold. Each writes one
 * <section> and returns 0. */
#ifndef TB_CHARTS_H
#define TB_CHARTS_H

#include <stddef.h>
#include <stdio.h>

#include "html.h"

/* The changes detected in one trend, by a layer above this one (track/steps_json.h), which sets
 * the hook: points are tb_svg_trend's, each with the record's raw "samples_ns" where it has them;
 * returns a new array of {"index", "kind", "verdict", "ratio", "ci95_low", "ci95_high",
 * "p_adjusted", "baseline"}, or NULL. Without a hook no change is marked. */
typedef json_t *(*tb_trend_changes_fn)(const json_t *points, int higher_is_better, int end_to_end);
void tb_report_on_trend_changes(tb_trend_changes_fn fn);

/* A trend chart per (benchmark, machine) over in[0..n), which is in start-time order, with the
 * detected changes marked. */
int tb_report_trends(FILE *f, const tb_report_input *in, size_t n);
/* A roofline chart per machine fingerprint. */
int tb_report_rooflines(FILE *f, const tb_report_input *in, size_t n);

/* "c7i.4xlarge feedface..." (instance type when known, then the fingerprint) into buf. */
const char *tb_report_machine_label(const json_t *rec, char *buf, size_t cap);
/* A run record's model name (model is a string or an object with name); "?" when absent. */
const char *tb_report_model_name(const json_t *rec);

#endif
