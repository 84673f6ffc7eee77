/* libFuzzer target: the parsers of option values, each fed the same text. The first byte picks
 * the parser (so one corpus and one CI slot cover them all), the rest up to a NUL is the value.
 * Beyond not crashing, what a parser accepts must keep its promise (util.h, bench.h, cost.h):
 * items in range, a number that prints back to itself, a date that formats back to its day. */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

#include "bench.h"
#include "cost.h"
#include "fuzz_input.h"
#include "gemm_options.h"
#include "options.h"
#include "price_import.h"
#include "prices.h"
#include "topo.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void expect(int ok, const char *parser, const char *s)
{
    if (!ok) {
        fprintf(stderr, "fuzz: %s broke its promise on '%s'\n", parser, s);
        abort();
    }
}

static void int_list(const char *s)
{
    int64_t out[8];
    int n = -1;
    if (tb_parse_int_list(s, 1, 4096, out, 8, &n) != TB_LIST_OK)
        return;
    expect(n >= 1 && n <= 8, "tb_parse_int_list (count)", s);
    for (int i = 0; i < n; i++)
        expect(out[i] >= 1 && out[i] <= 4096, "tb_parse_int_list (range)", s);
}

static void u64(const char *s, int bytes)
{
    uint64_t v = 0, back = 0;
    if ((bytes ? tb_parse_bytes(s, &v) : tb_parse_u64(s, &v)) != 0)
        return;
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, v);
    expect(tb_parse_u64(buf, &back) == 0 && back == v, bytes ? "tb_parse_bytes" : "tb_parse_u64", s);
}

static void number(const char *s)
{
    double v;
    int i;
    if (tb_parse_double(s, &v) == 0)
        expect(isfinite(v), "tb_parse_double", s);
    if (tb_parse_int(s, -1000, 1000, &i) == 0)
        expect(i >= -1000 && i <= 1000, "tb_parse_int", s);
}

static void gemm_shape(const char *s, int gemv)
{
    long long dims[3];
    if (tb_parse_gemm_shape(s, gemv, dims) == 0)
        for (int i = 0; i < 3; i++)
            expect(dims[i] >= 1 && dims[i] <= 2147483647LL, "tb_parse_gemm_shape", s);
    tb_opts o;
    memset(&o, 0, sizeof o);
    o.shape = s;
    tb_gemm_shape sh[TB_GEMM_MAX_SHAPES];
    int n = 0;
    if (tb_gemm_parse_shapes(&o, gemv, gemv ? TB_DT_F32 : TB_DT_Q4_0, sh, &n) == 0)
        expect(n >= 1 && n <= TB_GEMM_MAX_SHAPES, "tb_gemm_parse_shapes", s);
}

static void cores(const char *s)
{
    hwloc_bitmap_t set = hwloc_bitmap_alloc();
    if (!set)
        abort();
    if (tb_cpulist_parse(s, set) == 0)
        expect(!hwloc_bitmap_iszero(set) && hwloc_bitmap_last(set) < (1 << 20), "tb_cpulist_parse", s);
    hwloc_bitmap_free(set);
}

static void money(const char *s)
{
    tb_fx fx;
    char err[256];
    if (tb_fx_parse(s, &fx, err, sizeof err) == 0) {
        expect(fx.n >= 0 && fx.n <= TB_FX_MAX, "tb_fx_parse (count)", s);
        for (int k = 0; k < fx.n; k++)
            expect(isfinite(fx.usd_per_unit[k]) && fx.usd_per_unit[k] > 0 && tb_fx_rate(&fx, fx.code[k]) > 0,
                   "tb_fx_parse (rate)", s);
    }
    double in, out;
    if (tb_blend_parse(s, &in, &out) == 0)
        expect(in >= 0 && out >= 0 && in + out > 0, "tb_blend_parse", s);
    tb_pricing p;
    tb_import_from from;
    (void)tb_pricing_parse(s, &p);
    (void)tb_import_from_parse(s, &from);
    (void)tb_currency_valid(s);
    (void)tb_decimal_valid(s);
}

static void date(const char *s)
{
    int days, back;
    char buf[32];
    if (tb_date_parse(s, &days) != 0)
        return;
    tb_date_format(days, buf, sizeof buf);
    expect(strcmp(buf, s) == 0 && tb_date_parse(buf, &back) == 0 && back == days, "tb_date_parse", s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *s = fuzz_input_string(data + 1, size - 1);
    switch (data[0] % 10) {
    case 0: int_list(s); break;
    case 1: u64(s, 1); break;
    case 2: u64(s, 0); break;
    case 3: number(s); break;
    case 4: gemm_shape(s, 0); break;
    case 5: gemm_shape(s, 1); break;
    case 6: cores(s); break;
    case 7: money(s); break;
    case 8: date(s); break;
    default: { char fam[64]; tb_price_family(s, fam, sizeof fam); } break;
    }
    free(s);
    return 0;
}
