/* The dotted-path getter (see json_path.h). */
#include "json_path.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Member key[0..n) of o: jansson before 2.14 has no length-limited lookup, so the key is copied
 * to a terminated string (on the heap only when it is long). */
static const json_t *member(const json_t *o, const char *key, size_t n)
{
    char buf[128];
    char *k = n < sizeof buf ? buf : malloc(n + 1);
    if (!k)
        return NULL;
    memcpy(k, key, n);
    k[n] = '\0';
    const json_t *v = json_object_get(o, k);
    if (k != buf)
        free(k);
    return v;
}

const json_t *tb_json_at(const json_t *root, const char *dotted)
{
    const json_t *cur = root;
    const char *s = dotted;
    while (cur) {
        const char *dot = strchr(s, '.');
        if (!dot)
            return json_object_get(cur, s);
        cur = member(cur, s, (size_t)(dot - s));
        s = dot + 1;
    }
    return NULL;
}

double tb_json_num(const json_t *root, const char *dotted)
{
    const json_t *v = tb_json_at(root, dotted);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

long long tb_json_int(const json_t *root, const char *dotted)
{
    return (long long)json_integer_value(tb_json_at(root, dotted));
}

const char *tb_json_str_or(const json_t *root, const char *dotted, const char *fallback)
{
    const char *s = json_string_value(tb_json_at(root, dotted));
    return s ? s : fallback;
}

const char *tb_json_str(const json_t *root, const char *dotted) { return tb_json_str_or(root, dotted, ""); }
