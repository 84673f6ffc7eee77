/* sysinfo: the fields SPEC.md requires, and cloud instance detection from recorded DMI files. */
#include <check.h>
#include <string.h>

#include "sysinfo.h"
#include "testutil.h"
#include "topo.h"

START_TEST(required_fields_present)
{
    tb_topo tp;
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    json_t *si = tb_sysinfo_json(&tp);
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

START_TEST(fingerprint_is_stable)
{
    tb_topo tp;
    ck_assert_int_eq(tb_topo_load(&tp, NULL), 0);
    json_t *a = tb_sysinfo_json(&tp), *b = tb_sysinfo_json(&tp);
    ck_assert_str_eq(json_string_value(json_object_get(a, "fingerprint")),
                     json_string_value(json_object_get(b, "fingerprint")));
    json_decref(a);
    json_decref(b);
    tb_topo_destroy(&tp);
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

int main(void)
{
    Suite *s = suite_create("sysinfo");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, required_fields_present);
    tcase_add_test(tc, fingerprint_is_stable);
    tcase_add_test(tc, aws_nitro_names_the_instance_type);
    tcase_add_test(tc, gcp_and_azure_are_recognised_without_a_type);
    tcase_add_test(tc, other_machines_have_no_instance);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
