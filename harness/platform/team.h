/* A persistent team of worker threads, each bound to one PU of a placement plan. The calling
 * (main) thread is member 0 and runs its share too, so a team of N uses exactly N PUs. */
#ifndef TB_TEAM_H
#define TB_TEAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "topo.h"

typedef struct tb_team tb_team;
typedef void (*tb_team_fn)(void *arg, int tid, int nthreads);

/* Starts plan->n - 1 workers, binds each (and the caller) to its PU and verifies the binding.
 * Returns 0 or an exit code after one error line. tp must describe this system. */
int tb_team_create(tb_team **out, const tb_topo *tp, const tb_plan *plan);
void tb_team_destroy(tb_team *tm);

int tb_team_size(const tb_team *tm);
const tb_plan *tb_team_plan(const tb_team *tm);
/* Linux thread id of member i (for telling our threads from a library's). */
pid_t tb_team_tid(const tb_team *tm, int i);

/* Runs fn(arg, tid, n) on every member, the caller as tid 0, and returns when all are done. */
void tb_team_run(tb_team *tm, tb_team_fn fn, void *arg);

/* [begin, end) of n items for member tid: contiguous, sizes differ by at most one grain. */
void tb_team_split(size_t n, size_t grain, int tid, int nthreads, size_t *begin, size_t *end);

/* Fills n floats with tb_rand_sym(seed, i), each member writing (so first touching) its share. */
void tb_team_fill_random(tb_team *tm, float *buf, size_t n, uint64_t seed);
/* The same values stored as n elements of elem_bytes each: 4 for f32, 2 for f16 (a KV cache). */
void tb_team_fill_random_as(tb_team *tm, void *buf, size_t n, int elem_bytes, uint64_t seed);

/* Distinct physical cores the team runs on (fewer than its size with SMT siblings). */
int tb_team_cores(const tb_team *tm);

/* [os_pu, ...]: the CPUs of the team in member order (a case's "cpus"). */
json_t *tb_team_cpus_json(const tb_team *tm);

/* [{"thread", "os_pu", "core", "core_os", "numa_node", "package", "tid", "bound", "seen_cpu"}] */
json_t *tb_team_placement_json(const tb_team *tm);

#endif
