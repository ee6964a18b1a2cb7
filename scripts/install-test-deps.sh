#!/usr/bin/env bash
# Installs what the test suite needs beyond the Rust toolchain, idempotently and without
# prompts:
#   - Debian's `chromium`: tests/report/ opens report.html headless and checks that every
#     chart rendered without a script error;
#   - Debian's `linux-perf`: tests/monitor/ records a target's on-CPU stacks for the flame
#     graph;
#   - Debian's `postgresql` and `postgresql-contrib` (pg_stat_statements): the test kit
#     starts a throw-away cluster in a temporary folder for the `--postgres` tests (and
#     `loadcell demo` for its database act). The
#     server refuses to run as root, so it runs as the `postgres` user, which the
#     Debian package creates (and this script creates when it is missing);
#   - Debian's `golang-go`: crates/bench runs the Go benchmark fixture (tests/fixtures/bench-go);
#   - Debian's `caddy`: tests/http_wire/ (zstd, TLS with SNI, mutual TLS);
#   - Debian's `iproute2` (`ip`): tests/netns.rs runs each part in a network namespace of
#     its own;
#   - pytest and pytest-benchmark (from PyPI with `python3 -m pip`, or Debian's packages where
#     pip may not install): crates/bench runs the pytest-benchmark fixture
#     (tests/fixtures/bench-pytest);
#   - httpbin and gunicorn from PyPI, in their own virtual environment at
#     /opt/loadcell-test/httpbin (Debian's `python3-venv` when the venv module is missing):
#     the test kit starts httpbin as a real third-party HTTP service (redirects, compression,
#     uploads, cookies).
#   - kubernetes-validate (pinned) from PyPI, in its own virtual environment at
#     /opt/loadcell-test/kubernetes-validate: tests/k8s.rs validates `loadcell k8s`'s
#     manifests against the Kubernetes OpenAPI schemas it ships (offline), and reads them
#     back with its PyYAML;
# (criterion, for the Cargo fixture, comes from crates.io when the test builds it.)
# Each is skipped when already there; `apt-get update` runs only when the package lists do
# not know a package yet. Needs root (or sudo), Debian's package registry and PyPI.
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# apt-get install PACKAGE…, updating the lists first if one of them has no candidate
# (apt-cache policy prints "Candidate: (none)", or nothing, when the lists lack it).
apt_install() {
    for pkg in "$@"; do
        if ! apt-cache policy "$pkg" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
            $SUDO apt-get update -qq
            break
        fi
    done
    $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium fonts-dejavu-core
    if [ ! -x /usr/bin/chromium ]; then
        echo "install-test-deps: chromium did not install to /usr/bin/chromium" >&2
        exit 1
    fi
    echo "install-test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
fi

if ! command -v perf >/dev/null 2>&1; then
    apt_install linux-perf
    if ! command -v perf >/dev/null 2>&1; then
        echo "install-test-deps: perf did not install (package linux-perf)" >&2
        exit 1
    fi
    echo "install-test-deps: $(perf --version 2>/dev/null || echo perf installed)"
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    || ! ls /usr/share/postgresql/*/extension/pg_stat_statements.control >/dev/null 2>&1; then
    apt_install postgresql postgresql-contrib
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        echo "install-test-deps: PostgreSQL did not install (package postgresql)" >&2
        exit 1
    fi
    echo "install-test-deps: $(ls -d /usr/lib/postgresql/*/bin | tail -n 1 | xargs -I{} {}/postgres --version)"
fi
# The cluster the tests start must not run as root; the package makes this user, but a
# slimmed image may lack it.
if ! id -u postgres >/dev/null 2>&1; then
    $SUDO useradd --system --home-dir /var/lib/postgresql --shell /usr/sbin/nologin postgres
fi

if ! command -v go >/dev/null 2>&1; then
    apt_install golang-go
    if ! command -v go >/dev/null 2>&1; then
        echo "install-test-deps: golang-go did not install a go command" >&2
        exit 1
    fi
    echo "install-test-deps: $(go version)"
fi

if ! python3 -c 'import pytest, pytest_benchmark' >/dev/null 2>&1; then
    # A system Python may refuse pip (PEP 668, "externally managed"): take Debian's packages.
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore pytest pytest-benchmark \
        || apt_install python3-pytest python3-pytest-benchmark
    python3 -c 'import pytest, pytest_benchmark' || {
        echo "install-test-deps: pytest-benchmark did not install for python3" >&2
        exit 1
    }
    echo "install-test-deps: pytest $(python3 -m pytest --version 2>&1 | head -1)"
fi

HTTPBIN_VENV=/opt/loadcell-test/httpbin
if [ ! -x "$HTTPBIN_VENV/bin/gunicorn" ] || ! "$HTTPBIN_VENV/bin/python" -c 'import httpbin' >/dev/null 2>&1; then
    $SUDO mkdir -p "$(dirname "$HTTPBIN_VENV")"
    python3 -m venv "$HTTPBIN_VENV" 2>/dev/null || { apt_install python3-venv && $SUDO python3 -m venv "$HTTPBIN_VENV"; }
    $SUDO "$HTTPBIN_VENV/bin/pip" install --quiet --disable-pip-version-check httpbin gunicorn
    "$HTTPBIN_VENV/bin/python" -c 'import httpbin' || {
        echo "install-test-deps: httpbin did not install into $HTTPBIN_VENV" >&2
        exit 1
    }
    echo "install-test-deps: httpbin $("$HTTPBIN_VENV/bin/pip" show httpbin 2>/dev/null | sed -n 's/^Version: //p') under gunicorn $("$HTTPBIN_VENV/bin/gunicorn" --version 2>&1 | grep -o '[0-9.]*' | head -1)"
fi

# Debian's `iproute2` (`ip`): the test kit's network namespaces (crates/testkit/src/netns.rs)
# give each part of tests/netns.rs its own IP; creating them also needs root.
if ! command -v ip >/dev/null 2>&1; then
    apt_install iproute2
    if ! command -v ip >/dev/null 2>&1; then
        echo "install-test-deps: ip did not install (package iproute2)" >&2
        exit 1
    fi
    echo "install-test-deps: $(ip -V 2>/dev/null || echo iproute2 installed)"
fi

# Debian's `caddy`: tests/http_wire/ starts it on a loopback port as the server that answers
# in zstd (`encode zstd`), presents a certificate for a name that does not resolve (SNI with
# --resolve), and requires client certificates (mutual TLS).
if ! command -v caddy >/dev/null 2>&1; then
    apt_install caddy
    if ! command -v caddy >/dev/null 2>&1; then
        echo "install-test-deps: caddy did not install (package caddy)" >&2
        exit 1
    fi
    echo "install-test-deps: caddy $(caddy version 2>/dev/null | head -1)"
fi

KUBERNETES_VALIDATE_VERSION=1.37.0
KV_VENV=/opt/loadcell-test/kubernetes-validate
if ! "$KV_VENV/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$KUBERNETES_VALIDATE_VERSION"; then
    $SUDO mkdir -p "$(dirname "$KV_VENV")"
    python3 -m venv "$KV_VENV" 2>/dev/null || { apt_install python3-venv && $SUDO python3 -m venv "$KV_VENV"; }
    $SUDO "$KV_VENV/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
    "$KV_VENV/bin/python" -c 'import yaml, kubernetes_validate' || {
        echo "install-test-deps: kubernetes-validate did not install into $KV_VENV" >&2
        exit 1
    }
    echo "install-test-deps: kubernetes-validate $("$KV_VENV/bin/kubernetes-validate" --version 2>&1)"
fi
