//! `loadcell scale`: a closed-model sweep across concurrency levels, each level one step of
//! the [`crate::sweep`] driver, followed by the Universal Scalability Law fit of the
//! measured throughput (`loadcell-analysis`, `loadcell-usl`); or, with `--points`, the fit
//! of throughputs measured elsewhere, with no request sent.

use crate::error::{SessionError, invalid};
use crate::sweep::{Sweep as Driven, default_warmup, step_settings};
use crate::target::Target;
use loadcell_analysis::scale::{Level, NoFit, Sweep, fit_levels, vus_name};
use loadcell_analysis::{Combined, Mark};
use loadcell_engine::{Outcome, Settings};
use loadcell_monitor::Tally;
use loadcell_plan::LoadInputs;
use loadcell_schema::{ScaleSummary, Summary};
use loadcell_usl::Fit;
use std::time::{Duration, Instant};

/// Grace for in-flight requests at the end of a level.
const STEP_GRACE: Duration = Duration::from_secs(2);

/// What the sweep is asked.
#[derive(Debug, Clone)]
pub struct ScaleSpec {
    /// `--vus`, as typed.
    pub vus: String,
    pub step_duration: Duration,
    /// `None`: a fifth of the step, at most 2 s.
    pub warmup: Option<Duration>,
    pub threads: Option<usize>,
}

/// A scale sweep in progress.
pub struct Scale {
    sweep: Sweep,
    /// Levels not run yet, in order.
    queue: std::vec::IntoIter<u64>,
    measured: Vec<Level>,
    step_duration: Duration,
    warmup: Duration,
    threads: Option<usize>,
    transport: loadcell_engine::Transport,
}

impl Scale {
    /// Checks the sweep against `target` before any request: the levels, and the load of
    /// every level.
    pub fn new(target: &Target, spec: &ScaleSpec) -> Result<Scale, SessionError> {
        let levels = parse_levels(&spec.vus)?;
        if spec.step_duration.is_zero() {
            return Err(invalid("--step-duration must be above 0"));
        }
        let warmup = spec.warmup.unwrap_or_else(|| default_warmup(spec.step_duration));
        let scale = Scale {
            sweep: Sweep {
                planned: levels.clone(),
                step_duration_s: spec.step_duration.as_secs_f64(),
                step_warmup_s: warmup.as_secs_f64(),
            },
            queue: levels.clone().into_iter(),
            measured: Vec::with_capacity(levels.len()),
            step_duration: spec.step_duration,
            warmup,
            threads: spec.threads,
            transport: target.transport.clone(),
        };
        for &vus in &levels {
            scale.settings(vus)?;
        }
        Ok(scale)
    }

    /// The levels asked for, sorted.
    pub fn planned(&self) -> &[u64] {
        &self.sweep.planned
    }

    pub fn warmup(&self) -> Duration {
        self.warmup
    }

    /// The levels measured so far.
    pub fn measured(&self) -> &[Level] {
        &self.measured
    }

    /// The fit of the levels measured, or why there is none.
    pub fn fit(&self) -> Result<Fit, NoFit> {
        fit_levels(&self.measured)
    }

    /// The `scale` section of the levels measured (`finished`: the sweep is over).
    pub fn section(&self, finished: bool) -> ScaleSummary {
        self.sweep.section(&self.measured, &self.fit(), finished)
    }

    /// The unit of the summary's stage marks.
    pub const UNIT: &'static str = "vus";
}

impl Driven for Scale {
    type Level = u64;

    fn next(&mut self) -> Option<u64> {
        self.queue.next()
    }

    /// Engine settings of one level: `vus` closed-model VUs for warm-up plus the step.
    fn settings(&self, vus: u64) -> Result<Settings, SessionError> {
        let load = LoadInputs {
            concurrency: Some(vus),
            duration: Some(self.step_duration),
            warmup: self.warmup,
            threads: self.threads,
            ..LoadInputs::default()
        };
        step_settings(&load, STEP_GRACE, &self.transport)
    }

    fn mark(&self, vus: u64, _: usize, interrupted: bool) -> Mark {
        let name = vus_name(vus);
        Mark {
            name: if interrupted {
                format!("{name} (interrupted)")
            } else {
                name
            },
            level: vus as f64,
        }
    }

    fn measured(&mut self, vus: u64, outcome: &Outcome, _: Instant, resources: Option<&Tally>) -> Option<Vec<String>> {
        let mut level = Level::of(vus, outcome);
        level.target = resources.and_then(Tally::target_use);
        self.measured.push(level);
        None
    }

    fn done(&mut self, _: Instant) {}

    fn interrupted(&mut self, _: u64) {
        self.queue = Vec::new().into_iter();
    }

    fn document(&self, combined: &Combined, finished: bool) -> Option<Summary> {
        self.sweep.summary(combined, &self.measured, &self.fit(), finished)
    }
}

/// `"1,2,4,8"` → sorted distinct levels, each at least 1, at least 3 of them.
pub fn parse_levels(text: &str) -> Result<Vec<u64>, SessionError> {
    let mut levels = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let n: u64 = part.parse().map_err(|_| {
            invalid(format!(
                "invalid --vus '{text}': '{part}' is not a whole number (e.g. --vus 1,2,4,8,16)"
            ))
        })?;
        if n == 0 {
            return Err(invalid(format!("invalid --vus '{text}': levels must be at least 1")));
        }
        levels.push(n);
    }
    levels.sort_unstable();
    levels.dedup();
    if levels.len() < 3 {
        return Err(invalid(format!(
            "invalid --vus '{text}': the fit needs at least 3 distinct levels (e.g. --vus 1,2,4,8,16)"
        )));
    }
    Ok(levels)
}

/// `--points`: `VUS:REQ_PER_S` pairs, sorted by VUs; at least 3 distinct levels.
pub fn parse_points(list: &str) -> Result<Vec<Level>, SessionError> {
    let bad = |why: String| {
        invalid(format!(
            "invalid --points '{list}': {why} (e.g. --points 1:43,2:80.5,4:152)"
        ))
    };
    let mut levels: Vec<Level> = Vec::new();
    for part in list.split(',') {
        let part = part.trim();
        let (vus, rate) = part
            .split_once(':')
            .ok_or_else(|| bad(format!("'{part}' is not VUS:REQ_PER_S")))?;
        let vus: u64 = vus
            .trim()
            .parse()
            .ok()
            .filter(|&v| v >= 1)
            .ok_or_else(|| bad(format!("'{}' is not a whole number of VUs ≥ 1", vus.trim())))?;
        let throughput: f64 = rate
            .trim()
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| bad(format!("'{}' is not a throughput ≥ 0", rate.trim())))?;
        if levels.iter().any(|l| l.vus == vus) {
            return Err(bad(format!("{vus} VUs given twice")));
        }
        levels.push(Level::given(vus, throughput));
    }
    if levels.len() < 3 {
        return Err(bad("the fit needs at least 3 distinct levels".to_string()));
    }
    levels.sort_by_key(|l| l.vus);
    Ok(levels)
}

/// The `scale` section of throughputs given with `--points`, and their fit.
pub fn given_points(levels: &[Level]) -> (ScaleSummary, Result<Fit, NoFit>) {
    let fitted = loadcell_analysis::scale::fit_given(levels);
    let sweep = Sweep {
        planned: levels.iter().map(|l| l.vus).collect(),
        step_duration_s: 0.0,
        step_warmup_s: 0.0,
    };
    (sweep.section(levels, &fitted, true), fitted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_sorted_distinct_and_checked() {
        assert_eq!(parse_levels("8, 1,2,4,2").ok(), Some(vec![1, 2, 4, 8]));
        for bad in ["1,2", "1,1,2", "0,1,2", "1,x,3", "", "1,-2,3"] {
            assert!(parse_levels(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pairs_parse_sorted_and_bad_ones_are_usage_errors() {
        let levels = parse_points("4:152, 1:43,2:80.5").unwrap_or_default();
        let got: Vec<(u64, f64)> = levels.iter().map(|l| (l.vus, l.throughput)).collect();
        assert_eq!(got, [(1, 43.0), (2, 80.5), (4, 152.0)]);
        for bad in [
            "1:43,2:80",
            "1:43,2:x,4:1",
            "0:1,2:2,3:3",
            "1-43,2:2,3:3",
            "1:1,1:2,3:3",
            "1:-1,2:2,3:3",
        ] {
            match parse_points(bad) {
                Err(SessionError::Invalid(m)) => assert!(m.starts_with("invalid --points"), "{m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
