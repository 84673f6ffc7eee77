/* bench attn-prefill / attn-decode's options: the shape (--heads, --kv-heads, --head-dim,
 * --kv-dtype), the cases (--ctx and --batch for decode, --seq for prefill) and the variants
 * (--backend, --isa). */
#ifndef TB_ATTN_OPTIONS_H
#define TB_ATTN_OPTIONS_H

#include <stdint.h>

#include <tokbench/dtype.h>
#include <tokbench/kernels.h>

#include "options.h"

#define TB_ATTN_MAX_VARIANTS 8
#define TB_ATTN_MAX_CASES 32
#define TB_ATTN_MAX_BATCH 4096

typedef enum { AV_PORTABLE, AV_REF, AV_READ, AV_PEAK } tb_attn_backend;

typedef struct {
    tb_attn_backend kind;
    tb_isa isa; /* portable: the tier */
} tb_attn_variant_spec;

typedef struct {
    int decode;
    int64_t H, kv, D;
    tb_dtype kvdt;
    int64_t sizes[TB_ATTN_MAX_CASES]; /* --ctx (decode) or --seq (prefill): one case each */
    int ncases;
    int64_t lens[TB_ATTN_MAX_BATCH]; /* decode, --batch with a list: every sequence's length (one case) */
    int nl;
    int64_t nseq; /* decode, --batch N: sequences per case */
    tb_attn_variant_spec specs[TB_ATTN_MAX_VARIANTS];
    int nv;
} tb_attn_opts;

/* The options of bench op (attn-prefill or attn-decode) into ao. 0 or TB_EXIT_USAGE after one
 * error line. */
int tb_attn_parse_opts(const tb_opts *o, const char *op, tb_attn_opts *ao);

/* The key count of every sequence of case c into len (holds TB_ATTN_MAX_BATCH); returns how
 * many sequences. */
int64_t tb_attn_opts_lengths(const tb_attn_opts *ao, int c, int64_t *len);

/* "portable", "ref", "read" or "peak": a case's "backend" and the fault hook's name. */
const char *tb_attn_backend_name(tb_attn_backend k);

#endif
