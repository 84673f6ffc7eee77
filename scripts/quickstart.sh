#!/usr/bin/env bash
# README command 1: set everything up, build, and run the default benchmark (records land in
# results/): the machine, a GEMM table (our kernels, OpenBLAS and the reference), then the
# default model run. Extra arguments go to `tokbench run`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
tb=./build/harness/tokbench
$tb sysinfo
echo
$tb bench gemm --backend portable,openblas,ref --shape 1x4096x4096,8x4096x4096,128x2048x2048 \
    --repetitions 5 --min-time 0.5
echo
$tb run "$@"
