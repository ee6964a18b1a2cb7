#!/usr/bin/env bash
# The whole test suite, as README.md states it and .ci/run calls it: formatting, lints,
# then every unit and integration test (the integration tests start their own servers on
# 127.0.0.1 and drive the real binary). Needs only the Rust toolchain.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo test --workspace --locked
