//! One run, start to finish, for `loadcell run` (a URL or a scenario) and `loadcell demo`:
//! the outputs opened before the first request (samples file, results folder with its
//! `meta.json`, live metrics), the engine run under the composed observer, the interval log
//! closed, and the [`Summary`] built by `loadcell-analysis`. Showing it is the caller's;
//! [`Finished::write_outputs`] then writes `--summary-json` and the folder's summary and
//! reports, keeping any failure beside the verdict instead of in its place.

use crate::databases::Databases;
use crate::error::SessionError;
use crate::fleet::Collecting;
use crate::folder::{self, OutDir};
use crate::live::Live;
use crate::observe::{Display, Parts, ResultsLog};
use crate::outputs;
use crate::reach::Reach;
use crate::samples::SamplesFile;
use crate::target::{Job, Target};
use crate::watch::{MonitorRequest, Prepared, Watching};
use loadcell_analysis::{AbortCheck, RunFacts, Tracks};
use loadcell_engine::{CheckName, EndpointName, Settings, Workload};
use loadcell_results::{CheckSlot, ResultsWriter, RunEnd, RunMeta, ScenarioStart};
use loadcell_schema::{Profile, RunMetadata, StageLabel, Summary};
use loadcell_threshold::Threshold;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, SystemTime};

/// What a run is, besides its target.
#[derive(Debug)]
pub struct RunSpec {
    pub settings: Settings,
    pub thresholds: Vec<Threshold>,
    /// Name and role of each stage (profiles).
    pub labels: Vec<StageLabel>,
    /// The test-type profile, for its analyses (spike recovery, soak trend, breakpoint).
    pub profile: Option<Profile>,
    /// `--abort-on-fail`, or implied by `--profile breakpoint`.
    pub abort_on_fail: bool,
    pub abort_delay: Duration,
    /// `--recovery-window` (spike runs).
    pub recovery_window: Option<Duration>,
    pub outputs: RunOutputs,
    /// `--monitor`, `--monitor-series`, `--flamegraph` (a scenario's `monitor:` fills in
    /// what they leave out).
    pub monitor: MonitorRequest,
    /// `--postgres URL`s: databases watched over the measured window (replacing a
    /// scenario's `postgres:`).
    pub postgres: Vec<String>,
}

/// Where the run's results go.
#[derive(Debug, Default)]
pub struct RunOutputs {
    /// The results folder (`None` for none).
    pub out: Option<OutDir>,
    pub summary_json: Option<PathBuf>,
    /// `--summary-export`: the summary in k6's export shape.
    pub summary_export: Option<PathBuf>,
    pub samples: Option<PathBuf>,
    /// `--prometheus`: the address, or `None` for no live metrics.
    pub prometheus: Option<String>,
    /// `--collect URL`: the folder's lines go to `loadcell collect` too.
    pub collect: Option<crate::fleet::CollectUrl>,
}

/// A finished run: its summary, and where the rest goes.
#[derive(Debug)]
pub struct Finished {
    pub summary: Summary,
    /// The threshold that stopped the run (`--abort-on-fail` or its own `abortOnFail`).
    pub aborted: Option<String>,
    folder: Option<PathBuf>,
    summary_json: Option<PathBuf>,
    summary_export: Option<PathBuf>,
    /// Results that could not be written after load was sent; the verdict stands.
    pub failures: Vec<SessionError>,
    /// `--collect`: the collector stopped the run, a fleet-wide threshold having failed.
    pub fleet_stop: Option<String>,
}

impl Finished {
    /// Writes `--summary-json` and the folder's `summary.json` and reports; returns the
    /// folder when it was written. Failures are kept in [`Finished::failures`].
    pub fn write_outputs(&mut self) -> Option<PathBuf> {
        if let Some(path) = &self.summary_json
            && let Err(e) = outputs::write_json("--summary-json", path, &self.summary)
        {
            self.failures.push(e);
        }
        if let Some(path) = &self.summary_export {
            let written = loadcell_report::k6_summary_export(&self.summary)
                .map_err(SessionError::from)
                .and_then(|bytes| outputs::write_bytes("--summary-export", path, &bytes));
            if let Err(e) = written {
                self.failures.push(e);
            }
        }
        let dir = self.folder.clone()?;
        match folder::write(&dir, &self.summary) {
            Ok(_) => Some(dir),
            Err(e) => {
                self.failures.push(e);
                None
            }
        }
    }
}

/// Runs `target` as `spec` says, shown on `display`; `interrupts` counts Ctrl-C.
pub fn execute(
    target: Target,
    spec: RunSpec,
    display: &mut dyn Display,
    interrupts: Arc<AtomicUsize>,
) -> Result<Finished, SessionError> {
    if let Some(path) = &spec.outputs.summary_json {
        outputs::check_writable("--summary-json", path)?;
    }
    if let Some(path) = &spec.outputs.summary_export {
        outputs::check_writable("--summary-export", path)?;
    }
    // Raises the soft descriptor limit, and refuses a closed model it cannot hold.
    let per_vu = target.scenario().map_or(1, |s| s.connections_per_vu());
    let s = &spec.settings;
    loadcell_engine::check_descriptors(&s.model, s.threads.max(1), per_vu, s.segment)?;
    let request = spec.monitor.with_file(target.scenario().map(|s| &s.monitor));
    let monitor = request.prepare(&spec.thresholds, spec.outputs.out.is_some())?;
    let urls = Databases::urls(&spec.postgres, target.scenario());
    let databases = Databases::connect(&urls, spec.settings.warmup)?;
    let who = Identity {
        metadata: crate::metadata::collect(target.scenario_text.as_deref()),
        name: target.name.clone(),
        label: target.label.clone(),
        scenarios: target
            .scenario()
            .map(|s| {
                s.scenarios
                    .iter()
                    .map(|p| ScenarioStart {
                        name: p.name.clone(),
                        executor: p.executor.name().to_string(),
                        start_time_s: p.start_time.as_secs_f64(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let reach = Reach::new(&target.origin);
    target.into_job(Execute {
        spec,
        reach,
        who,
        display,
        interrupts,
        monitor,
        databases,
    })
}

/// How the run is named and where it came from.
struct Identity {
    metadata: RunMetadata,
    /// The URL or scenario file, as the user named it.
    name: String,
    label: String,
    /// A file's `scenarios:`: name, executor and start time of each.
    scenarios: Vec<ScenarioStart>,
}

/// The request slots a workload records into.
struct Slots {
    endpoints: Vec<EndpointName>,
    checks: Vec<CheckName>,
    journeys: Vec<String>,
    custom: Vec<loadcell_schema::CustomMetricDef>,
    custom_sites: Vec<CheckName>,
}

/// [`execute`] once the workload is built.
struct Execute<'d> {
    spec: RunSpec,
    reach: Reach,
    who: Identity,
    display: &'d mut dyn Display,
    interrupts: Arc<AtomicUsize>,
    /// `--monitor`'s sources, checked.
    monitor: Option<Prepared>,
    /// `--postgres`, connected.
    databases: Option<Databases>,
}

/// What is shown beside the progress: the plan and, for scenarios, the journeys.
#[derive(Debug, Clone, Default)]
pub struct Start {
    /// Planned length including warm-up, when known.
    pub planned: Option<Duration>,
    /// The stages of the load curve as (start, end) seconds since the start.
    pub stages: Vec<(f64, f64)>,
    /// Their names (profiles), shown after `stage i/n`.
    pub stage_names: Vec<String>,
    pub journeys: Vec<String>,
}

/// The outputs opened before the first request.
struct Opened {
    folder: Option<PathBuf>,
    writer: Option<ResultsWriter>,
    live: Option<Live>,
    collect: Option<Collecting>,
}

impl Job for Execute<'_> {
    type Output = Result<Finished, SessionError>;

    fn run<W: Workload>(self, workload: W) -> Self::Output {
        let Execute {
            mut spec,
            reach,
            who,
            display,
            interrupts,
            monitor,
            databases,
        } = self;
        let slots = Slots {
            endpoints: workload.endpoints(),
            checks: workload.checks(),
            journeys: workload.journeys(),
            custom: workload.custom_metrics(),
            custom_sites: workload.custom_sites(),
        };
        let opened = open(&mut spec, &who, &slots, display)?;
        let watch = monitor.map(|prepared| {
            for warning in prepared.warnings() {
                display.note(&format!("warning: {warning}"));
            }
            Watching::new(prepared, steady(&spec))
        });
        display.start(&Start {
            planned: spec.settings.run_for,
            stages: stage_spans(&spec.settings.model),
            stage_names: spec.labels.iter().map(|l| l.name.clone()).collect(),
            journeys: slots.journeys.clone(),
        });
        let RunSpec {
            settings,
            thresholds,
            labels,
            profile,
            abort_on_fail,
            abort_delay,
            recovery_window,
            outputs,
            monitor: _,
            postgres: _,
        } = spec;
        let mut parts = Parts {
            live: opened.live,
            log: ResultsLog { writer: opened.writer },
            display,
            abort: (abort_on_fail || thresholds.iter().any(|t| t.abort_after.is_some())).then(|| AbortCheck {
                thresholds: &thresholds,
                endpoints: &slots.endpoints,
                checks: &slots.checks,
                custom_sites: &slots.custom_sites,
                vus_limit: settings.own_vus_limit(),
                every: abort_on_fail,
                delay: abort_delay,
                warmup: settings.warmup,
                failed: None,
            }),
            tracks: Tracks::for_profile(profile, loadcell_analysis::window_s(recovery_window)),
            reach: Some(reach),
            watch,
            databases,
            collect: opened.collect,
            fleet_stop: None,
        };
        let outcome = loadcell_engine::run(workload, settings, interrupts, &mut parts);
        let watched = parts.watch.take().map(|w| w.finish(opened.folder.as_deref()));
        for note in watched.iter().flat_map(|w| &w.notes) {
            parts.display.note(note);
        }
        parts.display.finish();
        if let Some(live) = parts.live.take() {
            live.shutdown();
        }
        let facts = RunFacts {
            label: &who.label,
            metadata: who.metadata,
            thresholds: &thresholds,
            stages: &labels,
            profile,
            monitor: watched.as_ref().map(|w| w.monitored()),
        };
        let mut summary = loadcell_analysis::summarise(&outcome, facts, parts.tracks.as_ref());
        label_scenarios(&mut summary, &who.scenarios);
        if let Some(databases) = parts.databases.take() {
            databases.finish(&mut summary);
        }
        let mut failures = Vec::new();
        if let Some(writer) = parts.log.writer.take() {
            // The databases' window goes into `end.json`: `loadcell report` cannot snapshot
            // them again.
            let end = RunEnd {
                postgres: summary.postgres.clone(),
                monitor: watched
                    .as_ref()
                    .map(|w| w.after_intervals().to_vec())
                    .unwrap_or_default(),
                ..RunEnd::from_outcome(&outcome)
            };
            if let Some(collect) = parts.collect.take() {
                // The collector gets `end.json` as the folder will have it.
                let sent = RunEnd {
                    intervals: writer.appended(),
                    ..end.clone()
                };
                if let Some(line) = collect.take_note() {
                    parts.display.note(&line);
                }
                collect.end(&serde_json::to_vec(&sent).unwrap_or_default());
            }
            if let Err(e) = writer.finish(&end) {
                failures.push(e.into());
            }
        }
        if let Some(problem) = parts.reach.as_ref().and_then(Reach::problem) {
            // Nothing was measured: a folder loadcell named itself holds only refusals and
            // goes; one the user named with --out keeps what it was told.
            if let (Some(OutDir::Default(_)), Some(folder)) = (&outputs.out, &opened.folder) {
                let _ = std::fs::remove_dir_all(folder);
            }
            return Err(SessionError::Unreachable(problem));
        }
        if let Some(why) = setup_failure(&summary) {
            // Its requests are in the results folder; the run is a setup error, not a verdict.
            return Err(SessionError::SetupFailed(why));
        }
        let fleet_stop = parts.fleet_stop.clone();
        Ok(Finished {
            summary,
            aborted: parts.abort_reason().map(str::to_string).or_else(|| fleet_stop.clone()),
            fleet_stop,
            folder: opened.folder,
            summary_json: outputs.summary_json,
            summary_export: outputs.summary_export,
            failures,
        })
    }
}

/// Fills in the executor and start time of each of `summary.scenarios` (the slots carry
/// only the scenario's name), live and in `loadcell report`.
pub(crate) fn label_scenarios(summary: &mut loadcell_schema::Summary, scenarios: &[ScenarioStart]) {
    for entry in &mut summary.scenarios {
        if let Some(known) = scenarios.iter().find(|s| s.name == entry.name) {
            entry.executor = known.executor.clone();
            entry.start_time_s = known.start_time_s;
        }
    }
}

/// Why the scenario's `setup:` failed, when it did and stopped the run.
fn setup_failure(summary: &loadcell_schema::Summary) -> Option<String> {
    if summary.stop_reason != loadcell_schema::StopReason::SetupFailed {
        return None;
    }
    summary
        .lifecycle
        .iter()
        .find(|p| p.phase == "setup")
        .and_then(|p| p.error.clone())
}

/// The steady part of the run, seconds since its start: after the warm-up, before a
/// profile's ramp-down (open-ended when only a request budget ends the run).
fn steady(spec: &RunSpec) -> (f64, f64) {
    let s = &spec.settings;
    let end_s = s.run_for.map(|d| d.as_secs_f64());
    let (from, to) = loadcell_analysis::steady_window(&s.model, &spec.labels, s.warmup.as_secs_f64(), end_s);
    (from, to.unwrap_or(f64::INFINITY))
}

/// Opens the samples file, the results folder (with `meta.json`) and live metrics, in
/// that order, before the first request.
fn open(spec: &mut RunSpec, who: &Identity, slots: &Slots, display: &mut dyn Display) -> Result<Opened, SessionError> {
    if let Some(path) = &spec.outputs.samples {
        spec.settings.samples = Some(Arc::new(SamplesFile::create(path, &slots.endpoints)?));
    }
    let (folder, writer) = match &spec.outputs.out {
        Some(out) => {
            let (dir, writer) = folder::create_run(out, &meta(spec, who, slots))?;
            (Some(dir), Some(writer))
        }
        None => (None, None),
    };
    let collect = match (&spec.outputs.collect, &writer) {
        (Some(url), Some(writer)) => {
            let meta = serde_json::to_vec(writer.meta())?;
            Some(Collecting::start(url.clone(), spec.settings.segment, &meta)?)
        }
        (Some(url), None) => {
            return Err(crate::error::invalid(format!(
                "--collect {url} sends the results folder's lines: drop --no-out"
            )));
        }
        (None, _) => None,
    };
    let live = match &spec.outputs.prometheus {
        Some(addr) => Some(start_live(addr, slots, &spec.settings, display)?),
        None => None,
    };
    Ok(Opened {
        folder,
        writer,
        live,
        collect,
    })
}

/// The stages of the model's curve as (start, end) seconds, for naming the current stage.
fn stage_spans(model: &loadcell_engine::Model) -> Vec<(f64, f64)> {
    let curve = match model {
        loadcell_engine::Model::Closed { vus } => vus,
        loadcell_engine::Model::Open { rate, .. } => rate,
    };
    curve
        .segments()
        .into_iter()
        .map(|(start, len, _, _)| (start, start + len))
        .collect()
}

/// Starts `--prometheus` before the first request, so a taken port is bad input.
fn start_live(addr: &str, slots: &Slots, settings: &Settings, display: &mut dyn Display) -> Result<Live, SessionError> {
    let live = Live::start(
        Some(addr),
        slots.checks.clone(),
        slots.journeys.clone(),
        slots.custom.clone(),
        slots.custom_sites.clone(),
        settings.own_vus_limit(),
    )?;
    display.note(&format!("live metrics: {}", live.url()));
    Ok(live)
}

/// `meta.json`: what `loadcell report` needs to analyse the folder as the run did.
fn meta(spec: &RunSpec, who: &Identity, slots: &Slots) -> RunMeta {
    let s = &spec.settings;
    let mut meta = RunMeta::new(&who.name, SystemTime::now(), &s.model, s.warmup, s.threads).with_slots(
        &slots.endpoints,
        &slots.journeys,
        &slots.checks,
    );
    meta.custom = slots.custom.clone();
    meta.custom_sites = slots.custom_sites.iter().map(CheckSlot::from_name).collect();
    meta.label = who.label.clone();
    meta.thresholds = spec.thresholds.iter().map(|t| t.expr.clone()).collect();
    if spec.thresholds.iter().any(|t| t.abort_after.is_some()) {
        meta.threshold_abort_after_s = spec
            .thresholds
            .iter()
            .map(|t| t.abort_after.map(|d| d.as_secs_f64()))
            .collect();
    }
    meta.metadata = who.metadata.clone();
    meta.profile = spec.profile;
    meta.stage_names = spec.labels.iter().map(|l| l.name.clone()).collect();
    meta.stage_roles = spec.labels.iter().map(|l| l.role).collect();
    meta.abort_delay_s = spec.abort_on_fail.then_some(spec.abort_delay.as_secs_f64());
    meta.vus_limit = Some(s.vus_limit());
    meta.own_vus_limit = (!s.segment.is_whole()).then(|| s.own_vus_limit());
    meta.scenarios = who.scenarios.clone();
    meta.segment = (!s.segment.is_whole()).then(|| s.segment.to_string());
    meta.recovery_window_s =
        (spec.profile == Some(Profile::Spike)).then(|| loadcell_analysis::window_s(spec.recovery_window));
    meta
}
