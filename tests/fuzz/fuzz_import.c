/* libFuzzer target: one cloud's price list through `tokbench prices import` (FUZZ_IMPORT_FROM, set
 * per executable by meson: TB_IMPORT_AWS, TB_IMPORT_AZURE or TB_IMPORT_GCP), and the table it makes
 * back through the writer and the loader, since `cost` reads what `prices import` writes. */
#include <stdint.h>

#include "fuzz_input.h"
#include "fuzz_prices_roundtrip.h"
#include "price_import.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_set_quiet(1);
    tb_import *im = tb_import_new(FUZZ_IMPORT_FROM, FUZZ_TODAY_DAYS, 1);
    if (!im)
        return 0;
    tb_price_table t;
    tb_prices_init(&t);
    if (tb_import_add_file(im, fuzz_input_path(data, size)) == 0 && tb_import_finish(im, &t) == 0)
        fuzz_prices_roundtrip(&t, tb_import_comment(im));
    tb_prices_free(&t);
    tb_import_free(im);
    return 0;
}
