#!/usr/bin/env bash
# Does a tuning parameter pay on this machine? Builds one tokbench per value of one
# kernels/common/tuning.h parameter (-D<PARAM>=<value> in c_args, so the record's settings.tuning
# names the set that ran), then times a bench case beside its probe in every build, the builds
# alternated round by round so that they share the machine's drift. Prints, per value, the kernel's
# rate over its probe's (read: weight GB/s over the read probe's, the fraction of the bandwidth
# reached; peak: GFLOP/s over the FMA peak's) as the median and range over the rounds. Not a test.
#
# Usage: scripts/tune_sweep.sh PARAM "V1 V2 ..." ROUNDS -- BENCH_ARGS...
#   scripts/tune_sweep.sh TB_TUNE_AVX512_X8_PF_DIST "1024 2048 4096" 5 -- \
#       bench gemv --backend portable,read --dtype q8_0 --shape 11008x4096 --threads 2
# Builds go to build-tune/<PARAM>-<value> (kept, so a second sweep of the same values only runs).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 5 ] || [ "$4" != "--" ]; then
    sed -n '2,12p' "$0" >&2
    exit 2
fi
param=$1 values=$2 rounds=$3
shift 4
case "$param" in TB_TUNE_[A-Z0-9_]*) ;; *) echo "tune_sweep: $param is not a TB_TUNE_ parameter" >&2; exit 2 ;; esac
grep -q "define $param " kernels/common/tuning.h || { echo "tune_sweep: $param is not in kernels/common/tuning.h" >&2; exit 2; }

for v in $values; do
    dir=build-tune/$param-$v
    [ -d "$dir" ] || meson setup "$dir" --buildtype=release -Dc_args="-D$param=$v -DTB_TUNE_OVERRIDDEN=1" >/dev/null
    ninja -C "$dir" harness/tokbench >/dev/null
done

args=("$@")
vals=($values)
n=${#vals[@]}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for r in $(seq "$rounds"); do
    # the order turns each round, so no value always runs first after a pause
    for i in $(seq 0 $((n - 1))); do
        v=${vals[$(((i + r) % n))]}
        build-tune/"$param-$v"/harness/tokbench "${args[@]}" --format json --no-save --quiet >"$out/$v.$r.json"
    done
done

python3 - "$out" "$param" "$rounds" $values <<'EOF'
import json, statistics, sys
out, param, rounds, values = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
print(f"{param}: the kernel's rate over its probe's in the same invocation, {rounds} rounds")
for v in values:
    per_case = {}
    for r in range(1, rounds + 1):
        d = json.load(open(f"{out}/{v}.{r}.json"))
        tuning = d["settings"]["tuning"]
        probes = {}
        for c in d["cases"]:
            key = (c["op"], json.dumps(c["shape"]), c["threads"])  # a probe's dtype is its own
            if c["backend"] in ("read", "peak"):
                probes[key] = c
        for c in d["cases"]:
            key = (c["op"], json.dumps(c["shape"]), c["threads"])
            if c["backend"] in ("read", "peak") or key not in probes or not c["check"]["passed"]:
                continue
            probe = probes[key]
            # peak: FLOP rates; read: bytes (a matmul's weights, attention's K and V)
            unit = "gflops" if probe["backend"] == "peak" else "weight_gbps" if "weight_gbps" in c["rate"] else "gbps"
            name = f'{c["op"]} {c["dtype"]} {"x".join(str(x) for x in c["shape"].values())} t{c["threads"]} / {probe["backend"]}'
            per_case.setdefault(name, []).append(c["rate"][unit] / probe["rate"][unit])
    for name, xs in per_case.items():
        print(f"  {param}={v:>6}  {name}: median {statistics.median(xs):.3f}  range {min(xs):.3f}-{max(xs):.3f}"
              f"  (set {tuning['set']})")
EOF
