#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz (README "Fuzzing"): builds them with clang into build-fuzz/
# (-Dfuzz=true: ASan + UBSan + coverage) and runs them.
#
#   scripts/fuzz.sh TARGET|all SECONDS [LIBFUZZER_FLAG...]   a campaign (SECONDS 0: no time limit,
#                                                            e.g. with -runs=10000000)
#   scripts/fuzz.sh --merge TARGET|all SECONDS [...]         the same, then the inputs that add
#                                                            coverage join the committed corpus
#   scripts/fuzz.sh --ci [SECONDS]                           every target for SECONDS (6), two at
#                                                            a time: what CI runs (scripts/test.sh)
#
# A target runs on a scratch copy of tests/fuzz/corpus/TARGET, so the committed corpus changes only
# with --merge. Each run prints one line: executions, executions per second, the corpus it ended
# with (files, bytes) and whether it crashed. A crash (or leak, or timeout) is kept under
# build-fuzz/fuzz-artifacts/TARGET/; the line names the file and the command that replays it, and
# the script exits 1. Targets: prices_csv import_aws import_azure import_gcp model_config record
# cli_values cli_args.
set -euo pipefail
cd "$(dirname "$0")/.."

targets=(prices_csv import_aws import_azure import_gcp model_config record cli_values cli_args)
build="build-fuzz"

usage() { echo "usage: scripts/fuzz.sh [--merge] TARGET|all SECONDS [LIBFUZZER_FLAG...] | --ci [SECONDS]" >&2; exit 2; }

build_targets() {
    local blog
    blog=$(mktemp "${TMPDIR:-/tmp}/tokbench-fuzz-build.XXXXXX")
    command -v clang >/dev/null || { echo "fuzz.sh: clang is not installed (scripts/setup.sh installs it)" >&2; exit 1; }
    if [ ! -f "$build/build.ninja" ]; then
        # debugoptimized: -O2 with assertions on; no tests, only the targets and what they link
        CC=clang meson setup "$build" --buildtype=debugoptimized -Dfuzz=true -Dtests=false >"$blog" 2>&1 ||
            { tail -n 20 "$blog" >&2; echo "fuzz.sh: meson setup of $build failed" >&2; exit 1; }
    fi
    # quiet when it builds; its errors when it does not (a silent exit 1 would tell CI nothing)
    ninja -C "$build" "${@/#/tests/fuzz/fuzz_}" >"$blog" 2>&1 ||
        { grep -E 'error|FAILED' "$blog" | head -n 20 >&2; echo "fuzz.sh: building the fuzz targets failed" >&2; exit 1; }
    rm -f "$blog"
}

# run_one TARGET SECONDS MERGE [FLAG...]: one campaign on a scratch corpus; its summary line on
# stdout; status 1 when the target crashed.
run_one() {
    local t=$1 secs=$2 merge=$3
    shift 3
    local corpus=tests/fuzz/corpus/$t art=$build/fuzz-artifacts/$t scratch log
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/tokbench-fuzz-$t.XXXXXX")
    log=$scratch.log
    mkdir -p "$art"
    cp -r "$corpus/." "$scratch/"
    local flags=(-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
                 -close_fd_mask=3 -artifact_prefix="$art/")
    [ -f "tests/fuzz/$t.dict" ] && flags+=(-dict="tests/fuzz/$t.dict")
    local rc=0
    # the parsers' one-line errors are hidden (close_fd_mask); libFuzzer's and the sanitizers' are not
    "$build/tests/fuzz/fuzz_$t" "${flags[@]}" "$@" "$scratch" >"$log" 2>&1 || rc=$?
    local execs rate files bytes
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    files=$(find "$scratch" -type f | wc -l)
    bytes=$(du -sb "$scratch" | cut -f1)
    if [ "$rc" -ne 0 ]; then
        local repro
        repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
        grep -E '^(==[0-9]+==ERROR|SUMMARY:|.*runtime error:|fuzz:)' "$log" | head -n 5 >&2 || true
        echo "fuzz_$t: CRASHED after ${execs:-?} execs; reproducer: ${repro:-none written (see $log)};" \
             "replay: $build/tests/fuzz/fuzz_$t ${repro:-}"
        rm -rf "$scratch"
        return 1
    fi
    if [ "$merge" = 1 ]; then
        "$build/tests/fuzz/fuzz_$t" -merge=1 -close_fd_mask=3 "$corpus" "$scratch" >/dev/null 2>&1
    fi
    echo "fuzz_$t: ${execs:-?} execs, ${rate:-?} exec/s, corpus $files files $bytes bytes, no crash"
    rm -rf "$scratch" "$log"
}

if [ "${1:-}" = "--ci" ]; then
    secs=${2:-6}
    build_targets "${targets[@]}"
    # two at a time on the two cores; every target runs even after one fails
    status=0
    for ((i = 0; i < ${#targets[@]}; i += 2)); do
        pids=()
        for t in "${targets[@]:i:2}"; do
            run_one "$t" "$secs" 0 & pids+=($!)
        done
        for p in "${pids[@]}"; do wait "$p" || status=1; done
    done
    exit $status
fi

merge=0
if [ "${1:-}" = "--merge" ]; then merge=1; shift; fi
[ $# -ge 2 ] || usage
which=$1 secs=$2
shift 2
if [ "$which" = all ]; then
    run=("${targets[@]}")
elif [[ " ${targets[*]} " == *" $which "* ]]; then
    run=("$which")
else
    echo "fuzz.sh: no target '$which' (targets: ${targets[*]} or all)" >&2
    exit 2
fi
[[ "$secs" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS '$secs': expected a whole number" >&2; exit 2; }
build_targets "${run[@]}"
status=0
for t in "${run[@]}"; do
    run_one "$t" "$secs" "$merge" "$@" || status=1
done
exit $status
