/* Cold working sets: copies of one buffer, rotated call after call, that together cover
 * TB_WORKSET_LLC_MULTIPLE x the last-level cache, so every call reads its data from DRAM as a
 * decode step does. One planner sizes every such set of one invocation against the memory budget
 * before anything is allocated; one team pass first-touches and fills them. */
#ifndef TB_WORKSET_H
#define TB_WORKSET_H

#include <stddef.h>
#include <stdint.h>

#include "team.h"

#define TB_WORKSET_LLC_MULTIPLE 4
/* Copies of one buffer at most: beyond this a buffer is so small that rotating more copies costs
 * more in set-up than a cold read of it means. */
#define TB_WORKSET_MAX_COPIES 4096
/* Shares of MemAvailable: every copy of one invocation together, and everything it allocates. */
#define TB_WORKSET_COPIES_SHARE 0.5
#define TB_WORKSET_TOTAL_SHARE 0.8

typedef struct tb_workset_item {
    const char *what;  /* "f32 weight copies": named in messages */
    size_t copy_bytes; /* one copy */
    int cold;          /* rotate copies (else one copy) */
    int sets;          /* how many such sets are allocated (one per tier, say); 0 = not needed */
    int copies;        /* out: copies per set */
    int capped;        /* out: a cap (count or memory), not the cache, set copies */
} tb_workset_item;

typedef struct tb_workset_budget {
    uint64_t llc_bytes;   /* the LLC the sets must exceed (tb_llc.used_bytes) */
    uint64_t avail_bytes; /* MemAvailable; 0 when unknown (no memory cap then) */
} tb_workset_budget;

/* Copies wanted for cold data of copy_bytes: enough to cover the multiple of the LLC, at least 1. */
uint64_t tb_workset_copies_for(uint64_t llc_bytes, size_t copy_bytes);

/* Sets items[i].copies and .capped for all items at once; fixed_bytes is what the invocation
 * allocates besides them. Refuses (TB_EXIT_RUNTIME, one line naming `context`) when even one copy
 * of each set does not fit the budget; warns once when a cap binds. Returns 0 or the exit code. */
int tb_workset_plan(const tb_workset_budget *b, double fixed_bytes, tb_workset_item *items, int n,
                    const char *context);

/* Bytes of all copies of all sets of the plan. */
double tb_workset_bytes(const tb_workset_item *items, int n);

/* copies x copy_bytes, not written (tb_alloc_untouched). */
void *tb_workset_alloc(size_t copy_bytes, int copies, const char *what);

/* One team pass: member t writes its share of every copy (bytes [t/n, (t+1)/n) of each), so it
 * first-touches the pages it will read when a kernel splits the data the same way. src may be
 * copy 0 of dst, already filled: that copy is then left as it is. */
void tb_workset_fill(tb_team *team, void *dst, size_t copy_bytes, int copies, const void *src);

#endif
