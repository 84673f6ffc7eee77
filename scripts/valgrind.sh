#!/usr/bin/env bash
# The CLI smoke tests under valgrind memcheck: every command family of the release build
# (build/, made by scripts/setup.sh), with tiny shapes and the tests' fast flags, and bad input
# that must exit 2. A case passes when tokbench exits with the code it should and memcheck found
# no error and no definite leak; suppressions (scripts/valgrind.supp) cover third-party
# libraries only. Cases run two at a time: valgrind serializes a process's threads on one core.
# Usage: scripts/valgrind.sh [BUILD_DIR]   (VALGRIND_JOBS=N to run N cases at once)
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-build}/harness/tokbench
[ -x "$bin" ] || { echo "valgrind.sh: $bin not found (run scripts/setup.sh first)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed (run scripts/setup.sh)" >&2; exit 1; }
jobs=${VALGRIND_JOBS:-2}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tokbench-valgrind-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
F=tests/fixtures
S=$scratch
# As the tests do (tests/meson.build): working sets sized from a small LLC, never a sweep of
# this machine, and any cache or record written under the scratch folder.
export TOKBENCH_LLC_BYTES=1MiB TOKBENCH_CACHE_DIR=$S/llc-cache
# hwloc's x86 backend refuses to run under valgrind (and says so on stderr); the Linux backend
# reads the same topology from sysfs.
export HWLOC_COMPONENTS=-x86

# --error-exitcode: a memcheck error or a definite leak turns the exit code into 99, a code
# tokbench never uses; other leak kinds (still reachable, possibly lost) are not errors.
vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --num-callers=40 --suppressions=scripts/valgrind.supp)

n=0
# case WANT ARGS...: runs tokbench ARGS under memcheck in the background, at most $jobs at once.
case_() {
    local want=$1 id=$((++n))
    shift
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    printf '%s\n' "$want" "$*" >"$S/case$id.what"
    ( rc=0 TIMEFORMAT='%R %U'
      { time "${vg[@]}" --log-file="$S/case$id.vg" "$bin" "$@" >"$S/case$id.out" 2>"$S/case$id.err" </dev/null \
          || rc=$?; } 2>"$S/case$id.time"
      echo "$rc" >"$S/case$id.rc" ) &
}

fast=(--min-time 0 --repetitions 2 --warmup 1 --threads 1 --no-save)
once=(--min-time 0 --repetitions 1 --warmup 0 --threads 1 --no-save)
two=1
[ "$(nproc)" -ge 2 ] && two=2

case_ 0 sysinfo
case_ 0 sysinfo --format json
case_ 0 list kernels
case_ 0 list models --format json
case_ 0 list prices --format csv
case_ 0 bench gemm --backend portable,openblas,ref --shape 5x7x9,20x24x40 "${fast[@]}"
case_ 0 bench gemm --backend portable,ref --dtype q8_0 --shape 4x8x64 --format json "${fast[@]}"
case_ 0 bench gemm --backend portable,openblas --dtype bf16 --shape 3x16x32 --format csv \
    --min-time 0 --repetitions 2 --warmup 1 --threads "$two" --no-save
case_ 0 bench gemv --backend portable,openblas,read --dtype q4_0 --shape 64x64 --format md "${fast[@]}"
# portable,ref: without --backend a peak row runs the AVX2 FMA probe (below)
case_ 0 bench attn-prefill --backend portable,ref --heads 2 --kv-heads 1 --head-dim 32 --seq 9 "${fast[@]}"
case_ 0 bench attn-decode --heads 2 --kv-heads 1 --head-dim 32 --ctx 16 --kv-dtype f16 "${fast[@]}"
case_ 0 bench stream --shape 256KiB --isa generic "${fast[@]}"
# generic: valgrind runs the AVX2 probes' FMAs and integer dot products 100x slower still
case_ 0 bench peak --isa generic "${once[@]}"
case_ 0 bench peak --dtype q4_0 --isa generic "${once[@]}"
case_ 0 run --model "$F/models/tiny.json" --isa generic --batch 1,2 --prompt 4 --ctx 4 \
    --min-time 0 --repetitions 2 --warmup 1 --threads 1 --prices "$F/prices/run-lab.csv" \
    --instance anybox --format json --results-dir "$S/results"
case_ 0 cost "$F/results/run-aws-c7i-4xlarge.json" --max-age-days 100000 --prices "$F/prices/cost.csv" \
    --format json
case_ 0 prices import --from aws "$F/price-formats/aws-offer-ec2-sample.json" --output "$S/aws.csv"
case_ 0 prices import --from azure "$F/price-formats/azure-retail-prices-sample.json" --output "$S/azure.csv"
case_ 0 prices import --from gcp "$F/price-formats/gcp-billing-catalog-skus-sample.json" --output "$S/gcp.csv"
case_ 0 compare "$F/compare/noise/base.json" "$F/compare/noise/candidate.json" --format md
case_ 4 compare "$F/compare/folder/base" "$F/compare/folder/candidate.json" --format json
case_ 5 compare "$F/compare/cross/base.json" "$F/compare/cross/candidate.json" --format csv
case_ 0 history import "$F/results" --results-dir "$S/history"
case_ 0 report "$F/results" -o "$S/report.html"
# bad input: one line on stderr, exit 2, and nothing leaked on the way out
case_ 2 bench gemm --shape 12x3 --no-save
case_ 2 run --model "$F/models/truncated.json" --no-save
case_ 2 cost "$F/results/run-aws-c7i-4xlarge.json" --prices /nonexistent/prices.csv
case_ 2 compare "$F/compare/invalid/truncated.json" "$F/compare/noise/base.json"
case_ 2 prices import --from gcp "$F/prices/cost.csv"
case_ 2 report -o "$S/never.html"
wait
# what the cases above wrote
case_ 0 history --results-dir "$S/history" --benchmark 'bench/*'
case_ 0 report "$S/results" -o "$S/run.html"
wait

failed=0
# the CPU seconds the cases took (on a loaded machine the wall time says little), and the slowest
read -r cpu slowest < <(for id in $(seq 1 "$n"); do echo "$(cut -d' ' -f2 "$S/case$id.time") $id"; done \
    | sort -rn | awk '{ s += $1 } NR == 1 { top = $2 } END { printf "%.0f %s\n", s, top }')
for id in $(seq 1 "$n"); do
    { read -r want; read -r what; } <"$S/case$id.what"
    rc=$(cat "$S/case$id.rc")
    if [ "$rc" = 99 ]; then
        echo "valgrind.sh: FAIL (memcheck) tokbench $what" >&2
        cat "$S/case$id.vg" >&2
        failed=1
    elif [ "$rc" != "$want" ]; then
        echo "valgrind.sh: FAIL (exit $rc, not $want) tokbench $what" >&2
        tail -n 5 "$S/case$id.err" >&2
        failed=1
    elif [ "$want" = 2 ] && ! { [ "$(wc -l <"$S/case$id.err")" = 1 ] && grep -q '^tokbench: ' "$S/case$id.err"; }; then
        echo "valgrind.sh: FAIL (not one 'tokbench:' line on stderr) tokbench $what" >&2
        cat "$S/case$id.err" >&2
        failed=1
    fi
done
[ "$failed" = 0 ] && echo "valgrind.sh: $n cases, no memcheck error, no definite leak;" \
    "${cpu}s of CPU, the most: $(cut -d' ' -f2 "$S/case$slowest.time")s for tokbench $(sed -n 2p "$S/case$slowest.what")"
exit "$failed"
