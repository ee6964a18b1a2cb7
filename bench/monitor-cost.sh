#!/usr/bin/env bash
# The --monitor cost through the command line: loadcell's own CPU (user+sys from
# /usr/bin/time) for the same fixed-rate run without and with three sources — the target's
# pid, the host, and a node_exporter-shaped Prometheus page (8 CPUs × 8 modes and 300 more
# families, served by python3 -m http.server) — interleaved, loadcell pinned to CPU 0, the
# target and the exporter to CPU 1.
#   bash bench/monitor-cost.sh [SECONDS] [RATE] [REPEATS]     (default 30 500 3)
# Needs a release build (cargo build --release --locked), python3 and taskset.
set -euo pipefail
bin=${LOADCELL:-target/release/loadcell}
secs=${1:-30}; rate=${2:-500}; reps=${3:-3}
port=18979
tmp=$(mktemp -d)
python3 - "$tmp/metrics" <<'PY'
import sys
body = "# TYPE node_cpu_seconds_total counter\n"
for cpu in range(8):
    for mode in ["idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"]:
        body += f'node_cpu_seconds_total{{cpu="{cpu}",mode="{mode}"}} {cpu * 1000}.5\n'
for i in range(300):
    body += f'# HELP node_misc_{i} Something.\n# TYPE node_misc_{i} gauge\nnode_misc_{i}{{a="x"}} {i}\n'
body += "# TYPE node_load1 gauge\nnode_load1 0.5\n"
body += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.5e+07\n"
open(sys.argv[1], "w").write(body)
PY
taskset -c 1 "$bin" target --port 0 >"$tmp/target.out" 2>&1 &
target_pid=$!
taskset -c 1 python3 -m http.server "$port" --bind 127.0.0.1 --directory "$tmp" >/dev/null 2>&1 &
exporter_pid=$!
trap 'kill $target_pid $exporter_pid 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 1
url=$(sed -n 's/loadcell target listening on //p' "$tmp/target.out")
printf '%-10s %8s %8s %10s\n' mode elapsed cpu_s cpu_pct
for _ in $(seq "$reps"); do
  for mode in plain monitored; do
    extra=()
    if [ "$mode" = monitored ]; then
      extra=(--monitor "pid:$target_pid" --monitor host --monitor "prometheus:http://127.0.0.1:$port/metrics")
    fi
    /usr/bin/time -f '%e %U %S' -o "$tmp/time" taskset -c 0 "$bin" run "$url" -r "$rate" -d "${secs}s" \
      -q --no-out --threads 1 "${extra[@]}" >"$tmp/run.out" 2>&1
    read -r el us sy <"$tmp/time"
    awk -v m="$mode" -v el="$el" -v us="$us" -v sy="$sy" \
      'BEGIN{printf "%-10s %8.2f %8.2f %9.2f%%\n", m, el, us + sy, (us + sy) / el * 100}'
  done
done
