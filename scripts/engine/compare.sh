#!/usr/bin/env bash
# tokbench vs llama.cpp on the same model shape, dtype, threads and machine.
#
# usage: scripts/engine/compare.sh [DTYPE] [THREADS]      e.g. compare.sh q8_0 1,2
#
#   DTYPE    q8_0 (default), q4_0, f16 or bf16
#   THREADS  comma list (default 1,2)
# environment:
#   ENGINE_DIR   where node-llama-cpp and the GGUF go (default /tmp/engine)
#   NLC_VERSION  node-llama-cpp version to install (default 3.22.1)
#   PROMPT GEN REPS WARMUP   llama.cpp run (default 512 64 3 1)
#   TB_REPS TB_WARMUP        tokbench run (default 5 1)
#   TOKBENCH     the tokbench binary (default build/harness/tokbench)
#
# Needs node >= 18 and npm with access to the npm registry: node-llama-cpp brings
# llama.cpp as prebuilt CPU binaries (@node-llama-cpp/linux-x64 etc.).  Nothing is
# built from source and nothing is fetched from GitHub (NODE_LLAMA_CPP_SKIP_DOWNLOAD,
# --ignore-scripts, build: "never").  The model is a TinyLlama-1.1B-shaped GGUF with
# random weights written by gguf_random.py (~1.1 GiB for q8_0, ~0.6 GiB for q4_0).
set -euo pipefail
DTYPE=${1:-q8_0}
THREADS=${2:-1,2}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ENGINE_DIR=${ENGINE_DIR:-/tmp/engine}
NLC_VERSION=${NLC_VERSION:-3.22.1}
PROMPT=${PROMPT:-512}
GEN=${GEN:-64}
REPS=${REPS:-3}
WARMUP=${WARMUP:-1}
TB_REPS=${TB_REPS:-5}
TB_WARMUP=${TB_WARMUP:-1}
TOKBENCH=${TOKBENCH:-$ROOT/build/harness/tokbench}
CTX=$((PROMPT + GEN))

mkdir -p "$ENGINE_DIR"
cd "$ENGINE_DIR"
# 1. llama.cpp through node-llama-cpp's prebuilt binaries
if [ ! -d node_modules/node-llama-cpp ]; then
    [ -f package.json ] || npm init -y >/dev/null
    NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --ignore-scripts --no-audit --no-fund "node-llama-cpp@$NLC_VERSION" >&2
fi
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
cp "$HERE/llamacpp_bench.mjs" "$ENGINE_DIR/llamacpp_bench.mjs"  # so that it resolves node-llama-cpp here
# 2. the model
MODEL="$ENGINE_DIR/tinyllama-$DTYPE.gguf"
[ -f "$MODEL" ] || python3 "$HERE/gguf_random.py" "$MODEL" --dtype "$DTYPE" >&2

echo "# $(date -u +%Y-%m-%dT%H:%MZ)  $(uname -n)  $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')  $(nproc) cpus"
echo "# model tinyllama-1.1b shape, $DTYPE, batch 1, prompt $PROMPT, decode $GEN tokens after it"
# 3. llama.cpp
echo "## llama.cpp (node-llama-cpp $NLC_VERSION, median of $REPS after $WARMUP warm-up; llama.cpp perf counters, wall clock in parentheses)"
IFS=, read -ra TL <<<"$THREADS"
for t in "${TL[@]}"; do
    node "$ENGINE_DIR/llamacpp_bench.mjs" "$MODEL" --threads "$t" --prompt "$PROMPT" --gen "$GEN" \
        --reps "$REPS" --warmup "$WARMUP" --ctx 1536
done
# 4. tokbench, right after, same shapes
echo "## tokbench ($TOKBENCH)"
cd "$ROOT"
"$TOKBENCH" run --model tinyllama-1.1b --dtype "$DTYPE" --batch 1 --prompt "$PROMPT" --ctx "$CTX" \
    --threads "$THREADS" --prefill-time 0 --repetitions "$TB_REPS" --warmup "$TB_WARMUP" --no-save
