#!/usr/bin/env bash
# Fuzzes loadcell's parsers with cargo-fuzz (libFuzzer), each target for a bounded time:
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
# Targets: response (HTTP/1.x response parser), scenario (scenario files), threshold
# (threshold expressions), template ({{ }} templates). Each calls the crate's hidden
# `fuzzing` entry point, whose invariants the stable tests also check on every file of the
# committed corpus (fuzz/corpus/TARGET), so CI does not need nightly.
#
# libFuzzer writes what it finds to fuzz/work/TARGET (not committed); at the end the inputs
# that add coverage are merged into fuzz/corpus/TARGET — commit those. A crash is saved under
# fuzz/artifacts/TARGET/; reproduce it with `cargo +nightly fuzz run TARGET FILE`, fix it,
# add a regression test beside the code, and copy the input into the corpus. Exits 1 if any
# target crashed. Needs the nightly toolchain and cargo-fuzz (scripts/install-fuzz-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-fuzz-deps.sh >/dev/null

seconds="${1:-60}"
shift || true
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    targets=(response scenario threshold template)
fi

failed=()
for target in "${targets[@]}"; do
    mkdir -p "fuzz/work/$target" "fuzz/corpus/$target"
    echo "fuzz: $target for ${seconds}s"
    # -rss_limit_mb and -timeout turn runaway memory or a hang on one input into a finding.
    if ! cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
        -max_total_time="$seconds" -dict="fuzz/dict/$target.dict" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 2>&1 | tee "fuzz/work/$target.log" | grep -E '^(#[0-9]+ +(DONE|INITED)|stat::|SUMMARY|==[0-9]+==)'; then
        :
    fi
    if grep -q -E 'SUMMARY|==[0-9]+== ERROR|deadly signal|panicked' "fuzz/work/$target.log"; then
        failed+=("$target")
        echo "fuzz: $target CRASHED — see fuzz/work/$target.log and fuzz/artifacts/$target/" >&2
        continue
    fi
    # Keep only inputs that add coverage to the committed corpus.
    if ! cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/corpus/$target" "fuzz/work/$target" -- \
        -merge=1 -dict="fuzz/dict/$target.dict" >"fuzz/work/$target.merge.log" 2>&1; then
        echo "fuzz: $target merge failed — see fuzz/work/$target.merge.log" >&2
        failed+=("$target (merge)")
    fi
    echo "fuzz: $target corpus $(find "fuzz/corpus/$target" -type f | wc -l) files, $(du -sb "fuzz/corpus/$target" | cut -f1) bytes"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}" >&2
    exit 1
fi
