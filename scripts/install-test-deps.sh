#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently and without
# prompts, from Debian's package registry:
#   - `chromium`, which tests/report/ uses to open report.html headless and check that
#     every chart rendered without a script error;
#   - `perf` (package `linux-perf`), which tests/monitor/ uses to record a target's on-CPU
#     stacks for the flame graph.
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
if [ ${#missing[@]} -eq 0 ]; then
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
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

if [ ! -x /usr/bin/chromium ]; then
    echo "install-test-deps: chromium did not install to /usr/bin/chromium" >&2
    exit 1
fi
if ! command -v perf >/dev/null 2>&1; then
    echo "install-test-deps: perf did not install (package linux-perf)" >&2
    exit 1
fi
echo "install-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed); $(perf --version 2>/dev/null || echo perf installed)"
