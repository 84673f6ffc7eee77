/* The history's series through the change detector, per machine (history_changes.h). */
#include "history_changes.h"

#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json_path.h"
#include "steps_json.h"

/* Inserts c into list, which is in "index" order, keeping it so: the machines of a series are
 * detected one after another, their changes interleave. */
static void insert_by_index(json_t *list, json_t *c)
{
    size_t at = json_array_size(list);
    while (at > 0 && tb_json_int(json_array_get(list, at - 1), "index") > tb_json_int(c, "index"))
        at--;
    json_array_insert_new(list, at, c);
}

/* The series' points of the machine of points[first], as indices into idx; marks them done. */
static size_t machine_points(const json_t *points, size_t first, char *done, size_t *idx)
{
    const char *fp = tb_json_str_or(json_array_get(points, first), "machine", "");
    size_t k = 0;
    for (size_t i = first; i < json_array_size(points); i++)
        if (!done[i] && strcmp(tb_json_str_or(json_array_get(points, i), "machine", ""), fp) == 0) {
            done[i] = 1;
            idx[k++] = i;
        }
    return k;
}

/* Copies the started_at, commit and machine of the point each change names into the change. */
static void name_points(json_t *list, const json_t *points)
{
    static const char *const keys[] = {"started_at", "commit", "machine"};
    size_t i;
    json_t *c;
    json_array_foreach(list, i, c) {
        const json_t *p = json_array_get(points, (size_t)tb_json_int(c, "index"));
        for (int k = 0; k < 3; k++)
            json_object_set(c, keys[k], json_object_get(p, keys[k]) ? json_object_get(p, keys[k]) : json_null());
    }
}

/* One series: returns 1 when a machine's latest point regressed, 0 when none, -1 out of memory. */
static int one_series(json_t *s, size_t window, double threshold_pct)
{
    json_t *points = json_object_get(s, "points"), *changes = json_array(), *latest = json_array();
    size_t n = json_array_size(points);
    char *done = calloc(n ? n : 1, 1);
    size_t *idx = malloc((n ? n : 1) * sizeof *idx);
    int rc = changes && latest && done && idx ? 0 : -1;
    const char *bench = tb_json_str(s, "benchmark");
    double thr = threshold_pct >= 0                 ? threshold_pct
                 : strncmp(bench, "run/", 4) == 0 ? TB_CMP_THRESHOLD_END_TO_END_PCT
                                                   : TB_CMP_THRESHOLD_KERNEL_PCT;
    int rate = strcmp(tb_json_str(s, "unit"), "tokens/s") == 0;
    for (size_t first = 0; rc == 0 && first < n; first++) {
        if (done[first])
            continue;
        size_t k = machine_points(points, first, done, idx);
        json_t *last = NULL, *c = tb_steps_json(points, idx, k, rate, thr, window, &last);
        if (!c)
            rc = -1;
        size_t i;
        json_t *one;
        json_array_foreach(c, i, one) insert_by_index(changes, json_incref(one));
        json_decref(c);
        if (last)
            json_array_append_new(latest, last);
    }
    name_points(changes, points);
    name_points(latest, points);
    for (size_t i = 0; i < n; i++)
        json_object_del(json_array_get(points, i), "samples_ns");
    json_object_set_new(s, "changes", changes);
    json_object_set_new(s, "latest_regressions", latest);
    free(done);
    free(idx);
    return rc ? rc : json_array_size(latest) > 0;
}

int tb_history_changes(json_t *series, size_t window, double threshold_pct)
{
    int regressed = 0;
    size_t i;
    json_t *s;
    json_array_foreach(series, i, s) {
        int rc = one_series(s, window, threshold_pct);
        if (rc < 0)
            return -1;
        regressed += rc;
    }
    return regressed;
}
