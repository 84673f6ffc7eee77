#!/usr/bin/env bash
# One night of performance tracking: runs the suite, saves its records into the results folder
# (and so into its history.sqlite), compares them with the rolling baseline of the same machine
# (the latest N records of each benchmark before tonight) and writes the HTML report of the
# machine's history. Exit 0: nothing regressed; 4: a benchmark regressed (compare's rule:
# significant after Holm's correction and its whole 95% interval beyond the threshold); any other
# code: a step failed (the first failure's code: 1 runtime, 2 usage, 3 a kernel failed its check,
# 5 not comparable, e.g. after a compiler upgrade). The first night has no baseline: exit 0 once
# its records are saved.
#
# Usage: scripts/nightly.sh [RESULTS_DIR]
# Environment:
#   NIGHTLY_RESULTS   results folder when no argument is given (default results)
#   NIGHTLY_SUITE     the suite file (default scripts/nightly.suite)
#   NIGHTLY_OUT       where compare.md, compare.json, report.html and suite.log go
#                     (default RESULTS_DIR/nightly/<start time>)
#   NIGHTLY_BASELINE  records per benchmark in the baseline (default 7)
#   NIGHTLY_MIN_RUNS  runs of a benchmark the baseline needs before it can be judged regressed
#                     (default 3, compare --min-base-runs): from 3 runs compare also holds a change
#                     against the baseline's run-to-run noise; with fewer, two runs of one commit
#                     on a shared VM can differ by more than the threshold
#   NIGHTLY_NORMALIZE compare --normalize (default read: a kernel's time over the read probe's of
#                     the same rounds, so a slower machine is not read as slower code; probe: also
#                     over the peak probe, and a run's step over its roofline bound; none: raw)
#   NIGHTLY_ARGS      appended to every suite line (e.g. "--min-time 2")
#   NIGHTLY_COMPARE_ARGS  appended to compare (e.g. "--threshold-for *gemv*=8")
#   TOKBENCH          the binary (default build/harness/tokbench)
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

results=${1:-${NIGHTLY_RESULTS:-results}}
suite=${NIGHTLY_SUITE:-scripts/nightly.suite}
tb=${TOKBENCH:-build/harness/tokbench}
last=${NIGHTLY_BASELINE:-7}
min_runs=${NIGHTLY_MIN_RUNS:-3}
normalize=${NIGHTLY_NORMALIZE:-read}
read -ra extra <<<"${NIGHTLY_ARGS:-}"
read -ra cmp_extra <<<"${NIGHTLY_COMPARE_ARGS:-}"

die() { echo "nightly: $*" >&2; exit 2; }
[ -x "$tb" ] || die "$tb: no tokbench binary (build first, or set TOKBENCH)"
[ -r "$suite" ] || die "$suite: cannot read the suite"
[[ "$last" =~ ^[1-9][0-9]*$ ]] || die "NIGHTLY_BASELINE '$last': expected a whole number >= 1"
[[ "$min_runs" =~ ^[1-9][0-9]*$ ]] || die "NIGHTLY_MIN_RUNS '$min_runs': expected a whole number >= 1"
[[ "$normalize" =~ ^(none|read|probe)$ ]] || die "NIGHTLY_NORMALIZE '$normalize': expected none, read or probe"
mkdir -p "$results" || die "$results: cannot create the results folder"
# The JSON records are the source of truth: records copied in (a CI cache, another checkout) join
# the history before it is asked for a baseline. Records already there are skipped.
"$tb" history import "$results" --results-dir "$results" --quiet >/dev/null || die "$results: history import failed"

# Tonight's records are those started at or after START (UTC, to the second: the history's
# since= and until= split the records of that second by their milliseconds).
start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
out=${NIGHTLY_OUT:-$results/nightly/${start//:/}}
mkdir -p "$out" || die "$out: cannot create the output folder"
marker=$out/.started
: >"$marker"
log=$out/suite.log
status=0
first_failure() { [ "$status" -eq 0 ] && status=$1; }

n=0
while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%%#*}
    read -ra words <<<"$line"
    [ ${#words[@]} -eq 0 ] && continue
    echo "nightly: $suite:$n: tokbench ${words[*]}" | tee -a "$log"
    "$tb" "${words[@]}" --results-dir "$results" --quiet "${extra[@]}" >>"$log" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "nightly: $suite:$n: exit $rc (see $log)" >&2
        first_failure "$rc"
    fi
done <"$suite"

# The machine: the fingerprint folder tonight's records were saved in.
new=$(find "$results" -name '*.json' -newer "$marker" -path "$results/*/*.json" -not -path "$results/nightly/*" |
    head -n 1)
[ -n "$new" ] || { echo "nightly: no record was saved tonight (see $log)" >&2; exit $((status ? status : 1)); }
fp=$(basename "$(dirname "$new")")

base="@history:until=$start,last=$last,machine=$fp"
cand="@history:since=$start,machine=$fp"
older=$(find "$results/$fp" -name '*.json' ! -newer "$marker" | head -n 1)
if [ -z "$older" ]; then
    echo "nightly: first night on $fp: no baseline yet, nothing compared"
    cmp=0
else
    "$tb" compare "$base" "$cand" --results-dir "$results" --format md --min-base-runs "$min_runs" --normalize "$normalize" "${cmp_extra[@]}" >"$out/compare.md" \
        2>"$out/compare.err"
    cmp=$?
    "$tb" compare "$base" "$cand" --results-dir "$results" --format json --quiet --min-base-runs "$min_runs" --normalize "$normalize" "${cmp_extra[@]}" \
        >"$out/compare.json" 2>/dev/null
    grep -h '^\*\*geomean\|^price change\|^- price change' "$out/compare.md" | sed 's/\*\*//g; s/^/nightly: /'
    sed 's/^/nightly: /' "$out/compare.err" >&2
    echo "nightly: compare exit $cmp; comparison: $out/compare.md (and compare.json)"
fi

"$tb" report "@history:machine=$fp" --results-dir "$results" -o "$out/report.html" --quiet
rc=$?
if [ "$rc" -eq 0 ]; then echo "nightly: report: $out/report.html"; else first_failure "$rc"; fi

rm -f "$marker"
[ "$status" -ne 0 ] && exit "$status"
exit "$cmp"
