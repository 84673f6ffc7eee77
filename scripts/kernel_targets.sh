#!/usr/bin/env bash
# Runs the benchmarks that the kernel library's performance goals are judged by (issue 3), each
# comparison inside one tokbench invocation (interleaved), and prints the tables. Not a test:
# figures depend on the machine and on its noise. Usage: scripts/kernel_targets.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
tb=${1:-build}/harness/tokbench
common=(--no-save --min-time "${MIN_TIME:-2}" --repetitions 10)

for t in 1 2; do
    echo "== f32 GEMM, portable vs OpenBLAS, $t thread(s)"
    $tb bench gemm --backend portable,openblas --threads "$t" "${common[@]}" \
        --shape 8x4096x4096,32x4096x4096,128x4096x4096,512x4096x4096,8x11008x4096,32x11008x4096,128x11008x4096,512x11008x4096,32x4096x11008,512x4096x11008
done

echo "== generic vs AVX2 tier (and the best tier), f32 GEMM, 1 thread"
$tb bench gemm --backend portable --isa generic,auto --threads 1 "${common[@]}" --shape 128x4096x4096,512x4096x4096

for t in 1 2; do
    echo "== GEMV from DRAM (cold weights) against the read probe in the same rounds, $t thread(s)"
    for dt in f32 bf16 f16 q8_0 q4_0; do
        $tb bench gemv --backend portable,read --dtype "$dt" --threads "$t" "${common[@]}" --shape 4096x4096,11008x4096
    done
done

echo "== STREAM and FMA peak"
for t in 1 2; do
    $tb bench stream --threads "$t" "${common[@]}"
    $tb bench peak --threads "$t" "${common[@]}"
done
