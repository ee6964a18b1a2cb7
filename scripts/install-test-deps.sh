#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently and without
# prompts: Debian's `chromium`, which tests/report/ uses to open report.html headless and
# check that every chart rendered without a script error. Does nothing when
# /usr/bin/chromium is already there; runs `apt-get update` only when the package lists
# do not know chromium yet. Needs root (or sudo) and Debian's package registry.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# apt-cache policy prints "Candidate: (none)" (or nothing) when the lists lack the package.
if ! apt-cache policy chromium 2>/dev/null | grep -q 'Candidate: [0-9]'; then
    $SUDO apt-get update -qq
fi
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null

if [ ! -x /usr/bin/chromium ]; then
    echo "install-test-deps: chromium did not install to /usr/bin/chromium" >&2
    exit 1
fi
echo "install-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
