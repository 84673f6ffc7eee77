#!/usr/bin/env bash
# Runs the benchmarks that the attention kernels' performance goals are judged by (issue 4), each
# against its probe timed in the same rounds of one tokbench invocation, and prints the tables:
# decode reads of the KV cache against the read probe, prefill GFLOP/s against the FMA peak. Not a
# test: figures depend on the machine and on its noise, so each case runs RUNS times (default 3).
# Usage: scripts/attention_targets.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
tb=${1:-build}/harness/tokbench
runs=${RUNS:-3}
common=(--no-save --quiet --min-time "${MIN_TIME:-1}" --repetitions 10)
shape=(--heads 32 --kv-heads 8 --head-dim 128)
echo "columns: op backend kv shape threads check median [95% CI] cv n GFLOP/s GB/s of-probe"

for t in 1 2; do
    for kv in f16 f32; do
        echo "== decode, $kv KV, $t thread(s), C = 4096 and 16384 (of probe: share of the read probe)"
        for _ in $(seq "$runs"); do
            $tb bench attn-decode "${shape[@]}" --kv-dtype "$kv" --ctx 4096,16384 --threads "$t" "${common[@]}" |
                grep '^attn-decode'
        done
    done
done

for t in 1 2; do
    echo "== prefill, S = 2048, $t thread(s) (of probe: share of the FMA peak)"
    for _ in $(seq "$runs"); do
        $tb bench attn-prefill "${shape[@]}" --seq 2048 --threads "$t" "${common[@]}" | grep '^attn-prefill'
    done
done
