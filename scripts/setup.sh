#!/usr/bin/env bash
# Installs every Debian/Ubuntu package tokbench needs, then configures and builds it in build/.
# Safe to run again: apt-get skips what is installed, meson reconfigures an existing build.
# Usage: scripts/setup.sh [BUILD_DIR] [extra meson setup args...]
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build}
shift || true

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup.sh: run as root or install sudo" >&2; exit 1; }
    sudo="sudo"
fi

packages=(
    build-essential git pkg-config meson ninja-build
    libopenblas-pthread-dev   # reference backend; the pthread build, whose threads we can pin
    libhwloc-dev              # topology and thread binding
    libjansson-dev            # JSON records: writing and reading
    libcsv-dev                # price tables (CSV, RFC 4180)
    libsqlite3-dev            # the history: an embedded store two tokbench processes can write at once
    check libsubunit-dev      # unit tests (Debian's check.pc links -lsubunit)
    chromium-headless-shell   # the report test renders the HTML page (DOM and screenshot); skipped without it
    valgrind cppcheck clang-tidy  # scripts/test.sh's checks: memcheck of the CLI, static analysis
    clang libclang-rt-dev     # the fuzz targets (scripts/fuzz.sh): libFuzzer and the sanitizer runtimes
)
# libcpuid is packaged for x86 only; elsewhere the CPU is read from /proc/cpuinfo and getauxval.
case "$(uname -m)" in
    x86_64|i?86) packages+=(libcpuid-dev) ;;
esac

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup.sh: installing ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -d "$build_dir" ] && [ -f "$build_dir/build.ninja" ]; then
    meson configure "$build_dir" "$@" >/dev/null
else
    meson setup "$build_dir" --buildtype=release "$@"
fi
ninja -C "$build_dir"
