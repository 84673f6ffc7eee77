/* The per-machine cache of measured last-level cache knees. */
#include "llc_cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tb_config.h"
#include "util.h"

#define CACHE_SCHEMA "tokbench.llc-cache/1"

int tb_llc_cache_dir(char *buf, size_t cap)
{
    const char *dir = getenv("TOKBENCH_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (dir && *dir)
        n = snprintf(buf, cap, "%s", dir);
    else if (xdg && *xdg)
        n = snprintf(buf, cap, "%s/tokbench", xdg);
    else if (home && *home)
        n = snprintf(buf, cap, "%s/.cache/tokbench", home);
    else
        return -1;
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

static int entry_path(const char *fingerprint, const char *cpus, char *buf, size_t cap)
{
    char dir[3072];
    if (tb_llc_cache_dir(dir, sizeof dir) != 0)
        return -1;
    /* CPU lists use digits, '-' and ',' only: safe in a file name. */
    int n = snprintf(buf, cap, "%s/llc-%s-cpus%s.json", dir, fingerprint, cpus);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int tb_llc_cache_load(const char *fingerprint, tb_llc *l)
{
    char path[4096];
    if (entry_path(fingerprint, l->cpus, path, sizeof path) != 0)
        return -1;
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20))
        return -1;
    json_error_t err;
    json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &err);
    const char *schema = json_string_value(json_object_get(j, "schema"));
    const char *at = json_string_value(json_object_get(j, "measured_at"));
    json_t *knee = json_object_get(j, "measured_bytes"), *pts = json_object_get(j, "sweep");
    int ok = schema && strcmp(schema, CACHE_SCHEMA) == 0 && json_is_integer(knee) && json_integer_value(knee) > 0 &&
             json_is_array(pts) && json_array_size(pts) <= TB_LLC_SWEEP_MAX_POINTS && at;
    tb_llc_sweep s;
    memset(&s, 0, sizeof s);
    size_t i;
    json_t *p;
    json_array_foreach(ok ? pts : NULL, i, p) {
        json_t *b = json_object_get(p, "bytes"), *g = json_object_get(p, "gbps");
        ok &= json_is_integer(b) && json_integer_value(b) > 0 && json_is_number(g);
        if (!ok)
            break;
        s.bytes[s.n] = (uint64_t)json_integer_value(b);
        s.gbps[s.n++] = json_number_value(g);
    }
    if (ok) {
        s.rounds = (int)json_integer_value(json_object_get(j, "rounds"));
        l->sweep = s;
        /* the knee again from the points: an entry written under an older rule follows this one */
        l->measured_bytes = tb_llc_knee(&s) ? tb_llc_knee(&s) : (uint64_t)json_integer_value(knee);
        l->measured_cached = 1;
        snprintf(l->measured_at, sizeof l->measured_at, "%s", at);
    } else {
        tb_warn("%s: not a cache entry tokbench can read: the cache is measured again", path);
    }
    json_decref(j);
    return ok ? 0 : -1;
}

void tb_llc_cache_store(const char *fingerprint, const tb_llc *l)
{
    char dir[3072], path[4096], tmp[4200];
    if (tb_llc_cache_dir(dir, sizeof dir) != 0 || entry_path(fingerprint, l->cpus, path, sizeof path) != 0)
        return;
    json_t *pts = json_array();
    for (int i = 0; i < l->sweep.n; i++)
        json_array_append_new(pts, json_pack("{s:I, s:f}", "bytes", (json_int_t)l->sweep.bytes[i], "gbps",
                                             l->sweep.gbps[i]));
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:i, s:o}", "schema", CACHE_SCHEMA, "tool_version",
                          TB_VERSION, "fingerprint", fingerprint, "cpus", l->cpus, "measured_bytes",
                          (json_int_t)l->measured_bytes, "measured_at", l->measured_at, "rounds", l->sweep.rounds,
                          "sweep", pts);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int bad = !j || tb_mkdir_p(dir, NULL) != 0 ||
              json_dump_file(j, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6)) != 0 ||
              rename(tmp, path) != 0;
    if (bad) {
        tb_warn("%s: cannot cache the measured last-level cache (%s): the next run measures it again", path,
                strerror(errno));
        unlink(tmp);
    }
    json_decref(j);
}
