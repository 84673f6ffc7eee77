/* Price tables: CSV files (SPEC.md "Price tables"), one row per instance x region x pricing
 * model, read with libcsv and validated strictly. An empty cell means unknown, never zero: a row
 * with an empty price is kept only to catch duplicates and is never priced. */
#ifndef TB_PRICES_H
#define TB_PRICES_H

#include <stddef.h>
#include <stdio.h>

/* The largest hourly price a table may hold, in any currency: the dearest cloud instances cost a
 * few hundred US dollars an hour (a few tens of thousands of yen); a figure far beyond is a typo or
 * a unit mistake, and would print as a 300-digit number. */
#define TB_PRICE_MAX_PER_HOUR 1e5

typedef enum tb_pricing {
    TB_PRICING_ON_DEMAND = 0,
    TB_PRICING_SPOT,
    TB_PRICING_COMMIT_1Y,
    TB_PRICING_COMMIT_3Y,
    TB_PRICING_COUNT
} tb_pricing;

/* "on-demand", "spot", "commit-1y", "commit-3y". */
const char *tb_pricing_name(tb_pricing p);
/* 0 and *out, or -1 when s is none of the names above. */
int tb_pricing_parse(const char *s, tb_pricing *out);

/* The columns tokbench knows, in the order it writes them. */
typedef enum tb_pcol {
    TB_PCOL_PROVIDER = 0,
    TB_PCOL_REGION,
    TB_PCOL_INSTANCE,
    TB_PCOL_VCPUS,
    TB_PCOL_PHYSICAL_CORES,
    TB_PCOL_THREADS_PER_CORE,
    TB_PCOL_MEMORY_GIB,
    TB_PCOL_CPU_MODEL,
    TB_PCOL_ARCH,
    TB_PCOL_ACCELERATOR,
    TB_PCOL_ACCELERATOR_COUNT,
    TB_PCOL_PRICING,
    TB_PCOL_PRICE_PER_HOUR,
    TB_PCOL_CURRENCY,
    TB_PCOL_PRICE_DATE,
    TB_PCOL_SOURCE,
    TB_PCOL_COUNT
} tb_pcol;

extern const char *const tb_price_column_names[TB_PCOL_COUNT];

/* Row flags found by the checks, reported by tb_prices_warn_row. */
enum { TB_PRICE_STALE = 1, TB_PRICE_FUTURE = 2, TB_PRICE_OUTLIER = 4 };

typedef struct tb_price {
    char *cell[TB_PCOL_COUNT]; /* every known cell as written ("" = unknown); owned */
    tb_pricing pricing;
    double price_per_hour;     /* NAN when the cell is empty: no price */
    double vcpus, physical_cores, threads_per_core, memory_gib, accelerator_count; /* NAN = unknown */
    int date_days;             /* price_date as days since 1970-01-01; INT_MIN when empty */
    const char *file;          /* points into the table's file list */
    int line;
    unsigned flags;
    int age_days, max_age_days; /* today - price_date, and the limit, for the stale warning */
    double family_median;      /* price per vCPU of the row's family, for the outlier warning */
} tb_price;

/* The parsed number of a numeric column of p (price_per_hour, vcpus, ... accelerator_count), or
 * NULL for a text column: one mapping for the parser and every writer. */
const double *tb_price_number(const tb_price *p, tb_pcol c);

typedef struct tb_price_table {
    tb_price *rows;
    size_t n, cap;
    char **files;
    size_t nfiles;
} tb_price_table;

/* What the checks compare against: today (days since epoch; a negative value means the system
 * clock's UTC date) and the age that makes a price stale. */
typedef struct tb_price_checks {
    int today_days;
    int max_age_days;
} tb_price_checks;

void tb_prices_init(tb_price_table *t);
void tb_prices_free(tb_price_table *t);

/* Loads one CSV file. Errors (exit 2, one line "FILE:LINE: ... column X ...") leave the table
 * usable but partly filled; the caller should stop. Per-file warnings (unknown columns) are
 * printed here; per-row findings are stored in flags for tb_prices_warn_row. */
int tb_prices_load_file(tb_price_table *t, const char *path, const tb_price_checks *chk);
/* A file, or a directory: every *.csv in it, sorted by name. */
int tb_prices_load_path(tb_price_table *t, const char *path, const tb_price_checks *chk);
/* --prices sources in order; none: the default directory (tb_prices_default_dir). */
int tb_prices_load_sources(tb_price_table *t, const char *const *paths, int n, const tb_price_checks *chk);

/* The repository's prices/ folder: $TOKBENCH_PRICES_DIR, else <exe dir>/../../prices (the build
 * directory sits in the checkout), else <exe dir>/../share/tokbench/prices. 0, or an exit code
 * after one line saying where it looked. */
int tb_prices_default_dir(char *buf, size_t cap);
/* 1 when tb_prices_default_dir would find one; prints nothing. */
int tb_prices_have_default_dir(void);

/* Appends a row built in code (importers); cells are copied, missing ones become "". The numeric
 * fields are parsed from the cells. Returns 0 or -1 on a cell that does not validate (why in
 * err). */
int tb_prices_add(tb_price_table *t, const char *const cells[TB_PCOL_COUNT], const char *file, int line, char *err,
                  size_t errcap);

/* The table's files, ", "-separated, into buf (cut short at cap). */
void tb_prices_list_files(const tb_price_table *t, char *buf, size_t cap);

/* Prints the warnings stored for the rows selected (select[i] != 0; NULL: every row): a row
 * without a price, a future date, an outlier per vCPU; stale prices one line each, or one line
 * per file when a file has more than three. */
void tb_prices_warn(const tb_price_table *t, const unsigned char *select);

/* Writes the priced rows as a tokbench CSV (header, canonical column order, RFC 4180 quoting),
 * after optional comment lines (each line of comment gets a "# " prefix). */
int tb_prices_write_csv(FILE *f, const tb_price_table *t, const char *comment);

/* The family of an instance name, the part before the size: "c7i" for "c7i.4xlarge",
 * "c3-standard" for "c3-standard-22", "Standard_Ds_v5" for "Standard_D16s_v5". */
void tb_price_family(const char *instance, char *buf, size_t cap);

/* "YYYY-MM-DD", a real calendar date, as days since 1970-01-01; -1 when it is not one. */
int tb_date_parse(const char *s, int *days);
/* Today's UTC date as days since 1970-01-01. */
int tb_today_days(void);
/* Formats days since 1970-01-01 as YYYY-MM-DD. */
void tb_date_format(int days, char *buf, size_t cap);
/* ISO 4217 shape: three upper-case letters. */
int tb_currency_valid(const char *s);
/* A plain decimal number (digits, one optional point, optional exponent), no sign. */
int tb_decimal_valid(const char *s);

#endif
