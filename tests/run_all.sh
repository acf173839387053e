#!/usr/bin/env bash
# run_all.sh — every test suite of recoverlab, one total at the end (what `make test` runs).
#
# Parts, in order: test dependencies (scripts/deps.sh --test), the build (the server and the
# benchmark binaries), the include check between layers (tools/check_layers.py), the unit tests
# (build/unit), the ASan+UBSan unit build (make san), the end-to-end tests (tests/e2e/run.sh)
# and, when CI=true or FUZZ_SMOKE=1, a short libFuzzer run of every target (make fuzz-smoke,
# FUZZ_SECONDS per target, 10 by default).
#
# Each part's own closing line is shown rewritten as "[part] N ok / N failing", so that the
# only line of the form "N passed, N failed" is the very last one: the sum over all parts.
# A part that ends without its count line (it crashed, or did not build) counts as one
# failure. Exit status is non-zero on any failure.
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
MAKE=${MAKE:-make}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
export FUZZ_SECONDS=${FUZZ_SECONDS:-10}

total_pass=0
total_fail=0
total_skip=0
summary_re='^[[:space:]]*([A-Za-z0-9_.-]+:[[:space:]]*)?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?[[:space:]]*$'

# Shows a part's output with its closing count lines reworded, so they cannot be mistaken
# for the final total.
reword() {
    sed -u -E 's/^([[:space:]]*)([A-Za-z0-9_.-]+:[[:space:]]*)?([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?[[:space:]]*$/\1\2\3 ok \/ \4 failing\5/'
}

# run_part NAME COUNTED CMD... — runs CMD, shows its output, adds its counts to the totals.
# COUNTED=yes: the command prints "N passed, N failed"; no: it only succeeds or fails.
run_part() {
    local name=$1 counted=$2
    shift 2
    local log rc start pass=0 fail=0 skip=0 line note=""
    log=$(mktemp)
    start=$(date +%s)
    echo "==== [$name] $*"
    "$@" </dev/null 2>&1 | tee "$log" | reword
    rc=${PIPESTATUS[0]}
    if [ "$counted" = yes ]; then
        line=$(grep -E "$summary_re" "$log" | tail -n 1 || true)
        if [ -n "$line" ]; then
            pass=$(sed -E "s/$summary_re/\\2/" <<<"$line")
            fail=$(sed -E "s/$summary_re/\\3/" <<<"$line")
            skip=$(sed -E "s/$summary_re/\\5/" <<<"$line")
            skip=${skip:-0}
            if [ "$rc" -ne 0 ] && [ "$fail" -eq 0 ]; then
                fail=1
                note=" (exited $rc after reporting no failure)"
            fi
        else
            fail=1
            note=" (exited $rc without a count: crashed or did not build)"
        fi
    elif [ "$rc" -ne 0 ]; then
        fail=1
        note=" (exited $rc)"
    fi
    rm -f "$log"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
    total_skip=$((total_skip + skip))
    local took=$(($(date +%s) - start))
    if [ "$counted" = yes ]; then
        echo "==== [$name] $pass ok / $fail failing$([ "$skip" -gt 0 ] && echo " / $skip skipped")$note, ${took}s"
    elif [ "$fail" -eq 0 ]; then
        echo "==== [$name] done, ${took}s"
    else
        echo "==== [$name] FAILED$note, ${took}s"
    fi
}

run_part deps no scripts/deps.sh --test
run_part build no "$MAKE" -j"$JOBS" all benches
run_part layers no "$MAKE" layers
run_part unit yes "$MAKE" -j"$JOBS" unit
run_part san yes "$MAKE" -j"$JOBS" san
run_part e2e yes tests/e2e/run.sh
if [ "${CI:-}" = true ] || [ "${FUZZ_SMOKE:-}" = 1 ]; then
    run_part fuzz yes "$MAKE" -j"$JOBS" fuzz-smoke
fi

final="$total_pass passed, $total_fail failed"
[ "$total_skip" -gt 0 ] && final="$final, $total_skip skipped"
echo "$final"
[ "$total_fail" -eq 0 ]
