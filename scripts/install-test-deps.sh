#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently and without
# prompts, from Debian's package registry:
#   - `chromium`, which tests/report/ uses to open report.html headless and check that
#     every chart rendered without a script error;
#   - `perf` (package `linux-perf`), which tests/monitor/ uses to record a target's on-CPU
#     stacks for the flame graph;
#   - PostgreSQL (packages `postgresql`, `postgresql-contrib` for pg_stat_statements): the
#     test kit starts a throw-away cluster in a temporary folder for the `--postgres` tests.
#     The server refuses to run as root, so the kit runs it as the `postgres` user, which
#     the Debian package creates (and this script creates when it is missing).
# Does nothing for a tool that is already there; runs `apt-get update` only when the
# package lists do not know a missing package yet. Needs root (or sudo).
set -euo pipefail

missing=()
if [ ! -x /usr/bin/chromium ]; then
    missing+=(chromium fonts-dejavu-core)
fi
if ! command -v perf >/dev/null 2>&1; then
    missing+=(linux-perf)
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || ! ls /usr/share/postgresql/*/extension/pg_stat_statements.control >/dev/null 2>&1; then
    missing+=(postgresql postgresql-contrib)
fi
if [ ${#missing[@]} -eq 0 ] && id -u postgres >/dev/null 2>&1; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# apt-cache policy prints "Candidate: (none)" (or nothing) when the lists lack a package.
for package in "${missing[@]}"; do
    if ! apt-cache policy "$package" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        $SUDO apt-get update -qq
        break
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The cluster the tests start must not run as root; the package makes this user, but a
# slimmed image may lack it.
if ! id -u postgres >/dev/null 2>&1; then
    $SUDO useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "install-test-deps: chromium did not install to /usr/bin/chromium" >&2
    exit 1
fi
if ! command -v perf >/dev/null 2>&1; then
    echo "install-test-deps: perf did not install (package linux-perf)" >&2
    exit 1
fi
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "install-test-deps: PostgreSQL did not install (package postgresql)" >&2
    exit 1
fi
echo "install-test-deps: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1 | xargs -I{} {}/postgres --version); $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed); $(perf --version 2>/dev/null || echo perf installed)"
