/* Pricing the records of `tokbench run` with the price tables, for `tokbench cost` and for the
 * cost lines of `tokbench run`: the options both take, one output row per result row x price row
 * (SPEC.md's cost fields), and the ranking. Printing the rows is the commands' own. Each function
 * returning int returns 0 or an exit code after one "tokbench: ..." line (util.h). */
#ifndef TB_COST_RECORDS_H
#define TB_COST_RECORDS_H

#include <jansson.h>
#include <stddef.h>

#include "cost.h"
#include "options.h"
#include "prices.h"

/* A growable list of owned strings. */
typedef struct tb_strlist {
    char **s;
    size_t n, cap;
} tb_strlist;
int tb_strlist_add(tb_strlist *l, const char *s);
void tb_strlist_free(tb_strlist *l);

/* --pricing as a filter: the tb_pricing, or -1 (every model) when it is not given. */
int tb_pricing_opt_parse(const tb_opts *o, int *filter);
/* The checks a loaded table gets: --max-age-days against today's date. */
tb_price_checks tb_price_checks_from(const tb_opts *o);

typedef struct tb_cost_ctx {
    const tb_opts *o;
    const tb_price_table *t;
    int pricing; /* -1: all */
    double util, w_in, w_out;
    tb_fx fx;
    char **want; /* instance names; NULL: every instance */
    size_t nwant;
    unsigned char *used; /* per price row: used (its warnings are due) */
    size_t skipped;      /* records of other commands found in directories */
    json_t *rows;
} tb_cost_ctx;

/* The options every pricing shares (cost and run): pricing model, utilization, blend, exchange
 * rates and the --instance list (its names go to want, copied into *inst_copy). */
int tb_cost_setup(tb_cost_ctx *c, const tb_opts *o, tb_strlist *want, char **inst_copy);
/* Loads the tables (--prices, or the default directory) into t and makes the per-row "used"
 * flags and the empty list of rows. */
int tb_cost_load(tb_cost_ctx *c, tb_price_table *t);
/* Prices every row of one record into c->rows (file: its name in messages and rows); refusals are
 * counted by reason. found: it came from a directory walk, where records of other commands are
 * skipped. own: the record of the run in progress, which is not complete yet and whose instance
 * the user named: the two warnings about saved records would be noise. */
int tb_cost_price_record(tb_cost_ctx *c, const char *file, const json_t *rec, int found, int own);
/* Sorts the rows cheapest blended first (unknown last), then by provider, region, instance,
 * pricing, result, batch and threads. */
int tb_cost_rank(json_t *rows);

#endif
