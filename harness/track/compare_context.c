/* Comparability: the machine and build context two sides must share (compare.h). Only fields
 * that stay put on one machine and build are held against each other: the fingerprint is
 * already made of stable hardware fields, and frequency, load or dates are never looked at. */
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "json_path.h"
#include "util.h"

static const char *const context_fields[] = {
    "machine.fingerprint", "build.compiler", "build.compiler_version", "build.c_args",
    "build.build_type",    "build.optimization", "build.sanitize",
};

/* The value as shown: a string as it is, anything else as compact JSON, "null" when absent. */
static char *value_text(const json_t *v)
{
    if (json_is_string(v))
        return strdup(json_string_value(v));
    return v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("null");
}

static int listed(const json_t *diffs, const char *field, const char *bench)
{
    size_t i;
    const json_t *d;
    json_array_foreach(diffs, i, d)
    {
        if (strcmp(tb_json_str(d, "field"), field) == 0 && strcmp(tb_json_str(d, "benchmark"), bench ? bench : "") == 0)
            return 1;
    }
    return 0;
}

/* Appends the difference of a and b at field (once per field and benchmark). */
static int differ(json_t *diffs, const char *field, const char *bench, const json_t *a, const json_t *b)
{
    if ((!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b)) || listed(diffs, field, bench))
        return 0;
    char *ta = value_text(a), *tb = value_text(b);
    json_t *d = ta && tb ? json_pack("{s:s, s:s, s:s}", "field", field, "base", ta, "candidate", tb) : NULL;
    free(ta);
    free(tb);
    if (d && bench)
        json_object_set_new(d, "benchmark", json_string(bench));
    if (!d || json_array_append_new(diffs, d) != 0)
        return tb_fail(TB_EXIT_RUNTIME, "out of memory");
    return 0;
}

/* Every library version either record names (libs.*: strings only; the OpenBLAS runtime object
 * holds worker placement, which is not build context). */
static int differ_libs(json_t *diffs, const json_t *ref, const json_t *rec)
{
    const json_t *la = json_object_get(ref, "libs"), *lb = json_object_get(rec, "libs");
    const char *k;
    json_t *v;
    char field[128];
    int rc = 0;
    json_object_foreach((json_t *)la, k, v)
    {
        snprintf(field, sizeof field, "libs.%s", k);
        if (!rc && json_is_string(v))
            rc = differ(diffs, field, NULL, v, json_object_get(lb, k));
    }
    json_object_foreach((json_t *)lb, k, v)
    {
        snprintf(field, sizeof field, "libs.%s", k);
        if (!rc && json_is_string(v) && !json_object_get(la, k))
            rc = differ(diffs, field, NULL, NULL, v);
    }
    return rc;
}

static int differ_record(json_t *diffs, const json_t *ref, const json_t *rec)
{
    int rc = 0;
    for (size_t f = 0; !rc && f < sizeof context_fields / sizeof *context_fields; f++)
        rc = differ(diffs, context_fields[f], NULL, tb_json_at(ref, context_fields[f]),
                    tb_json_at(rec, context_fields[f]));
    return rc ? rc : differ_libs(diffs, ref, rec);
}

int tb_cmp_differences(const tb_cmp_side *base, const tb_cmp_side *cand, json_t *diffs)
{
    const json_t *ref = base->rec[0];
    int rc = 0;
    for (size_t r = 1; !rc && r < base->nrec; r++)
        rc = differ_record(diffs, ref, base->rec[r]);
    for (size_t r = 0; !rc && r < cand->nrec; r++)
        rc = differ_record(diffs, ref, cand->rec[r]);
    for (size_t i = 0; !rc && i < base->nb; i++) {
        const tb_cmp_bench *b = &base->b[i], *c = tb_cmp_side_find(cand, b->key);
        if (c && strcmp(b->isa, c->isa) != 0) {
            json_t *ja = json_string(b->isa), *jb = json_string(c->isa);
            rc = differ(diffs, "isa", b->key, ja, jb);
            json_decref(ja);
            json_decref(jb);
        }
    }
    return rc;
}
