/* The format-ceiling probes (tb_peak_<q8_0|q4_0>_<tier>, kernels.h: the table's peak_format) and
 * their scalar replay (kernels/ref/peak_format_ref.c) share these definitions.
 *
 * A probe is the tier's minimal product sequence for one weight format: every step multiplies
 * one 32-weight block of each of its `rows` weight rows by one q8_0 block of each of its `acts`
 * activation rows, the way that tier's quantized kernels must (unpack nibbles, the sign trick
 * or the unsigned offset, the int8 dot instruction, the widening, the int32 → f32 conversion and
 * the per-block scale multiply-add), and adds d_w·d_a·Σ q_w·q_a to the f32 accumulator of each
 * (activation, row) pair. The accumulators are state words TB_PF_ROW_STRIDE·t + r, as bits, of the
 * int8 probes' state (tb_peak_int8_fn), so both kinds run and check through the same code.
 *
 * The rules the inputs follow, and why:
 * - Everything on the weights' side is re-read from registers behind an empty asm every step
 *   (TB_PF_KEEP in each tier), so the compiler can hoist none of it out of the loop, while the
 *   loop issues no instruction the kernels do not; nothing is loaded or stored.
 * - Activation row t repeats 4 bytes over its block: the interleaved kernels meet 4 activation
 *   bytes broadcast to every lane, and so one register per activation row holds them all.
 * - Scales have at most 3 significant bits and |Σ q_w·q_a| < 2^19, so d_w·d_a·Σ is exact in f32:
 *   an FMA and a multiply then an add round alike, and one replay checks every tier exactly. */
#ifndef TB_KERNEL_PEAK_FORMAT_H
#define TB_KERNEL_PEAK_FORMAT_H

#include <stdint.h>

#include <tokbench/dtype.h>

#define TB_PF_ROW_STRIDE 16 /* state words per activation row: the most rows a probe has */

/* Each tier's rows × activation rows per step: its kernels' register block (the weight unpack
 * and scale conversion are paid once per step for all activation rows, as the kernels pay them). */
#define TB_PF_ROWS_GENERIC 4 /* four rows folded into one vector's lanes */
#define TB_PF_ACTS_GENERIC 2
#define TB_PF_ROWS_AVX2 8 /* the interleaved layouts: one row per 32-bit lane of a ymm */
#define TB_PF_ACTS_AVX2 4
#define TB_PF_ROWS_AVX512VNNI 16 /* the same on zmm, the width of the VNNI int8 ceiling */
#define TB_PF_ACTS_AVX512VNNI 4

/* Pins a weight-side vector for the step: the compiler must assume it changed, so nothing
 * computed from it leaves the loop; no instruction is emitted. */
#if defined(__x86_64__) || defined(__i386__)
#define TB_PF_KEEP(v) __asm__ volatile("" : "+x"(v))
#elif defined(__aarch64__)
#define TB_PF_KEEP(v) __asm__ volatile("" : "+w"(v))
#else
#define TB_PF_KEEP(v) __asm__ volatile("" : "+m"(v))
#endif

/* Activation row t's accumulators in state, as the floats whose bits they hold: for the vector
 * loads and stores of the x86 tiers, whose unaligned forms may alias any type. */
static inline float *tb_pf_acc_words(int32_t *state, int t)
{
    /* cppcheck-suppress invalidPointerCast ; float bits in int32 words, for may-alias vector accesses */
    return (float *)(state + TB_PF_ROW_STRIDE * t);
}

/* q8_0 weight r, element j: -127..127 */
static inline int tb_pf_q8(int r, int j) { return (r * 37 + j * 23 + 11) % 255 - 127; }
/* q4_0 weight r, element j, as its stored nibble 0..15 (the value is nibble − 8) */
static inline int tb_pf_q4(int r, int j) { return (r * 5 + j * 7 + 3) & 15; }
/* activation row t, element j: -127..127, period 4 in j */
static inline int tb_pf_act(int t, int j) { return (t * 41 + (j & 3) * 67 + 5) % 255 - 127; }
/* Σ_j of activation row t's block (q4_0's offset is −8 times it) */
static inline int32_t tb_pf_act_sum(int t)
{
    int32_t s = 0;
    for (int j = 0; j < 32; j++)
        s += tb_pf_act(t, j);
    return s;
}
/* the 4 bytes activation row t repeats, each plus `add` (mod 256), as one little-endian dword */
static inline int32_t tb_pf_act_dword(int t, int add)
{
    uint32_t v = 0;
    for (int k = 0; k < 4; k++)
        v |= (uint32_t)(uint8_t)(tb_pf_act(t, k) + add) << (8 * k);
    return (int32_t)v;
}
/* scales: 2^-10 · {1, 1.25, 1.5, 1.75} (weights, exact in f16) and 2^-8 · {1, 1.5} (activations) */
static inline float tb_pf_dw(int r) { return (float)(4 + (r & 3)) / 4096.0f; }
static inline float tb_pf_da(int t) { return (float)(2 + (t & 1)) / 512.0f; }

/* The interleaved layouts' vector i of a block of `rows` rows (kernels.h: TB_WL_Q8_0X8,
 * TB_WL_Q4_0X8): byte k of dword r is q(r, 4i + k) (q8_0), or that nibble with q(r, 16 + 4i + k)
 * above it (q4_0); b holds 4·rows bytes. */
static inline void tb_pf_interleaved(uint8_t *b, int rows, int q8, int i)
{
    for (int r = 0; r < rows; r++)
        for (int k = 0; k < 4; k++)
            b[4 * r + k] = q8 ? (uint8_t)tb_pf_q8(r, 4 * i + k)
                              : (uint8_t)(tb_pf_q4(r, 4 * i + k) | tb_pf_q4(r, 16 + 4 * i + k) << 4);
}

/* The f16 scales of rows 0..rows-1 (exact: tb_pf_dw) */
static inline void tb_pf_scales_f16(uint16_t *h, int rows)
{
    for (int r = 0; r < rows; r++)
        h[r] = tb_f32_to_f16(tb_pf_dw(r));
}

/* The replay: probe `name`'s accumulators in state after iters steps, and its multiply-adds; -1
 * for a name it does not know (tb_peak_int8_ref falls back to it). */
int64_t tb_peak_format_ref(const char *name, int32_t *state, int64_t iters);

#endif
