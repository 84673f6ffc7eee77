/* How fast can one x86 core with AVX2 (no VNNI) multiply-add 8-bit values, per instruction
 * sequence the quantized kernels are built on? The int8 ceiling that `tokbench run` grades q8_0
 * and q4_0 prefill against (`tokbench bench peak --dtype q8_0`) counts one vpmaddubsw per 32
 * products. q4_0 weights are unsigned after their offset, so its products need only that and an
 * int16 add. q8_0 multiplies signed by signed, which vpmaddubsw (unsigned × signed) cannot, so
 * each 32 products also need a vpsignb, and a vpmaddwd to widen (two int16 pair sums of 127·127·2
 * overflow int16). This measures each sequence alone: registers only, no loads, no scales, 8
 * independent accumulators, so it is the most any kernel built on it can reach.
 *
 * Not part of the build (x86-64 with AVX2 only). Usage:
 *   cc -O2 -Wall -Wextra -o /tmp/int8_sequences scripts/int8_sequences.c && /tmp/int8_sequences
 * The best of 8 alternated runs of each sequence is printed, in GOP/s (2 operations per product),
 * one core, and each product sequence as a share of the bare vpmaddubsw loop. */
#include <stdio.h>
#include <time.h>

#if !defined(__x86_64__)
int main(void)
{
    fputs("int8_sequences: x86-64 only\n", stderr);
    return 1;
}
#else

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

#define ITERS 50000000LL

/* ymm0, ymm1 weights; ymm2 activations; ymm3 the vpmaddwd multiplier; ymm4-7 temporaries; ymm8-15
 * sums. The values do not matter, only the instructions' throughput. */
#define MU(t, w, s) "vpmaddubsw %%ymm2, %%ymm" #s ", %%ymm" #s "\n"
#define Q4(t, w, s) "vpmaddubsw %%ymm2, %%ymm" #w ", %%ymm" #t "\n vpaddw %%ymm" #t ", %%ymm" #s ", %%ymm" #s "\n"
#define Q8(t, w, s)                                                                                        \
    "vpsignb %%ymm" #w ", %%ymm2, %%ymm" #t "\n vpmaddubsw %%ymm" #t ", %%ymm" #w ", %%ymm" #t "\n" \
    " vpmaddwd %%ymm3, %%ymm" #t ", %%ymm" #t "\n vpaddd %%ymm" #t ", %%ymm" #s ", %%ymm" #s "\n"
#define EIGHT(M) M(4, 0, 8) M(5, 1, 9) M(6, 0, 10) M(7, 1, 11) M(4, 0, 12) M(5, 1, 13) M(6, 0, 14) M(7, 1, 15)
#define CLOBBERS                                                                                                \
    "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", \
        "xmm13", "xmm14", "xmm15", "cc"

/* Seconds for ITERS iterations of 8 sequences of 32 products each. MU is the ceiling's own
 * loop: each sum fed back as the next vpmaddubsw's unsigned operand, 8 chains. */
static double time_mu(void)
{
    long long n = ITERS;
    double t0 = now();
    __asm__ volatile("1:\n" EIGHT(MU) "dec %0\n jnz 1b\n" : "+r"(n) : : CLOBBERS);
    return now() - t0;
}

static double time_q4(void)
{
    long long n = ITERS;
    double t0 = now();
    __asm__ volatile("vpcmpeqw %%ymm3, %%ymm3, %%ymm3\n1:\n" EIGHT(Q4) "dec %0\n jnz 1b\n" : "+r"(n) : : CLOBBERS);
    return now() - t0;
}

static double time_q8(void)
{
    long long n = ITERS;
    double t0 = now();
    __asm__ volatile("vpcmpeqw %%ymm3, %%ymm3, %%ymm3\n1:\n" EIGHT(Q8) "dec %0\n jnz 1b\n" : "+r"(n) : : CLOBBERS);
    return now() - t0;
}

int main(void)
{
    /* alternated, best of each: the clock of a shared core moves between runs */
    double t[3] = {time_mu(), time_q4(), time_q8()};
    for (int r = 1; r < 8; r++) {
        double a = time_mu(), b = time_q4(), c = time_q8();
        t[0] = a < t[0] ? a : t[0];
        t[1] = b < t[1] ? b : t[1];
        t[2] = c < t[2] ? c : t[2];
    }
    double ops = (double)ITERS * 8 * 32 * 2, mu = ops / t[0] / 1e9, q4 = ops / t[1] / 1e9, q8 = ops / t[2] / 1e9;
    printf("vpmaddubsw alone (the int8 ceiling's instruction):       %6.1f GOP/s\n", mu);
    printf("q4_0 products (vpmaddubsw + vpaddw):                     %6.1f GOP/s  (%.2f of it)\n", q4, q4 / mu);
    printf("q8_0 products (vpsignb + vpmaddubsw + vpmaddwd + vpaddd): %6.1f GOP/s  (%.2f of it)\n", q8, q8 / mu);
    return 0;
}
#endif
