#!/usr/bin/env bash
# deps.sh — installs what recoverlab needs on Debian 12, and nothing when it is all there.
#
#   scripts/deps.sh --check-build   exit 0 iff every build package is installed (silent, fast)
#   scripts/deps.sh --build         install the build packages
#   scripts/deps.sh --test          build + test packages, and the AWS SDK for JavaScript v3
#                                   (npm, into the git-ignored tests/e2e/node_modules)
#   scripts/deps.sh --bench         build packages + what `make bench` runs (wrk, nginx-light
#                                   as the static-file reference column)
#
# apt-get update runs only when something must be installed. Runs as root directly, through
# sudo otherwise. Quiet when everything is present; apt's output is shown only on failure.
set -euo pipefail

BUILD_PKGS=(libmicrohttpd-dev libjansson-dev libyaml-dev libcbor-dev libsqlite3-dev libssl-dev
            libcurl4-openssl-dev libxml2-dev pkg-config gcc make libpcre2-dev)
TEST_PKGS=(awscli python3-boto3 python3-botocore curl wrk clang-14 libclang-rt-14-dev python3)
BENCH_PKGS=(wrk nginx-light python3-botocore)

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
e2e="$root/tests/e2e"

usage() {
    echo "usage: scripts/deps.sh --check-build | --build | --test" >&2
    exit 2
}

# Prints the packages of "$@" that are not installed (one dpkg-query call for all of them).
missing_pkgs() {
    local installed
    installed=$(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
                awk '$NF == "installed" && $(NF-1) == "ok" { print $1 }' || true)
    local p
    for p in "$@"; do
        grep -qxF "$p" <<<"$installed" || echo "$p"
    done
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "deps.sh: need root (or sudo) to run: $*" >&2
        exit 1
    fi
}

# Installs the given Debian packages (apt-get update first), showing apt's log on failure.
apt_install() {
    [ "$#" -gt 0 ] || return 0
    local log
    log=$(mktemp)
    echo "deps.sh: installing $*" >&2
    if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$log" 2>&1 ||
       ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
             --no-install-recommends "$@" >>"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "deps.sh: apt-get failed" >&2
        exit 1
    fi
    rm -f "$log"
}

# The JS SDK v3 clients the e2e tests use, installed from the committed lock file.
npm_deps() {
    local mods="$e2e/node_modules"
    if [ -f "$e2e/package-lock.json" ] && [ -f "$mods/.package-lock.json" ] &&
       [ "$mods/.package-lock.json" -nt "$e2e/package-lock.json" ] &&
       [ -d "$mods/@aws-sdk/client-cloudwatch" ] && [ -d "$mods/@aws-sdk/client-sts" ] &&
       [ -d "$mods/@aws-sdk/client-ec2" ] && [ -d "$mods/@aws-sdk/client-sns" ]; then
        return 0
    fi
    local log
    log=$(mktemp)
    echo "deps.sh: installing the AWS SDK for JavaScript v3 into tests/e2e/node_modules" >&2
    local cmd=(npm install)
    [ -f "$e2e/package-lock.json" ] && cmd=(npm ci)
    if ! (cd "$e2e" && "${cmd[@]}" --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        echo "deps.sh: ${cmd[*]} failed in tests/e2e" >&2
        exit 1
    fi
    rm -f "$log"
}

[ "$#" -eq 1 ] || usage
case "$1" in
--check-build)
    [ -z "$(missing_pkgs "${BUILD_PKGS[@]}")" ]
    ;;
--build)
    mapfile -t need < <(missing_pkgs "${BUILD_PKGS[@]}")
    apt_install "${need[@]}"
    ;;
--test)
    mapfile -t need < <(missing_pkgs "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}")
    # A NodeSource nodejs bundles npm and conflicts with Debian's npm package: ask apt for
    # Node.js only when the commands are missing.
    command -v node >/dev/null 2>&1 || need+=(nodejs)
    command -v npm >/dev/null 2>&1 || need+=(npm)
    apt_install "${need[@]}"
    npm_deps
    ;;
--bench)
    mapfile -t need < <(missing_pkgs "${BUILD_PKGS[@]}" "${BENCH_PKGS[@]}")
    apt_install "${need[@]}"
    ;;
*)
    usage
    ;;
esac
