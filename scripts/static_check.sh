#!/usr/bin/env bash
# Static analysis of the translation units in build/compile_commands.json: cppcheck on all of
# them (harness/, kernels/, tests/), then clang-tidy with the checks of .clang-tidy (bugprone-*,
# cert-*, clang-analyzer-*) on harness/ and kernels/ (the tests run the binary through the shell
# and compare floats' bits on purpose, which cert-env33-c and cert-flp37-c exist to flag). A finding fails the script; a suppression carries its reason where it is
# written (.clang-tidy, scripts/cppcheck/, an inline NOLINT or cppcheck-suppress).
#
# The Clang static analyzer costs several times the other checks, too much for every file on
# every CI run, so without --all it runs on a share of the files: those changed since the
# merge-base with main, those changed by HEAD's own commit (a clean clone at main), uncommitted
# changes, and any that include a changed header; plus one of ROTATION fixed slices of the rest,
# chosen by the commit count, so that ROTATION consecutive commits analyze every file.
# Usage: scripts/static_check.sh [--all] [BUILD_DIR]   (STATIC_JOBS=N: files at once, default 2)
set -euo pipefail
cd "$(dirname "$0")/.."

all=0
[ "${1:-}" = --all ] && { all=1; shift; }
build=${1:-build}
jobs=${STATIC_JOBS:-2}
ROTATION=4
db=$build/compile_commands.json
[ -f "$db" ] || { echo "static_check.sh: $db not found (run scripts/setup.sh first)" >&2; exit 1; }
for tool in cppcheck clang-tidy; do
    command -v "$tool" >/dev/null || { echo "static_check.sh: $tool not installed (run scripts/setup.sh)" >&2; exit 1; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tokbench-static-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
failed=0

# --- cppcheck -------------------------------------------------------------------------------------
# warning, portability, performance: the defect classes. Its "style" class (scopes, const,
# conditions it finds constant in one instantiation of a kernel template) finds no defect here.
# No system header is read (that would take minutes); the libraries are described by cppcheck's
# own configurations and, for jansson's macros, by scripts/cppcheck/jansson.cfg.
start=$SECONDS
if ! cppcheck --project="$db" -j"$jobs" --quiet --error-exitcode=1 --inline-suppr \
        --enable=warning,portability,performance \
        --library=posix --library=gnu --library=sqlite3 --library=scripts/cppcheck/jansson.cfg \
        --suppressions-list=scripts/cppcheck/suppressions.txt \
        --template='{file}:{line}: {severity}: {message} [{id}]' >"$scratch/cppcheck" 2>&1; then
    cat "$scratch/cppcheck" >&2
    failed=1
fi
echo "static_check.sh: cppcheck $((SECONDS - start)) s"

# --- clang-tidy -----------------------------------------------------------------------------------
# the translation units of harness/ and kernels/, relative to the repository root
python3 - "$db" >"$scratch/units" <<'EOF'
import json, os, sys
root = os.getcwd()
for e in json.load(open(sys.argv[1])):
    path = os.path.relpath(os.path.normpath(os.path.join(e["directory"], e["file"])), root)
    if path.startswith(("harness/", "kernels/")):
        print(path)
EOF

if [ "$all" = 1 ]; then
    cp "$scratch/units" "$scratch/analyze"
else
    {   base=$(git merge-base HEAD main 2>/dev/null || true)
        [ -n "$base" ] && git diff --name-only "$base" --
        git rev-parse -q --verify HEAD~1 >/dev/null && git diff --name-only HEAD~1 HEAD --
        git diff --name-only HEAD --
    } 2>/dev/null | sort -u >"$scratch/changed" || true
    # a changed header: every unit that includes it, from the dependencies ninja recorded
    ninja -C "$build" -t deps 2>/dev/null | awk '
        FILENAME == ARGV[1] { if ($0 ~ /\.h$/) h["/" $0] = 1; next }
        /^[^ ]/ { src = ""; next }
        src == "" { src = $1; sub(/^(\.\.\/)+/, "", src); next }
        { for (x in h) if (substr($1, length($1) - length(x) + 1) == x) print src }
    ' "$scratch/changed" - | sort -u >>"$scratch/changed"
    slice=$(( $(git rev-list --count HEAD 2>/dev/null || echo 0) % ROTATION ))
    awk -v n="$ROTATION" -v s="$slice" 'FILENAME == ARGV[1] { c[$0] = 1; next } c[$0] || (FNR - 1) % n == s' \
        "$scratch/changed" "$scratch/units" >"$scratch/analyze"
fi

# tidy CHECKS LIST PER_RUN: clang-tidy on each file of LIST, PER_RUN files to a process and $jobs
# processes at once; the .clang-tidy checks less those CHECKS removes. Prints the findings and
# returns 1 when there are any.
tidy() {
    xargs -a "$2" -P "$jobs" -n "$3" clang-tidy -p "$build" --quiet --checks="$1" >"$scratch/tidy" 2>&1 || true
    if grep -qE ': (warning|error):' "$scratch/tidy"; then
        grep -vE '^[0-9]+ warnings? generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter' "$scratch/tidy" >&2
        return 1
    fi
}
start=$SECONDS
tidy '-clang-analyzer-*' "$scratch/units" 4 || failed=1
echo "static_check.sh: clang-tidy bugprone, cert on $(wc -l <"$scratch/units") files $((SECONDS - start)) s"
start=$SECONDS
# One file to a process: clang-tidy 14's analyzer carries state from one file to the next (its
# va_list checker takes each va_start after the first file's for none: LLVM bug 41311), so a
# file's findings would depend on which files share its process, which the slice changes.
tidy '-bugprone-*,-cert-*' "$scratch/analyze" 1 || failed=1
echo "static_check.sh: clang-tidy clang-analyzer on $(wc -l <"$scratch/analyze") files $((SECONDS - start)) s"

[ "$failed" = 0 ] && echo "static_check.sh: no finding"
exit "$failed"
