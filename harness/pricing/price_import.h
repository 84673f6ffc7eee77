/* `tokbench prices import`: a cloud's own published price list (the AWS Price List offer file,
 * Azure Retail Prices API pages, GCP Cloud Billing Catalog SKU pages) turned into a tokbench
 * price table. Only Linux, shared tenancy, no pre-installed software, hourly units; what cannot
 * be priced is skipped with a reason, never written as 0. The traps each format sets are listed
 * in tests/fixtures/price-formats/README.md. */
#ifndef TB_PRICE_IMPORT_H
#define TB_PRICE_IMPORT_H

#include <stddef.h>

#include "prices.h"

typedef enum tb_import_from { TB_IMPORT_AWS = 0, TB_IMPORT_AZURE, TB_IMPORT_GCP } tb_import_from;

/* "aws", "azure", "gcp": 0, or -1. */
int tb_import_from_parse(const char *s, tb_import_from *out);

typedef struct tb_import tb_import;

/* today_days: for Azure's effectiveEndDate (negative: the system clock). quiet: no notes. */
tb_import *tb_import_new(tb_import_from from, int today_days, int quiet);
void tb_import_free(tb_import *im);

/* Reads one file (several: the pages of one listing). 0, or an exit code after one line. */
int tb_import_add_file(tb_import *im, const char *path);

/* Pairs, deduplicates and sorts what was read into out (which must be initialised and empty)
 * and prints the notes (skips by reason). Returns 0, or 2 when nothing could be imported. */
int tb_import_finish(tb_import *im, tb_price_table *out);

/* The comment block for the CSV: what was imported, from where, and the rules applied. */
const char *tb_import_comment(const tb_import *im);

/* Products skipped for a reason containing `what` (tests). */
size_t tb_import_skipped(const tb_import *im, const char *what);

#endif
