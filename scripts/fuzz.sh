#!/usr/bin/env bash
# Fuzzes loadcell's parsers with cargo-fuzz (libFuzzer), each target for a bounded time:
#   bash scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]      (default: 60 s, every target)
# Targets: response (HTTP/1.x response parser), scenario (scenario files), threshold
# (threshold expressions), template ({{ }} templates). Each calls the crate's hidden
# `fuzzing` entry point, whose invariants the stable tests also check on every file of the
# committed corpus (fuzz/corpus/TARGET), so CI does not need nightly.
#
# libFuzzer writes what it finds to fuzz/work/TARGET (not committed); at the end
# fuzz/corpus/TARGET is rebuilt as the smallest set of inputs covering every edge seen —
# commit it. A crash is saved under fuzz/artifacts/TARGET/; reproduce it with
# `cargo +nightly fuzz run TARGET FILE`, fix it, add a regression test beside the code, and
# copy the input to fuzz/regressions/TARGET/ (kept whole, replayed by the tests too). Exits 1
# if any target crashed. Needs nightly and cargo-fuzz (scripts/install-fuzz-deps.sh).
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
    mkdir -p "fuzz/work/$target" "fuzz/corpus/$target" "fuzz/regressions/$target"
    echo "fuzz: $target for ${seconds}s"
    # The regressions seed each run too, so the fuzzer starts from what once broke;
    # -rss_limit_mb and -timeout turn runaway memory or a hang on one input into a finding.
    if ! cargo +nightly fuzz run --fuzz-dir fuzz "$target" "fuzz/work/$target" "fuzz/corpus/$target" \
        "fuzz/regressions/$target" -- \
        -max_total_time="$seconds" -dict="fuzz/dict/$target.dict" -rss_limit_mb=1024 -timeout=10 \
        -print_final_stats=1 2>&1 | tee "fuzz/work/$target.log" | grep -E '^(#[0-9]+ +(DONE|INITED)|stat::|SUMMARY|==[0-9]+==)'; then
        :
    fi
    if grep -q -E 'SUMMARY|==[0-9]+== ERROR|deadly signal|panicked' "fuzz/work/$target.log"; then
        failed+=("$target")
        echo "fuzz: $target CRASHED — see fuzz/work/$target.log and fuzz/artifacts/$target/" >&2
        continue
    fi
    # Rebuild the committed corpus from it and the new finds, keeping the smallest set of
    # inputs that covers every edge (hit counts ignored, so it stays small to commit).
    minimized="fuzz/work/$target.min"
    rm -rf "$minimized"
    mkdir -p "$minimized"
    if cargo +nightly fuzz run --fuzz-dir fuzz "$target" "$minimized" "fuzz/corpus/$target" "fuzz/work/$target" -- \
        -merge=1 -use_counters=0 -dict="fuzz/dict/$target.dict" >"fuzz/work/$target.merge.log" 2>&1; then
        rm -rf "fuzz/corpus/$target"
        mv "$minimized" "fuzz/corpus/$target"
    else
        echo "fuzz: $target merge failed — see fuzz/work/$target.merge.log" >&2
        failed+=("$target (merge)")
    fi
    echo "fuzz: $target corpus $(find "fuzz/corpus/$target" -type f | wc -l) files, $(du -sb "fuzz/corpus/$target" | cut -f1) bytes"
done

if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: crashes in ${failed[*]}" >&2
    exit 1
fi
