#!/usr/bin/env bash
# bench/alarms/run.sh [alarms=100000] [minutes=5] [noisy%=100] [db=:memory:] — builds the
# alarm engine benchmark (make build/bench_alarms: bench_alarms.c linked with the library
# objects; make test builds it too) and runs it: CPU time of each virtual minute's evaluation
# sweep. Not run by the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
make -s build/bench_alarms >/dev/null
exec build/bench_alarms "$@"
