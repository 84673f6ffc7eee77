/* Decoder-only transformer shapes: the presets SPEC.md names, and Hugging Face config.json files.
 * Only the shape matters to tokbench (weights are synthetic); parameter counts and bytes per
 * dtype follow from it exactly, biases included where the architecture has them. */
#ifndef TB_MODEL_H
#define TB_MODEL_H

#include <stdint.h>

#include <jansson.h>
#include <tokbench/dtype.h>

typedef struct tb_model {
    char name[128];
    int64_t hidden, intermediate, layers, heads, kv_heads, head_dim, vocab;
    int tied_embeddings; /* the LM head reuses the embedding matrix */
    int qkv_bias;        /* Qwen2: biases on the q, k and v projections */
    double rope_theta, rms_eps;
} tb_model;

/* The presets, in the order `list models` shows them. */
int tb_model_preset_count(void);
const tb_model *tb_model_preset(int i);

/* A preset id (lower case) or a path to a Hugging Face config.json. Returns 0 or an exit code
 * after one error line naming the file and field. */
int tb_model_resolve(const char *name_or_path, tb_model *m);

/* Parses a config.json document already read from `path` (for messages). */
int tb_model_from_config(const json_t *cfg, const char *path, tb_model *m);

/* Parameter counts: everything, and the weights of one decoder layer. */
int64_t tb_model_params(const tb_model *m);
int64_t tb_model_layer_params(const tb_model *m);

/* Bytes of all weights in dt (norm weights and biases stay f32, as inference engines keep them). */
double tb_model_weight_bytes(const tb_model *m, tb_dtype dt);

/* {"name", "hidden_size", ..., "params"} */
json_t *tb_model_json(const tb_model *m);

#endif
