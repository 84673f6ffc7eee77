/* The threshold of each benchmark (compare_threshold.h). */
#include "compare_threshold.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "glob.h"
#include "util.h"

int tb_cmp_rules_parse(const char *const *spec, int n, tb_cmp_rules *rules)
{
    rules->n = 0;
    rules->r = calloc(n > 0 ? (size_t)n : 1, sizeof *rules->r);
    if (!rules->r)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < n; i++) {
        const char *eq = strrchr(spec[i], '=');
        double pct;
        if (!eq || eq == spec[i])
            return tb_fail(TB_EXIT_USAGE, "--threshold-for '%s': expected GLOB=PCT (bench*gemv*=8)", spec[i]);
        if (tb_parse_double(eq + 1, &pct) != 0 || pct < 0)
            return tb_fail(TB_EXIT_USAGE, "--threshold-for '%s': '%s' is not a non-negative percentage", spec[i], eq + 1);
        tb_cmp_rule *r = &rules->r[rules->n];
        r->glob = strndup(spec[i], (size_t)(eq - spec[i]));
        size_t len = strlen(spec[i]) + 32;
        r->spec = malloc(len);
        if (!r->glob || !r->spec) {
            free(r->glob);
            free(r->spec);
            return tb_fail(TB_EXIT_RUNTIME, "out of memory");
        }
        snprintf(r->spec, len, "--threshold-for %s", spec[i]);
        r->pct = pct;
        rules->n++;
        if (!tb_glob_valid(r->glob))
            return tb_fail(TB_EXIT_USAGE, "--threshold-for '%s': a '[' without its ']' in the glob", spec[i]);
    }
    return 0;
}

void tb_cmp_rules_free(tb_cmp_rules *rules)
{
    for (size_t i = 0; i < rules->n; i++) {
        free(rules->r[i].glob);
        free(rules->r[i].spec);
    }
    free(rules->r);
    rules->r = NULL;
    rules->n = 0;
}

double tb_cmp_threshold_of(const tb_cmp_bench *b, const tb_cmp_rules *rules, double threshold_pct, const char **from)
{
    for (size_t i = 0; rules && i < rules->n; i++)
        if (tb_glob_match(rules->r[i].glob, b->key)) {
            *from = rules->r[i].spec;
            return rules->r[i].pct;
        }
    if (threshold_pct >= 0) {
        *from = "--threshold";
        return threshold_pct;
    }
    *from = b->kind == TB_CMP_KERNEL ? "default (kernel)" : "default (end to end)";
    return b->kind == TB_CMP_KERNEL ? TB_CMP_THRESHOLD_KERNEL_PCT : TB_CMP_THRESHOLD_END_TO_END_PCT;
}
