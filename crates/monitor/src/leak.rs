//! Leak verdicts: after the warm-up, a least-squares line through a leak-prone metric (RSS,
//! open file descriptors, threads, cgroup memory and pids, heap-like Prometheus series),
//! with Newey–West standard errors — the soak analysis's trend machinery
//! (`loadcell_stability::fit`), expressed per hour.
//!
//! A metric is **growing** when the slope is positive and significant (p < 0.05), its
//! growth over one hour is at least the metric's floor, and the fitted line rose by at least
//! the metric's minimum rise within the readings. The second floor keeps a short run from
//! extrapolating one step (a new allocator arena, a few more client connections, a worker
//! thread) into an hourly leak:
//!
//! | metrics | growth per hour at least | rise within the readings at least |
//! |---|---|---|
//! | bytes (`rss_bytes`, `memory_bytes`, `anon_bytes`, heap-like series) | 16 MiB | 1 MiB |
//! | file descriptors (`fds`, `process_open_fds`) | 60 | 8 |
//! | threads and tasks (`threads`, `pids`, `go_goroutines`, `go_threads`) | 10 | 3 |
//!
//! A server's descriptors follow its client connections: a load whose connection count
//! grows (an open model adding VUs while the target is slow) grows them too, and that is
//! reported as growth, not hidden. Leak checks want a load with a bounded connection count.
//!
//! Otherwise it is **flat**, or **not enough data** below [`MIN_POINTS`] readings. With a
//! known limit (`RLIMIT_NOFILE`, `memory.max`, `pids.max`) a growing metric also gets the
//! projected hours until the fitted line reaches it.

use loadcell_schema::{LeakState, LeakVerdict};
use loadcell_stability::{fit, p_text, per_hour};

/// Fewer readings after the warm-up than this give `not enough data`.
pub const MIN_POINTS: usize = 10;

const MIB: f64 = 1024.0 * 1024.0;

/// The floors of a leak-prone metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Floor {
    /// Growth over one hour must be at least this.
    pub per_hour: f64,
    /// The fitted line must rise at least this much within the readings.
    pub rise: f64,
    bytes: bool,
}

const BYTES: Floor = Floor {
    per_hour: 16.0 * MIB,
    rise: MIB,
    bytes: true,
};
const FDS: Floor = Floor {
    per_hour: 60.0,
    rise: 8.0,
    bytes: false,
};
const TASKS: Floor = Floor {
    per_hour: 10.0,
    rise: 3.0,
    bytes: false,
};

/// The floors of `metric`, or `None` when it is not leak-prone (rates, CPU, counters).
pub fn floor_of(metric: &str) -> Option<Floor> {
    if metric.starts_with("rate(") {
        return None;
    }
    let base = metric.split('{').next().unwrap_or(metric);
    match base {
        "rss_bytes" | "memory_bytes" | "anon_bytes" | "process_resident_memory_bytes" => Some(BYTES),
        "fds" | "process_open_fds" => Some(FDS),
        "threads" | "pids" | "go_goroutines" | "go_threads" => Some(TASKS),
        _ if base.contains("heap") && base.ends_with("_bytes") => Some(BYTES),
        _ => None,
    }
}

/// The verdict on `metric` from its readings `(t_s, value)` between `from_s` and `to_s`
/// (already selected, in time order), with its limit if known.
pub fn verdict(
    metric: &str,
    floor: Floor,
    points: &[(f64, f64)],
    from_s: f64,
    to_s: f64,
    limit: Option<f64>,
) -> LeakVerdict {
    let mut v = LeakVerdict {
        metric: metric.to_string(),
        state: LeakState::NotEnoughData,
        from_s,
        to_s,
        points: points.len() as u64,
        trend: None,
        floor_per_hour: floor.per_hour,
        floor_rise: floor.rise,
        limit,
        hours_to_limit: None,
        verdict: String::new(),
    };
    let fitted = if points.len() >= MIN_POINTS {
        fit(points).ok()
    } else {
        None
    };
    let Some(line) = fitted else {
        v.verdict = format!(
            "{metric}: not enough data ({} readings after the warm-up, {MIN_POINTS} needed)",
            points.len()
        );
        return v;
    };
    let mut trend = per_hour(&line);
    let span_s = points.last().map_or(0.0, |p| p.0) - points.first().map_or(0.0, |p| p.0);
    let rise = line.slope * span_s;
    let growing = trend.significant && trend.slope_per_hour >= floor.per_hour && rise >= floor.rise;
    let amount = |x: f64| amount(floor, x);
    let p = p_text(trend.p_value);
    if growing {
        v.state = LeakState::Growing;
        let last_t = points.last().map_or(0.0, |p| p.0);
        v.hours_to_limit = limit.map(|l| ((l - line.at(last_t)) / trend.slope_per_hour).max(0.0));
        let reach = match (limit, v.hours_to_limit) {
            (Some(l), Some(h)) => format!("; reaches its limit ({}) in about {}", amount(l), hours(h)),
            _ => String::new(),
        };
        v.verdict = format!(
            "{metric} grows {} per hour ({p}, 95% CI {} to {}){reach}",
            amount(trend.slope_per_hour),
            amount(trend.slope_ci95[0]),
            amount(trend.slope_ci95[1]),
        );
    } else {
        v.state = LeakState::Flat;
        let sign = if trend.slope_per_hour < 0.0 { "−" } else { "+" };
        let why = if trend.significant && trend.slope_per_hour > 0.0 {
            format!(
                ", under the floor of {} per hour and {} in the run",
                amount(floor.per_hour),
                amount(floor.rise)
            )
        } else {
            String::new()
        };
        v.verdict = format!(
            "{metric} is flat ({sign}{} per hour, {p}{why})",
            amount(trend.slope_per_hour.abs())
        );
    }
    trend.verdict = v.verdict.clone();
    v.trend = Some(trend);
    v
}

/// `712 MiB`, `1.5 GiB`, `64 KiB` for bytes; `120`, `3.5` otherwise.
fn amount(floor: Floor, x: f64) -> String {
    if !floor.bytes {
        return if x.abs() >= 100.0 || x == x.trunc() {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        };
    }
    let a = x.abs();
    let (value, unit) = if a >= 1024.0 * MIB {
        (x / (1024.0 * MIB), "GiB")
    } else if a >= MIB {
        (x / MIB, "MiB")
    } else if a >= 1024.0 {
        (x / 1024.0, "KiB")
    } else {
        (x, "B")
    };
    if value.abs() >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

fn hours(h: f64) -> String {
    if h < 1.0 {
        format!("{:.0} min", (h * 60.0).max(1.0))
    } else {
        format!("{h:.1} h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(n: usize, f: impl Fn(f64) -> f64) -> Vec<(f64, f64)> {
        (0..n).map(|i| (10.0 + i as f64, f(i as f64))).collect()
    }

    #[test]
    fn a_steady_leak_is_growing_with_time_to_its_limit() {
        // 200 KiB/s from 50 MiB, a little noise: 703 MiB per hour.
        let pts = series(60, |t| {
            50.0 * MIB + 200.0 * 1024.0 * t + if (t as u64).is_multiple_of(2) { 4096.0 } else { 0.0 }
        });
        let floor = floor_of("rss_bytes").unwrap();
        let v = verdict("rss_bytes", floor, &pts, 10.0, 70.0, Some(2048.0 * MIB));
        assert_eq!(v.state, LeakState::Growing, "{}", v.verdict);
        let slope = v.trend.as_ref().unwrap().slope_per_hour;
        assert!((slope / (200.0 * 1024.0 * 3600.0) - 1.0).abs() < 0.01, "{slope}");
        let h = v.hours_to_limit.unwrap();
        // From ≈ 61.5 MiB at the last reading to 2 GiB at 703 MiB/h.
        assert!((h - (2048.0 - 61.5) / 703.125).abs() < 0.01, "{h}");
        assert!(
            v.verdict.starts_with("rss_bytes grows 703 MiB per hour (p < 0.001"),
            "{}",
            v.verdict
        );
        assert!(
            v.verdict.ends_with("reaches its limit (2.0 GiB) in about 2.8 h"),
            "{}",
            v.verdict
        );
    }

    #[test]
    fn noise_steps_and_short_runs_are_not_leaks() {
        let floor = floor_of("fds").unwrap();
        let flat = series(60, |t| 12.0 + if (t as u64).is_multiple_of(3) { 1.0 } else { 0.0 });
        assert_eq!(verdict("fds", floor, &flat, 0.0, 60.0, None).state, LeakState::Flat);
        // A few more connections half way: significant, 60+/h extrapolated, but a rise of 4.
        let step = series(20, |t| if t < 10.0 { 12.0 } else { 16.0 });
        let v = verdict("fds", floor, &step, 0.0, 20.0, Some(1024.0));
        assert_eq!(v.state, LeakState::Flat, "{}", v.verdict);
        assert!(v.verdict.contains("under the floor"), "{}", v.verdict);
        let short = verdict("fds", floor, &series(5, |t| t), 0.0, 5.0, None);
        assert_eq!(short.state, LeakState::NotEnoughData);
        assert!(short.verdict.contains("5 readings after the warm-up, 10 needed"));
    }

    #[test]
    fn which_metrics_are_leak_prone() {
        assert_eq!(floor_of("rss_bytes"), Some(BYTES));
        assert_eq!(floor_of("go_memstats_heap_inuse_bytes"), Some(BYTES));
        assert_eq!(floor_of("jvm_memory_heap_used_bytes{area=\"heap\"}"), Some(BYTES));
        assert_eq!(floor_of("threads"), Some(TASKS));
        assert_eq!(floor_of("process_open_fds"), Some(FDS));
        assert_eq!(floor_of("rate(go_memstats_heap_alloc_bytes_total)"), None);
        assert_eq!(floor_of("cpu_percent"), None);
        assert_eq!(floor_of("virtual_bytes"), None);
    }
}
