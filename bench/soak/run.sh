#!/usr/bin/env bash
# bench/soak/run.sh [--minutes N | --hours N] [--rate N] — see soak.py. Not run by the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -x build/recoverlab ] || make all
py=python3
python3 -c 'import botocore' 2>/dev/null || py=/usr/bin/python3
exec "$py" bench/soak/soak.py "$@"
