/* tokbench bench OP (cmd_bench.h). */
#include "cmd_bench.h"

#include <string.h>

#include "bench.h"
#include "blas.h"
#include "llc.h"
#include "measure.h"
#include "output.h"
#include "record.h"
#include "sysinfo.h"
#include "team.h"
#include "timer.h"
#include "topo.h"
#include "tuning_record.h"
#include "util.h"

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

int tb_cmd_bench(const tb_opts *o)
{
    if (o->npositional != 1)
        return tb_fail(TB_EXIT_USAGE, "bench: expected one OP (gemm, gemv, attn-prefill, attn-decode, stream, peak)");
    const char *op = o->positional[0];
    int probe = !strcmp(op, "stream") || !strcmp(op, "peak");
    int attn = !strcmp(op, "attn-prefill") || !strcmp(op, "attn-decode");
    if (strcmp(op, "gemm") != 0 && strcmp(op, "gemv") != 0 && !probe && !attn)
        return tb_fail(TB_EXIT_USAGE, "bench '%s': unknown OP (gemm, gemv, attn-prefill, attn-decode, stream, peak)", op);
    int rc = tb_bench_check_options(o, op);
    if (rc)
        return rc;
    tb_install_interrupt_handler();

    tb_topo tp;
    rc = tb_topo_load(&tp, NULL);
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
    if ((rc = tb_record_prepare(json_string_value(json_object_get(machine, "fingerprint")), o)) != 0)
        goto out;
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
    tb_record_set_tuning(rec, tb_cases_tiers(cases)); /* the parameters of the tiers that ran */
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
