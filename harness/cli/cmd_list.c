/* tokbench list (cmd_list.h). */
#include "cmd_list.h"

#include <stdio.h>
#include <string.h>

#include <tokbench/kernels.h>

#include "blas.h"
#include "cmd_models.h"
#include "cmd_prices.h"
#include "matmul.h"
#include "output.h"
#include "tb_config.h"
#include "util.h"

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

int tb_cmd_list(const tb_opts *o)
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
