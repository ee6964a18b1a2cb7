#!/usr/bin/env bash
# Installs what scripts/fuzz.sh needs beyond the stable toolchain, idempotently: the nightly
# toolchain (libFuzzer's sanitizer coverage needs it) and cargo-fuzz from crates.io.
# scripts/test.sh does not need either: it replays the committed corpus on stable.
set -euo pipefail

if ! rustup toolchain list | grep -q '^nightly'; then
    rustup toolchain install nightly --profile minimal
fi
if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
echo "install-fuzz-deps: $(cargo +nightly fuzz --version)"
