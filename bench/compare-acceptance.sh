#!/usr/bin/env bash
# The power / false-alarm experiment of issue #15, as BENCHMARKS.md reports it: PAIRS pairs of
# SECONDS-long closed-model runs (-c 10) against `loadcell target --latency 10ms` (base) and
# `--latency 11ms` (new: 10% slower), and PAIRS pairs of 10 ms against a second 10 ms target
# (nothing changed). Runs are interleaved (base, slow, base, same) so a change in the machine's
# load hits both kinds of pair alike. Every run is a results folder under OUT:
#   OUT/slow-N/{base,new}   10 ms vs 11 ms
#   OUT/same-N/{base,new}   10 ms vs 10 ms
# Then compare each pair with `loadcell compare BASE NEW` and count its verdicts (the first
# line of its text: loadcell compare: REGRESSED | UNCHANGED | IMPROVED; exit 1 = regressed).
# Usage: bench/compare-acceptance.sh [OUT] [PAIRS] [SECONDS]   (defaults: /tmp/loadcell-acceptance 10 10)
# Needs target/debug/loadcell (cargo build --locked). Traffic stays on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/loadcell-acceptance}
pairs=${2:-10}
secs=${3:-10}
bin=target/debug/loadcell
[ -x "$bin" ] || { echo "build first: cargo build --locked" >&2; exit 2; }
mkdir -p "$out"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

# Starts `loadcell target` on a free port with latency $1, logging to target-$2.log (its
# first line is the URL); run in this shell, not a subshell, so cleanup knows its pid.
start_target() {
    "$bin" target --port 0 --latency "$1" >"$out/target-$2.log" 2>&1 &
    pids+=($!)
}
# The URL target $1 printed, once it is listening.
url_of() {
    for _ in $(seq 200); do
        if grep -q "listening on" "$out/target-$1.log"; then
            sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$out/target-$1.log" | head -1
            return
        fi
        sleep 0.05
    done
    echo "target $1 did not start" >&2
    exit 1
}
start_target 10ms base
start_target 11ms slow
start_target 10ms same
base_url=$(url_of base)
slow_url=$(url_of slow)
same_url=$(url_of same)

run() { # URL DIR
    rm -rf "$2"
    "$bin" run "$1" -c 10 -d "${secs}s" -q --out "$2" >/dev/null
}
for i in $(seq "$pairs"); do
    run "$base_url" "$out/slow-$i/base"
    run "$slow_url" "$out/slow-$i/new"
    run "$base_url" "$out/same-$i/base"
    run "$same_url" "$out/same-$i/new"
    echo "pair $i done" >&2
done

# The verdict of `loadcell compare` on one pair folder: regressed, unchanged or improved.
verdict() {
    local code=0 first
    "$bin" compare "$1/base" "$1/new" >"$1/compare.txt" 2>&1 || code=$?
    first=$(head -1 "$1/compare.txt")
    case "$first:$code" in
        *REGRESSED*:1) echo regressed ;;
        *UNCHANGED*:0) echo unchanged ;;
        *IMPROVED*:0) echo improved ;;
        *) echo "error (exit $code): $first" ;;
    esac
}
for kind in slow same; do
    tally=""
    for i in $(seq "$pairs"); do
        v=$(verdict "$out/$kind-$i")
        echo "$kind pair $i: $v"
        tally+="$v"$'\n'
    done
    echo "$kind ($pairs pairs of ${secs}s):" $(printf '%s' "$tally" | sort | uniq -c | sed 's/^ *\([0-9]*\) \(.*\)/\2 \1,/')
done
echo "results in $out" >&2
