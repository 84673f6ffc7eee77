/* Inline SVG charts for the HTML report, drawn by tokbench itself: a trend (median and 95% CI
 * band over records) and a log-log roofline. Points are <circle class="pt"> with a <title>
 * tooltip and the axes <g class="axis">: stable names the tests and stylesheets rely on. */
#ifndef TB_SVG_H
#define TB_SVG_H

#include <stdio.h>

#include <jansson.h>

/* pts: [{"median", "lo", "hi", "label", "title"}] in order; unit names the y axis. */
void tb_svg_trend(FILE *f, const json_t *pts, const char *unit);

/* pts: [{"ai", "gflops", "title"}]; peak_gflops and bw_gbps draw the roof where finite and > 0. */
void tb_svg_roofline(FILE *f, const json_t *pts, double peak_gflops, double bw_gbps);

#endif
