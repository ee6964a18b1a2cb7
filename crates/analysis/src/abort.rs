//! `--abort-on-fail`'s question (and k6's per-threshold `abortOnFail`), asked once a second:
//! do the thresholds hold on the run so far? Asked by the live run's observer and, for a breakpoint run, again by `loadcell
//! report` as it replays the intervals, so both find the same moment.

use crate::measured::Measured;
use crate::resources::with_resources;
use loadcell_engine::{CheckName, Control, EndpointName};
use loadcell_metrics::Recorder;
use loadcell_threshold::{FirstOf, MetricSource, Threshold};
use std::time::Duration;

/// What to check and from when; remembers the first failure.
pub struct AbortCheck<'a> {
    pub thresholds: &'a [Threshold],
    pub endpoints: &'a [EndpointName],
    pub checks: &'a [CheckName],
    /// Where a scenario's own metrics are added to (`Outcome::custom_sites`).
    pub custom_sites: &'a [CheckName],
    pub vus_limit: u64,
    /// `--abort-on-fail`: every threshold may end the run, after `delay`. Without it only
    /// those with their own `abort_after` (k6's `abortOnFail`) do, each after its own delay.
    pub every: bool,
    /// Measured time (after warm-up) before thresholds are judged.
    pub delay: Duration,
    pub warmup: Duration,
    /// The threshold that failed, once one did.
    pub failed: Option<String>,
}

impl AbortCheck<'_> {
    /// Judges the thresholds on the run so far (`total`, `elapsed` since the start); once
    /// one failed, the answer stays `Abort` and `failed` keeps that first failure.
    pub fn judge(&mut self, total: &Recorder, elapsed: Duration) -> Control {
        self.judge_with(total, elapsed, None)
    }

    /// [`judge`](Self::judge), with the target's resources so far (`--monitor`) answering
    /// the `target_*` thresholds.
    pub fn judge_with(&mut self, total: &Recorder, elapsed: Duration, resources: Option<&dyn MetricSource>) -> Control {
        let endpoints = self.endpoints;
        self.judge_named(total, endpoints, elapsed, resources)
    }

    /// [`judge_with`](Self::judge_with) with the run's endpoint names so far (`total`'s
    /// slots, index for index), which grow as redirect hops get endpoints of their own.
    pub fn judge_named(
        &mut self,
        total: &Recorder,
        endpoints: &[EndpointName],
        elapsed: Duration,
        resources: Option<&dyn MetricSource>,
    ) -> Control {
        if self.failed.is_some() {
            return Control::Abort;
        }
        let measured = elapsed.saturating_sub(self.warmup);
        let due = |t: &Threshold| {
            t.abort_after
                .or(self.every.then_some(self.delay))
                .is_some_and(|delay| measured >= delay)
        };
        if total.requests() == 0 || !self.thresholds.iter().any(due) {
            return Control::Continue;
        }
        let source = Measured {
            total,
            endpoints,
            journeys: &[],
            checks: self.checks,
            custom_sites: self.custom_sites,
            seconds: measured.as_secs_f64(),
            vus_limit: self.vus_limit,
        };
        let asked = with_resources(&source, resources);
        for t in self.thresholds.iter().filter(|t| due(t)) {
            let verdict = t.evaluate(&FirstOf(&asked));
            if let (false, Some(actual)) = (verdict.passed, verdict.actual) {
                self.failed = Some(format!("{} (actual {})", t.expr, t.format_value(actual)));
                return Control::Abort;
            }
        }
        Control::Continue
    }
}
