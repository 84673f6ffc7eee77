/* The per-benchmark statistics, the verdicts and the summary of a comparison (compare.h). */
#include "compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare_prices.h"
#include "json_path.h"
#include "stats_compare.h"
#include "util.h"

/* One matched benchmark's figures, NaN where they cannot be had. */
typedef struct pair {
    const tb_cmp_bench *b, *c;
    double ratio, lo, hi, p, p_adj, threshold, noise;
    const char *test, *warning, *threshold_from;
    int too_few;
} pair;

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

const char *tb_cmp_verdict(double p_adj, double lo, double hi, double threshold_pct, int too_few)
{
    if (too_few || !isfinite(lo) || !isfinite(hi))
        return "inconclusive";
    double t = threshold_pct / 100;
    int significant = isfinite(p_adj) && p_adj < TB_CMP_ALPHA;
    if (significant && lo > 1 + t)
        return "regressed";
    if (significant && hi < 1 - t)
        return "improved";
    if (lo >= 1 - t && hi <= 1 + t)
        return "unchanged";
    return "inconclusive";
}


double tb_cmp_run_noise_pct(const double *run_median, size_t nrun)
{
    if (nrun < TB_CMP_NOISE_MIN_RUNS)
        return NAN;
    double *dev = malloc(nrun * sizeof *dev);
    if (!dev)
        return NAN;
    double med = tb_median_of(run_median, nrun);
    double widest = 0;
    for (size_t i = 0; i < nrun; i++) {
        dev[i] = fabs(run_median[i] - med);
        widest = dev[i] > widest ? dev[i] : widest;
    }
    double mad = tb_median_inplace(dev, nrun);
    free(dev);
    double band = TB_CMP_NOISE_SIGMAS * 1.4826 * mad;
    return med > 0 ? 100 * (band > widest ? band : widest) / med : NAN;
}

/* The ratio, interval and p-value of one pair; 0 or an exit code. */
static int measure_pair(pair *q, const tb_cmp_opts *o)
{
    const tb_cmp_bench *b = q->b, *c = q->c;
    q->ratio = q->lo = q->hi = q->p = q->p_adj = NAN;
    q->threshold = tb_cmp_threshold_of(b, o->rules, o->threshold_pct, &q->threshold_from);
    q->noise = tb_cmp_run_noise_pct(b->run_median, b->nrun);
    if (q->noise > q->threshold) {
        q->threshold = q->noise;
        q->threshold_from = "run-to-run noise of the base";
    }
    q->test = NULL;
    q->warning = NULL;
    if (b->n == 0 || c->n == 0) {
        q->too_few = 1;
        if (isfinite(b->fallback) && isfinite(c->fallback))
            q->ratio = c->fallback / b->fallback;
        q->warning = isfinite(q->ratio) ? "no raw samples: the ratio of the tokens/s medians only, no test"
                                        : "no samples on one side (a failed check?)";
        return 0;
    }
    q->too_few = tb_mwu_min_p(b->n, c->n) >= TB_CMP_ALPHA;
    if (q->too_few)
        q->warning = "too few samples to reach p < 0.05 at all (4 a side are the least)";
    tb_mwu mw;
    if (tb_mwu_test(b->s, b->n, c->s, c->n, &mw) != 0 ||
        tb_ratio_ci_boot(b->s, b->n, c->s, c->n, TB_BOOT_SEED, &q->ratio, &q->lo, &q->hi) != 0)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory comparing %s", b->key);
    q->p = mw.p;
    q->test = mw.exact ? "exact" : "normal approximation";
    return 0;
}

/* Holm across the judged pairs that can reach significance (the others would only dilute it); a
 * probe, outside the family, keeps its own p. */
static int adjust(pair *q, size_t k)
{
    double *p = malloc((k ? k : 1) * sizeof *p), *adj = malloc((k ? k : 1) * sizeof *adj);
    int rc = p && adj ? 0 : -1;
    for (size_t i = 0; !rc && i < k; i++)
        p[i] = q[i].too_few || q[i].b->probe ? NAN : q[i].p;
    if (!rc)
        rc = tb_holm(p, k, adj);
    for (size_t i = 0; !rc && i < k; i++)
        q[i].p_adj = q[i].b->probe && !q[i].too_few ? q[i].p : adj[i];
    free(p);
    free(adj);
    return rc ? tb_fail(TB_EXIT_RUNTIME, "out of memory") : 0;
}

static json_t *pair_json(const pair *q, const char *verdict)
{
    const tb_cmp_bench *b = q->b, *c = q->c;
    json_t *j = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:I, s:I, s:o, s:o, s:f, s:s, s:s, s:s}", "benchmark",
                          b->key, "ratio", num(q->ratio), "ci95_low", num(q->lo), "ci95_high", num(q->hi), "p_value",
                          num(q->p), "p_adjusted", num(q->p_adj), "verdict", verdict, "n_base", (json_int_t)b->n,
                          "n_candidate", (json_int_t)c->n, "base_median", num(b->n ? tb_median_of(b->s, b->n) : NAN),
                          "candidate_median", num(c->n ? tb_median_of(c->s, c->n) : NAN), "threshold_pct", q->threshold,
                          "metric", b->metric, "better", "lower", "isa", b->isa);
    if (!j)
        return NULL;
    json_object_set_new(j, "threshold_from", json_string(q->threshold_from));
    json_object_set_new(j, "base_runs", json_integer((json_int_t)b->nrun));
    json_object_set_new(j, "base_run_noise_pct", num(q->noise));
    json_object_set_new(j, "candidate_isa", json_string(c->isa));
    json_object_set_new(j, "test", q->test ? json_string(q->test) : json_null());
    json_object_set_new(j, "warning", q->warning ? json_string(q->warning) : json_null());
    json_object_set_new(j, "normalized_by", b->normalized_by ? json_string(b->normalized_by) : json_null());
    json_object_set_new(j, "judged", json_boolean(!b->probe));
    if (b->kind == TB_CMP_END_TO_END) /* tokens/s moves the other way: candidate / base throughput */
        json_object_set_new(j, "tokens_per_s_ratio", num(1 / q->ratio));
    return j;
}

static json_t *summary_json(const pair *q, size_t k, const char **verdicts, const tb_cmp_opts *o)
{
    double *r = malloc((k ? k : 1) * sizeof *r);
    size_t count[4] = {0}, judged = 0;
    static const char *names[4] = {"regressed", "improved", "unchanged", "inconclusive"};
    for (size_t i = 0; i < k; i++) {
        if (q[i].b->probe) /* the machine's change, not the code's: beside the verdicts, not among them */
            continue;
        if (r)
            r[judged] = q[i].ratio;
        judged++;
        for (int v = 0; v < 4; v++)
            count[v] += strcmp(verdicts[i], names[v]) == 0;
    }
    double g = r ? tb_geomean(r, judged) : NAN;
    free(r);
    json_t *s = json_pack("{s:o, s:I, s:I, s:I, s:I, s:s, s:f, s:o, s:f, s:f, s:s, s:i, s:I}", "geomean_ratio", num(g),
                          names[0], (json_int_t)count[0], names[1], (json_int_t)count[1], names[2],
                          (json_int_t)count[2], names[3], (json_int_t)count[3], "correction", "holm", "alpha",
                          TB_CMP_ALPHA, "threshold_pct", o->threshold_pct >= 0 ? json_real(o->threshold_pct) : json_null(),
                          "threshold_pct_kernel", o->threshold_pct >= 0 ? o->threshold_pct : TB_CMP_THRESHOLD_KERNEL_PCT,
                          "threshold_pct_end_to_end",
                          o->threshold_pct >= 0 ? o->threshold_pct : TB_CMP_THRESHOLD_END_TO_END_PCT, "ci_method",
                          "percentile bootstrap of the ratio of medians", "bootstrap_resamples", TB_BOOT_RESAMPLES,
                          "compared", (json_int_t)judged);
    json_t *rules = json_array();
    for (size_t i = 0; o->rules && i < o->rules->n; i++)
        json_array_append_new(rules, json_pack("{s:s, s:f}", "glob", o->rules->r[i].glob, "pct", o->rules->r[i].pct));
    json_object_set_new(s, "threshold_rules", rules);
    json_object_set_new(s, "min_base_runs", json_integer(o->min_base_runs));
    json_object_set_new(s, "normalize", json_string(tb_cmp_norm_name(o->normalize)));
    json_object_set_new(s, "probes_not_judged", json_integer((json_int_t)(k - judged)));
    return s;
}

/* The benchmarks of a found in b (none: listed as only in side, with a warning). */
static int unmatched(const tb_cmp_side *a, const tb_cmp_side *b, const char *side, json_t *list)
{
    for (size_t i = 0; i < a->nb; i++)
        if (!tb_cmp_side_find(b, a->b[i].key)) {
            tb_warn("%s: only in %s (%s): not compared", a->b[i].key, side, a->arg);
            if (json_array_append_new(list, json_pack("{s:s, s:s}", "benchmark", a->b[i].key, "only_in", side)) != 0)
                return tb_fail(TB_EXIT_RUNTIME, "out of memory");
        }
    return 0;
}

/* Every matched pair: measured, adjusted, judged, appended to benches. *k: how many. */
static int compare_pairs(const tb_cmp_side *base, const tb_cmp_side *cand, const tb_cmp_opts *o, pair *q,
                         const char **verdicts, size_t *k, json_t *benches)
{
    int rc = 0;
    *k = 0;
    for (size_t i = 0; !rc && i < base->nb; i++) {
        const tb_cmp_bench *c = tb_cmp_side_find(cand, base->b[i].key);
        if (!c)
            continue;
        q[*k].b = &base->b[i];
        q[*k].c = c;
        rc = measure_pair(&q[*k], o);
        (*k)++;
    }
    if (!rc)
        rc = adjust(q, *k);
    for (size_t i = 0; !rc && i < *k; i++) {
        verdicts[i] = tb_cmp_verdict(q[i].p_adj, q[i].lo, q[i].hi, q[i].threshold, q[i].too_few);
        if (q[i].b->nrun < (size_t)o->min_base_runs && strcmp(verdicts[i], "unchanged") != 0 &&
            strcmp(verdicts[i], "inconclusive") != 0) {
            verdicts[i] = "inconclusive";
            q[i].warning = "the base holds fewer runs than --min-base-runs: its run-to-run noise is unknown";
        }
        if (q[i].warning)
            tb_warn("%s: %s", q[i].b->key, q[i].warning);
        json_t *j = pair_json(&q[i], verdicts[i]);
        if (!j || json_array_append_new(benches, j) != 0)
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory");
    }
    return rc;
}

/* "machine.fingerprint, build.c_args": the fields of diffs, for one line. */
static void field_list(const json_t *diffs, char *buf, size_t cap)
{
    size_t i, used = 0;
    const json_t *d;
    buf[0] = '\0';
    json_array_foreach(diffs, i, d)
    {
        const char *bench = json_string_value(json_object_get(d, "benchmark"));
        int w = snprintf(buf + used, cap - used, "%s%s%s%s%s", used ? ", " : "", tb_json_str(d, "field"),
                         bench ? " (" : "", bench ? bench : "", bench ? ")" : "");
        if (w < 0 || (size_t)w >= cap - used)
            break;
        used += (size_t)w;
    }
}

/* The exit status, said in one line unless it is 0. */
static int status_of(const tb_cmp_side *base, const tb_cmp_side *cand, const json_t *diffs, const tb_cmp_opts *o,
                     const pair *q, size_t k, const char **verdicts)
{
    char fields[1024];
    field_list(diffs, fields, sizeof fields);
    if (json_array_size(diffs) && !o->allow_cross_machine)
        return tb_fail(TB_EXIT_INCOMPARABLE, "%s and %s are not comparable: %s differ (--allow-cross-machine compares them anyway)",
                       base->arg, cand->arg, fields);
    if (json_array_size(diffs))
        tb_warn("cross-machine comparison (--allow-cross-machine): %s differ", fields);
    if (k == 0)
        return tb_fail(TB_EXIT_INCOMPARABLE, "%s and %s share no benchmark", base->arg, cand->arg);
    size_t testable = 0, regressed = 0, judged = 0;
    for (size_t i = 0; i < k; i++) {
        if (q[i].b->probe)
            continue;
        judged++;
        testable += !q[i].too_few;
        regressed += strcmp(verdicts[i], "regressed") == 0;
    }
    if (judged == 0)
        return tb_fail(TB_EXIT_INCOMPARABLE, "%s and %s share no benchmark but probes", base->arg, cand->arg);
    if (testable == 0)
        return tb_fail(TB_EXIT_INCOMPARABLE, "too few samples on every benchmark to reach p < %.2f at all", TB_CMP_ALPHA);
    if (regressed)
        return tb_fail(TB_EXIT_REGRESSION, "%zu of %zu benchmarks regressed", regressed, judged);
    return 0;
}

int tb_compare(const tb_cmp_side *base, const tb_cmp_side *cand, const tb_cmp_opts *o, json_t **doc, int *status)
{
    *doc = NULL;
    *status = 0;
    json_t *diffs = json_array(), *benches = json_array(), *only = json_array();
    pair *q = calloc(base->nb ? base->nb : 1, sizeof *q);
    const char **verdicts = calloc(base->nb ? base->nb : 1, sizeof *verdicts);
    size_t k = 0;
    int rc = diffs && benches && only && q && verdicts ? 0 : tb_fail(TB_EXIT_RUNTIME, "out of memory");
    if (!rc)
        rc = tb_cmp_differences(base, cand, diffs);
    int comparable = json_array_size(diffs) == 0, go = comparable || o->allow_cross_machine;
    if (!rc && go && (rc = unmatched(base, cand, "base", only)) == 0 && (rc = unmatched(cand, base, "candidate", only)) == 0)
        rc = compare_pairs(base, cand, o, q, verdicts, &k, benches);
    if (!rc) {
        *doc = json_pack("{s:b, s:b, s:s, s:s, s:O, s:O, s:O, s:o, s:o}", "comparable", comparable, "cross_machine",
                         !comparable && go, "base", base->arg, "candidate", cand->arg, "differences", diffs,
                         "benchmarks", benches, "unmatched", only, "price_changes", tb_cmp_price_changes(base, cand),
                         "summary", summary_json(q, k, verdicts, o));
        if (!*doc)
            rc = tb_fail(TB_EXIT_RUNTIME, "out of memory");
    }
    if (!rc)
        *status = status_of(base, cand, diffs, o, q, k, verdicts);
    json_decref(diffs);
    json_decref(benches);
    json_decref(only);
    free(q);
    free(verdicts);
    return rc;
}
