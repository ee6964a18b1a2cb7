#!/usr/bin/env bash
# Times `loadcell report` on a one-hour results folder of the 13-endpoint shop scenario.
# A real 5 s run against `loadcell target` gives meta.json and real interval lines; one of
# them is repeated 3,600 times (one per second of an hour) to make the folder.
# Usage: bash bench/one-hour-report.sh   (after cargo build --release)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=target/release/loadcell
work=$(mktemp -d)
trap 'kill $target_pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" target --port 0 >"$work/target.out" &
target_pid=$!
for _ in $(seq 50); do grep -q listening "$work/target.out" && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$work/target.out")
"$bin" run examples/shop.yaml --base-url "$url" -d 5s -q --out "$work/short" >/dev/null
mkdir "$work/hour"
cp "$work/short/meta.json" "$work/hour/"
python3 - "$work/short/intervals.ndjson" "$work/hour/intervals.ndjson" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
src = json.loads(lines[len(lines) // 2])
with open(sys.argv[2], "w") as out:
    for i in range(3600):
        src.update(seq=i, t_s=float(i + 1), len_s=1.0, warmup=False)
        out.write(json.dumps(src) + "\n")
PY
echo "intervals.ndjson: $(du -h "$work/hour/intervals.ndjson" | cut -f1) for 3600 intervals"
/usr/bin/time -f "loadcell report: %e s wall, %M KB max RSS" "$bin" report "$work/hour" >/dev/null
echo "report.html: $(du -h "$work/hour/report.html" | cut -f1)"
