#!/usr/bin/env bash
# Runs the end-to-end tests (tests/e2e/run.py) against build/recoverlab.
# Usage: tests/e2e/run.sh [-j JOBS] [-v] [-k] [NAME_SUBSTRING...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec python3 tests/e2e/run.py "$@"
