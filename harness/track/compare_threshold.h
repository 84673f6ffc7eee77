/* Which threshold a benchmark of `tokbench compare` is judged against: the first
 * --threshold-for GLOB=PCT whose glob matches its key, else --threshold, else the default of its
 * kind (compare.h). Each benchmark's JSON says which (threshold_pct, threshold_from). */
#ifndef TB_COMPARE_THRESHOLD_H
#define TB_COMPARE_THRESHOLD_H

#include <stddef.h>

#include "compare_input.h"

typedef struct tb_cmp_rule {
    char *glob;
    double pct;
    char *spec; /* "--threshold-for GLOB=PCT", as the output names it */
} tb_cmp_rule;

typedef struct tb_cmp_rules {
    tb_cmp_rule *r; /* in command-line order: the first match wins */
    size_t n;
} tb_cmp_rules;

/* Parses each "GLOB=PCT" (the last '=' splits, so a glob may hold '='s: m=8*=2). A bad glob
 * (glob.h), a PCT that is not a number >= 0 or a missing '=' is one error line naming the value,
 * TB_EXIT_USAGE. Returns 0 or an exit code. */
int tb_cmp_rules_parse(const char *const *spec, int n, tb_cmp_rules *rules);
void tb_cmp_rules_free(tb_cmp_rules *rules);

/* The threshold (percent) of b, and in *from where it came from. threshold_pct < 0: not given. */
double tb_cmp_threshold_of(const tb_cmp_bench *b, const tb_cmp_rules *rules, double threshold_pct, const char **from);

#endif
