/* The main of every Check test: what a file's tb_test_this declares, then srunner. */
#include "testmain.h"

#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "topo.h"

int tb_test_cpus_allowed(void)
{
    /* a mask the call cannot read (over 1024 CPUs) is no reason to skip */
    cpu_set_t set;
    CPU_ZERO(&set);
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : INT_MAX;
}

int tb_test_cores_allowed(void)
{
    tb_topo t;
    if (tb_topo_load(&t, NULL) != 0)
        return INT_MAX;
    int cores = tb_topo_allowed_cores(&t);
    tb_topo_destroy(&t);
    return cores;
}

TCase *tb_test_add_tcase(Suite *s, const char *name, double timeout, const TTest *const *tests)
{
    TCase *tc = tcase_create(name);
    if (timeout > 0)
        tcase_set_timeout(tc, timeout);
    for (; *tests; tests++)
        tcase_add_test(tc, *tests);
    suite_add_tcase(s, tc);
    return tc;
}

/* The tier named by the command line, handed to the file's hook; -1 to go on, or the exit status. */
static int select_tier(const tb_test_spec *spec, int argc, char **argv)
{
    tb_isa tier;
    if (argc < 2 || tb_isa_from_name(argv[1], &tier) != 0) {
        fprintf(stderr, "usage: %s generic|avx2|avx512|neon\n", basename(argv[0]));
        return 2;
    }
    if (!tb_isa_available(tier)) {
        printf("tier %s: not available on this CPU or build: skipped\n", argv[1]);
        return 77;
    }
    int st = spec->for_tier(tier);
    return st ? st : -1;
}

/* The TCase the command line asks for, through CK_RUN_CASE; -1 to go on, or 77 to skip. */
static int select_tcase(const tb_test_spec *spec, int argc, char **argv)
{
    const tb_test_alone *a = &spec->alone;
    if (a->arg && argc > 1 && strcmp(argv[1], a->arg) == 0) {
        if (a->count() < a->needs)
            return 77;
        setenv("CK_RUN_CASE", a->tcase, 1);
    } else if (spec->tcase) {
        setenv("CK_RUN_CASE", spec->tcase, 1);
    }
    return -1;
}

int main(int argc, char **argv)
{
    const tb_test_spec *spec = &tb_test_this;
    int st = spec->for_tier ? select_tier(spec, argc, argv) : select_tcase(spec, argc, argv);
    if (st >= 0)
        return st;
    SRunner *sr = srunner_create(spec->suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
