/* Counter-based random numbers: value i of stream `seed` is a pure function of (seed, i), so a
 * buffer filled in parallel by any number of threads holds the same data for the same --seed. */
#ifndef TOKBENCH_RNG_H
#define TOKBENCH_RNG_H

#include <stdint.h>

static inline uint64_t tb_mix64(uint64_t x)
{
    /* splitmix64 finaliser: a bijection with good avalanche, enough for test data. */
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

/* Uniform in [-1, 1) with 24 random bits, exactly representable as a float. */
static inline float tb_rand_sym(uint64_t seed, uint64_t i)
{
    uint64_t r = tb_mix64(seed * 0x2545f4914f6cdd1dull ^ tb_mix64(i));
    return (float)((int32_t)(r >> 40) - (1 << 23)) * (1.0f / (float)(1 << 23));
}

#endif
