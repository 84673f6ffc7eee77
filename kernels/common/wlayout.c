/* Weight layouts other than plain rows (tb_wlayout in kernels.h): the repacking an engine does
 * once at load, and reading one plain row back (embedding lookups, reference checks). */
#include <string.h>

#include <tokbench/kernels.h>

const char *tb_wlayout_name(tb_wlayout l) { return l == TB_WL_Q4_0X8 ? "q4_0x8" : "rows"; }

/* 8 plain rows of nb blocks → one group of nb interleaved blocks. */
static void q4_0x8_pack_group(const tb_block_q4_0 *rows, int64_t nb, uint8_t *out)
{
    for (int64_t b = 0; b < nb; b++, out += TB_Q4_0X8_BLOCK_BYTES)
        for (int r = 0; r < 8; r++) {
            const tb_block_q4_0 *s = rows + r * nb + b;
            memcpy(out + 2 * r, &s->d, 2);
            for (int i = 0; i < 4; i++)
                memcpy(out + 16 + 32 * i + 4 * r, s->qs + 4 * i, 4);
        }
}

/* Rows in whole groups of 8; those past them (all rows, for other layouts and dtypes) are plain. */
static int64_t grouped_rows(tb_wlayout l, tb_dtype dt, int64_t n)
{
    return l == TB_WL_Q4_0X8 && dt == TB_DT_Q4_0 ? n / 8 * 8 : 0;
}

/* The group holding row r of w, or NULL when r is a plain row. */
static const uint8_t *q4_0x8_group(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r)
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
        q4_0x8_pack_group((const tb_block_q4_0 *)((const char *)src + (size_t)(r - r0) * rb), k / TB_QK,
                          (uint8_t *)dst + (size_t)r * rb);
    if (r < r1) /* plain rows: the layout's tail, or every row */
        memcpy((char *)dst + (size_t)r * rb, (const char *)src + (size_t)(r - r0) * rb, (size_t)(r1 - r) * rb);
}

/* One block of row r (r in a whole group). */
static void q4_0x8_block(const uint8_t *group, int lane, int64_t b, tb_block_q4_0 *out)
{
    const uint8_t *g = group + b * TB_Q4_0X8_BLOCK_BYTES;
    memcpy(&out->d, g + 2 * lane, 2);
    for (int i = 0; i < 4; i++)
        memcpy(out->qs + 4 * i, g + 16 + 32 * i + 4 * lane, 4);
}

void tb_wlayout_row(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r, void *row)
{
    const uint8_t *g = q4_0x8_group(l, dt, w, n, k, r);
    if (!g) {
        const size_t rb = tb_dtype_row_bytes(dt, k);
        memcpy(row, (const char *)w + (size_t)r * rb, rb);
        return;
    }
    for (int64_t b = 0; b < k / TB_QK; b++)
        q4_0x8_block(g, (int)(r % 8), b, (tb_block_q4_0 *)row + b);
}

void tb_wlayout_dequant_row(tb_wlayout l, tb_dtype dt, const void *w, int64_t n, int64_t k, int64_t r, float *out)
{
    const uint8_t *g = q4_0x8_group(l, dt, w, n, k, r);
    if (!g) {
        tb_dequantize_row(dt, (const char *)w + (size_t)r * tb_dtype_row_bytes(dt, k), out, k);
        return;
    }
    for (int64_t b = 0; b < k / TB_QK; b++) { /* a block at a time: no row-sized buffer */
        tb_block_q4_0 blk;
        q4_0x8_block(g, (int)(r % 8), b, &blk);
        tb_dequantize_row(dt, &blk, out + b * TB_QK, TB_QK);
    }
}
