/* Sizing, allocating and filling cold working sets. */
#include "workset.h"

#include <math.h>
#include <string.h>

#include "util.h"

uint64_t tb_workset_copies_for(uint64_t llc_bytes, size_t copy_bytes)
{
    if (copy_bytes == 0)
        return 1;
    uint64_t want = TB_WORKSET_LLC_MULTIPLE * llc_bytes;
    uint64_t c = want / copy_bytes + (want % copy_bytes != 0);
    return c ? c : 1;
}

double tb_workset_bytes(const tb_workset_item *items, int n)
{
    double t = 0;
    for (int i = 0; i < n; i++)
        t += (double)items[i].copy_bytes * (double)items[i].copies * (double)items[i].sets;
    return t;
}

int tb_workset_plan(const tb_workset_budget *b, double fixed_bytes, tb_workset_item *items, int n,
                    const char *context)
{
    int count_capped = 0;
    double one_each = 0;
    for (int i = 0; i < n; i++) {
        tb_workset_item *it = &items[i];
        uint64_t c = it->sets && it->cold ? tb_workset_copies_for(b->llc_bytes, it->copy_bytes) : 1;
        it->capped = c > TB_WORKSET_MAX_COPIES;
        count_capped |= it->capped;
        it->copies = it->sets ? (int)(it->capped ? TB_WORKSET_MAX_COPIES : c) : 0;
        one_each += (double)it->copy_bytes * (double)it->sets;
    }
    double avail = (double)b->avail_bytes;
    char need[32], have[32];
    if (avail > 0 && fixed_bytes + one_each > TB_WORKSET_TOTAL_SHARE * avail) {
        tb_format_bytes(fixed_bytes + one_each, need, sizeof need);
        tb_format_bytes(avail, have, sizeof have);
        return tb_fail(TB_EXIT_RUNTIME, "%s: needs %s but only %s is available (MemAvailable)", context, need, have);
    }
    double copies = tb_workset_bytes(items, n);
    double room = avail > 0 ? fmin(TB_WORKSET_COPIES_SHARE * avail, TB_WORKSET_TOTAL_SHARE * avail - fixed_bytes) : INFINITY;
    int mem_capped = 0;
    if (copies > room && copies > one_each) {
        /* Every cold set shrinks by the same factor: the cache is then equally (un)covered for all
         * the variants timed against each other. */
        double scale = (room - one_each) / (copies - one_each);
        for (int i = 0; i < n; i++) {
            tb_workset_item *it = &items[i];
            if (it->copies <= 1)
                continue;
            int c = 1 + (int)floor((double)(it->copies - 1) * (scale > 0 ? scale : 0));
            if (c < it->copies) {
                it->copies = c;
                it->capped = mem_capped = 1;
            }
        }
    }
    if (mem_capped)
        tb_warn("%s: the cold copies are capped at %.0f%% of the available memory, below %dx the last-level cache: "
                "data may be partly cached",
                context, 100.0 * TB_WORKSET_COPIES_SHARE, TB_WORKSET_LLC_MULTIPLE);
    else if (count_capped)
        tb_warn("%s: %d copies of data this small cover less than %dx the last-level cache: it may be partly cached",
                context, TB_WORKSET_MAX_COPIES, TB_WORKSET_LLC_MULTIPLE);
    return 0;
}

void *tb_workset_alloc(size_t copy_bytes, int copies, const char *what)
{
    if (copies <= 0)
        return NULL;
    if (copy_bytes && (size_t)copies > SIZE_MAX / copy_bytes) {
        tb_fail(TB_EXIT_RUNTIME, "out of memory: %d copies of %zu bytes for %s", copies, copy_bytes, what);
        return NULL;
    }
    return tb_alloc_untouched(copy_bytes * (size_t)copies, what);
}

typedef struct {
    char *dst;
    const char *src;
    size_t copy_bytes;
    int copies;
} fill_job;

static void fill_worker(void *p, int tid, int nt)
{
    fill_job *j = p;
    size_t b, e;
    tb_team_split(j->copy_bytes, 4096, tid, nt, &b, &e); /* whole pages: each is first touched by one member */
    for (int c = 0; c < j->copies; c++) {
        char *d = j->dst + (size_t)c * j->copy_bytes;
        if (d != j->src && e > b)
            memcpy(d + b, j->src + b, e - b);
    }
}

void tb_workset_fill(tb_team *team, void *dst, size_t copy_bytes, int copies, const void *src)
{
    fill_job j = {dst, src, copy_bytes, copies};
    tb_team_run(team, fill_worker, &j);
}
