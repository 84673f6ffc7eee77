/* bench attn-prefill / attn-decode's options (attn_options.h). */
#include "attn_options.h"

#include <stdio.h>
#include <string.h>

#include <tokbench/attention.h>

#include "util.h"

/* Longest sequence a case may have. */
#define MAX_LEN (1 << 22)

static const char *const backend_names[] = {"portable", "ref", "read", "peak"};

const char *tb_attn_backend_name(tb_attn_backend k) { return backend_names[k]; }

static int parse_variants(const tb_opts *o, int decode, tb_attn_variant_spec *out, int *n)
{
    char buf[256], isabuf[256];
    /* a list cut short would silently drop its last items */
    if (snprintf(buf, sizeof buf, "%s", o->backend ? o->backend : decode ? "portable,read" : "portable,peak") >= (int)sizeof buf)
        return tb_fail(TB_EXIT_USAGE, "--backend: list too long");
    if (snprintf(isabuf, sizeof isabuf, "%s", o->isa ? o->isa : "auto") >= (int)sizeof isabuf)
        return tb_fail(TB_EXIT_USAGE, "--isa: list too long");
    *n = 0;
    for (char *s1 = NULL, *t = strtok_r(buf, ",", &s1); t; t = strtok_r(NULL, ",", &s1)) {
        int kind = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(t, backend_names[i]) == 0)
                kind = i;
        if (kind < 0)
            return tb_fail(TB_EXIT_USAGE, "--backend '%s': unknown backend for bench attn-* (portable, ref, read, peak)",
                           t);
        for (int i = 0; i < *n; i++)
            if ((int)out[i].kind == kind)
                return tb_fail(TB_EXIT_USAGE, "--backend '%s': listed twice", t);
        if (kind != AV_PORTABLE) {
            if (*n == TB_ATTN_MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend: at most %d variants", TB_ATTN_MAX_VARIANTS);
            out[(*n)++] = (tb_attn_variant_spec){(tb_attn_backend)kind, TB_ISA_GENERIC};
            continue;
        }
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", isabuf);
        for (char *s2 = NULL, *u = strtok_r(tmp, ",", &s2); u; u = strtok_r(NULL, ",", &s2)) {
            tb_isa isa;
            tb_attention_kernels probe;
            if (strcmp(u, "auto") == 0)
                isa = tb_attention_kernels_init(&probe, TB_ISA_COUNT);
            else if (tb_isa_from_name(u, &isa) != 0)
                return tb_fail(TB_EXIT_USAGE, "--isa '%s': unknown tier (auto, generic, avx2, avx512, neon)", u);
            else if (!tb_isa_available(isa) || tb_attention_kernels_init(&probe, isa) != isa)
                return tb_fail(TB_EXIT_USAGE, "--isa %s: this CPU or this build has no attention kernels for it "
                               "(best here: %s)", u, tb_isa_name(tb_attention_kernels_init(&probe, TB_ISA_COUNT)));
            for (int i = 0; i < *n; i++)
                if (out[i].kind == AV_PORTABLE && out[i].isa == isa)
                    return tb_fail(TB_EXIT_USAGE, "--isa '%s': listed twice", u);
            if (*n == TB_ATTN_MAX_VARIANTS)
                return tb_fail(TB_EXIT_USAGE, "--backend/--isa: at most %d variants", TB_ATTN_MAX_VARIANTS);
            out[(*n)++] = (tb_attn_variant_spec){AV_PORTABLE, isa};
        }
    }
    return *n ? 0 : tb_fail(TB_EXIT_USAGE, "--backend: empty list");
}

/* A comma list of whole numbers in [1, max] (tb_parse_int_list: empty entries refused). */
static int parse_list(const char *s, const char *flag, long long max, int64_t *out, int cap, int *n)
{
    switch (tb_parse_int_list(s, 1, max, out, cap, n)) {
    case TB_LIST_OK:
        return 0;
    case TB_LIST_EMPTY_ITEM:
        return tb_fail(TB_EXIT_USAGE, "--%s '%s': expected a comma list of whole numbers from 1 to %lld", flag, s, max);
    case TB_LIST_TOO_MANY:
        return tb_fail(TB_EXIT_USAGE, "--%s: at most %d entries", flag, cap);
    default:
        return tb_fail(TB_EXIT_USAGE, "--%s '%s': expected whole numbers from 1 to %lld", flag, s, max);
    }
}

int tb_attn_parse_opts(const tb_opts *o, const char *op, tb_attn_opts *ao)
{
    const int decode = strcmp(op, "attn-decode") == 0;
    int64_t H = o->heads ? o->heads : 32, kv = o->kv_heads ? o->kv_heads : 8, D = o->head_dim ? o->head_dim : 128;
    if (o->dtype)
        return tb_fail(TB_EXIT_USAGE, "--dtype %s: bench %s takes the cache's type as --kv-dtype f32|f16", o->dtype, op);
    if (o->shape)
        return tb_fail(TB_EXIT_USAGE, "--shape %s: bench %s takes --heads, --kv-heads, --head-dim and %s", o->shape, op,
                       decode ? "--ctx, --batch" : "--seq");
    if (kv > H || H % kv)
        return tb_fail(TB_EXIT_USAGE, "--kv-heads %lld: must divide --heads %lld (grouped-query attention)",
                       (long long)kv, (long long)H);
    if (!tb_attn_head_dim_ok(D))
        return tb_fail(TB_EXIT_USAGE, "--head-dim %lld: the kernels take a multiple of %d from %d to %d", (long long)D,
                       TB_ATTN_HEAD_DIM_ALIGN, TB_ATTN_HEAD_DIM_ALIGN, TB_ATTN_MAX_HEAD_DIM);
    tb_dtype kvdt = TB_DT_F16;
    if (o->kv_dtype && (tb_dtype_from_name(o->kv_dtype, &kvdt) != 0 || !tb_attn_kv_dtype_ok(kvdt)))
        return tb_fail(TB_EXIT_USAGE, "--kv-dtype '%s': expected f32 or f16", o->kv_dtype);

    *ao = (tb_attn_opts){.decode = decode, .H = H, .kv = kv, .D = D, .kvdt = kvdt, .nseq = 1};
    int rc;
    if (decode) {
        if (o->seq)
            return tb_fail(TB_EXIT_USAGE, "--seq %s: bench attn-decode takes --ctx (attn-prefill takes --seq)", o->seq);
        if (o->batch && strchr(o->batch, ',')) { /* mixed lengths: one sequence per entry */
            if (o->ctx)
                return tb_fail(TB_EXIT_USAGE, "--ctx %s: --batch %s already lists every sequence's length", o->ctx,
                               o->batch);
            if ((rc = parse_list(o->batch, "batch", MAX_LEN, ao->lens, TB_ATTN_MAX_BATCH, &ao->nl)) != 0)
                return rc;
            ao->ncases = 1;
        } else {
            if (o->batch) {
                int64_t b[1];
                int n1;
                if ((rc = parse_list(o->batch, "batch", TB_ATTN_MAX_BATCH, b, 1, &n1)) != 0)
                    return rc;
                ao->nseq = b[0];
            }
            if ((rc = parse_list(o->ctx ? o->ctx : "4096", "ctx", MAX_LEN, ao->sizes, TB_ATTN_MAX_CASES, &ao->ncases)) != 0)
                return rc;
        }
    } else {
        if (o->ctx)
            return tb_fail(TB_EXIT_USAGE, "--ctx %s: bench attn-prefill takes --seq (attn-decode takes --ctx)", o->ctx);
        if (o->batch && strcmp(o->batch, "1") != 0)
            return tb_fail(TB_EXIT_USAGE, "--batch %s: bench attn-prefill runs one sequence (--seq sets its length)",
                           o->batch);
        if ((rc = parse_list(o->seq ? o->seq : "512", "seq", MAX_LEN, ao->sizes, TB_ATTN_MAX_CASES, &ao->ncases)) != 0)
            return rc;
    }
    return parse_variants(o, decode, ao->specs, &ao->nv);
}

int64_t tb_attn_opts_lengths(const tb_attn_opts *ao, int c, int64_t *len)
{
    if (ao->decode && ao->nl) {
        memcpy(len, ao->lens, sizeof(int64_t) * (size_t)ao->nl);
        return ao->nl;
    }
    if (ao->decode) {
        for (int64_t b = 0; b < ao->nseq; b++)
            len[b] = ao->sizes[c];
        return ao->nseq;
    }
    len[0] = ao->sizes[c];
    return 1;
}
