#!/usr/bin/env bash
# The whole test suite, as README.md states it and .ci/run calls it: formatting, lints,
# then every unit and integration test (the integration tests start their own servers on
# 127.0.0.1 and drive the real binary). Needs the Rust toolchain; what else the tests need
# (Chromium for the HTML report test) is installed by scripts/install-test-deps.sh. Last,
# scripts/release-check.sh checks numbers computed by the release binary itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
bash scripts/release-check.sh
