#!/usr/bin/env bash
# bench/run.sh — recoverlab and `python3 -m moto.server` side by side (see bench/bench.py):
# start time to the first signed answer, idle RSS, and signed keep-alive requests/s with wrk.
# Loopback only, bounded (BENCH_SECONDS per wrk run, default 5). Not run by the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/deps.sh --bench # wrk, and nginx-light for the reference column
py=python3
python3 -c 'import botocore' 2>/dev/null || py=/usr/bin/python3
exec "$py" bench/bench.py "$@"
