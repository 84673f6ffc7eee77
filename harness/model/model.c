/* Model presets and config.json parsing. */
#include "model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "in_file.h"
#include "util.h"

/* Shapes from each model's published config.json on the Hugging Face hub. */
static const tb_model presets[] = {
    /* name, hidden, intermediate, layers, heads, kv_heads, head_dim, vocab, tied, qkv_bias, rope_theta, rms_eps */
    {"tinyllama-1.1b", 2048, 5632, 22, 32, 4, 64, 32000, 0, 0, 10000.0, 1e-5},
    {"llama-3.2-1b", 2048, 8192, 16, 32, 8, 64, 128256, 1, 0, 500000.0, 1e-5},
    {"llama-3.2-3b", 3072, 8192, 28, 24, 8, 128, 128256, 1, 0, 500000.0, 1e-5},
    {"llama-3.1-8b", 4096, 14336, 32, 32, 8, 128, 128256, 0, 0, 500000.0, 1e-5},
    {"llama-3.1-70b", 8192, 28672, 80, 64, 8, 128, 128256, 0, 0, 500000.0, 1e-5},
    {"llama-2-7b", 4096, 11008, 32, 32, 32, 128, 32000, 0, 0, 10000.0, 1e-5},
    {"mistral-7b", 4096, 14336, 32, 32, 8, 128, 32000, 0, 0, 10000.0, 1e-5},
    {"qwen2.5-0.5b", 896, 4864, 24, 14, 2, 64, 151936, 1, 1, 1000000.0, 1e-6},
    {"qwen2.5-7b", 3584, 18944, 28, 28, 4, 128, 152064, 0, 1, 1000000.0, 1e-6},
    {"phi-3-mini", 3072, 8192, 32, 32, 32, 96, 32064, 0, 0, 10000.0, 1e-5},
};

int tb_model_preset_count(void) { return (int)(sizeof presets / sizeof *presets); }
const tb_model *tb_model_preset(int i) { return &presets[i]; }

int64_t tb_model_layer_params(const tb_model *m)
{
    int64_t q = m->heads * m->head_dim, kv = m->kv_heads * m->head_dim;
    int64_t attn = m->hidden * q + 2 * m->hidden * kv + q * m->hidden + (m->qkv_bias ? q + 2 * kv : 0);
    int64_t mlp = 3 * m->hidden * m->intermediate; /* gate, up, down */
    return attn + mlp + 2 * m->hidden;             /* + the two RMSNorm weights */
}

int64_t tb_model_params(const tb_model *m)
{
    int64_t embed = m->vocab * m->hidden;
    return embed + m->layers * tb_model_layer_params(m) + m->hidden + (m->tied_embeddings ? 0 : embed);
}

double tb_model_weight_bytes(const tb_model *m, tb_dtype dt)
{
    int64_t q = m->heads * m->head_dim, kv = m->kv_heads * m->head_dim;
    /* matrices in dt: per layer q, k, v, o, gate, up, down; plus embedding and LM head */
    double per_layer = (double)tb_dtype_row_bytes(dt, m->hidden) * (double)(q + 2 * kv + 2 * m->intermediate) +
                       (double)tb_dtype_row_bytes(dt, q) * (double)m->hidden +
                       (double)tb_dtype_row_bytes(dt, m->intermediate) * (double)m->hidden;
    double f32_small = 4.0 * (double)(2 * m->hidden + (m->qkv_bias ? q + 2 * kv : 0));
    double embed = (double)tb_dtype_row_bytes(dt, m->hidden) * (double)m->vocab;
    return (double)m->layers * (per_layer + f32_small) + 4.0 * (double)m->hidden + embed +
           (m->tied_embeddings ? 0.0 : embed);
}

static int get_int(const json_t *cfg, const char *path, const char *key, int64_t dflt, int64_t lo, int64_t hi,
                   int64_t *out)
{
    const json_t *v = json_object_get(cfg, key);
    if (!v || json_is_null(v)) {
        if (dflt < 0)
            return tb_fail(TB_EXIT_USAGE, "%s: field \"%s\" is missing", path, key);
        *out = dflt;
        return 0;
    }
    if (!json_is_integer(v))
        return tb_fail(TB_EXIT_USAGE, "%s: field \"%s\" must be a whole number", path, key);
    int64_t x = (int64_t)json_integer_value(v);
    if (x < lo || x > hi)
        return tb_fail(TB_EXIT_USAGE, "%s: field \"%s\" = %lld is outside %lld..%lld", path, key, (long long)x,
                       (long long)lo, (long long)hi);
    *out = x;
    return 0;
}

static int get_real(const json_t *cfg, const char *path, const char *key, double dflt, double lo, double hi, double *out)
{
    const json_t *v = json_object_get(cfg, key);
    if (!v || json_is_null(v)) {
        *out = dflt;
        return 0;
    }
    if (!json_is_number(v))
        return tb_fail(TB_EXIT_USAGE, "%s: field \"%s\" must be a number", path, key);
    double x = json_number_value(v);
    if (!(x >= lo && x <= hi))
        return tb_fail(TB_EXIT_USAGE, "%s: field \"%s\" = %g is outside %g..%g", path, key, x, lo, hi);
    *out = x;
    return 0;
}

int tb_model_from_config(const json_t *cfg, const char *path, tb_model *m)
{
    memset(m, 0, sizeof *m);
    if (!json_is_object(cfg))
        return tb_fail(TB_EXIT_USAGE, "%s: not a config.json object", path);
    int rc;
    /* Upper bounds: far beyond any published model, low enough that products cannot overflow. */
    if ((rc = get_int(cfg, path, "hidden_size", -1, 1, 1 << 20, &m->hidden)) ||
        (rc = get_int(cfg, path, "intermediate_size", -1, 1, 1 << 22, &m->intermediate)) ||
        (rc = get_int(cfg, path, "num_hidden_layers", -1, 1, 10000, &m->layers)) ||
        (rc = get_int(cfg, path, "num_attention_heads", -1, 1, 1 << 14, &m->heads)) ||
        (rc = get_int(cfg, path, "num_key_value_heads", m->heads, 1, 1 << 14, &m->kv_heads)) ||
        (rc = get_int(cfg, path, "vocab_size", -1, 1, 1 << 24, &m->vocab)))
        return rc;
    if (m->hidden % m->heads && !json_object_get(cfg, "head_dim"))
        return tb_fail(TB_EXIT_USAGE, "%s: hidden_size %lld is not a multiple of num_attention_heads %lld", path,
                       (long long)m->hidden, (long long)m->heads);
    if ((rc = get_int(cfg, path, "head_dim", m->hidden / m->heads, 1, 1 << 12, &m->head_dim)))
        return rc;
    if (m->heads % m->kv_heads)
        return tb_fail(TB_EXIT_USAGE, "%s: num_key_value_heads %lld does not divide num_attention_heads %lld", path,
                       (long long)m->kv_heads, (long long)m->heads);
    if (m->head_dim % 2)
        return tb_fail(TB_EXIT_USAGE, "%s: head_dim %lld must be even (rotary embedding pairs)", path,
                       (long long)m->head_dim);
    if ((rc = get_real(cfg, path, "rope_theta", 10000.0, 1.0, 1e12, &m->rope_theta)) ||
        (rc = get_real(cfg, path, "rms_norm_eps", 1e-6, 0.0, 1.0, &m->rms_eps)))
        return rc;
    const json_t *tied = json_object_get(cfg, "tie_word_embeddings");
    if (tied && !json_is_boolean(tied))
        return tb_fail(TB_EXIT_USAGE, "%s: field \"tie_word_embeddings\" must be true or false", path);
    m->tied_embeddings = json_is_true(tied);
    const char *type = json_string_value(json_object_get(cfg, "model_type"));
    m->qkv_bias = json_is_true(json_object_get(cfg, "attention_bias")) || (type && strcmp(type, "qwen2") == 0);
    const char *slash = strrchr(path, '/');
    snprintf(m->name, sizeof m->name, "%s", type ? type : (slash ? slash + 1 : path));
    return 0;
}

int tb_model_resolve(const char *name_or_path, tb_model *m)
{
    for (int i = 0; i < tb_model_preset_count(); i++)
        if (strcmp(name_or_path, presets[i].name) == 0) {
            *m = presets[i];
            return 0;
        }
    if (!strchr(name_or_path, '/') && !strstr(name_or_path, ".json"))
        return tb_fail(TB_EXIT_USAGE, "--model '%s': not a preset (see tokbench list models) nor a config.json path",
                       name_or_path);
    struct stat st;
    if (stat(name_or_path, &st) != 0)
        return tb_fail(TB_EXIT_USAGE, "--model %s: cannot read a config.json: %s", name_or_path, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return tb_fail(TB_EXIT_USAGE, "--model %s: not a file (give the path of a config.json)", name_or_path);
    char *text;
    size_t len;
    int rc = tb_in_read(name_or_path, TB_IN_MAX_CONFIG, &text, &len);
    if (rc)
        return rc;
    json_error_t err;
    json_t *cfg = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
    free(text);
    if (!cfg)
        return tb_fail(TB_EXIT_USAGE, "%s:%d: cannot read a config.json: %s", name_or_path, err.line, err.text);
    rc = tb_model_from_config(cfg, name_or_path, m);
    json_decref(cfg);
    return rc;
}

json_t *tb_model_json(const tb_model *m)
{
    return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b, s:b, s:f, s:f, s:I}", "name", m->name,
                     "hidden_size", (json_int_t)m->hidden, "intermediate_size", (json_int_t)m->intermediate,
                     "num_hidden_layers", (json_int_t)m->layers, "num_attention_heads", (json_int_t)m->heads,
                     "num_key_value_heads", (json_int_t)m->kv_heads, "head_dim", (json_int_t)m->head_dim,
                     "vocab_size", (json_int_t)m->vocab, "tie_word_embeddings", m->tied_embeddings, "qkv_bias",
                     m->qkv_bias, "rope_theta", m->rope_theta, "rms_norm_eps", m->rms_eps, "params",
                     (json_int_t)tb_model_params(m));
}
