/* Scalar replay of the format-ceiling probes (kernels/common/peak_format.h): the block dot
 * products written from the formats' definitions (q8_0: d·q; q4_0: d·(nibble − 8)), not from any
 * probe's code, then the probe's accumulation repeated step by step. */
#include <string.h>

#include <tokbench/kernels.h>

#include "../common/peak_format.h"

/* Σ_j w_j · a_j of weight row r with activation row t, the weights of format q8 (else q4_0) */
static int32_t block_dot(int q8, int r, int t)
{
    int32_t s = 0;
    for (int j = 0; j < TB_QK; j++)
        s += (q8 ? tb_pf_q8(r, j) : tb_pf_q4(r, j) - 8) * tb_pf_act(t, j);
    return s;
}

int64_t tb_peak_format_ref(const char *name, int32_t *state, int64_t iters)
{
    static const struct {
        const char *name;
        int q8, rows, acts;
    } known[] = {
        {"tb_peak_q8_0_generic", 1, TB_PF_ROWS_GENERIC, TB_PF_ACTS_GENERIC},
        {"tb_peak_q4_0_generic", 0, TB_PF_ROWS_GENERIC, TB_PF_ACTS_GENERIC},
        {"tb_peak_q8_0_avx2", 1, TB_PF_ROWS_AVX2, TB_PF_ACTS_AVX2},
        {"tb_peak_q4_0_avx2", 0, TB_PF_ROWS_AVX2, TB_PF_ACTS_AVX2},
        {"tb_peak_q8_0_avx512vnni", 1, TB_PF_ROWS_AVX512VNNI, TB_PF_ACTS_AVX512VNNI},
        {"tb_peak_q4_0_avx512vnni", 0, TB_PF_ROWS_AVX512VNNI, TB_PF_ACTS_AVX512VNNI},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        if (!name || strcmp(name, known[i].name) != 0)
            continue;
        for (int t = 0; t < known[i].acts; t++)
            for (int r = 0; r < known[i].rows; r++) {
                /* exact (peak_format.h), so the probe's FMA or multiply and add give these bits */
                const float p = tb_pf_dw(r) * tb_pf_da(t) * (float)block_dot(known[i].q8, r, t);
                float acc;
                memcpy(&acc, &state[TB_PF_ROW_STRIDE * t + r], sizeof acc);
                for (int64_t it = 0; it < iters; it++)
                    acc += p;
                memcpy(&state[TB_PF_ROW_STRIDE * t + r], &acc, sizeof acc);
            }
        return iters * known[i].rows * known[i].acts * TB_QK;
    }
    return -1;
}
