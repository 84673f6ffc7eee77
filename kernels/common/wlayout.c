/* Weight layouts other than plain rows (tb_wlayout in kernels.h): the repacking an engine does
 * once at load, and reading one plain row back (embedding lookups, reference checks). */
#include <string.h>

#include <tokbench/kernels.h>

const char *tb_wlayout_name(tb_wlayout l)
{
    return l == TB_WL_Q4_0X8 ? "q4_0x8" : l == TB_WL_Q8_0X8 ? "q8_0x8" : "rows";
}

/* Both interleaved layouts are one scheme: a GGML block is a 2-byte scale then qs bytes, and a
 * group block is the 8 scales then the 8 rows' qs in 4-byte pieces, piece i of row r at 4(8i + r). */
static int interleaves(tb_wlayout l, tb_dtype dt)
{
    return (l == TB_WL_Q4_0X8 && dt == TB_DT_Q4_0) || (l == TB_WL_Q8_0X8 && dt == TB_DT_Q8_0);
}

static size_t qs_bytes(tb_dtype dt) { return tb_dtype_row_bytes(dt, TB_QK) - 2; }

/* 8 plain rows of nb blocks → one group of nb interleaved blocks. */
static void pack_group(tb_dtype dt, const uint8_t *rows, int64_t nb, uint8_t *out)
{
    const size_t qb = qs_bytes(dt), bb = qb + 2;
    for (int64_t b = 0; b < nb; b++, out += 16 + 8 * qb)
        for (int r = 0; r < 8; r++) {
            const uint8_t *s = rows + (size_t)(r * nb + b) * bb;
            memcpy(out + 2 * r, s, 2);
            for (size_t i = 0; i < qb / 4; i++)
                memcpy(out + 16 + 32 * i + 4 * r, s + 2 + 4 * i, 4);
        }
}

/* Rows in whole groups of 8; those past them (all rows, for other layouts and dtypes) are plain. */
static int64_t grouped_rows(tb_wlayout l, tb_dtype dt, int64_t n) { return interleaves(l, dt) ? n / 8 * 8 : 0; }

/* The group holding row r of w, or NULL when r is a plain row. */
static const uint8_t *group_of(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r)
{
    return r < grouped_rows(l, dt, n) ? (const uint8_t *)w + (size_t)(r / 8) * 8 * tb_dtype_row_bytes(dt, k) : NULL;
}

void tb_wlayout_pack(tb_wlayout l, tb_dtype dt, const void *src, void *dst, int64_t n, int64_t k, int64_t r0,
                     int64_t r1)
{
    const size_t rb = tb_dtype_row_bytes(dt, k);
    const int64_t n8 = grouped_rows(l, dt, n);
    int64_t r = r0;
    for (; r + 8 <= r1 && r + 8 <= n8; r += 8)
        pack_group(dt, (const uint8_t *)src + (size_t)(r - r0) * rb, k / TB_QK, (uint8_t *)dst + (size_t)r * rb);
    if (r < r1) /* plain rows: the layout's tail, or every row */
        memcpy((char *)dst + (size_t)r * rb, (const char *)src + (size_t)(r - r0) * rb, (size_t)(r1 - r) * rb);
}

/* Block b of the group's row `lane`, as a plain GGML block at out. */
static void unpack_block(tb_dtype dt, const uint8_t *group, int lane, int64_t b, uint8_t *out)
{
    const size_t qb = qs_bytes(dt);
    const uint8_t *g = group + (size_t)b * (16 + 8 * qb);
    memcpy(out, g + 2 * lane, 2);
    for (size_t i = 0; i < qb / 4; i++)
        memcpy(out + 2 + 4 * i, g + 16 + 32 * i + 4 * lane, 4);
}

void tb_wlayout_row(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r, void *row)
{
    const uint8_t *g = group_of(l, dt, w, n, k, r);
    const size_t rb = tb_dtype_row_bytes(dt, k);
    if (!g) {
        /* w is never NULL; the analyzer takes group_of's NULL (a row past the groups) for it */
        /* NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
        memcpy(row, (const char *)w + (size_t)r * rb, rb);
        return;
    }
    for (int64_t b = 0; b < k / TB_QK; b++)
        unpack_block(dt, g, (int)(r % 8), b, (uint8_t *)row + (size_t)b * (qs_bytes(dt) + 2));
}

void tb_wlayout_dequant_row(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r, float *out)
{
    const uint8_t *g = group_of(l, dt, w, n, k, r);
    if (!g) {
        tb_dequantize_row(dt, (const char *)w + (size_t)r * tb_dtype_row_bytes(dt, k), out, k);
        return;
    }
    for (int64_t b = 0; b < k / TB_QK; b++) { /* a block at a time: no row-sized buffer */
        uint8_t blk[sizeof(tb_block_q8_0)];
        unpack_block(dt, g, (int)(r % 8), b, blk);
        tb_dequantize_row(dt, blk, out + b * TB_QK, TB_QK);
    }
}
