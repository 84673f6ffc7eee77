/* Shell globs (glob.h): fnmatch(3) without flags, after a check that it cannot misread them. */
#include "glob.h"

#include <fnmatch.h>

int tb_glob_valid(const char *g)
{
    if (!*g)
        return 0;
    for (const char *p = g; *p; p++) {
        if (*p != '[')
            continue;
        p++;
        if (*p == '^')
            p++;
        if (*p == ']')
            p++;
        while (*p && *p != ']')
            p++;
        if (!*p)
            return 0;
    }
    return 1;
}

int tb_glob_match(const char *g, const char *name) { return fnmatch(g, name, 0) == 0; }
