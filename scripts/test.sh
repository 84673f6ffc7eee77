#!/usr/bin/env bash
# README command 2: set everything up and run the whole test suite, first on the release build,
# then again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's wall time goes to the log: the release and sanitizer stages together are held to
# 4 minutes on the 2-vCPU development VM (issue 15).
stage_start=$SECONDS
stage() { echo "test.sh: $1 took $((SECONDS - stage_start)) s"; stage_start=$SECONDS; }
scripts/setup.sh build
stage "release build"
meson test -C build --print-errorlogs
stage "release tests"

scripts/setup.sh build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
stage "ASan+UBSan build"
# halt_on_error: a sanitizer finding fails the test instead of scrolling past. CK_FORK=no: each
# test file's cases run in one process here. A forked case of a sanitized process pays for its
# shadow memory's page tables and a leak scan at its exit, which was most of this run's time; one
# process still leak-checks everything at its exit, and the release run above keeps a fork per case.
CK_FORK=no ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    meson test -C build-asan --print-errorlogs --timeout-multiplier 4
stage "ASan+UBSan tests"

# The CLI under valgrind memcheck, then cppcheck and clang-tidy (issue 18), on the release build.
scripts/valgrind.sh build
stage "valgrind"
scripts/static_check.sh build
stage "static checks"
# Every parser's fuzz target for a few seconds, two at a time (scripts/fuzz.sh): a crash fails the
# run and names its reproducer. Campaigns are run by hand (README "Fuzzing").
scripts/fuzz.sh --ci
stage "fuzz seconds"
