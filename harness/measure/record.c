/* Results record: build, write atomically, read back. */
#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hwloc.h>

#include "blas.h"
#include "measure.h"
#include "tb_commit.h"
#include "tb_config.h"
#include "timer.h"
#include "in_file.h"
#include "util.h"

#if TB_HAVE_LIBCPUID
#include <libcpuid.h>
#endif

json_t *tb_build_json(void)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "compiler", TB_COMPILER_ID, "compiler_version",
                     TB_COMPILER_VERSION, "c_args", TB_C_ARGS, "build_type", TB_BUILD_TYPE, "optimization",
                     TB_OPTIMIZATION, "debug", TB_DEBUG, "sanitize", TB_SANITIZE, "host_cpu", TB_HOST_CPU);
}

int tb_build_is_unrepresentative(void)
{
    return strcmp(TB_SANITIZE, "none") != 0 || strcmp(TB_OPTIMIZATION, "0") == 0 || strcmp(TB_OPTIMIZATION, "g") == 0;
}

void tb_warn_if_unrepresentative(const tb_opts *o)
{
    if (!tb_build_is_unrepresentative())
        return;
    const char *msg = "this is a debug or sanitizer build: its figures are not representative (see build in the record)";
    if (o->format == TB_FMT_TEXT)
        printf("WARNING: %s\n", msg);
    else
        tb_warn("%s", msg);
}

static json_t *libs_json(void)
{
    unsigned hv = hwloc_get_api_version();
    char hwloc_ver[32];
    snprintf(hwloc_ver, sizeof hwloc_ver, "%u.%u.%u", hv >> 16, (hv >> 8) & 0xff, hv & 0xff);
    json_t *libs = json_pack("{s:s, s:s}", "hwloc", hwloc_ver, "jansson", JANSSON_VERSION);
    const char *blas = tb_blas_version();
    json_object_set_new(libs, "openblas", blas ? json_string(blas) : json_null());
#if TB_HAVE_LIBCPUID
    json_object_set_new(libs, "libcpuid", json_string(cpuid_lib_version()));
#else
    json_object_set_new(libs, "libcpuid", json_null());
#endif
    return libs;
}

static json_t *settings_json(const tb_opts *o)
{
    json_t *argv = json_array();
    for (int i = 0; i < o->argc; i++)
        json_array_append_new(argv, json_string(o->argv[i]));
    json_t *env = json_object();
    /* Variables that change what a kernel library does: recorded, never changed by us. */
    static const char *vars[] = {"OPENBLAS_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
                                 "GOTO_NUM_THREADS", "TOKBENCH_ISA"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v)
            json_object_set_new(env, vars[i], json_string(v));
    }
    /* the LLC override changes every cold working set: recorded whether given by flag or environment */
    json_t *llc = o->llc_bytes ? json_integer((json_int_t)o->llc_bytes) : json_null();
    json_t *s = json_pack("{s:s, s:o, s:i, s:s?, s:b, s:f, s:f, s:i, s:i, s:I, s:o, s:o, s:b}", "command", o->cmd_name,
                          "argv", argv, "threads_requested", o->threads, "cores_requested", o->cores, "smt", o->smt,
                          "min_time_s", o->min_time, "max_time_s", o->max_time, "repetitions", o->repetitions,
                          "warmup", o->warmup, "seed", (json_int_t)o->seed, "env", env, "llc_bytes", llc,
                          "measure_llc", o->measure_llc);
    /* a test hook spoils or slows what it names: a record made with one must say so */
    if (s && o->fault_inject)
        json_object_set_new(s, "fault_inject", json_string(o->fault_inject));
    return s;
}

json_t *tb_record_new(const tb_opts *o, json_t *machine)
{
    char now[40];
    tb_utc_iso8601(now, sizeof now);
    return json_pack("{s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:s, s:n, s:b}", "schema", TB_SCHEMA, "tool", "version",
                     TB_VERSION, "commit", TB_COMMIT, "build", tb_build_json(), "libs", libs_json(), "machine", machine,
                     "settings", settings_json(o), "started_at", now, "finished_at", "complete", 0);
}

void tb_record_finish(json_t *rec, int complete)
{
    char now[40];
    tb_utc_iso8601(now, sizeof now);
    json_object_set_new(rec, "finished_at", json_string(now));
    json_object_set_new(rec, "complete", json_boolean(complete));
}


/* Removes the n deepest folders of path (those tb_mkdir_p made), deepest first. */
static void rmdir_made(const char *path, int n)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (int i = 0; i < n; i++) {
        if (rmdir(buf) != 0)
            return;
        char *slash = strrchr(buf, '/');
        if (!slash || slash == buf)
            return;
        *slash = '\0';
    }
}

static int write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Makes sub (mkdir -p, *made new folders) and a temporary file in it; fd or -1 with errno.
 * A concurrent tokbench may remove the empty folder between the two (tb_record_prepare leaves
 * no empty folders behind): ENOENT then means make it again, a few times. */
static int temp_in(const char *sub, char *tmp, size_t cap, int *made)
{
    for (int attempt = 0;; attempt++) {
        if (tb_mkdir_p(sub, made) != 0)
            return -1;
        snprintf(tmp, cap, "%s/.tokbench-XXXXXX", sub);
        int fd = mkstemp(tmp);
        if (fd >= 0 || errno != ENOENT || attempt == 7)
            return fd;
    }
}

int tb_record_save(const json_t *rec, const char *dir, char *path_out, size_t cap)
{
    const char *fp = json_string_value(json_object_get(json_object_get(rec, "machine"), "fingerprint"));
    const char *cmd = json_string_value(json_object_get(json_object_get(rec, "settings"), "command"));
    const char *commit = json_string_value(json_object_get(json_object_get(rec, "tool"), "commit"));
    const char *started = json_string_value(json_object_get(rec, "started_at"));
    char sub[4096], stamp[32] = "unknown-time", commit12[16];
    snprintf(sub, sizeof sub, "%s/%s", dir, fp ? fp : "unknown-machine");
    /* 2026-11-26T18:43:00.123Z -> 20261126T184300Z: sortable and free of ':' */
    if (started && strlen(started) >= 19) {
        int j = 0;
        for (int i = 0; i < 19 && j < 30; i++)
            if (started[i] != '-' && started[i] != ':')
                stamp[j++] = started[i];
        stamp[j++] = 'Z';
        stamp[j] = '\0';
    }
    snprintf(commit12, sizeof commit12, "%.12s", commit ? commit : "unknown");

    char tmp[4200];
    int made = 0, fd = temp_in(sub, tmp, sizeof tmp, &made);
    if (fd < 0)
        return tb_fail(TB_EXIT_RUNTIME, "%s: cannot create the record there: %s", sub, strerror(errno));
    tb_tmpfile_set(tmp);
    char *text = json_dumps(rec, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
    int bad = !text || write_all(fd, text, strlen(text)) != 0 || write_all(fd, "\n", 1) != 0 || fsync(fd) != 0;
    int saved_errno = errno;
    free(text);
    if (close(fd) != 0 && !bad) {
        bad = 1;
        saved_errno = errno;
    }
    if (bad) {
        unlink(tmp);
        tb_tmpfile_set(NULL);
        return tb_fail(TB_EXIT_RUNTIME, "%s: cannot write the record: %s", tmp, strerror(saved_errno));
    }
    int rc = -1;
    for (int attempt = 1; attempt < 1000 && rc != 0; attempt++) {
        if (attempt == 1)
            snprintf(path_out, cap, "%s/%s_%s_%s.json", sub, stamp, cmd ? cmd : "run", commit12);
        else
            snprintf(path_out, cap, "%s/%s_%s_%s-%d.json", sub, stamp, cmd ? cmd : "run", commit12, attempt);
        rc = link(tmp, path_out);
        if (rc != 0 && errno != EEXIST)
            break;
    }
    saved_errno = errno;
    unlink(tmp);
    tb_tmpfile_set(NULL);
    if (rc != 0)
        return tb_fail(TB_EXIT_RUNTIME, "%s: cannot publish the record: %s", path_out, strerror(saved_errno));
    int dfd = open(sub, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd); /* make the new name itself durable */
        close(dfd);
    }
    return 0;
}

int tb_record_prepare(const char *fp, const tb_opts *o)
{
    if (o->no_save)
        return 0;
    char sub[4096], probe[4200];
    snprintf(sub, sizeof sub, "%s/%s", o->results_dir, fp ? fp : "unknown-machine");
    /* a folder can exist and still refuse new files (permissions, a read-only mount): try one */
    int made = 0, fd = temp_in(sub, probe, sizeof probe, &made), e = errno;
    int exists = fd >= 0 || access(sub, F_OK) == 0;
    if (fd >= 0) {
        tb_tmpfile_set(probe);
        close(fd);
        unlink(probe);
        tb_tmpfile_set(NULL);
    }
    /* leave no trace: a run that stops before its record must not leave empty folders behind */
    rmdir_made(sub, made);
    if (fd < 0)
        return tb_fail(TB_EXIT_USAGE, "--results-dir %s: cannot %s %s: %s", o->results_dir,
                       exists ? "write in" : "create", sub, strerror(e));
    return 0;
}

static tb_record_saved_fn saved_hook;

void tb_record_on_saved(tb_record_saved_fn fn)
{
    saved_hook = fn;
}

int tb_record_publish(json_t *rec, const tb_opts *o, int complete, void (*render)(const json_t *rec, tb_format fmt),
                      int rc)
{
    tb_record_finish(rec, complete && !tb_interrupted);
    char path[4600] = "";
    int save_rc = o->no_save ? 0 : tb_record_save(rec, o->results_dir, path, sizeof path);
    if (save_rc == 0 && *path && saved_hook)
        saved_hook(rec, path, o);
    if (o->format == TB_FMT_JSON) {
        char *text = json_dumps(rec, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        if (text)
            puts(text);
        free(text);
    } else {
        render(rec, o->format);
    }
    fflush(stdout);
    if (*path && !o->quiet)
        fprintf(stderr, "tokbench: record saved to %s\n", path);
    if (tb_interrupted)
        return tb_fail(tb_interrupted_status(), "interrupted: %s",
                       *path ? "the partial record was saved (complete: false)" : "nothing was saved");
    return rc ? rc : save_rc;
}

int tb_record_load(const char *path, json_t **out)
{
    int rc;
    *out = NULL;
    json_t *rec = tb_in_load_json(path, TB_IN_MAX_RECORD, JSON_REJECT_DUPLICATES, &rc);
    if (!rec)
        return rc;
    const char *schema = json_string_value(json_object_get(rec, "schema"));
    if (!json_is_object(rec) || !schema) {
        json_decref(rec);
        return tb_fail(TB_EXIT_USAGE, "%s: not a tokbench result (no \"schema\" field)", path);
    }
    if (strcmp(schema, TB_SCHEMA) != 0) {
        tb_fail(TB_EXIT_USAGE, "%s: schema \"%s\" is not supported (expected \"%s\")", path, schema, TB_SCHEMA);
        json_decref(rec);
        return TB_EXIT_USAGE;
    }
    *out = rec;
    return 0;
}
