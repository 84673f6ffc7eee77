/* tokbench: command dispatch. The only place that turns error codes into an exit status. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "blas.h"
#include "cli.h"
#include "cmd_models.h"
#include "cmd_prices.h"
#include "cmd_run.h"
#include "llc.h"
#include "matmul.h"
#include "measure.h"
#include "output.h"
#include "record.h"
#include "sysinfo.h"
#include "tb_config.h"
#include "team.h"
#include "timer.h"
#include "topo.h"
#include "util.h"

/* path=value rows for csv/md renderings of nested objects (the value as JSON text). */
static void flat_rows(tb_table *t, const json_t *j, const char *prefix)
{
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            char p[256];
            snprintf(p, sizeof p, "%s%s%s", prefix, *prefix ? "." : "", k);
            flat_rows(t, v, p);
        }
        return;
    }
    char *s = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    tb_table_cell(t, prefix);
    tb_table_cell(t, s ? s : "");
    free(s);
}

static void print_flat(const json_t *j, tb_format fmt)
{
    static const tb_col cols[] = {{"field", 0, 0}, {"value", 0, TB_COL_CSV_QUOTED}};
    tb_table t;
    tb_table_init(&t, cols, 2);
    flat_rows(&t, j, "");
    tb_table_print(&t, fmt, stdout);
    tb_table_free(&t);
}

static int cmd_sysinfo(const tb_opts *o)
{
    tb_topo tp;
    int rc = tb_topo_load(&tp, NULL);
    if (rc)
        return rc;
    /* The LLC is the one a default team (one thread per allowed core) would size its working sets
     * from: measuring it needs that team pinned. */
    tb_place_req req = {0, NULL, 0};
    static tb_plan plan;
    tb_team *team = NULL;
    tb_llc llc;
    json_t *si = tb_sysinfo_json(&tp, o->dmi_dir);
    if (!si)
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory describing the machine");
    if (!rc && !(rc = tb_topo_plan(&tp, &req, &plan)) && !(rc = tb_team_create(&team, &tp, &plan)))
        rc = tb_llc_resolve_machine(&tp, team, o->llc_bytes, o->measure_llc, o->quiet, si, &llc);
    tb_team_destroy(team);
    tb_topo_destroy(&tp);
    if (rc) {
        json_decref(si);
        return rc;
    }
    if (o->format == TB_FMT_JSON)
        tb_print_json(si, 17);
    else if (o->format == TB_FMT_TEXT)
        tb_sysinfo_print_text(si);
    else
        print_flat(si, o->format);
    json_decref(si);
    return 0;
}

/* One row per (op, dtype, backend): which kernel this CPU gets, and from which tier. */
static json_t *kernel_rows(void)
{
    tb_kernels k;
    tb_kernels_init(&k, TB_ISA_COUNT);
    json_t *arr = json_array();
    static const struct {
        const char *op, *rows;
        int64_t m;
    } ops[] = {{"gemv", "M = 1", 1},
               {"gemm", "M = 2..16 (skinny)", 2},
               {"gemm", "M = 17..32", TB_F32_PACKED_MIN_M},
               {"gemm", "M > 32", TB_SKINNY_MAX + 1}};
    _Static_assert(TB_F32_PACKED_MIN_M == 17, "the row labels above");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        for (int dt = 0; dt < TB_DT_COUNT; dt++) {
            const tb_kernel_info *ki = tb_matmul_kernel(&k, (tb_dtype)dt, ops[i].m);
            const char *note =
                k.wlayout[dt] == TB_WL_Q4_0X8 ? "weights interleaved by 8 rows at load (q4_0x8); activations quantized to q8_0 per call"
                : k.wlayout[dt] == TB_WL_Q8_0X8 ? "weights interleaved by 8 rows at load (q8_0x8); activations quantized to q8_0 per call"
                : tb_dtype_is_quantized((tb_dtype)dt)           ? "activations quantized to q8_0 per call"
                : tb_matmul_uses_packed((tb_dtype)dt, ops[i].m) ? "weights pre-packed in panels"
                                                                : "";
            json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", ops[i].op, "rows",
                                                 ops[i].rows, "dtype", tb_dtype_name((tb_dtype)dt), "backend",
                                                 "portable", "isa", tb_isa_name(ki->isa), "kernel",
                                                 ki->name ? ki->name : "(none)", "note", note));
        }
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "gemv/gemm", "rows", "any",
                                         "dtype", "f32", "backend", "ref", "isa", "generic", "kernel", "tb_gemm_f32_ref",
                                         "note", "double accumulation: the oracle"));
#if TB_HAVE_OPENBLAS
    json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", "gemv/gemm", "rows", "any",
                                         "dtype", "f32", "backend", "openblas", "isa", tb_blas_corename(), "kernel",
                                         "cblas_sgemm (M = 1: cblas_sgemv)", "note", "reference backend"));
#endif
    return arr;
}

static int cmd_list(const tb_opts *o)
{
    const char *what = o->npositional ? o->positional[0] : "kernels";
    if (o->npositional > 1)
        return tb_fail(TB_EXIT_USAGE, "list: one of kernels, models, prices (got '%s' too)", o->positional[1]);
    if (strcmp(what, "prices") == 0)
        return tb_cmd_list_prices(o);
    if (strcmp(what, "models") == 0)
        return tb_cmd_list_models(o);
    if (strcmp(what, "kernels") != 0)
        return tb_fail(TB_EXIT_USAGE, "list '%s': expected kernels, models or prices", what);
    json_t *arr = kernel_rows();
    json_t *tiers = json_array();
    for (int t = 0; t < TB_ISA_COUNT; t++)
        if (tb_isa_available((tb_isa)t))
            json_array_append_new(tiers, json_string(tb_isa_name((tb_isa)t)));
    if (o->format == TB_FMT_JSON) {
        json_t *doc = json_pack("{s:o, s:s, s:o}", "tiers_available", tiers, "best", tb_isa_name(tb_isa_detect()),
                                "kernels", arr);
        tb_print_json(doc, 17);
        json_decref(doc);
        return 0;
    }
    /* Text in fixed widths (a longer cell overflows its column); CSV quotes kernel and note always. */
    static const tb_col cols[] = {{"op", 9, 0},  {"rows", 18, 0},   {"dtype", 5, 0}, {"backend", 8, 0},
                                  {"isa", 11, 0}, {"kernel", 30, TB_COL_CSV_QUOTED}, {"note", 0, TB_COL_CSV_QUOTED}};
    tb_table t;
    tb_table_init(&t, cols, sizeof cols / sizeof *cols);
    t.sep = " ";
    size_t i;
    json_t *k;
    static const char *const keys[] = {"op", "rows", "dtype", "backend", "isa", "kernel", "note"};
    json_array_foreach(arr, i, k) tb_table_str_cells(&t, k, keys, 7);
    if (o->format == TB_FMT_TEXT) {
        printf("tiers this CPU runs:");
        json_array_foreach(tiers, i, k) printf(" %s", json_string_value(k));
        printf(" (best: %s; --isa or TOKBENCH_ISA lowers it)\n\n", tb_isa_name(tb_isa_detect()));
    }
    tb_table_print(&t, o->format, stdout);
    tb_table_free(&t);
    json_decref(arr);
    json_decref(tiers);
    return 0;
}

static void render_bench_cases(const json_t *rec, tb_format fmt)
{
    tb_output_bench_cases(json_object_get(rec, "cases"), fmt);
}

static void render_probe_cases(const json_t *rec, tb_format fmt)
{
    tb_output_probe_cases(json_object_get(rec, "cases"), fmt);
}

static void render_attn_cases(const json_t *rec, tb_format fmt)
{
    tb_output_attn_cases(json_object_get(rec, "cases"), fmt);
}

static int cmd_bench(const tb_opts *o)
{
    if (o->npositional != 1)
        return tb_fail(TB_EXIT_USAGE, "bench: expected one OP (gemm, gemv, attn-prefill, attn-decode, stream, peak)");
    const char *op = o->positional[0];
    int probe = !strcmp(op, "stream") || !strcmp(op, "peak");
    int attn = !strcmp(op, "attn-prefill") || !strcmp(op, "attn-decode");
    if (strcmp(op, "gemm") != 0 && strcmp(op, "gemv") != 0 && !probe && !attn)
        return tb_fail(TB_EXIT_USAGE, "bench '%s': unknown OP (gemm, gemv, attn-prefill, attn-decode, stream, peak)", op);
    tb_install_interrupt_handler();

    tb_topo tp;
    int rc = tb_topo_load(&tp, NULL);
    if (rc)
        return rc;
    tb_place_req req = {o->threads, o->cores, o->smt};
    static tb_plan plan;
    tb_team *team = NULL;
    json_t *machine = NULL, *rec = NULL;
    if ((rc = tb_topo_plan(&tp, &req, &plan)) != 0)
        goto out;
    /* Describe the machine before any thread is bound: the allowed set is read unbound. */
    machine = tb_sysinfo_json(&tp, o->dmi_dir);
    if (!machine) {
        rc = tb_fail(TB_EXIT_RUNTIME, "out of memory describing the machine");
        goto out;
    }
    if ((rc = tb_team_create(&team, &tp, &plan)) != 0 || (rc = tb_blas_place(team)) != 0)
        goto out;

    tb_llc llc;
    if ((rc = tb_llc_resolve_machine(&tp, team, o->llc_bytes, o->measure_llc, o->quiet, machine, &llc)) != 0)
        goto out;

    rec = tb_record_new(o, machine);
    machine = NULL;
    json_t *settings = json_object_get(rec, "settings");
    json_object_set_new(settings, "threads", json_integer(tb_team_size(team)));
    json_object_set_new(settings, "placement", tb_team_placement_json(team));
    json_object_set_new(settings, "timer_granularity_ns", json_integer((json_int_t)tb_timer_granularity_ns()));
    json_object_set_new(json_object_get(rec, "libs"), "openblas_runtime", tb_blas_info_json(team));
    json_object_set_new(settings, "op", json_string(op));

    tb_warn_if_unrepresentative(o);

    json_t *cases = json_array();
    json_object_set_new(rec, "cases", cases);
    tb_bench_env env = {o, &tp, team, &llc};
    rc = !strcmp(op, "stream") ? tb_bench_stream(&env, cases)
         : !strcmp(op, "peak") ? tb_bench_peak(&env, cases)
         : attn                ? tb_bench_attn(&env, op, cases)
                               : tb_bench_gemm(&env, op, cases);
    if (rc != 0 && rc != TB_EXIT_CHECK && json_array_size(cases) == 0)
        goto out;
    rc = tb_record_publish(rec, o, rc == 0 || rc == TB_EXIT_CHECK,
                           probe ? render_probe_cases : attn ? render_attn_cases : render_bench_cases, rc);
    if (rc == TB_EXIT_CHECK)
        tb_fail(TB_EXIT_CHECK, "a kernel failed its correctness check: it was not timed (see the check column)");
out:
    json_decref(rec);
    json_decref(machine);
    tb_team_destroy(team);
    tb_topo_destroy(&tp);
    return rc;
}

int main(int argc, char **argv)
{
    tb_opts o;
    int rc = tb_cli_parse(argc, argv, &o);
    if (rc == -1)
        return 0;
    if (rc)
        return rc;
    switch (o.cmd) {
    case TB_CMD_SYSINFO:
        return cmd_sysinfo(&o);
    case TB_CMD_LIST:
        return cmd_list(&o);
    case TB_CMD_BENCH:
        return cmd_bench(&o);
    case TB_CMD_COST:
        return tb_cmd_cost(&o);
    case TB_CMD_RUN:
        return tb_cmd_run(&o);
    case TB_CMD_PRICES:
        return tb_cmd_prices(&o);
    default:
        return tb_fail(TB_EXIT_USAGE, "%s: not available in tokbench %s yet", o.cmd_name, TB_VERSION);
    }
}
