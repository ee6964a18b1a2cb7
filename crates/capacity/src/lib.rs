//! Capacity search for loadcell: find the highest open-model arrival rate a service
//! sustains while its SLOs hold, as a pure state machine that knows nothing of the
//! engine, HTTP or the terminal.
//!
//! The caller asks [`Search::next_rate`] for the rate of the next steady step, runs it
//! however it likes (the CLI runs one engine run per step; the tests use a synthetic
//! system), and hands the measurements back with [`Search::record`]. The search:
//!
//! 1. **brackets** the capacity: starting at `start_rate` it multiplies the rate by
//!    `growth` after every passing step until one fails (or `max_rate` passes); if the
//!    very first step fails it divides by `growth` until one passes (or `min_rate` fails);
//! 2. **bisects** the bracket (highest passing, lowest failing) until the gap is at most
//!    `precision` of the highest passing rate;
//! 3. never starts a step that could not finish within the `max_time` budget.
//!
//! A step fails when any SLO failed or when the generator could not keep the offered
//! rate (achieved below [`MIN_ACHIEVED`] of it, or more than [`MAX_UNFINISHED`] of the
//! due iterations dropped or cut): both mean the system is overloaded.
//! [`Search::result`] gives the capacity with its bracket, every step, and the knee of
//! the p95 latency curve.

mod knee;
pub mod text;

use serde::Serialize;
use std::time::Duration;
use thiserror::Error;

pub use knee::knee;

/// A step whose achieved rate is below this share of the offered rate failed.
pub const MIN_ACHIEVED: f64 = 0.95;
/// A step with more than this share of due iterations dropped or cut failed.
pub const MAX_UNFINISHED: f64 = 0.01;

/// How the search runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The rate of the first step (per second).
    pub start_rate: f64,
    /// The lowest rate tried when even `start_rate` fails.
    pub min_rate: f64,
    /// The highest rate tried; passing it ends the search.
    pub max_rate: f64,
    /// Factor between bracketing steps (> 1).
    pub growth: f64,
    /// Bisection stops when `lowest_fail - highest_pass <= precision * highest_pass`.
    pub precision: f64,
    /// How long one step is expected to take (used for the budget before any is measured).
    pub step_duration: Duration,
    /// The whole search never takes longer than this.
    pub max_time: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            start_rate: 10.0,
            min_rate: 1.0,
            max_rate: 100_000.0,
            growth: 2.0,
            precision: 0.05,
            step_duration: Duration::from_secs(10),
            max_time: Duration::from_secs(300),
        }
    }
}

/// Why a [`Config`] cannot run.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum ConfigError {
    #[error("the start rate must be above 0 (got {0})")]
    StartRate(f64),
    #[error("the rates must satisfy 0 < min rate <= start rate <= max rate (got {min}, {start}, {max})")]
    RateOrder { min: f64, start: f64, max: f64 },
    #[error("the growth factor must be above 1 (got {0})")]
    Growth(f64),
    #[error("the precision must be between 0.1% and 100% (got {0})")]
    Precision(f64),
    #[error("the step duration must be above 0")]
    StepDuration,
    #[error("the time budget ({budget:?}) is shorter than one step ({step:?})")]
    Budget { budget: Duration, step: Duration },
}

impl Config {
    /// Checks that the search can run at all.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if !(self.start_rate > 0.0 && self.start_rate.is_finite()) {
            return Err(ConfigError::StartRate(self.start_rate));
        }
        let ordered = self.min_rate > 0.0 && self.min_rate <= self.start_rate && self.start_rate <= self.max_rate;
        if !ordered || !self.max_rate.is_finite() {
            return Err(ConfigError::RateOrder {
                min: self.min_rate,
                start: self.start_rate,
                max: self.max_rate,
            });
        }
        if !(self.growth > 1.0 && self.growth.is_finite()) {
            return Err(ConfigError::Growth(self.growth));
        }
        if !(0.001..=1.0).contains(&self.precision) {
            return Err(ConfigError::Precision(self.precision));
        }
        if self.step_duration.is_zero() {
            return Err(ConfigError::StepDuration);
        }
        if self.max_time < self.step_duration {
            return Err(ConfigError::Budget {
                budget: self.max_time,
                step: self.step_duration,
            });
        }
        Ok(())
    }
}

/// What one steady step measured.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepResult {
    /// The rate the step offered (per second).
    pub offered: f64,
    /// Iterations completed per measured second.
    pub achieved: f64,
    /// Latency percentiles in ms (`None` without responses).
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Failed requests as a fraction of all requests (0..=1).
    pub error_rate: f64,
    /// Iterations due by the schedule in the measured window.
    pub scheduled: u64,
    /// Due iterations that found no free VU.
    pub dropped: u64,
    /// Iterations cut at the end of the step after the grace period.
    pub interrupted: u64,
    /// The SLOs that failed, each as `"p95<200ms (actual 312 ms)"`.
    pub slo_failures: Vec<String>,
    /// Wall time the step took, start-up and cool-down included.
    pub elapsed: Duration,
}

/// One step as the search judged it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub offered_rate: f64,
    pub achieved_rate: f64,
    pub p50_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// Percent of failed requests.
    pub error_pct: f64,
    pub scheduled: u64,
    pub dropped: u64,
    pub interrupted: u64,
    /// Percent of due iterations dropped or cut.
    pub unfinished_pct: f64,
    pub passed: bool,
    /// Why the step failed: failed SLOs and "rate not kept" reasons.
    pub failed: Vec<String>,
    pub elapsed_s: f64,
}

impl Step {
    /// Judges a step: SLO failures plus the generator's ability to keep the rate.
    pub fn judge(r: StepResult) -> Step {
        let mut failed = r.slo_failures;
        if r.offered > 0.0 && r.achieved < MIN_ACHIEVED * r.offered {
            failed.push(format!(
                "achieved {:.1}/s < {:.0}% of offered {:.1}/s",
                r.achieved,
                MIN_ACHIEVED * 100.0,
                r.offered
            ));
        }
        let unfinished = r.dropped + r.interrupted;
        let unfinished_frac = if r.scheduled > 0 {
            unfinished as f64 / r.scheduled as f64
        } else {
            0.0
        };
        if unfinished_frac > MAX_UNFINISHED {
            failed.push(format!(
                "{:.1}% of iterations dropped or cut > {:.0}%",
                unfinished_frac * 100.0,
                MAX_UNFINISHED * 100.0
            ));
        }
        Step {
            offered_rate: r.offered,
            achieved_rate: r.achieved,
            p50_ms: r.p50_ms,
            p95_ms: r.p95_ms,
            p99_ms: r.p99_ms,
            error_pct: r.error_rate * 100.0,
            scheduled: r.scheduled,
            dropped: r.dropped,
            interrupted: r.interrupted,
            unfinished_pct: unfinished_frac * 100.0,
            passed: failed.is_empty(),
            failed,
            elapsed_s: r.elapsed.as_secs_f64(),
        }
    }
}

/// Why the search ended (or would end now): the schema's closed set, so the search, the
/// terminal and `summary.json` name the same reasons.
pub use loadcell_schema::SearchStop as StopReason;

/// The knee of the latency curve: where p95 starts rising steeply with the rate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Knee {
    pub offered_rate: f64,
    pub p95_ms: f64,
}

/// One point of the latency-against-rate chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ChartPoint {
    pub offered_rate: f64,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub passed: bool,
}

/// The answer so far.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// The sustainable rate: the highest passing step (`None`: none passed).
    pub capacity: Option<f64>,
    /// The highest passing rate.
    pub highest_pass: Option<f64>,
    /// The lowest failing rate above it (`None`: nothing above it failed).
    pub lowest_fail: Option<f64>,
    pub stop: StopReason,
    /// Steps in the order they ran.
    pub steps: Vec<Step>,
    pub knee: Option<Knee>,
    /// p95/p99 against offered rate, sorted by rate.
    pub chart: Vec<ChartPoint>,
    /// Wall time of all steps.
    pub elapsed_s: f64,
}

/// The search state machine.
#[derive(Debug, Clone)]
pub struct Search {
    config: Config,
    steps: Vec<Step>,
    highest_pass: Option<f64>,
    lowest_fail: Option<f64>,
    /// Lowest failing rate of all (for the downward phase).
    lowest_any_fail: Option<f64>,
    used: Duration,
    longest: Duration,
    interrupted: bool,
}

impl Search {
    /// A search with a checked configuration.
    pub fn new(config: Config) -> Result<Search, ConfigError> {
        config.validate()?;
        Ok(Search {
            config,
            steps: Vec::new(),
            highest_pass: None,
            lowest_fail: None,
            lowest_any_fail: None,
            used: Duration::ZERO,
            longest: Duration::ZERO,
            interrupted: false,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The rate of the next step, or `None` when the search is over.
    pub fn next_rate(&self) -> Option<f64> {
        match self.plan() {
            Plan::Step(rate) => Some(rate),
            Plan::Stop(_) => None,
        }
    }

    /// Records the measurements of the step just run (at the rate `next_rate` gave).
    pub fn record(&mut self, result: StepResult) {
        self.used += result.elapsed;
        self.longest = self.longest.max(result.elapsed);
        let step = Step::judge(result);
        let rate = step.offered_rate;
        if step.passed {
            if self.highest_pass.is_none_or(|hp| rate > hp) {
                self.highest_pass = Some(rate);
            }
            // A pass above an earlier failure (noise): that failure no longer bounds
            // the capacity from above.
            if self.lowest_fail.is_some_and(|lf| lf <= rate) {
                self.lowest_fail = None;
            }
        } else {
            self.lowest_any_fail = Some(self.lowest_any_fail.map_or(rate, |f| f.min(rate)));
            if self.highest_pass.is_none_or(|hp| rate > hp) && self.lowest_fail.is_none_or(|lf| rate < lf) {
                self.lowest_fail = Some(rate);
            }
        }
        self.steps.push(step);
    }

    /// Ends the search early (the caller was interrupted).
    pub fn interrupt(&mut self) {
        self.interrupted = true;
    }

    /// Steps recorded so far.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The answer so far (final once `next_rate` returns `None`).
    pub fn result(&self) -> SearchResult {
        let stop = match self.plan() {
            Plan::Stop(reason) => reason,
            Plan::Step(_) => StopReason::Running,
        };
        let mut chart: Vec<ChartPoint> = self
            .steps
            .iter()
            .map(|s| ChartPoint {
                offered_rate: s.offered_rate,
                p95_ms: s.p95_ms,
                p99_ms: s.p99_ms,
                passed: s.passed,
            })
            .collect();
        chart.sort_by(|a, b| a.offered_rate.total_cmp(&b.offered_rate));
        let points: Vec<(f64, f64)> = chart
            .iter()
            .filter_map(|p| p.p95_ms.map(|y| (p.offered_rate, y)))
            .collect();
        SearchResult {
            capacity: self.highest_pass,
            highest_pass: self.highest_pass,
            lowest_fail: self.lowest_fail,
            stop,
            steps: self.steps.clone(),
            knee: knee(&points).map(|(offered_rate, p95_ms)| Knee { offered_rate, p95_ms }),
            chart,
            elapsed_s: self.used.as_secs_f64(),
        }
    }

    fn plan(&self) -> Plan {
        if self.interrupted {
            return Plan::Stop(StopReason::Interrupted);
        }
        let c = &self.config;
        let rate = match (self.highest_pass, self.lowest_fail) {
            (None, None) => c.start_rate,
            (Some(hp), None) => {
                if hp >= c.max_rate {
                    return Plan::Stop(StopReason::MaxRate);
                }
                (hp * c.growth).min(c.max_rate)
            }
            (None, Some(_)) => {
                let lowest = self.lowest_any_fail.unwrap_or(c.start_rate);
                if lowest <= c.min_rate {
                    return Plan::Stop(StopReason::MinRate);
                }
                (lowest / c.growth).max(c.min_rate)
            }
            (Some(hp), Some(lf)) => {
                if lf - hp <= c.precision * hp {
                    return Plan::Stop(StopReason::Converged);
                }
                (hp + lf) / 2.0
            }
        };
        let expected = c.step_duration.max(self.longest);
        if self.used + expected > c.max_time {
            return Plan::Stop(StopReason::Budget);
        }
        Plan::Step(rate)
    }
}

enum Plan {
    Step(f64),
    Stop(StopReason),
}

#[cfg(test)]
mod tests;
