#!/usr/bin/env bash
# Cross-builds tokbench for aarch64 in build-aarch64/ (Debian's gcc-aarch64-linux-gnu and the
# arm64 -dev packages, multiarch) and runs its tests under qemu-user: the whole suite on qemu's
# default core ("max": NEON with dotprod), then the kernel tests again on a Cortex-A53 (plain
# Armv8.0, no dotprod), on which qemu traps every instruction the core lacks. For developers and
# the nightly job; too slow for CI (minutes under emulation), so not in scripts/test.sh.
#
# Usage: scripts/cross_aarch64.sh [--no-install] [--build-only] [extra meson setup args...]
# Debian 12 on x86-64; installs packages as root (or through sudo). libcpuid has no arm64
# package (it is x86-only): the build uses getauxval() and /proc/cpuinfo instead.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build-aarch64
install=1
run_tests=1
while [ $# -gt 0 ]; do
    case "$1" in
        --no-install) install=0 ;;
        --build-only) run_tests=0 ;;
        *) break ;;
    esac
    shift
done

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

host_packages=(gcc-aarch64-linux-gnu qemu-user-static binfmt-support pkg-config meson ninja-build)
# what meson.build links; OpenBLAS is optional and tried on its own below
arm64_packages=(libhwloc-dev libjansson-dev libcsv-dev libsqlite3-dev check libsubunit-dev)
openblas=libopenblas-pthread-dev
openblas_opt=()

if [ "$install" = 1 ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "cross_aarch64.sh: run as root or install sudo" >&2; exit 1; }
        sudo="sudo"
    fi
    missing=()
    for p in "${host_packages[@]}"; do installed "$p" || missing+=("$p"); done
    for p in "${arm64_packages[@]}"; do installed "$p:arm64" || missing+=("$p:arm64"); done
    if [ ${#missing[@]} -gt 0 ] || ! installed "$openblas:arm64"; then
        if ! dpkg --print-foreign-architectures | grep -qx arm64; then
            echo "cross_aarch64.sh: enabling the arm64 architecture (multiarch)"
            $sudo dpkg --add-architecture arm64
        fi
        $sudo apt-get update -qq
    fi
    export DEBIAN_FRONTEND=noninteractive
    if [ ${#missing[@]} -gt 0 ]; then
        echo "cross_aarch64.sh: installing ${missing[*]}"
        # multiarch keeps M-A: same libraries at one version: apt may upgrade their amd64 side too
        $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ! installed "$openblas:arm64" &&
        ! $sudo apt-get install -y -qq --no-install-recommends "$openblas:arm64" >/dev/null; then
        echo "cross_aarch64.sh: $openblas:arm64 not installable: building without OpenBLAS" >&2
        openblas_opt=(-Dopenblas=disabled)
    fi
elif ! installed "$openblas:arm64"; then
    openblas_opt=(-Dopenblas=disabled)
fi

if [ ! -f "$build_dir/build.ninja" ]; then
    mkdir -p "$build_dir"
    # The exe_wrapper by absolute path (meson 1.0 machine files cannot name a path relative to
    # themselves); cross/qemu-aarch64.sh says why it is more than plain qemu-aarch64-static.
    printf "[binaries]\nexe_wrapper = '%s'\n" "$PWD/cross/qemu-aarch64.sh" >"$build_dir/exe-wrapper.ini"
    meson setup "$build_dir" --cross-file cross/aarch64-linux-gnu.ini --cross-file "$build_dir/exe-wrapper.ini" \
        --buildtype=release -Dlibcpuid=disabled "${openblas_opt[@]}" "$@"
elif [ $# -gt 0 ] || [ ${#openblas_opt[@]} -gt 0 ]; then
    meson configure "$build_dir" "${openblas_opt[@]}" "$@" >/dev/null
fi
ninja -C "$build_dir"
[ "$run_tests" = 1 ] || exit 0

# Emulation is 10-50x slower than the real core: scale meson's and Check's timeouts alike.
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-3}
status=0
echo "== all tests, qemu -cpu ${QEMU_CPU:-max}"
meson test -C "$build_dir" --no-rebuild --print-errorlogs --timeout-multiplier 3 || status=1
echo "== kernel tests, qemu -cpu cortex-a53 (Armv8.0: NEON without dotprod)"
QEMU_CPU=cortex-a53 meson test -C "$build_dir" --no-rebuild --print-errorlogs --timeout-multiplier 3 \
    --logbase testlog-cortex-a53 kernels/kernels-generic kernels/kernels-neon kernels/attention-neon kernels/quant bench/probes platform/gemm || status=1
exit $status
