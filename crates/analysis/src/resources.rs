//! The target's resources (`--monitor`) in a run's summary: `monitor[]` from the readings
//! (statistics over the readings after the warm-up, leak lines fitted on the steady part),
//! the `target_*` thresholds answered from them — over the whole run, and for each stage
//! over the stage's own readings — and the steady part itself, found by stage role.
//!
//! The readings come from the session (a live run's monitor) or from a results folder
//! (`loadcell report`); both pass them here, so both get the same summary.

use loadcell_engine::{Model, Outcome};
use loadcell_monitor::Tally;
use loadcell_schema::{FlameGraphSummary, MonitorKind, MonitorSample, MonitorSummary, StageLabel, StageRole};
use loadcell_threshold::MetricSource;

/// What `--monitor` saw of a run.
#[derive(Debug, Clone, Copy)]
pub struct Monitored<'a> {
    /// Each source's name and kind, in `--monitor` order.
    pub sources: &'a [(String, MonitorKind)],
    /// Every reading, in time order (seconds since the start of the run).
    pub samples: &'a [MonitorSample],
    /// `--flamegraph`: the profile's summary, when one was drawn.
    pub flamegraph: Option<&'a FlameGraphSummary>,
}

impl Monitored<'_> {
    /// `monitor[]`: statistics over the readings after `from_s`, leak lines fitted on
    /// those up to `to_s`, the flame graph on the profiled source.
    pub fn summaries(&self, from_s: f64, to_s: f64) -> Vec<MonitorSummary> {
        let mut out = loadcell_monitor::summarize(self.sources, self.samples, from_s, to_s);
        if let Some(graph) = self.flamegraph {
            loadcell_monitor::attach_flamegraph(&mut out, graph);
        }
        out
    }

    /// `monitor[]` of the readings in `(from_s, to_s]` alone (a stage's or a step's own
    /// statistics; [`Monitored::summaries`] counts every reading after `from_s`).
    pub fn within(&self, from_s: f64, to_s: f64) -> Vec<MonitorSummary> {
        let own: Vec<MonitorSample> = self
            .samples
            .iter()
            .filter(|s| s.t_s > from_s && s.t_s <= to_s)
            .cloned()
            .collect();
        let window = Monitored { samples: &own, ..*self };
        window.summaries(from_s, to_s)
    }

    /// The `target_*` values of the readings in `(from_s, to_s]` (see [`Tally`]).
    pub fn window(&self, from_s: f64, to_s: f64) -> Tally {
        Tally::of(self.samples, from_s, to_s)
    }
}

/// The steady part of a run, in seconds since its start: from the end of the warm-up to
/// the start of its first ramp-down stage (the [`StageRole::RampDown`] of a profile), or
/// to `end_s` (`None`: the run's end is not known yet). A run without profile stages has
/// no ramp-down to leave out.
pub fn steady_window(model: &Model, labels: &[StageLabel], warmup_s: f64, end_s: Option<f64>) -> (f64, Option<f64>) {
    let ramp_down = labels
        .iter()
        .position(|l| l.role == StageRole::RampDown)
        .and_then(|i| loadcell_engine::phase_spans(model).get(i).map(|span| span.0));
    let to = match (ramp_down, end_s) {
        (Some(r), Some(e)) => Some(r.min(e)),
        (r, e) => r.or(e),
    };
    (warmup_s, to.map(|t| t.max(warmup_s)))
}

/// Where the measured part of `outcome` ends: seconds since the start.
pub fn measured_end_s(outcome: &Outcome) -> f64 {
    (outcome.warmup_len + outcome.measured).as_secs_f64()
}

/// `monitor[]` of a finished run: statistics after the warm-up, leak lines on the steady
/// part (`labels` give the stage roles).
pub fn run_summaries(m: &Monitored<'_>, outcome: &Outcome, labels: &[StageLabel]) -> Vec<MonitorSummary> {
    let warmup_s = outcome.warmup_len.as_secs_f64();
    let (from_s, to_s) = steady_window(&outcome.model, labels, warmup_s, Some(measured_end_s(outcome)));
    m.summaries(from_s, to_s.unwrap_or(f64::INFINITY))
}

/// The sources to ask a threshold: the measured results first, then the resources.
pub fn with_resources<'a>(
    measured: &'a dyn MetricSource,
    resources: Option<&'a dyn MetricSource>,
) -> Vec<&'a dyn MetricSource> {
    let mut sources = vec![measured];
    sources.extend(resources);
    sources
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_engine::LoadCurve;
    use loadcell_units::Stage;
    use std::time::Duration;

    fn label(role: StageRole) -> StageLabel {
        StageLabel {
            name: format!("{role:?}"),
            role,
        }
    }

    #[test]
    fn the_steady_part_ends_where_the_ramp_down_starts() {
        let stages = [
            Stage {
                duration: Duration::from_secs(10),
                target: 100.0,
            },
            Stage {
                duration: Duration::from_secs(30),
                target: 100.0,
            },
            Stage {
                duration: Duration::from_secs(5),
                target: 0.0,
            },
        ];
        let model = Model::Closed {
            vus: LoadCurve::new(0.0, &stages),
        };
        let labels = [
            label(StageRole::RampUp),
            label(StageRole::Hold),
            label(StageRole::RampDown),
        ];
        assert_eq!(steady_window(&model, &labels, 2.0, Some(45.0)), (2.0, Some(40.0)));
        assert_eq!(steady_window(&model, &labels, 2.0, None), (2.0, Some(40.0)));
        // Cut short before the ramp-down: the end of the run.
        assert_eq!(steady_window(&model, &labels, 2.0, Some(25.0)), (2.0, Some(25.0)));
        // Without roles (plain --stages), nothing is left out but the warm-up.
        assert_eq!(steady_window(&model, &[], 2.0, Some(45.0)), (2.0, Some(45.0)));
        assert_eq!(steady_window(&model, &[], 0.0, None), (0.0, None));
    }
}
