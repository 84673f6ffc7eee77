/* sysinfo: the fields SPEC.md requires, the machine fingerprint (stable across runs, blind to what
 * drifts, pinned), and cloud instance detection from recorded DMI files. */
#include <check.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sysinfo.h"
#include "testmain.h"
#include "testutil.h"
#include "topo.h"

START_TEST(required_fields_present)
{
    tb_topo tp;
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    json_t *si = tb_sysinfo_json(&tp, NULL);
    ck_assert_ptr_nonnull(si);
    const char *strings[] = {"cpu.vendor", "cpu.brand", "os.kernel", "fingerprint"};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++)
        ck_assert_msg(json_is_string(tb_test_path(si, strings[i])), "%s is not a string", strings[i]);
    const char *positive[] = {"topology.packages", "topology.numa_nodes", "topology.cores", "topology.pus",
                              "memory.total_bytes"};
    for (size_t i = 0; i < sizeof positive / sizeof *positive; i++)
        ck_assert_msg(json_integer_value(tb_test_path(si, positive[i])) > 0, "%s is not positive", positive[i]);
    const char *present[] = {"cpu.caches.l1d_bytes", "cpu.caches.l2_bytes", "cpu.caches.l3_bytes"};
    for (size_t i = 0; i < sizeof present / sizeof *present; i++)
        ck_assert_msg(json_is_integer(tb_test_path(si, present[i])), "%s missing", present[i]);
    ck_assert(json_is_array(tb_test_path(si, "cpu.isa")));
    json_t *inst = json_object_get(si, "instance");
    ck_assert(inst && (json_is_null(inst) || json_is_object(inst)));
    ck_assert(json_integer_value(tb_test_path(si, "topology.pus")) >= json_integer_value(tb_test_path(si, "topology.cores")));
    json_decref(si);
    tb_topo_destroy(&tp);
}
END_TEST

static int is_hex16(const char *s)
{
    if (!s || strlen(s) != 16)
        return 0;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
            return 0;
    return 1;
}

/* The fingerprint names the results/ folder, so two runs on one machine must agree. Two
 * processes, not two calls in one: anything read afresh per process (clocks, free memory, the
 * CPU it started on) that leaked into the hash would split the folder, and only a second
 * process shows it. */
START_TEST(fingerprint_is_the_same_in_two_processes)
{
    char *fp[2];
    for (int i = 0; i < 2; i++) {
        tb_run_result r = tb_test_run(NULL, "sysinfo --format json");
        ck_assert_msg(r.status == 0, "sysinfo exited %d: %s", r.status, r.err);
        json_t *si = json_loads(r.out, 0, NULL);
        ck_assert_msg(si != NULL, "sysinfo --format json: stdout is not JSON");
        const char *s = json_string_value(json_object_get(si, "fingerprint"));
        ck_assert_msg(is_hex16(s), "run %d: fingerprint '%s' is not 16 hex digits", i, s ? s : "(none)");
        fp[i] = strdup(s);
        json_decref(si);
        tb_test_run_free(&r);
    }
    ck_assert_str_eq(fp[0], fp[1]);
    free(fp[0]);
    free(fp[1]);
}
END_TEST

/* A machine written out by hand: every field the fingerprint hashes, and some it must not. */
static json_t *fixed_machine(void)
{
    json_t *si = json_pack("{s:{s:s, s:s, s:i, s:i, s:i, s:{s:I, s:I, s:I}, s:[s,s,s,s,s]},"
                           " s:{s:i, s:i, s:i, s:i}, s:{s:I, s:I, s:i}, s:{s:s, s:s}}",
                           "cpu", "vendor", "GenuineIntel", "brand", "Test CPU 8480 @ 2.00GHz", "family", 6, "model",
                           143, "stepping", 8, "caches", "l1d_bytes", (json_int_t)49152, "l2_bytes",
                           (json_int_t)2097152, "l3_bytes", (json_int_t)110100480, "isa", "sse4_2", "avx", "avx2",
                           "fma", "avx512f", "topology", "packages", 1, "numa_nodes", 1, "cores", 4, "pus", 8, "memory",
                           "total_bytes", (json_int_t)17179869184, "available_bytes", (json_int_t)12884901888,
                           "total_gib", 16, "os", "hostname", "box-a", "governor", "performance");
    ck_assert_ptr_nonnull(si);
    return si;
}

/* A copy of the fingerprint tb_sysinfo_fingerprint sets on si (free it). */
static char *fingerprint_of(json_t *si)
{
    tb_sysinfo_fingerprint(si);
    const char *s = json_string_value(json_object_get(si, "fingerprint"));
    ck_assert_msg(is_hex16(s), "fingerprint '%s' is not 16 hex digits", s ? s : "(none)");
    return strdup(s);
}

/* Sets the member at a dotted path ("cpu.model") whose parent object exists. */
static void set_at(json_t *root, const char *dotted, json_t *value)
{
    char path[128];
    snprintf(path, sizeof path, "%s", dotted);
    char *last = strrchr(path, '.');
    ck_assert_ptr_nonnull(last);
    *last = '\0';
    json_t *parent = tb_test_path(root, path);
    ck_assert_msg(json_is_object(parent), "%s has no parent object", dotted);
    ck_assert_int_eq(json_object_set_new(parent, last + 1, value), 0);
}

/* What drifts between runs on one machine (free memory, the host's name, the governor; sysinfo
 * records no clock speed) must leave the fingerprint alone, or one machine's history splits
 * into many folders; each field that identifies the hardware must move it, or two machines
 * share one folder. */
START_TEST(fingerprint_ignores_volatile_fields_and_follows_stable_ones)
{
    json_t *base = fixed_machine();
    char *want = fingerprint_of(base);

    json_t *si = fixed_machine();
    set_at(si, "memory.available_bytes", json_integer(1000));
    set_at(si, "os.hostname", json_string("box-b"));
    set_at(si, "os.governor", json_string("powersave"));
    char *got = fingerprint_of(si);
    ck_assert_str_eq(got, want);
    free(got);
    json_decref(si);

    static const char *ints[] = {"cpu.family",          "cpu.model",           "cpu.stepping",
                                 "topology.packages",   "topology.numa_nodes", "topology.cores",
                                 "topology.pus",        "cpu.caches.l2_bytes", "cpu.caches.l3_bytes",
                                 "memory.total_gib"};
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        si = fixed_machine();
        set_at(si, ints[i], json_integer(json_integer_value(tb_test_path(si, ints[i])) + 1));
        got = fingerprint_of(si);
        ck_assert_msg(strcmp(got, want) != 0, "changing %s left the fingerprint at %s", ints[i], got);
        free(got);
        json_decref(si);
    }
    static const char *strings[] = {"cpu.vendor", "cpu.brand"};
    for (size_t i = 0; i < sizeof strings / sizeof *strings; i++) {
        si = fixed_machine();
        char v[256];
        snprintf(v, sizeof v, "%s v2", json_string_value(tb_test_path(si, strings[i])));
        set_at(si, strings[i], json_string(v));
        got = fingerprint_of(si);
        ck_assert_msg(strcmp(got, want) != 0, "changing %s left the fingerprint at %s", strings[i], got);
        free(got);
        json_decref(si);
    }
    si = fixed_machine();
    json_array_append_new(tb_test_path(si, "cpu.isa"), json_string("avx512bw"));
    got = fingerprint_of(si);
    ck_assert_msg(strcmp(got, want) != 0, "adding an ISA extension left the fingerprint at %s", got);
    free(got);
    json_decref(si);

    free(want);
    json_decref(base);
}
END_TEST

/* results/<fingerprint>/ holds each machine's records: a change of the hash (its fields, their
 * order or format, the FNV constants) silently starts a new folder for every machine and splits
 * its history from the old one. Update this value only for a deliberate change of the hash. */
START_TEST(fingerprint_of_a_fixed_machine_is_pinned)
{
    json_t *si = fixed_machine();
    char *got = fingerprint_of(si);
    ck_assert_str_eq(got, "ba319cec068d8dea");
    free(got);
    json_decref(si);
}
END_TEST

static json_t *dmi(const char *name)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", tb_test_fixture(name));
    return tb_instance_from_dmi(dir);
}

START_TEST(aws_nitro_names_the_instance_type)
{
    json_t *i = dmi("dmi/aws-nitro");
    ck_assert(json_is_object(i));
    ck_assert_str_eq(json_string_value(json_object_get(i, "provider")), "aws");
    ck_assert_str_eq(json_string_value(json_object_get(i, "type")), "m7i.large");
    json_decref(i);
}
END_TEST

START_TEST(gcp_and_azure_are_recognised_without_a_type)
{
    json_t *g = dmi("dmi/gcp"), *a = dmi("dmi/azure");
    ck_assert_str_eq(json_string_value(json_object_get(g, "provider")), "gcp");
    ck_assert(json_is_null(json_object_get(g, "type")));
    ck_assert_str_eq(json_string_value(json_object_get(a, "provider")), "azure");
    ck_assert(json_is_null(json_object_get(a, "type")));
    json_decref(g);
    json_decref(a);
}
END_TEST

START_TEST(other_machines_have_no_instance)
{
    ck_assert(json_is_null(dmi("dmi/bare-metal")));
    ck_assert(json_is_null(dmi("dmi/does-not-exist")));
}
END_TEST

static Suite *build_suite(void)
{
    Suite *s = suite_create("sysinfo");
    const TTest *const core[] = {required_fields_present, fingerprint_is_the_same_in_two_processes,
                                 fingerprint_ignores_volatile_fields_and_follows_stable_ones,
                                 fingerprint_of_a_fixed_machine_is_pinned, aws_nitro_names_the_instance_type,
                                 gcp_and_azure_are_recognised_without_a_type, other_machines_have_no_instance, NULL};
    tb_test_add_tcase(s, "core", 0, core);
    return s;
}

const tb_test_spec tb_test_this = {.suite = build_suite};
