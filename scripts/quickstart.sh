#!/usr/bin/env bash
# README command 1: set everything up, build, and run the default benchmark (a record lands in
# results/). Extra arguments go to tokbench.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
./build/harness/tokbench sysinfo
echo
./build/harness/tokbench bench gemm --backend ref,openblas \
    --shape 1x4096x4096,8x4096x4096,128x2048x2048 --repetitions 5 --min-time 0.5 "$@"
