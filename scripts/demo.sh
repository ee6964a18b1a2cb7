#!/usr/bin/env bash
# Builds loadcell, starts its demo target on a free loopback port, load-tests it for a few
# seconds with live progress and thresholds, and stops the target. The first command of
# README.md until `loadcell demo` exists.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked
bin=target/release/loadcell
out=$(mktemp)
"$bin" target --port 0 >"$out" &
target_pid=$!
trap 'kill $target_pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 50); do grep -q listening "$out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$out")
echo "demo target at $url"
"$bin" run "$url/api/products" -r 2000/s -d 10s --warmup 2s \
  --threshold 'p99<50ms' --threshold 'error_rate<1%' --summary-json loadcell-demo-summary.json
