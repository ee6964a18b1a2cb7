#!/usr/bin/env bash
# machine-stalls.sh — how often this machine itself stops a thread for a millisecond or more,
# with no load generator running. Any latency figure under a few milliseconds measured here
# carries these stalls, whichever tool measures it (BENCHMARKS.md, "What this machine adds").
#
# Three measurements, each SECONDS long (default 10), run one after the other:
#   sleep  a thread on CPU 0 sleeps 160 µs at a time (the open model's wake-up spacing at
#          50,000/s): how often it woke more than 1 ms and 3 ms late, and the latest wake-up;
#   spin   a thread on each CPU reads the clock in a loop, both at once (as loadcell and nginx
#          keep both busy during a benchmark): gaps over 1 ms are time the CPU was taken away;
#   kernel which kernel threads ran meanwhile and for how long (from /proc: kdamond, the
#          kernel's memory-access monitor, takes ~1 ms of a CPU about every 0.5 s on this VM).
# Python only (no compiler needed); its own overhead is tens of microseconds, far below the
# millisecond stalls counted.
#   bash bench/machine-stalls.sh [SECONDS]
set -euo pipefail
secs=${1:-10}

kernel_cpu() {
  for stat in /proc/[0-9]*/stat; do
    read -r line <"$stat" 2>/dev/null || continue
    comm=${line#*(}; comm=${comm%%)*}
    rest=${line##*) }
    # Kernel threads are children of kthreadd (pid 2); fields 14/15 are utime/stime in ticks.
    set -- $rest
    [ "${2:-}" = 2 ] || continue
    echo "$comm $(( ${12} + ${13} ))"
  done | sort
}

before=$(kernel_cpu)
taskset -c 0 python3 - "$secs" <<'PY'
import sys, time
secs = float(sys.argv[1]); step = 160e-6
end = time.monotonic() + secs; n = late1 = late3 = 0; worst = 0.0
while time.monotonic() < end:
    due = time.monotonic() + step
    time.sleep(step)
    late = time.monotonic() - due
    n += 1; worst = max(worst, late)
    late1 += late > 1e-3; late3 += late > 3e-3
print(f"sleep  CPU 0: {n} sleeps of 160 us, {late1} woke >1 ms late, {late3} >3 ms, latest {worst*1e3:.2f} ms")
PY
spin() {
  taskset -c "$1" python3 - "$secs" "$1" <<'PY'
import sys, time
secs = float(sys.argv[1])
now = time.monotonic; start = last = now(); end = start + secs; gaps1 = gaps3 = 0; worst = 0.0
while True:
    t = now(); gap = t - last; last = t
    if gap > 1e-3:
        gaps1 += 1; gaps3 += gap > 3e-3; worst = max(worst, gap)
    if t > end:
        break
print(f"spin   CPU {sys.argv[2]}: {gaps1} gaps >1 ms, {gaps3} >3 ms, longest {worst*1e3:.2f} ms in {secs:.0f} s")
PY
}
# Both CPUs busy at once, as during a benchmark: a kernel thread must then take one of them.
spin 0 & spin 1; wait
after=$(kernel_cpu)
echo "kernel threads that ran (CPU ms over both measurements):"
join <(echo "$before") <(echo "$after") | awk -v hz="$(getconf CLK_TCK)" \
  '{ d = ($3 - $2) * 1000 / hz; if (d > 0) printf "  %-24s %6.0f ms\n", $1, d }' | sort -k2 -n -r | head -8
