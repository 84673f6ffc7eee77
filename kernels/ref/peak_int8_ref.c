/* Scalar replays of the int8 ceiling probes (tb_peak_int8_fn, kernels.h): each tier's probe
 * chains one instruction on fixed operands, so its state after n steps follows from the
 * instruction's definition alone. Written from those definitions, not from the probes' code. */
#include <tokbench/kernels.h>

#include <string.h>

#include "../common/peak_format.h"

/* vpmaddubsw with the state as the unsigned operand and 3 as the signed one, fed back: each
 * int16 lane becomes sat16(3·u0 + 3·u1) of its own two bytes (12 chains × 32 bytes). */
static int64_t replay_maddubs(int32_t *state, int64_t iters)
{
    uint8_t b[12 * 32];
    memcpy(b, state, sizeof b);
    for (int64_t it = 0; it < iters; it++)
        for (size_t p = 0; p < sizeof b; p += 2) {
            int32_t v = 3 * (int32_t)b[p] + 3 * (int32_t)b[p + 1];
            int16_t r = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
            memcpy(b + p, &r, 2); /* little-endian: the low byte first, as the vector lane */
        }
    memcpy(state, b, sizeof b);
    return iters * 12 * 32;
}

/* vpdpbusd / sdot with operands 5 and 3: every int32 lane gains 4 · 15 per step, wrapping. */
static int64_t replay_dot4(int32_t *state, int lanes, int64_t iters)
{
    for (int i = 0; i < lanes; i++)
        state[i] = (int32_t)((uint32_t)state[i] + 60u * (uint32_t)(uint64_t)iters);
    return iters * lanes * 4;
}

static int64_t replay_vnni(int32_t *state, int64_t iters) { return replay_dot4(state, 12 * 16, iters); }

static int64_t replay_sdot(int32_t *state, int64_t iters) { return replay_dot4(state, 12 * 4, iters); }

/* smlal with operands 5 and 3: every int16 lane gains 15 per step, wrapping (12 chains × 8). */
static int64_t replay_smlal(int32_t *state, int64_t iters)
{
    int16_t h[12 * 8];
    memcpy(h, state, sizeof h);
    for (size_t i = 0; i < sizeof h / sizeof *h; i++)
        h[i] = (int16_t)(uint16_t)((uint32_t)(uint16_t)h[i] + 15u * (uint32_t)(uint64_t)iters);
    memcpy(state, h, sizeof h);
    return iters * 12 * 8;
}

/* The generic tier's 16-bit multiply-add: every uint16 lane becomes 3·x + 1, wrapping (8 × 8). */
static int64_t replay_u16(int32_t *state, int64_t iters)
{
    uint16_t h[8 * 8];
    memcpy(h, state, sizeof h);
    for (int64_t it = 0; it < iters; it++)
        for (size_t i = 0; i < sizeof h / sizeof *h; i++)
            h[i] = (uint16_t)(3u * h[i] + 1u);
    memcpy(state, h, sizeof h);
    return iters * 8 * 8;
}

int64_t tb_peak_int8_ref(const char *name, int32_t *state, int64_t iters)
{
    static const struct {
        const char *name;
        int64_t (*replay)(int32_t *, int64_t);
    } known[] = {
        {"tb_peak_int8_generic", replay_u16},      {"tb_peak_int8_avx2", replay_maddubs},
        {"tb_peak_int8_avx512vnni", replay_vnni},  {"tb_peak_int8_neon", replay_smlal},
        {"tb_peak_int8_neon_dotprod", replay_sdot},
    };
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (name && strcmp(name, known[i].name) == 0)
            return known[i].replay(state, iters);
    return tb_peak_format_ref(name, state, iters); /* the format ceilings share the interface */
}
