/* JSON points in, changes out (steps_json.h). */
#include "steps_json.h"

#include <math.h>
#include <stdlib.h>

#include "compare.h"
#include "json_path.h"
#include "steps.h"

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* Fills p from one JSON point; its samples go to a new array (*held, freed by the caller). */
static int point_of(const json_t *jp, int higher_is_better, tb_steps_point *p, double **held)
{
    double med = tb_json_num(jp, "median");
    *p = (tb_steps_point){NULL, 0, higher_is_better && med > 0 ? 1 / med : med};
    *held = NULL;
    const json_t *s = json_object_get(jp, "samples_ns");
    size_t k = json_array_size(s), used = 0;
    if (k == 0)
        return 0;
    if (!(*held = malloc(k * sizeof **held)))
        return -1;
    for (size_t i = 0; i < k; i++) {
        double v = json_number_value(json_array_get(s, i));
        if (v > 0 && isfinite(v))
            (*held)[used++] = v;
    }
    p->s = *held;
    p->n = used;
    return 0;
}

/* One change (or the latest regression) at subsequence position at; indices map back to points. */
static json_t *change_json(const size_t *idx, size_t at, const char *kind, const tb_steps_test *t)
{
    size_t from = idx ? idx[t->base_from] : t->base_from, last = idx ? idx[t->base_to - 1] : t->base_to - 1;
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:[I, I]}", "index", (json_int_t)(idx ? idx[at] : at),
                     "kind", kind, "verdict", t->verdict, "ratio", num(t->ratio), "ci95_low", num(t->lo), "ci95_high",
                     num(t->hi), "p_value", num(t->p), "p_adjusted", num(t->p_adj), "baseline", (json_int_t)from,
                     (json_int_t)last);
}

json_t *tb_steps_json(const json_t *points, const size_t *idx, size_t n, int higher_is_better, double threshold_pct,
                      size_t window, json_t **latest)
{
    tb_steps_point *pts = calloc(n ? n : 1, sizeof *pts);
    double **held = calloc(n ? n : 1, sizeof *held);
    tb_steps_out *out = calloc(n ? n : 1, sizeof *out);
    json_t *changes = pts && held && out ? json_array() : NULL;
    if (latest)
        *latest = NULL;
    for (size_t i = 0; changes && i < n; i++)
        if (point_of(json_array_get(points, idx ? idx[i] : i), higher_is_better, &pts[i], &held[i]) != 0)
            json_decref(changes), changes = NULL;
    if (changes && tb_steps_detect(pts, n, window, threshold_pct, out) != 0)
        json_decref(changes), changes = NULL;
    for (size_t i = 0; changes && i < n; i++) {
        if (out[i].change == TB_CHANGE_STEP)
            json_array_append_new(changes, change_json(idx, i, "step", &out[i].step));
        else if (out[i].change == TB_CHANGE_DRIFT)
            json_array_append_new(changes, change_json(idx, i, "drift", &out[i].drift));
    }
    const tb_steps_test *worst = changes ? tb_steps_latest_regression(out, n, window) : NULL;
    if (worst && latest)
        *latest = change_json(idx, n - 1, worst == &out[n - 1].step ? "step" : "drift", worst);
    for (size_t i = 0; held && i < n; i++)
        free(held[i]);
    free(held);
    free(pts);
    free(out);
    return changes;
}

json_t *tb_steps_trend_changes(const json_t *points, int higher_is_better, int end_to_end)
{
    return tb_steps_json(points, NULL, json_array_size(points), higher_is_better,
                         end_to_end ? TB_CMP_THRESHOLD_END_TO_END_PCT : TB_CMP_THRESHOLD_KERNEL_PCT, TB_STEPS_WINDOW,
                         NULL);
}
