/* The format ceilings of the generic tier (kernels/common/peak_format.h): four weight rows ×
 * two activation rows per step, the register block of its quantized kernels, built from the
 * same operations (quant_ops_generic.h): bytes widened to int16, int16 multiplies and adds,
 * pairs folded to int32, four rows folded into one vector's lanes, the f16 scales rebuilt, one
 * conversion, and the scale multiply and add; q4_0's −8 as 8·Σa, once per activation block. */
#include "../common/peak_format.h"
#include "quant_ops_generic.h"

#define ROWS TB_PF_ROWS_GENERIC
#define ACTS TB_PF_ACTS_GENERIC

_Static_assert(ROWS == 4, "four rows: one v4i of lanes");

typedef struct {
    q16 aq[ACTS];
    v4i bias8[ACTS]; /* 8·Σa, subtracted for q4_0 */
    v4f da[ACTS];
    v4u h; /* the rows' f16 scales */
    v4f acc[ACTS];
} pf_setup;

static void setup(pf_setup *s, const int32_t *state)
{
    for (int t = 0; t < ACTS; t++) {
        int8_t a[TB_QK];
        for (int j = 0; j < TB_QK; j++)
            a[j] = (int8_t)tb_pf_act(t, j);
        s->aq[t] = widen_q8(a);
        s->bias8[t] = (v4i){0, 0, 0, 0} + 8 * tb_pf_act_sum(t);
        s->da[t] = (v4f){0, 0, 0, 0} + tb_pf_da(t);
        memcpy(&s->acc[t], state + TB_PF_ROW_STRIDE * t, sizeof s->acc[t]);
    }
    uint16_t h[ROWS];
    tb_pf_scales_f16(h, ROWS);
    for (int r = 0; r < ROWS; r++)
        s->h[r] = h[r];
}

static void finish(const pf_setup *s, int32_t *state)
{
    for (int t = 0; t < ACTS; t++)
        memcpy(state + TB_PF_ROW_STRIDE * t, &s->acc[t], sizeof s->acc[t]);
}

/* one step's tail: rows folded, (q4_0) offset, converted, scaled and added */
#define PF_TAIL(q4)                                                                      \
    do {                                                                                 \
        v4f dw = f16x4_to_f32(h);                                                        \
        for (int t = 0; t < ACTS; t++) {                                                 \
            v4i v = fold4(d[t][0], d[t][1], d[t][2], d[t][3]);                         \
            if (q4)                                                                      \
                v -= s.bias8[t];                                                         \
            s.acc[t] += __builtin_convertvector(v, v4f) * (dw * s.da[t]);                \
        }                                                                                \
    } while (0)

TB_DECL_PEAK_INT8(tb_peak_q8_0_generic)
{
    pf_setup s;
    setup(&s, state);
    v8i16 w[ROWS][2];
    for (int r = 0; r < ROWS; r++)
        for (int h = 0; h < 2; h++)
            for (int e = 0; e < 8; e++) /* int16 lane e: bytes 2e, 2e + 1 (little-endian) */
                w[r][h][e] = (int16_t)(uint16_t)((uint8_t)tb_pf_q8(r, 16 * h + 2 * e) |
                                                 (uint16_t)(uint8_t)tb_pf_q8(r, 16 * h + 2 * e + 1) << 8);
    v4u h = s.h;
    for (int64_t it = 0; it < iters; it++) {
        v4i d[ACTS][ROWS];
        for (int r = 0; r < ROWS; r++) {
            TB_PF_KEEP(w[r][0]);
            TB_PF_KEEP(w[r][1]);
            q16 wq = widen_q8_v(w[r][0], w[r][1]);
            for (int t = 0; t < ACTS; t++)
                d[t][r] = dot_q8(&wq, &s.aq[t]);
        }
        TB_PF_KEEP(h);
        PF_TAIL(0);
    }
    finish(&s, state);
    return iters * ROWS * ACTS * TB_QK;
}

TB_DECL_PEAK_INT8(tb_peak_q4_0_generic)
{
    pf_setup s;
    setup(&s, state);
    v8u16 w[ROWS];
    for (int r = 0; r < ROWS; r++)
        for (int e = 0; e < 8; e++) { /* byte i: element i (low nibble), element 16 + i (high) */
            uint16_t b0 = (uint16_t)(tb_pf_q4(r, 2 * e) | tb_pf_q4(r, 16 + 2 * e) << 4);
            uint16_t b1 = (uint16_t)(tb_pf_q4(r, 2 * e + 1) | tb_pf_q4(r, 16 + 2 * e + 1) << 4);
            w[r][e] = (uint16_t)(b0 | b1 << 8);
        }
    v4u h = s.h;
    for (int64_t it = 0; it < iters; it++) {
        v4i d[ACTS][ROWS];
        for (int r = 0; r < ROWS; r++) {
            TB_PF_KEEP(w[r]);
            q16 wq = widen_q4u_v(w[r]);
            for (int t = 0; t < ACTS; t++)
                d[t][r] = dot_q4u(&wq, &s.aq[t]);
        }
        TB_PF_KEEP(h);
        PF_TAIL(1);
    }
    finish(&s, state);
    return iters * ROWS * ACTS * TB_QK;
}
