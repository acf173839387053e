#!/usr/bin/env bash
# bench/fleet/run.sh [--sizes 0,1000,10000] [--bin PATH] — the fleet benchmark (fleet.py):
# N running healthy instances, real time to advance the virtual clock a day (flat in N: no
# per-minute work), plus the cost of real events (launch, recoveries). Builds the server
# first. Loopback only, bounded; not run by the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
make -s build/recoverlab
py=python3
python3 -c 'import botocore' 2>/dev/null || py=/usr/bin/python3
exec "$py" bench/fleet/fleet.py "$@"
