#!/usr/bin/env bash
# smoke.sh BIN... — a short libFuzzer run of each target (what `make fuzz-smoke` runs).
#
# Each target runs FUZZ_SECONDS (default 10) on a copy of its seed corpus fuzz/seeds/<name>/
# (when there is one). Any crash, leak, sanitizer report or timeout fails the target; the
# reproducer is kept in build-fuzz/artifacts/. One line per target, then
# "fuzz: N passed, N failed"; exit status non-zero when any target failed.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
secs=${FUZZ_SECONDS:-10}
artifacts=build-fuzz/artifacts
mkdir -p "$artifacts"
pass=0
fail=0

if [ "$#" -eq 0 ]; then
    echo "usage: fuzz/smoke.sh BIN..." >&2
    exit 2
fi

for bin in "$@"; do
    name=$(basename "$bin")
    work=$(mktemp -d)
    mkdir -p "$work/corpus"
    if [ -d "fuzz/seeds/$name" ]; then
        cp -R "fuzz/seeds/$name/." "$work/corpus/"
    fi
    nseeds=$(find "$work/corpus" -type f | wc -l)
    if [ ! -x "$bin" ]; then
        echo "$name: FAIL (no such binary: $bin)"
        fail=$((fail + 1))
        rm -rf "$work"
        continue
    fi
    # (in a subshell, so that bash's "Aborted" notice goes to the log, not the terminal)
    (ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
     UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
         "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
         -artifact_prefix="$artifacts/$name-" "$work/corpus"
     exit $?) >"$work/log" 2>&1
    rc=$?
    runs=$(sed -nE 's/^Done ([0-9]+) runs in ([0-9]+) second.*/\1 runs in \2 s/p' "$work/log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        echo "$name: ok (${runs:-? runs}, $nseeds seeds)"
        pass=$((pass + 1))
    else
        echo "$name: FAIL (exit $rc; artifacts in $artifacts/)"
        grep -E 'ERROR: |SUMMARY: |runtime error:|^artifact_prefix|Test unit written' "$work/log" |
            head -n 20 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
    rm -rf "$work"
done

echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
