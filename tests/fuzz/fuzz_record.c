/* libFuzzer target: a results record (schema tokbench.result/1) through tb_record_load and then
 * through each reader of saved records: compare's (one side: its benchmarks and samples), cost's
 * (every row priced against a fixed table, projections on, then ranked) and report's HTML page. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compare_input.h"
#include "cost_records.h"
#include "fuzz_input.h"
#include "html.h"
#include "record.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Rows of both architectures, known and unknown cores and an empty price, so a fuzzed record
 * reaches every branch of the pricing (a table holds one currency: --fx is parsed, not used). */
static const char prices_csv[] =
    "provider,region,instance,vcpus,physical_cores,threads_per_core,memory_gib,cpu_model,arch,accelerator,"
    "accelerator_count,pricing,price_per_hour,currency,price_date,source\n"
    "aws,us-east-1,c7i.4xlarge,16,8,2,32,Xeon 8488C,x86_64,,,on-demand,0.714,USD,2026-07-20,S1\n"
    "aws,us-east-1,c7i.4xlarge,16,8,2,32,Xeon 8488C,x86_64,,,spot,,USD,2026-07-20,unknown\n"
    "aws,us-east-1,c7g.4xlarge,16,16,1,32,Graviton3,arm64,,,on-demand,0.58,USD,2026-07-20,S1\n"
    "azure,eastus,Standard_D16s_v5,16,,,64,,x86_64,,,on-demand,0.768,USD,2026-06-18,S8\n"
    "lab,home,onprem-2core,2,2,1,8,Zen 5,x86_64,,,on-demand,0.01,USD,2026-11-01,electricity\n";

static tb_price_table *price_table(void)
{
    static tb_price_table t;
    static int loaded;
    if (!loaded) {
        tb_prices_init(&t);
        tb_price_checks chk = {FUZZ_TODAY_DAYS, 3650};
        if (tb_prices_load_file(&t, fuzz_input_path((const uint8_t *)prices_csv, sizeof prices_csv - 1), &chk) != 0)
            abort();
        loaded = 1;
    }
    return &t;
}

/* compare's reading of one side: its benchmarks and samples, raw and with every kernel over its
 * probe (--normalize probe: the paired samples, a run row over its bound). The statistics that
 * follow (2000 bootstrap resamples a benchmark) read numbers, not text, and would slow every
 * input a hundredfold; the unit tests check them. */
static void compare(const char *path)
{
    static const tb_norm_mode modes[2] = {TB_NORM_NONE, TB_NORM_PROBE};
    for (int i = 0; i < 2; i++) {
        tb_cmp_side side;
        tb_cmp_side_load(path, "results", modes[i], &side);
        tb_cmp_side_free(&side);
    }
}

static void cost(const char *path, const json_t *rec)
{
    tb_opts o;
    memset(&o, 0, sizeof o);
    o.max_age_days = -1;
    o.utilization = -1;
    o.instance = "all";
    o.project = 1;
    o.fx = "EUR=1.08";
    tb_cost_ctx c;
    tb_strlist want = {0};
    char *inst_copy = NULL;
    if (tb_cost_setup(&c, &o, &want, &inst_copy) != 0)
        abort();
    c.t = price_table();
    c.rows = json_array();
    c.used = calloc(c.t->n + 1, 1);
    if (!c.rows || !c.used)
        abort();
    if (tb_cost_price_record(&c, path, rec, 0, 0) == 0)
        tb_cost_rank(c.rows);
    json_decref(c.rows);
    free(c.used);
    tb_strlist_free(&want);
    free(inst_copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_set_quiet(1);
    price_table(); /* before the input takes the memfd */
    const char *path = fuzz_input_path(data, size);
    json_t *rec;
    if (tb_record_load(path, &rec) != 0)
        return 0;
    compare(path);
    cost(path, rec);
    tb_report_input in = {path, rec};
    tb_html_report(fuzz_null_out(), &in, 1);
    json_decref(rec);
    return 0;
}
