/* tokbench run's SLO search (run_internal.h): among the measured rows, the one with the largest
 * batch whose p90 TTFT and TPOT stay under --slo-ttft and --slo-tpot, the faster decode on a tie. */
#include "run_internal.h"

json_t *tb_run_slo_search(const tb_opts *o, json_t *rows)
{
    if (o->slo_ttft_ms <= 0 && o->slo_tpot_ms <= 0)
        return NULL;
    json_t *best = NULL;
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        double ttft = json_real_value(json_object_get(json_object_get(r, "ttft_ms"), "p90"));
        double tpot = json_real_value(json_object_get(json_object_get(r, "tpot_ms"), "p90"));
        if ((o->slo_ttft_ms > 0 && ttft > o->slo_ttft_ms) || (o->slo_tpot_ms > 0 && tpot > o->slo_tpot_ms))
            continue;
        json_int_t b = json_integer_value(json_object_get(r, "batch"));
        double dec = json_real_value(json_object_get(json_object_get(json_object_get(r, "decode"), "tokens_per_s"), "median"));
        if (!best || b > json_integer_value(json_object_get(best, "batch")) ||
            (b == json_integer_value(json_object_get(best, "batch")) &&
             dec > json_real_value(json_object_get(json_object_get(json_object_get(best, "decode"), "tokens_per_s"), "median"))))
            best = r;
    }
    json_t *slo = json_pack("{s:f, s:f, s:b}", "ttft_p90_ms_max", o->slo_ttft_ms, "tpot_p90_ms_max", o->slo_tpot_ms, "met",
                            best != NULL);
    if (best) {
        json_object_set_new(slo, "batch", json_integer(json_integer_value(json_object_get(best, "batch"))));
        json_object_set_new(slo, "threads", json_integer(json_integer_value(json_object_get(best, "threads"))));
        json_object_set_new(slo, "prompt", json_integer(json_integer_value(json_object_get(best, "prompt"))));
        json_object_set_new(slo, "ctx", json_integer(json_integer_value(json_object_get(best, "ctx"))));
    }
    return slo;
}
