/* libFuzzer target: a Hugging Face config.json through `run --model PATH` (tb_model_resolve: the
 * file checks, jansson, the fields), then what `run` and `list models` derive from the shape. */
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_input.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_model m;
    if (tb_model_resolve(fuzz_input_path(data, size), &m) != 0)
        return 0;
    /* an accepted shape has weights: a count that is not positive would divide a roofline by 0 */
    if (tb_model_params(&m) <= 0 || tb_model_layer_params(&m) <= 0)
        abort();
    for (int dt = 0; dt < TB_DT_COUNT; dt++)
        (void)tb_model_weight_bytes(&m, (tb_dtype)dt);
    json_decref(tb_model_json(&m));
    return 0;
}
