/* Half-precision weight rows (f16, bf16) into the f32 GEMM's panels (gemm_f32_tmpl.h), 8 rows ×
 * 8 depths at a time: 8 row loads, 8 conversions, an in-register 8×8 transpose (24 shuffles) and
 * 8 stores, where converting one weight at a time costs a scalar load, conversion and store per
 * element and dominated the GEMM below a few hundred rows. Included by the AVX2 and AVX-512
 * tiers' GEMM files, both compiled with AVX2 and F16C. */
#ifndef TB_HALF_PANELS_X86_H
#define TB_HALF_PANELS_X86_H

#include <immintrin.h>
#include <string.h>

#include <tokbench/dtype.h>

static inline __m256 tb_half8_ps(int bf16, const uint16_t *p)
{
    __m128i h = _mm_loadu_si128((const __m128i *)p);
    return bf16 ? _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16)) : _mm256_cvtph_ps(h);
}

/* r[i] holds row i of an 8×8 block on entry and column i on exit. */
static inline void tb_transpose8_ps(__m256 r[8])
{
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int h = 0; h < 2; h++) { /* rows 0-3, then 4-7 */
        s[4 * h] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x20);
        r[i + 4] = _mm256_permute2f128_ps(s[i], s[i + 4], 0x31);
    }
}

static inline float tb_half_to_ps(int bf16, uint16_t h) { return bf16 ? tb_bf16_to_f32(h) : tb_f16_to_f32(h); }

/* The panels (nr wide) of weight rows [j0, j1) at depths [pc, pc + kc) into buf, panel q at
 * buf + q · kc · nr; zero past row n. */
static inline void tb_half_panels_x86(int bf16, const uint16_t *w, int64_t n, int64_t k, int64_t j0, int64_t j1,
                                      int64_t pc, int64_t kc, float *buf, int nr)
{
    for (int64_t p = j0; p < j1; p += nr) {
        float *dst = buf + (p - j0) / nr * kc * nr;
        for (int jb = 0; jb < nr; jb += 8) {
            const uint16_t *src = w + (p + jb) * k + pc;
            int64_t kk = 0;
            if (p + jb + 8 <= n)
                for (; kk + 8 <= kc; kk += 8) {
                    __m256 r[8];
                    for (int i = 0; i < 8; i++)
                        r[i] = tb_half8_ps(bf16, src + i * k + kk);
                    tb_transpose8_ps(r);
                    for (int i = 0; i < 8; i++)
                        _mm256_storeu_ps(dst + (kk + i) * nr + jb, r[i]);
                }
            for (; kk < kc; kk++) /* the depth's tail, or rows past n */
                for (int i = 0; i < 8; i++)
                    dst[kk * nr + jb + i] = p + jb + i < n ? tb_half_to_ps(bf16, src[i * k + kk]) : 0.0f;
        }
    }
}

#endif
