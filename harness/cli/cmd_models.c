/* `tokbench list models`: the presets with their parameter counts and weight bytes per dtype. */
#include <stdio.h>
#include <stdlib.h>

#include "cmd_models.h"
#include "model.h"

int tb_cmd_list_models(const tb_opts *o)
{
    static const tb_dtype shown[] = {TB_DT_F32, TB_DT_BF16, TB_DT_Q8_0, TB_DT_Q4_0};
    json_t *arr = json_array();
    for (int i = 0; i < tb_model_preset_count(); i++) {
        const tb_model *m = tb_model_preset(i);
        json_t *j = tb_model_json(m), *bytes = json_object();
        for (size_t d = 0; d < sizeof shown / sizeof *shown; d++)
            json_object_set_new(bytes, tb_dtype_name(shown[d]), json_real(tb_model_weight_bytes(m, shown[d])));
        json_object_set_new(j, "weight_bytes", bytes);
        json_array_append_new(arr, j);
    }
    if (o->format == TB_FMT_JSON) {
        json_t *doc = json_pack("{s:o}", "models", arr);
        char *s = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        puts(s ? s : "{}");
        free(s);
        json_decref(doc);
        return 0;
    }
    const char *hdr = o->format == TB_FMT_CSV  ? "id,params,layers,hidden,intermediate,heads,kv_heads,head_dim,vocab,"
                                                 "tied,f32_gb,bf16_gb,q8_0_gb,q4_0_gb\n"
                      : o->format == TB_FMT_MD ? "| id | params | layers | hidden | ffn | heads/kv | head dim | vocab | "
                                                 "tied | f32 GB | bf16 GB | q8_0 GB | q4_0 GB |\n"
                                                 "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|\n"
                                               : "id              params  layers hidden   ffn   heads/kv hd   vocab   "
                                                 "tied  f32 GB bf16 GB q8_0 GB q4_0 GB\n";
    fputs(hdr, stdout);
    for (int i = 0; i < tb_model_preset_count(); i++) {
        const tb_model *m = tb_model_preset(i);
        double gb[4];
        for (int d = 0; d < 4; d++)
            gb[d] = tb_model_weight_bytes(m, shown[d]) / 1e9;
        double bparams = (double)tb_model_params(m) / 1e9;
        if (o->format == TB_FMT_CSV)
            printf("%s,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%s,%.3f,%.3f,%.3f,%.3f\n", m->name,
                   (long long)tb_model_params(m), (long long)m->layers, (long long)m->hidden,
                   (long long)m->intermediate, (long long)m->heads, (long long)m->kv_heads, (long long)m->head_dim,
                   (long long)m->vocab, m->tied_embeddings ? "true" : "false", gb[0], gb[1], gb[2], gb[3]);
        else if (o->format == TB_FMT_MD)
            printf("| %s | %.2fB | %lld | %lld | %lld | %lld/%lld | %lld | %lld | %s | %.2f | %.2f | %.2f | %.2f |\n",
                   m->name, bparams, (long long)m->layers, (long long)m->hidden, (long long)m->intermediate,
                   (long long)m->heads, (long long)m->kv_heads, (long long)m->head_dim, (long long)m->vocab,
                   m->tied_embeddings ? "yes" : "no", gb[0], gb[1], gb[2], gb[3]);
        else
            printf("%-15s %6.2fB %6lld %6lld %6lld %4lld/%-4lld %4lld %7lld %-4s %7.2f %7.2f %7.2f %7.2f\n", m->name,
                   bparams, (long long)m->layers, (long long)m->hidden, (long long)m->intermediate,
                   (long long)m->heads, (long long)m->kv_heads, (long long)m->head_dim, (long long)m->vocab,
                   m->tied_embeddings ? "yes" : "no", gb[0], gb[1], gb[2], gb[3]);
    }
    json_decref(arr);
    if (o->format == TB_FMT_TEXT)
        printf("GB = 1e9 bytes of weights (norms and biases kept in f32); --model also takes a config.json path\n");
    return 0;
}
