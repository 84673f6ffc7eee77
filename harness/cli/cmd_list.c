/* tokbench list (cmd_list.h). */
#include "cmd_list.h"

#include <stdio.h>
#include <string.h>

#include <tokbench/attention.h>
#include <tokbench/kernels.h>

#include "blas.h"
#include "cmd_models.h"
#include "cmd_prices.h"
#include "matmul.h"
#include "output.h"
#include "tb_config.h"
#include "util.h"

static json_t *kernel_row(const char *op, const char *rows, const char *dtype, const char *backend, const char *isa,
                          const char *kernel, const char *note)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "op", op, "rows", rows, "dtype", dtype, "backend", backend,
                     "isa", isa, "kernel", kernel ? kernel : "(none)", "note", note);
}

/* The attention kernels this CPU gets: prefill and decode per KV dtype (f32, f16). */
static void attention_rows(json_t *arr)
{
    tb_attention_kernels a;
    tb_attention_kernels_init(&a, TB_ISA_COUNT);
    static const tb_dtype kv[2] = {TB_DT_F32, TB_DT_F16};
    for (int i = 0; i < 2; i++) {
        const char *dt = tb_dtype_name(kv[i]);
        json_array_append_new(arr, kernel_row("attn-prefill", "S tokens, causal", dt, "portable",
                                              tb_isa_name(a.prefill_info.isa), a.prefill_info.name,
                                              "KV cache packed to f32 tiles per call"));
        json_array_append_new(arr, kernel_row("attn-decode", "1 token a sequence", dt, "portable",
                                              tb_isa_name(a.decode_info[kv[i]].isa), a.decode_info[kv[i]].name,
                                              "reads the KV cache in place; query heads of a KV head together"));
    }
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
               {"gemm", "M = 33..127", TB_SKINNY_MAX + 1},
               {"gemm", "M >= 128", TB_HALF_GEMM_MIN_M}};
    _Static_assert(TB_F32_PACKED_MIN_M == 17 && TB_HALF_GEMM_MIN_M == 128, "the row labels above");
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        for (int dt = 0; dt < TB_DT_COUNT; dt++) {
            const tb_kernel_info *ki = tb_matmul_kernel(&k, (tb_dtype)dt, ops[i].m);
            const char *note =
                k.wlayout[dt] == TB_WL_Q4_0X8 ? "weights interleaved by 8 rows at load (q4_0x8); activations quantized to q8_0 per call"
                : k.wlayout[dt] == TB_WL_Q8_0X8 ? "weights interleaved by 8 rows at load (q8_0x8); activations quantized to q8_0 per call"
                : tb_dtype_is_quantized((tb_dtype)dt)           ? "activations quantized to q8_0 per call"
                : tb_matmul_uses_packed((tb_dtype)dt, ops[i].m) ? "weights pre-packed in panels"
                : tb_matmul_uses_gemm(&k, (tb_dtype)dt, ops[i].m) ? "rows converted to f32 panels per call"
                                                                  : "";
            json_array_append_new(arr, kernel_row(ops[i].op, ops[i].rows, tb_dtype_name((tb_dtype)dt), "portable",
                                                  tb_isa_name(ki->isa), ki->name, note));
        }
    json_array_append_new(arr, kernel_row("gemv/gemm", "any", "f32", "ref", "generic", "tb_gemm_f32_ref",
                                          "double accumulation: the oracle"));
#if TB_HAVE_OPENBLAS
    json_array_append_new(arr, kernel_row("gemv/gemm", "any", "f32", "openblas", tb_blas_corename(),
                                          "cblas_sgemm (M = 1: cblas_sgemv)", "reference backend"));
#endif
    attention_rows(arr);
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
    static const tb_col cols[] = {{"op", 12, 0}, {"rows", 18, 0},   {"dtype", 5, 0}, {"backend", 8, 0},
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
