//! `--monitor`, `--monitor-series` and `--flamegraph` in a session: the sources checked
//! before the first request ([`MonitorRequest::prepare`], every problem a usage error), the
//! monitor started on the engine's clock ([`Watching::start`]), its readings handed out
//! once per interval (for the results log, live metrics and `--abort-on-fail`), and at the
//! end the flame graph written into the results folder ([`Watching::finish`]).

use crate::error::{SessionError, invalid};
use loadcell_analysis::Monitored;
use loadcell_monitor::{Clock, FlameWindow, Monitor, MonitorError, MonitorPlan, SeriesSelector, SourceSpec, Tally};
use loadcell_schema::{FlameGraphSummary, MonitorKind, MonitorSample};
use loadcell_threshold::{MetricKind, Threshold};
use std::path::Path;
use std::time::{Duration, Instant};

/// The monitor reads every source once per interval of the run (the engine's second).
pub const INTERVAL: Duration = Duration::from_secs(1);

/// What the command line (or a scenario's `monitor:`) asked of the monitor.
#[derive(Debug, Clone, Default)]
pub struct MonitorRequest {
    /// `--monitor`, as typed (`pid:4242`, `process:nginx`, `cgroup:/x.slice`, `host`, …).
    pub sources: Vec<String>,
    /// `--monitor-series`, as typed (each a comma-separated list).
    pub series: Vec<String>,
    pub flamegraph: bool,
}

/// The sources checked and ready to sample.
pub struct Prepared {
    plan: MonitorPlan,
    /// `--flamegraph`: the processes to profile.
    flame_pids: Option<Vec<u32>>,
}

impl MonitorRequest {
    /// The request with a scenario's `monitor:` filling in what the command line left out:
    /// `--monitor` flags replace the file's sources, `--monitor-series` its series, and
    /// either asks for the flame graph.
    pub fn with_file(&self, file: Option<&loadcell_scenario::Monitor>) -> MonitorRequest {
        let Some(file) = file else {
            return self.clone();
        };
        let pick =
            |flags: &Vec<String>, file: &Vec<String>| if flags.is_empty() { file.clone() } else { flags.clone() };
        MonitorRequest {
            sources: pick(&self.sources, &file.sources),
            series: pick(&self.series, &file.series),
            flamegraph: self.flamegraph || file.flamegraph,
        }
    }

    /// Checks the request against the run's `thresholds` (a `target_*` one needs a source
    /// of the target) and whether a results folder takes the flame graph; resolves every
    /// source. `None` when nothing is monitored.
    pub fn prepare(&self, thresholds: &[Threshold], folder: bool) -> Result<Option<Prepared>, SessionError> {
        let specs = self
            .sources
            .iter()
            .map(|s| SourceSpec::parse(s))
            .collect::<Result<Vec<_>, _>>()?;
        let series = self
            .series
            .iter()
            .map(|s| SeriesSelector::parse_list(s))
            .collect::<Result<Vec<_>, _>>()?
            .concat();
        if let Some(t) = thresholds.iter().find(|t| t.metric.kind() == MetricKind::Resource)
            && !specs.iter().any(|s| s.kind().is_target())
        {
            return Err(invalid(format!(
                "threshold '{}' reads the target's resources: add --monitor pid:N, process:NAME or cgroup:PATH",
                t.expr
            )));
        }
        if specs.is_empty() {
            return match (self.flamegraph, series.is_empty()) {
                (true, _) => Err(MonitorError::FlameGraphSources(0).into()),
                (false, false) => Err(MonitorError::SeriesWithoutPrometheus.into()),
                (false, true) => Ok(None),
            };
        }
        if self.flamegraph && !folder {
            return Err(invalid(
                "--flamegraph writes flamegraph.svg into the results folder: add --out DIR",
            ));
        }
        let plan = MonitorPlan::resolve(&specs, &series)?;
        let flame_pids = match self.flamegraph {
            true => Some(plan.flamegraph_pids()?),
            false => None,
        };
        Ok(Some(Prepared { plan, flame_pids }))
    }
}

impl Prepared {
    /// Lines worth showing before the run (a `--monitor-series` that matches nothing yet).
    pub fn warnings(&self) -> &[String] {
        &self.plan.warnings
    }
}

/// The monitor of one run (or one sweep): ready until the engine's clock starts, then
/// sampling.
pub struct Watching {
    ready: Option<Prepared>,
    /// The steady part, seconds since the start: what `--flamegraph` profiles, and from
    /// when `--abort-on-fail` counts the readings.
    steady: (f64, f64),
    monitor: Option<Monitor>,
    so_far: Tally,
    /// Readings [`Watching::drain`] handed out (written with the interval lines).
    drained: usize,
}

/// What the monitor saw, once it stopped.
pub struct Watched {
    pub sources: Vec<(String, MonitorKind)>,
    /// Every reading, in time order; those after the ones [`Watching::drain`] handed out
    /// were taken after the run's last interval (its last reading, a process found gone).
    pub samples: Vec<MonitorSample>,
    pub flamegraph: Option<FlameGraphSummary>,
    /// Lines for the user: why there is no flame graph.
    pub notes: Vec<String>,
    /// How many of `samples` [`Watching::drain`] handed out.
    pub drained: usize,
}

impl Watched {
    /// The readings taken after the last one [`Watching::drain`] handed out: no interval
    /// line carries them, so `end.json` does.
    pub fn after_intervals(&self) -> &[MonitorSample] {
        self.samples.get(self.drained..).unwrap_or_default()
    }

    /// For the analysis.
    pub fn monitored(&self) -> Monitored<'_> {
        Monitored {
            sources: &self.sources,
            samples: &self.samples,
            flamegraph: self.flamegraph.as_ref(),
        }
    }
}

impl Watching {
    /// A monitor for `prepared`'s sources whose steady part is `(from_s, to_s)`.
    pub fn new(prepared: Prepared, steady: (f64, f64)) -> Watching {
        Watching {
            ready: Some(prepared),
            steady,
            monitor: None,
            so_far: Tally::new(steady.0, f64::INFINITY),
            drained: 0,
        }
    }

    /// Starts sampling at `t0`'s interval boundaries (once; later calls do nothing).
    pub fn start(&mut self, t0: Instant) {
        let Some(prepared) = self.ready.take() else {
            return;
        };
        let (from_s, to_s) = self.steady;
        let flame = prepared.flame_pids.map(|pids| FlameWindow { pids, from_s, to_s });
        let clock = Clock { t0, interval: INTERVAL };
        self.monitor = Some(Monitor::start(prepared.plan, clock, flame));
    }

    /// The readings taken since the last call.
    pub fn drain(&mut self) -> Vec<MonitorSample> {
        let readings = self.monitor.as_ref().map(Monitor::drain).unwrap_or_default();
        self.so_far.add(&readings);
        self.drained += readings.len();
        readings
    }

    /// The `target_*` values of the steady part so far (`--abort-on-fail`).
    pub fn so_far(&self) -> &Tally {
        &self.so_far
    }

    /// Stops sampling (one last reading), renders the flame graph and writes it into
    /// `folder`.
    pub fn finish(mut self, folder: Option<&Path>) -> Watched {
        let Some(monitor) = self.monitor.take() else {
            return Watched {
                sources: Vec::new(),
                samples: Vec::new(),
                flamegraph: None,
                notes: Vec::new(),
                drained: 0,
            };
        };
        let run = monitor.finish();
        let mut notes = Vec::new();
        let flamegraph = match (run.flamegraph, folder) {
            (Some(Ok(graph)), Some(dir)) => match graph.write_into(dir) {
                Ok(()) => Some(graph.summary),
                Err(e) => {
                    notes.push(format!("flame graph: cannot write it into {}: {e}", dir.display()));
                    None
                }
            },
            (Some(Err(e)), _) => {
                notes.push(e.to_string());
                None
            }
            _ => None,
        };
        Watched {
            sources: run.sources,
            samples: run.samples,
            flamegraph,
            notes,
            drained: self.drained,
        }
    }
}
