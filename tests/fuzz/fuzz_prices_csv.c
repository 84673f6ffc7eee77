/* libFuzzer target: a price table (CSV, SPEC.md "Price tables") through the loader `cost`, `run
 * --instance` and `list prices` use, its row checks and warnings, and back through the writer. */
#include <stdint.h>

#include "fuzz_input.h"
#include "fuzz_prices_roundtrip.h"
#include "prices.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tb_set_quiet(1); /* warnings are formatted either way; printing them only slows the campaign */
    tb_price_table t;
    tb_prices_init(&t);
    tb_price_checks chk = {FUZZ_TODAY_DAYS, 365};
    if (tb_prices_load_file(&t, fuzz_input_path(data, size), &chk) == 0) {
        tb_prices_warn(&t, NULL);
        char family[128];
        for (size_t i = 0; i < t.n; i++)
            tb_price_family(t.rows[i].cell[TB_PCOL_INSTANCE], family, sizeof family);
        fuzz_prices_roundtrip(&t, "fuzz");
    }
    tb_prices_free(&t);
    return 0;
}
