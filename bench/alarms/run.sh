#!/usr/bin/env bash
# bench/alarms/run.sh [alarms=100000] [minutes=5] [noisy%=100] [db=:memory:] — builds the
# library objects (make), links the alarm engine benchmark (bench_alarms.c) against them and
# runs it: CPU time of each virtual minute's evaluation sweep. Not run by the tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
make -s build/recoverlab >/dev/null
PKGS="libmicrohttpd jansson yaml-0.1 libcbor sqlite3 libcrypto libcurl"
out=build/bench_alarms
cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Isrc $(pkg-config --cflags $PKGS) \
    -o "$out" bench/alarms/bench_alarms.c $(find build/src -name '*.o' ! -name main.o | sort) \
    $(pkg-config --libs $PKGS) -lm
exec "$out" "$@"
