/* The one main() of every Check test (testmain.c). A test file builds its suite and declares, as
 * data, what its command line may select; the main runs it the same way for every file. */
#ifndef TB_TESTMAIN_H
#define TB_TESTMAIN_H

#include <check.h>

#include <tokbench/kernels.h>

/* Check records the place of every passing ck_assert with a write(2) to its fork's log, which in
 * an element-wise loop is most of a test's time (more so under ASan). Loops over elements assert
 * with this instead: it reaches Check only on a failure, with the message it is given. */
#define tb_expect(expr, ...)                                                                           \
    do {                                                                                               \
        if (!(expr))                                                                                   \
            ck_abort_msg(__VA_ARGS__);                                                                 \
    } while (0)

/* A TCase that runs alone, only when `arg` is the first argument, and only where `count()` is at
 * least `needs`: with fewer it exits 77 (meson's SKIP), so a machine that cannot run it shows SKIP
 * instead of a hollow PASS. count returns INT_MAX when it cannot tell: the case then runs and says
 * what it found. */
typedef struct {
    const char *arg;
    const char *tcase;
    int (*count)(void);
    int needs;
} tb_test_alone;

typedef struct {
    Suite *(*suite)(void);
    /* Without the alone argument only this TCase runs; NULL runs them all. */
    const char *tcase;
    tb_test_alone alone;
    /* Non-NULL: the first argument names an ISA tier (else exit 2). A tier this CPU or build cannot
     * run exits 77; one it can is handed to this hook before the suite is built, which returns 0
     * to run the suite or the exit status. */
    int (*for_tier)(tb_isa tier);
} tb_test_spec;

/* Adds a TCase named `name` to s that runs `tests` (ended by NULL) in order, with a timeout in
 * seconds (0 keeps Check's default); returns it for what else the case needs (a fixture, loop tests). */
TCase *tb_test_add_tcase(Suite *s, const char *name, double timeout, const TTest *const *tests);

/* Each test file defines it. */
extern const tb_test_spec tb_test_this;

/* CPUs in this process's affinity mask (taskset and cgroups narrow it, the online count does not). */
int tb_test_cpus_allowed(void);
/* Cores the topology lets this process use. */
int tb_test_cores_allowed(void);

#endif
