//! When things should happen, as pure functions of time since the start of the run:
//! the open model's arrival times (rate ramped linearly within stages) and the closed
//! model's VU target (VUs ramped linearly within stages).
//!
//! Arrival times are computed from the closed-form inverse of the cumulative arrival
//! function, never by accumulating sleeps, so no drift builds up over a long run
//! (wrk2's `t0 + i / rate`, generalised to ramps).

use crate::units::Stage;

/// A linear ramp of rate (or VUs) from `from` to `to` over `[start_s, start_s + len_s)`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Segment {
    start_s: f64,
    len_s: f64,
    from: f64,
    to: f64,
    /// Arrivals due before this segment starts.
    before: f64,
}

impl Segment {
    fn arrivals(&self) -> f64 {
        (self.from + self.to) / 2.0 * self.len_s
    }

    fn value_at(&self, t: f64) -> f64 {
        if self.len_s <= 0.0 {
            return self.to;
        }
        let frac = ((t - self.start_s) / self.len_s).clamp(0.0, 1.0);
        self.from + (self.to - self.from) * frac
    }
}

/// Piecewise-linear load over time: a rate (open model) or a VU count (closed model).
#[derive(Debug, Clone, PartialEq)]
pub struct LoadCurve {
    segments: Vec<Segment>,
}

impl LoadCurve {
    /// A curve that starts at `start` and ramps linearly through `stages`.
    pub fn new(start: f64, stages: &[Stage]) -> LoadCurve {
        let mut segments = Vec::with_capacity(stages.len());
        let (mut t, mut value, mut before) = (0.0, start, 0.0);
        for stage in stages {
            let seg = Segment {
                start_s: t,
                len_s: stage.duration.as_secs_f64(),
                from: value,
                to: stage.target,
                before,
            };
            before += seg.arrivals();
            t += seg.len_s;
            value = stage.target;
            segments.push(seg);
        }
        LoadCurve { segments }
    }

    /// A constant level for `len_s` seconds.
    pub fn constant(level: f64, len_s: f64) -> LoadCurve {
        LoadCurve::new(
            level,
            &[Stage {
                duration: std::time::Duration::from_secs_f64(len_s.max(0.0)),
                target: level,
            }],
        )
    }

    /// The linear pieces: (start s, length s, level at start, level at end).
    pub fn segments(&self) -> Vec<(f64, f64, f64, f64)> {
        self.segments
            .iter()
            .map(|s| (s.start_s, s.len_s, s.from, s.to))
            .collect()
    }

    /// Total length in seconds.
    pub fn len_s(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.start_s + s.len_s)
    }

    /// The level at `t` seconds (the last level after the end).
    pub fn value_at(&self, t: f64) -> f64 {
        match self.segments.iter().find(|s| t < s.start_s + s.len_s) {
            Some(s) => s.value_at(t),
            None => self.segments.last().map_or(0.0, |s| s.to),
        }
    }

    /// The highest level anywhere on the curve.
    pub fn peak(&self) -> f64 {
        self.segments.iter().fold(0.0, |m, s| m.max(s.from).max(s.to))
    }

    /// Arrivals due over the whole curve (the integral of the rate).
    pub fn total_arrivals(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.before + s.arrivals())
    }

    /// Mean level over the curve.
    pub fn mean(&self) -> f64 {
        let len = self.len_s();
        if len > 0.0 {
            self.total_arrivals() / len
        } else {
            self.peak()
        }
    }

    /// How many arrivals are due strictly before `t` seconds from the start: the integral of
    /// the rate up to `t`, rounded up, checked against [`arrival_time`](Self::arrival_time)
    /// so that it agrees with it exactly.
    pub fn arrivals_before(&self, t: f64) -> u64 {
        let integral = match self.segments.iter().find(|s| t < s.start_s + s.len_s) {
            Some(s) => {
                let dt = (t - s.start_s).clamp(0.0, s.len_s);
                s.before + (s.from + (s.value_at(t) - s.from) / 2.0) * dt
            }
            None => self.total_arrivals(),
        };
        let mut n = integral.max(0.0).ceil() as u64;
        let due_before = |i: u64| self.arrival_time(i).is_some_and(|at| at < t);
        while due_before(n) {
            n += 1;
        }
        while n > 0 && !due_before(n - 1) {
            n -= 1;
        }
        n
    }

    /// Seconds from the start at which arrival number `i` (0-based) is due, or `None` if
    /// the curve ends first. Arrival `i` is due when the integral of the rate reaches `i`.
    pub fn arrival_time(&self, i: u64) -> Option<f64> {
        let n = i as f64;
        let seg = self
            .segments
            .iter()
            .find(|s| n < s.before + s.arrivals() || (n == 0.0 && s.from > 0.0))?;
        let k = n - seg.before;
        if seg.len_s <= 0.0 {
            return Some(seg.start_s);
        }
        // Solve from·t + (to − from)·t²/(2·len) = k for t in [0, len], in the form that
        // stays stable when the ramp is flat (a = 0) or falling (a < 0).
        let a = (seg.to - seg.from) / (2.0 * seg.len_s);
        let b = seg.from;
        let disc = b * b + 4.0 * a * k;
        if disc < 0.0 {
            return None;
        }
        let denom = b + disc.sqrt();
        let t = if denom > 0.0 { 2.0 * k / denom } else { 0.0 };
        Some(seg.start_s + t.clamp(0.0, seg.len_s))
    }
}

/// How many of the VUs `0..total` belong to worker `worker` of `workers` when VU `j`
/// runs on worker `j % workers`.
pub fn share_of(total: u64, worker: usize, workers: usize) -> u64 {
    let (w, n) = (worker as u64, workers.max(1) as u64);
    if total > w { (total - w).div_ceil(n) } else { 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn stage(secs: f64, target: f64) -> Stage {
        Stage {
            duration: Duration::from_secs_f64(secs),
            target,
        }
    }

    #[test]
    fn constant_rate_is_evenly_spaced() {
        let c = LoadCurve::constant(200.0, 10.0);
        assert_eq!(c.total_arrivals(), 2000.0);
        for i in [0u64, 1, 100, 1999] {
            let t = c.arrival_time(i).unwrap_or(f64::NAN);
            assert!((t - i as f64 / 200.0).abs() < 1e-9, "{i}: {t}");
        }
        assert_eq!(c.arrival_time(2000), None);
    }

    #[test]
    fn ramp_up_integrates_to_the_triangle() {
        // 0 → 100/s over 10 s: 500 arrivals; arrival k at t = sqrt(2k·len/100).
        let c = LoadCurve::new(0.0, &[stage(10.0, 100.0)]);
        assert!((c.total_arrivals() - 500.0).abs() < 1e-9);
        let t = c.arrival_time(50).unwrap_or(f64::NAN);
        assert!((t - (2.0 * 50.0 * 10.0 / 100.0f64).sqrt()).abs() < 1e-9, "{t}");
        assert_eq!(c.arrival_time(500), None);
    }

    #[test]
    fn ramp_down_and_multi_stage_are_monotonic() {
        let c = LoadCurve::new(50.0, &[stage(2.0, 100.0), stage(3.0, 100.0), stage(2.0, 0.0)]);
        let total = c.total_arrivals();
        assert!((total - (150.0 + 300.0 + 100.0)).abs() < 1e-9);
        let mut last = -1.0;
        for i in 0..total as u64 {
            let t = c.arrival_time(i).unwrap_or(f64::NAN);
            assert!(t >= last && t <= c.len_s(), "{i}: {t} after {last}");
            last = t;
        }
        assert!((c.value_at(1.0) - 75.0).abs() < 1e-9);
        assert!((c.value_at(6.0) - 50.0).abs() < 1e-9);
        assert_eq!(c.peak(), 100.0);
    }

    #[test]
    fn achieved_count_over_any_window_matches_the_rate() {
        let c = LoadCurve::constant(333.0, 30.0);
        let in_window = (0..c.total_arrivals() as u64)
            .filter_map(|i| c.arrival_time(i))
            .filter(|t| (10.0..20.0).contains(t))
            .count();
        assert!((in_window as i64 - 3330).abs() <= 1, "{in_window}");
    }

    #[test]
    fn arrivals_before_agrees_with_arrival_times() {
        let curves = [
            LoadCurve::constant(200.0, 10.0),
            LoadCurve::new(0.0, &[stage(10.0, 100.0)]),
            LoadCurve::new(50.0, &[stage(2.0, 100.0), stage(3.0, 100.0), stage(2.0, 0.0)]),
        ];
        for c in &curves {
            for t in [0.0, 0.001, 0.5, 1.0, 2.345, 4.99, 5.0, 7.0, 100.0] {
                let by_scan = (0..c.total_arrivals() as u64 + 2)
                    .filter(|&i| c.arrival_time(i).is_some_and(|at| at < t))
                    .count() as u64;
                assert_eq!(c.arrivals_before(t), by_scan, "{c:?} at {t}");
            }
        }
    }

    #[test]
    fn vus_split_across_workers() {
        assert_eq!((0..3).map(|w| share_of(10, w, 3)).collect::<Vec<_>>(), vec![4, 3, 3]);
        assert_eq!((0..4).map(|w| share_of(2, w, 4)).collect::<Vec<_>>(), vec![1, 1, 0, 0]);
        assert_eq!(share_of(0, 0, 2), 0);
    }
}
