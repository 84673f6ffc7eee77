#!/bin/sh
# exe_wrapper of the aarch64 cross build (aarch64-linux-gnu.ini): runs an aarch64 program under
# qemu-user. QEMU_CPU picks the emulated core (default "max", which has dotprod; e.g.
# QEMU_CPU=cortex-a53 for plain Armv8.0), QEMU_LD_PREFIX a sysroot if the arm64 libraries are
# not installed multiarch.
#
# Without binfmt_misc (containers) the kernel cannot start an aarch64 program, and the end-to-end
# tests start tokbench through /bin/sh, the build machine's: so TOKBENCH_BIN is pointed at this
# script, which runs the real binary (kept in TB_QEMU_TOKBENCH) under qemu too.
set -e
qemu=${TB_QEMU:-qemu-aarch64-static}
if [ -n "${TB_QEMU_TOKBENCH:-}" ]; then
    exec "$qemu" "$TB_QEMU_TOKBENCH" "$@"
fi
if [ -n "${TOKBENCH_BIN:-}" ]; then
    self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
    TB_QEMU_TOKBENCH=$TOKBENCH_BIN
    TOKBENCH_BIN=$self
    export TB_QEMU_TOKBENCH TOKBENCH_BIN
fi
exec "$qemu" "$@"
