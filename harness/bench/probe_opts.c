/* The options bench stream and bench peak share (probe_opts.h). */
#include "probe_opts.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static void available_list(char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < TB_ISA_COUNT; i++) {
        tb_probe_kernels k;
        if (tb_isa_available((tb_isa)i) && tb_probe_kernels_get((tb_isa)i, &k) == 0 && len < cap)
            len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? ", " : "", tb_isa_name((tb_isa)i));
    }
}

int tb_bench_probe_tiers(const tb_opts *o, int all_by_default, tb_probe_kernels *k, int *n)
{
    char avail[128];
    available_list(avail, sizeof avail);
    *n = 0;
    if (!o->isa && all_by_default) {
        for (int i = 0; i < TB_ISA_COUNT; i++)
            if (tb_isa_available((tb_isa)i) && tb_probe_kernels_get((tb_isa)i, &k[*n]) == 0)
                (*n)++;
        return 0;
    }
    char buf[128];
    if (snprintf(buf, sizeof buf, "%s", o->isa ? o->isa : "auto") >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--isa: list too long");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        tb_isa isa;
        if (strcmp(t, "auto") == 0) {
            /* The best tier that has probe kernels (a newer dispatch may know tiers we lack). */
            int i = (int)tb_isa_detect();
            while (i > 0 && (!tb_isa_available((tb_isa)i) || tb_probe_kernels_get((tb_isa)i, &k[*n]) != 0))
                i--;
            isa = (tb_isa)i;
        } else if (tb_isa_from_name(t, &isa) != 0) {
            return tb_fail(TB_EXIT_USAGE, "--isa '%s': unknown tier (auto, generic, avx2, avx512, neon)", t);
        } else if (!tb_isa_available(isa)) {
            return tb_fail(TB_EXIT_USAGE, "--isa %s: this CPU or this build cannot run it (available: %s)", t, avail);
        }
        for (int j = 0; j < *n; j++)
            if (k[j].isa == isa)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': %s listed twice", o->isa, tb_isa_name(isa));
        if (*n == TB_ISA_COUNT)
            return tb_fail(TB_EXIT_USAGE, "--isa: at most %d tiers", TB_ISA_COUNT);
        if (tb_probe_kernels_get(isa, &k[*n]) != 0)
            return tb_fail(TB_EXIT_USAGE, "--isa %s: this build has no probe kernels for it (available: %s)", t, avail);
        (*n)++;
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--isa: empty list");
}

int tb_bench_probe_opts(const tb_opts *o, const char *op, const char *dtype)
{
    if (o->dtype && strcmp(o->dtype, dtype) != 0)
        return tb_fail(TB_EXIT_USAGE, "--dtype %s: bench %s measures %s only", o->dtype, op, dtype);
    if (o->backend && strcmp(o->backend, "portable") != 0)
        return tb_fail(TB_EXIT_USAGE, "--backend %s: bench %s has the portable probes only (portable)", o->backend, op);
    if (o->cold >= 0)
        return tb_fail(TB_EXIT_USAGE, "--cold/--warm: bench %s has no weights", op);
    return 0;
}
