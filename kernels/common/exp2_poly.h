/* 2^f for f in [−0.5, 0.5], the fraction part of the tiers' exp2: the degree-7 Taylor polynomial
 * (coefficients ln2^k / k!, truncation below 1e-8 relative) in Horner form, through the tier's
 * FMA(a, b, c) = a·b + c and SET1(x), so every x86 tier evaluates the same polynomial. */
#ifndef TB_EXP2_POLY_H
#define TB_EXP2_POLY_H

#define TB_EXP2_POLY(FMA, SET1, f)                                                                          \
    FMA(FMA(FMA(FMA(FMA(FMA(FMA(SET1(1.5252733804059841e-5f), f, SET1(1.5403530393381609e-4f)), f,         \
                            SET1(1.3333558146428443e-3f)),                                                  \
                        f, SET1(9.6181291076284772e-3f)),                                                   \
                    f, SET1(5.5504108664821580e-2f)),                                                       \
                f, SET1(2.4022650695910071e-1f)),                                                           \
            f, SET1(6.9314718055994531e-1f)),                                                               \
        f, SET1(1.0f))

#endif
