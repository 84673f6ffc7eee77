/* bench gemm / gemv's options (gemm_options.h). */
#include "gemm_options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "blas.h"
#include "tb_config.h"
#include "util.h"

int tb_parse_gemm_shape(const char *s, int m_implicit_one, long long dims[3])
{
    long long v[3];
    int n = 0;
    const char *p = s;
    while (n < 3) {
        if (*p < '0' || *p > '9')
            return -1;
        char *end;
        v[n++] = strtoll(p, &end, 10);
        p = end;
        if (*p == '\0')
            break;
        if (*p != 'x' && *p != 'X')
            return -1;
        p++;
    }
    if (*p != '\0')
        return -1;
    if (n == 2 && m_implicit_one) {
        dims[0] = 1;
        dims[1] = v[0];
        dims[2] = v[1];
    } else if (n == 3) {
        memcpy(dims, v, sizeof v);
    } else {
        return -1;
    }
    /* CBLAS takes 32-bit sizes. */
    for (int i = 0; i < 3; i++)
        if (dims[i] < 1 || dims[i] > 0x7fffffffLL)
            return -1;
    return 0;
}

int tb_gemm_parse_shapes(const tb_opts *o, int gemv, tb_dtype dt, tb_gemm_shape *sh, int *n)
{
    const char *shapes = o->shape ? o->shape : gemv ? "1x4096x4096" : "1x4096x4096,32x4096x4096,128x4096x4096";
    int ns = 0;
    char buf[1024];
    if (snprintf(buf, sizeof buf, "%s", shapes) >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--shape: list too long");
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (ns == TB_GEMM_MAX_SHAPES)
            return tb_fail(TB_EXIT_USAGE, "--shape: at most %d shapes", TB_GEMM_MAX_SHAPES);
        if (tb_parse_gemm_shape(t, gemv, sh[ns].dims) != 0)
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': expected %s with every size from 1 to 2147483647", t,
                           gemv ? "NxK or 1xNxK" : "MxNxK");
        if (gemv && sh[ns].dims[0] != 1)
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': gemv is M = 1 (use bench gemm for M > 1)", t);
        if (tb_dtype_is_quantized(dt) && sh[ns].dims[2] % TB_QK)
            return tb_fail(TB_EXIT_USAGE, "--shape '%s': K must be a multiple of %d for --dtype %s", t, TB_QK,
                           tb_dtype_name(dt));
        ns++;
    }
    if (ns == 0)
        return tb_fail(TB_EXIT_USAGE, "--shape: empty list");
    *n = ns;
    return 0;
}

int tb_gemm_parse_variants(const tb_opts *o, tb_gemm_variant_spec *out, int *n)
{
    char buf[256], isabuf[256];
    /* a list cut short would silently drop its last items */
    if (snprintf(buf, sizeof buf, "%s", o->backend ? o->backend : (TB_HAVE_OPENBLAS ? "portable,openblas" : "portable")) >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--backend: list too long");
    if (snprintf(isabuf, sizeof isabuf, "%s", o->isa ? o->isa : "auto") >= (int)sizeof isabuf)
        return tb_fail(TB_EXIT_USAGE, "--isa: list too long");
    *n = 0;
    for (char *s1 = NULL, *t = strtok_r(buf, ",", &s1); t; t = strtok_r(NULL, ",", &s1)) {
        tb_gemm_backend bk;
        if (strcmp(t, "ref") == 0)
            bk = BK_REF;
        else if (strcmp(t, "openblas") == 0 && TB_HAVE_OPENBLAS) {
            bk = BK_OPENBLAS;
            tb_blas_warn_if_fallback_core();
        }
        else if (strcmp(t, "openblas") == 0)
            return tb_fail(TB_EXIT_USAGE, "--backend openblas: this build has no OpenBLAS (meson -Dopenblas=enabled)");
        else if (strcmp(t, "portable") == 0)
            bk = BK_PORTABLE;
        else if (strcmp(t, "read") == 0)
            bk = BK_READ;
        else if (strcmp(t, "peak") == 0)
            bk = BK_PEAK;
        else
            return tb_fail(TB_EXIT_USAGE, "--backend '%s': unknown backend (portable, openblas, ref, read, peak)", t);
        for (int i = 0; i < *n; i++)
            if (out[i].bk == bk)
                return tb_fail(TB_EXIT_USAGE, "--backend '%s': listed twice", t);
        if (bk != BK_PORTABLE) {
            if (*n == TB_GEMM_MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend: at most %d variants", TB_GEMM_MAX_VARIANTS);
            /* The peak probe grades a tier against its own FMA chains when --isa names one tier
             * (the generic tier has no FMA instruction, so the best tier's peak is not its
             * ceiling); with several tiers, or auto, the best tier's. */
            tb_isa isa = TB_ISA_GENERIC, named;
            if (bk == BK_PEAK)
                isa = !strchr(isabuf, ',') && strcmp(isabuf, "auto") != 0 && tb_isa_from_name(isabuf, &named) == 0
                          ? named
                          : tb_isa_detect();
            out[(*n)++] = (tb_gemm_variant_spec){bk, isa};
            continue;
        }
        /* One portable variant per --isa entry: tiers compared in one run. */
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", isabuf);
        for (char *s2 = NULL, *u = strtok_r(tmp, ",", &s2); u; u = strtok_r(NULL, ",", &s2)) {
            tb_isa isa;
            if (strcmp(u, "auto") == 0)
                isa = tb_isa_detect();
            else if (tb_isa_from_name(u, &isa) != 0)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': unknown tier (auto, generic, avx2, avx512, neon)", u);
            else if (!tb_isa_available(isa))
                return tb_fail(TB_EXIT_USAGE, "--isa %s: this CPU or this build cannot run that tier (best here: %s)", u,
                               tb_isa_name(tb_isa_detect()));
            int dup = 0;
            for (int i = 0; i < *n; i++)
                dup |= out[i].bk == BK_PORTABLE && out[i].isa == isa;
            /* "auto" may name a tier already listed (generic,auto on a CPU with no SIMD tier) */
            if (dup && strcmp(u, "auto") == 0)
                continue;
            if (dup)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': listed twice", u);
            if (*n == TB_GEMM_MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend/--isa: at most %d variants", TB_GEMM_MAX_VARIANTS);
            out[(*n)++] = (tb_gemm_variant_spec){BK_PORTABLE, isa};
        }
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--backend: empty list");
}

const char *tb_gemm_backend_name(tb_gemm_backend bk)
{
    return bk == BK_REF ? "ref" : bk == BK_OPENBLAS ? "openblas" : bk == BK_READ ? "read" : bk == BK_PEAK ? "peak" : "portable";
}
