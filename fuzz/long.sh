#!/usr/bin/env bash
# long.sh BIN... — the long fuzzing run (what `make fuzz-long` runs): each target runs until
# FUZZ_RUNS executions (default 10 000 000; FUZZ_MAX_SECONDS caps the time, default none) on
# its committed corpus fuzz/corpus/<target>/ (created from fuzz/seeds/<target>/ the first
# time). New inputs that add coverage are merged back into fuzz/corpus/<target>/ (minimised
# with -merge=1), to be committed. Crashes, leaks, timeouts and sanitizer reports fail the
# target; reproducers go to build-fuzz/artifacts/. One line per target with its executions,
# seconds and corpus size, then "fuzz-long: N passed, N failed".
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
runs=${FUZZ_RUNS:-10000000}
maxsecs=${FUZZ_MAX_SECONDS:-0}
jobs=${FUZZ_JOBS:-1}
artifacts=build-fuzz/artifacts
mkdir -p "$artifacts"
pass=0
fail=0
[ "$#" -gt 0 ] || { echo "usage: fuzz/long.sh BIN..." >&2; exit 2; }

for bin in "$@"; do
    name=$(basename "$bin")
    corpus=fuzz/corpus/$name
    mkdir -p "$corpus"
    if [ -z "$(ls -A "$corpus")" ] && [ -d "fuzz/seeds/$name" ]; then
        cp -R "fuzz/seeds/$name/." "$corpus/"
    fi
    work=$(mktemp -d)
    mkdir -p "$work/new"
    start=$(date +%s)
    (ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
     UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
         "$bin" -runs="$runs" -max_total_time="$maxsecs" -timeout=10 -rss_limit_mb=2048 \
         -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work/new" "$corpus"
     exit $?) >"$work/log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$work/log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        # keep what added coverage, minimised against what the corpus already has
        if [ -n "$(ls -A "$work/new")" ]; then
            "$bin" -merge=1 "$corpus" "$work/new" >"$work/merge.log" 2>&1 ||
                echo "$name: merge failed (corpus unchanged)" >&2
        fi
        n=$(find "$corpus" -type f | wc -l)
        echo "$name: ok (${execs:-?} executions in ${took} s, corpus $n inputs)"
        pass=$((pass + 1))
    else
        echo "$name: FAIL (exit $rc after ${execs:-?} executions in ${took} s; artifacts in $artifacts/)"
        grep -E 'ERROR: |SUMMARY: |runtime error:|Test unit written' "$work/log" |
            head -n 20 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
    rm -rf "$work"
done

echo "fuzz-long: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
