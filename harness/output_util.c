/* Small helpers shared by the table renderers. */
#include <math.h>
#include <stdio.h>

#include "output.h"

double tb_json_num(const json_t *o, const char *a, const char *b)
{
    const json_t *x = json_object_get(o, a);
    if (b)
        x = json_object_get(x, b);
    return json_is_number(x) ? json_number_value(x) : NAN;
}

const char *tb_json_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

void tb_fmt_time(double ns, char *buf, size_t cap)
{
    if (isnan(ns))
        snprintf(buf, cap, "-");
    else if (ns < 1e3)
        snprintf(buf, cap, "%.3g ns", ns);
    else if (ns < 1e6)
        snprintf(buf, cap, "%.3g us", ns / 1e3);
    else if (ns < 1e9)
        snprintf(buf, cap, "%.3g ms", ns / 1e6);
    else
        snprintf(buf, cap, "%.3g s", ns / 1e9);
}
