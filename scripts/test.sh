#!/usr/bin/env bash
# The whole test suite, as README.md states it and .ci/run calls it: formatting, lints,
# then every unit and integration test (the integration tests start their own servers on
# 127.0.0.1 and drive the real binary). Needs the Rust toolchain; what else the tests need
# (Chromium for the HTML report test) is installed by scripts/install-test-deps.sh. Last,
# scripts/release-check.sh checks numbers computed by the release binary itself.
#
# A failing step does not stop the others: every test binary runs (cargo's --no-fail-fast),
# and the end lists every failed step and every failed test, then exits 1. The suite must
# also leave nothing behind in the repository: files that appear during it are a failure.
set -uo pipefail
cd "$(dirname "$0")/.."

failed_steps=()
log=$(mktemp)
trap 'rm -f "$log" "$log.before" "$log.after"' EXIT

# Untracked and ignored files outside target/, before and after (tests must leave none).
leftovers() {
    git status --porcelain --ignored --untracked-files=all 2>/dev/null | grep -E '^(\?\?|!!) ' | grep -v ' target/' | sort
}
leftovers >"$log.before"

step() {
    local name=$1
    shift
    echo "==> $name"
    if ! "$@"; then
        failed_steps+=("$name")
    fi
}

step "install test dependencies" bash scripts/install-test-deps.sh
step "cargo fmt --check" cargo fmt --all -- --check
step "cargo clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
echo "==> cargo test (every test binary, even after a failure)"
if ! cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"; then
    failed_steps+=("cargo test")
fi
step "release check" bash scripts/release-check.sh

leftovers >"$log.after"
new_files=$(comm -13 "$log.before" "$log.after")
if [ -n "$new_files" ]; then
    failed_steps+=("tests left files in the repository")
fi

echo
if [ ${#failed_steps[@]} -eq 0 ]; then
    echo "test.sh: everything passed"
    exit 0
fi
echo "test.sh: FAILED"
for s in "${failed_steps[@]}"; do
    echo "  step failed: $s"
done
# `test name ... FAILED` lines, with the binary each ran in (cargo's "Running" line).
awk '/^     Running / { bin = $2 } / \.\.\. FAILED$/ { sub(/^test /, ""); sub(/ \.\.\. FAILED$/, ""); print "  test failed: " $0 "  (" bin ")" }' "$log"
grep -E '^error: ([0-9]+ targets? failed|test failed)' "$log" | sed 's/^/  /' || true
if [ -n "$new_files" ]; then
    echo "  left behind:"
    echo "$new_files" | head -n 20 | sed 's/^/    /'
fi
exit 1
