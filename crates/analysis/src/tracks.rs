//! What the spike and breakpoint analyses need from a run, gathered one interval at a time
//! with bounded memory: the exact rolling-window series of a spike run (a ring of the last
//! W seconds' merged histograms, a few numbers kept per second) and, for a breakpoint run,
//! the seconds around the moment a threshold was lost (a ring of the last few seconds).
//!
//! Fed by the live run (an observer part, from each interval's measured recorder) and by
//! `loadcell report` (from the results folder's intervals as they stream past), so both
//! paths hand the same numbers to the same analysis.

use crate::stages::{PhaseSpan, measured_phase};
use loadcell_engine::IntervalEvent;
use loadcell_metrics::{EndpointMetrics, Recorder, latency_stats};
use loadcell_schema::PhaseSummary;
use loadcell_schema::Profile;
use loadcell_stability::WindowPoint;
use std::collections::VecDeque;

/// The breaking point of a breakpoint run is described by this many seconds up to the
/// failure, compared with as many seconds before them.
pub const BREAK_SECONDS: usize = 3;

/// One interval as the tracks see it.
pub struct Interval<'a> {
    /// End of the interval, seconds since the start of the run.
    pub t_s: f64,
    pub len_s: f64,
    pub warmup: bool,
    /// Iterations of this interval that started after the warm-up.
    pub measured: &'a Recorder,
    /// Open model: the target rate at the interval's middle.
    pub target_rate_per_s: Option<f64>,
}

impl<'a> Interval<'a> {
    pub fn of_event(event: &'a IntervalEvent<'_>) -> Interval<'a> {
        Interval {
            t_s: event.summary.t_s,
            len_s: event.summary.len_s,
            warmup: event.summary.warmup,
            measured: event.measured,
            target_rate_per_s: event.summary.target_rate_per_s,
        }
    }
}

/// One interval, reduced to what the windows need.
#[derive(Debug, Clone)]
struct Second {
    mid_s: f64,
    len_s: f64,
    overall: EndpointMetrics,
    dropped: u64,
    target_rate_per_s: Option<f64>,
}

impl Second {
    fn of(iv: &Interval<'_>) -> Second {
        Second {
            mid_s: iv.t_s - iv.len_s / 2.0,
            len_s: iv.len_s,
            overall: iv.measured.overall(),
            dropped: iv.measured.dropped,
            target_rate_per_s: iv.target_rate_per_s,
        }
    }
}

/// Everything tracked for one run.
#[derive(Debug, Default)]
pub struct Tracks {
    pub rolling: Option<Rolling>,
    pub breakpoint: Option<BreakWatch>,
}

impl Tracks {
    /// What `profile` needs tracked, or `None` when it needs nothing.
    pub fn for_profile(profile: Option<Profile>, window_s: f64) -> Option<Tracks> {
        match profile? {
            Profile::Spike => Some(Tracks {
                rolling: Some(Rolling::new(window_s)),
                breakpoint: None,
            }),
            Profile::Breakpoint => Some(Tracks {
                rolling: None,
                breakpoint: Some(BreakWatch::default()),
            }),
            _ => None,
        }
    }

    /// Takes in the next interval; `lost` is the failed threshold when the abort check
    /// failed on the run so far at the end of this interval.
    pub fn see(&mut self, iv: &Interval<'_>, lost: Option<&str>) {
        if let Some(r) = &mut self.rolling {
            r.see(iv);
        }
        if let Some(b) = &mut self.breakpoint {
            b.see(iv, lost);
        }
    }
}

/// Rolling windows of `window_s` seconds, one ending at each interval's end: all requests
/// completed in `(t − W, t]` (an interval belongs to the window holding its middle).
#[derive(Debug)]
pub struct Rolling {
    pub window_s: f64,
    ring: VecDeque<Second>,
    pub points: Vec<WindowPoint>,
}

impl Rolling {
    fn new(window_s: f64) -> Rolling {
        Rolling {
            window_s,
            ring: VecDeque::new(),
            points: Vec::new(),
        }
    }

    fn see(&mut self, iv: &Interval<'_>) {
        self.ring.push_back(Second::of(iv));
        let from = iv.t_s - self.window_s;
        while self.ring.front().is_some_and(|s| s.mid_s <= from) {
            self.ring.pop_front();
        }
        let mut merged = EndpointMetrics::default();
        for s in &self.ring {
            merged.merge(&s.overall);
        }
        let requests = merged.requests();
        self.points.push(WindowPoint {
            t_s: iv.t_s,
            p95_ms: latency_stats(&merged.latency).p95,
            error_rate: if requests > 0 {
                merged.failed as f64 / requests as f64
            } else {
                0.0
            },
            requests,
        });
    }
}

/// Breakpoint runs: the last `2 × BREAK_SECONDS` seconds, frozen at the first interval
/// whose abort check failed.
#[derive(Debug, Default)]
pub struct BreakWatch {
    ring: VecDeque<Second>,
    pub lost: Option<Lost>,
}

/// The moment the run's thresholds were lost.
#[derive(Debug, Clone)]
pub struct Lost {
    /// End of the interval after which the abort check failed.
    pub t_s: f64,
    /// The failed threshold and its value, as `--abort-on-fail` reported it.
    pub reason: String,
    /// The seconds up to and including that interval ...
    pub at: Span,
    /// ... and as many before them (`None` when the run failed within its first seconds).
    pub before: Option<Span>,
}

/// Merged results of a few consecutive seconds.
#[derive(Debug, Clone)]
pub struct Span {
    pub from_s: f64,
    pub to_s: f64,
    pub seconds: f64,
    pub overall: EndpointMetrics,
    pub dropped: u64,
    /// The mean target rate over the span (offered load), when known.
    pub offered_per_s: Option<f64>,
}

impl Span {
    fn of(seconds: &[&Second]) -> Option<Span> {
        let first = seconds.first()?;
        let last = seconds.last()?;
        let mut overall = EndpointMetrics::default();
        let mut dropped = 0;
        let mut offered = Some(0.0);
        for s in seconds {
            overall.merge(&s.overall);
            dropped += s.dropped;
            // The rate at the middle of a 1 s step of a linear ramp is its mean over the step.
            offered = offered.zip(s.target_rate_per_s).map(|(sum, r)| sum + r * s.len_s);
        }
        let len: f64 = seconds.iter().map(|s| s.len_s).sum();
        Some(Span {
            from_s: first.mid_s - first.len_s / 2.0,
            to_s: last.mid_s + last.len_s / 2.0,
            seconds: len,
            overall,
            dropped,
            offered_per_s: offered.filter(|_| len > 0.0).map(|sum| sum / len),
        })
    }

    /// The span as a stage of its own, for classifying how the target broke.
    pub fn as_phase(&self, name: &str) -> PhaseSummary {
        let span = PhaseSpan {
            name: name.to_string(),
            start_s: self.from_s,
            end_s: self.to_s,
            level: self.offered_per_s.unwrap_or(0.0),
            seconds: self.seconds,
        };
        measured_phase(span, &self.overall, self.dropped, None)
    }
}

impl BreakWatch {
    fn see(&mut self, iv: &Interval<'_>, lost: Option<&str>) {
        // Warm-up seconds hold no measured requests and are never judged.
        if self.lost.is_some() || iv.warmup {
            return;
        }
        self.ring.push_back(Second::of(iv));
        while self.ring.len() > 2 * BREAK_SECONDS {
            self.ring.pop_front();
        }
        let Some(reason) = lost else {
            return;
        };
        let measured: Vec<&Second> = self.ring.iter().collect();
        let split = measured.len().saturating_sub(BREAK_SECONDS);
        let (before, at) = measured.split_at(split);
        if let Some(at) = Span::of(at) {
            self.lost = Some(Lost {
                t_s: iv.t_s,
                reason: reason.to_string(),
                at,
                before: Span::of(before),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::{Outcome as SampleOutcome, Sample};

    fn interval_for_test(t_s: f64, measured: &Recorder, target: Option<f64>) -> Interval<'_> {
        Interval {
            t_s,
            len_s: 1.0,
            warmup: false,
            measured,
            target_rate_per_s: target,
        }
    }

    /// A recorder with `n` requests of `ms` milliseconds, `failed` of them failed.
    fn second(n: u64, ms: u64, failed: u64) -> Recorder {
        let mut r = Recorder::new(1);
        for i in 0..n {
            r.record(&Sample {
                endpoint: 0,
                latency_us: ms * 1000,
                service_us: None,
                ttfb_us: None,
                sending_us: None,
                outcome: if i < failed {
                    SampleOutcome::Status(500)
                } else {
                    SampleOutcome::Status(200)
                },
                sent_bytes: 0,
                received_bytes: 0,
                expected_interval_us: None,
            });
        }
        r
    }

    #[test]
    fn rolling_windows_are_exact_over_the_last_seconds() {
        let mut t = Tracks::for_profile(Some(Profile::Spike), 3.0).unwrap_or_default();
        // 90 fast requests per second, then one second of 10 slow ones.
        let seconds = [
            second(90, 10, 0),
            second(90, 10, 0),
            second(10, 900, 10),
            second(90, 10, 0),
        ];
        for (i, rec) in seconds.iter().enumerate() {
            t.see(&interval_for_test(i as f64 + 1.0, rec, None), None);
        }
        let points = &t.rolling.as_ref().map(|r| r.points.clone()).unwrap_or_default();
        assert_eq!(points.len(), 4);
        // Window (0, 3]: 190 requests, 10 slow (5.3%) → p95 is slow; errors 10/190.
        assert_eq!(points[2].requests, 190);
        assert!(points[2].p95_ms > 800.0, "{:?}", points[2]);
        assert!((points[2].error_rate - 10.0 / 190.0).abs() < 1e-12);
        // Window (1, 4]: 190 requests again, the first second slid out.
        assert_eq!(points[3].requests, 190);
        // An average of per-second p95s would say (10 + 900 + 10) / 3 ≈ 307 ms.
        assert!(points[3].p95_ms > 800.0);
        // Only the last W seconds are kept.
        assert!(t.rolling.as_ref().is_some_and(|r| r.ring.len() == 3));
    }

    #[test]
    fn the_break_is_frozen_at_the_first_failed_check() {
        let mut t = Tracks::for_profile(Some(Profile::Breakpoint), 5.0).unwrap_or_default();
        let recs: Vec<Recorder> = (0..10).map(|i| second(10 * (i + 1), 5 + 20 * i, 0)).collect();
        for (i, rec) in recs.iter().enumerate() {
            let t_s = i as f64 + 1.0;
            let lost = (i >= 7).then_some("p95<100ms (actual 150 ms)");
            t.see(&interval_for_test(t_s, rec, Some(10.0 * t_s - 5.0)), lost);
        }
        let lost = t.breakpoint.and_then(|b| b.lost).unwrap_or_else(|| panic!("no break"));
        assert_eq!(lost.t_s, 8.0);
        assert_eq!((lost.at.from_s, lost.at.to_s), (5.0, 8.0));
        // Seconds 6, 7, 8 carry 60 + 70 + 80 requests; the targets 55, 65, 75 average 65.
        assert_eq!(lost.at.overall.requests(), 210);
        assert_eq!(lost.at.offered_per_s, Some(65.0));
        let before = lost.before.unwrap_or_else(|| panic!("no before"));
        assert_eq!((before.from_s, before.to_s), (2.0, 5.0));
        assert_eq!(lost.at.as_phase("x").rate_per_s, 70.0);
    }
}
