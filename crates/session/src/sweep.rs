//! The sweep driver that `loadcell capacity` and `loadcell scale` share: run the target at
//! one level after another (each level one engine run, shown by nothing while it runs),
//! merge every step into one summary ([`Combined`]), rewrite the results folder after each
//! step, and stop at the first Ctrl-C with what was measured so far. One `--monitor` watches
//! the whole sweep on the summary's clock; each step is judged with the readings of its own
//! measured window. `--postgres` (or the scenario's `postgres:`) connects once and takes
//! one window per step, from the end of its warm-up to its end, as `loadcell run` does for
//! its one window. What the levels are, how a step is judged and what the summary's
//! section says is the [`Sweep`]'s.

use crate::databases::Databases;
use crate::error::SessionError;
use crate::folder;
use crate::reach::Reach;
use crate::target::{Job, Target};
use crate::watch::{MonitorRequest, Watching};
use loadcell_analysis::{Combined, Mark};
use loadcell_engine::{Control, IntervalEvent, Observer, Outcome, Settings, Transport, Workload};
use loadcell_monitor::Tally;
use loadcell_plan::LoadInputs;
use loadcell_schema::Summary;
use loadcell_threshold::Threshold;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A sweep: the levels it runs and what it makes of them.
pub trait Sweep {
    /// A level: a rate, a number of VUs.
    type Level: Copy;

    /// The next level to run, or `None` when the sweep is done.
    fn next(&mut self) -> Option<Self::Level>;
    /// The engine settings of a step at `level` (also checked for every level before the
    /// first request, where the sweep knows them).
    fn settings(&self, level: Self::Level) -> Result<Settings, SessionError>;
    /// The `n`-th step's name and level in the summary (`interrupted`: cut by Ctrl-C).
    fn mark(&self, level: Self::Level, n: usize, interrupted: bool) -> Mark;
    /// A step that `started` then ran to its end, with `--monitor`'s readings of its
    /// measured window; returns the SLOs that failed on it (`None` when the sweep judges none).
    fn measured(
        &mut self,
        level: Self::Level,
        outcome: &Outcome,
        started: Instant,
        resources: Option<&Tally>,
    ) -> Option<Vec<String>>;
    /// The step that `started` is done, its rewrite of the results folder included.
    fn done(&mut self, started: Instant);
    /// Ctrl-C cut the step at `level`; the sweep ends.
    fn interrupted(&mut self, level: Self::Level);
    /// The summary of every step so far, with the sweep's section; `None` before any step.
    fn document(&self, combined: &Combined, finished: bool) -> Option<Summary>;
}

/// Longest warm-up before a step's measured window, when the command does not set one.
const MAX_STEP_WARMUP: Duration = Duration::from_secs(2);

/// A step's warm-up when the command does not set one: a fifth of the step, at most 2 s.
pub fn default_warmup(step: Duration) -> Duration {
    (step / 5).min(MAX_STEP_WARMUP)
}

/// The engine settings of one step: `load` planned (checked), its warm-up, the grace for
/// requests in flight at its end, and the target's connections.
pub fn step_settings(load: &LoadInputs, grace: Duration, transport: &Transport) -> Result<Settings, SessionError> {
    let plan = loadcell_plan::plan(load)?;
    Ok(Settings {
        model: plan.model,
        warmup: load.warmup,
        run_for: plan.run_for,
        requests: None,
        grace,
        threads: plan.threads,
        transport: transport.clone(),
        samples: None,
        open_vus: plan.open_vus,
        parts: Vec::new(),
        segment: Default::default(),
        start_at: None,
    })
}

/// What the driver shows between steps.
pub enum Shown<'a, L> {
    /// A step is done.
    Step,
    /// Ctrl-C cut the step at this level; the sweep ends.
    Interrupted(L),
    /// The results folder could not be rewritten (the sweep goes on).
    Warning(&'a SessionError),
}

/// `--monitor` (or the scenario's `monitor:`) for a sweep of `target` whose SLOs are `slos`
/// and whose steps warm up for `step_warmup` (checked before any request; `folder`: a
/// results folder takes the flame graph). The flame graph profiles the whole sweep after
/// the first warm-up.
pub fn watching(
    request: &MonitorRequest,
    target: &Target,
    slos: &[Threshold],
    folder: bool,
    step_warmup: Duration,
) -> Result<Option<Watching>, SessionError> {
    let request = request.with_file(target.scenario().map(|s| &s.monitor));
    let prepared = request.prepare(slos, folder)?;
    Ok(prepared.map(|p| Watching::new(p, (step_warmup.as_secs_f64(), f64::INFINITY))))
}

/// What watches the target and its databases during a sweep.
#[derive(Default)]
pub struct Evidence {
    /// `--monitor`, from the start of the sweep to its end.
    pub watch: Option<Watching>,
    /// `--postgres`, one window per step.
    pub databases: Option<Databases>,
}

/// `--monitor` and `--postgres` (or the scenario's `monitor:` and `postgres:`) for a sweep
/// of `target` (see [`watching`]), connected before any request.
pub fn evidence(
    request: &MonitorRequest,
    postgres: &[String],
    target: &Target,
    slos: &[Threshold],
    folder: bool,
    step_warmup: Duration,
) -> Result<Evidence, SessionError> {
    let watch = watching(request, target, slos, folder, step_warmup)?;
    let urls = Databases::urls(postgres, target.scenario());
    let databases = Databases::connect(&urls, step_warmup)?;
    Ok(Evidence { watch, databases })
}

/// Runs `sweep` against `target` adding every step to `combined`, rewriting the folder
/// `dir` after every step. A failed rewrite does not end the sweep: it is shown, and the
/// final write reports it. `evidence.watch` (`--monitor`) samples from the start of the
/// sweep to its end, `evidence.databases` each step's measured window; the returned lines
/// say what the user should know of the monitor (no flame graph, and why).
pub fn run<S: Sweep>(
    target: &Target,
    sweep: &mut S,
    combined: &mut Combined,
    dir: Option<&Path>,
    interrupts: &Arc<AtomicUsize>,
    evidence: Evidence,
    show: &mut dyn FnMut(&S, Shown<'_, S::Level>),
) -> Result<Vec<String>, SessionError> {
    let Evidence {
        mut watch,
        mut databases,
    } = evidence;
    if let Some(w) = &mut watch {
        // The summary's clock starts when `combined` was made, a moment ago.
        let since = combined.elapsed();
        w.start(Instant::now().checked_sub(since).unwrap_or_else(Instant::now));
    }
    let mut drained = 0;
    let result = steps(
        target,
        sweep,
        combined,
        dir,
        interrupts,
        (watch.as_mut(), databases.as_mut()),
        &mut drained,
        show,
    );
    if let (Err(SessionError::Unreachable(_)), Some(dir)) = (&result, dir) {
        // Nothing was measured: the folder claimed for the sweep goes, if still empty.
        let _ = std::fs::remove_dir(dir);
    }
    let Some(w) = watch else {
        return result.map(|()| Vec::new());
    };
    let watched = w.finish(dir);
    combined.watched(watched.samples.get(drained..).unwrap_or_default().to_vec());
    if let Some(graph) = watched.flamegraph {
        combined.set_flamegraph(graph);
    }
    result.map(|()| watched.notes)
}

/// The steps of [`run`]; `drained` counts the readings handed to `combined`.
#[allow(clippy::too_many_arguments)]
fn steps<S: Sweep>(
    target: &Target,
    sweep: &mut S,
    combined: &mut Combined,
    dir: Option<&Path>,
    interrupts: &Arc<AtomicUsize>,
    (mut watch, mut databases): (Option<&mut Watching>, Option<&mut Databases>),
    drained: &mut usize,
    show: &mut dyn FnMut(&S, Shown<'_, S::Level>),
) -> Result<(), SessionError> {
    let mut take = |combined: &mut Combined, watch: &mut Option<&mut Watching>| {
        if let Some(w) = watch {
            let readings = w.drain();
            *drained += readings.len();
            combined.watched(readings);
        }
    };
    let mut n = 0;
    while let Some(level) = sweep.next() {
        n += 1;
        let started = Instant::now();
        let settings = sweep.settings(level)?;
        // Only the first step can show that nothing listens: later ones are measured as
        // they come, refusals included (a target that dies mid-sweep is a result).
        let (outcome, reach) = target.with(Step {
            settings,
            interrupts: interrupts.clone(),
            reach: (n == 1).then(|| Reach::new(&target.origin)),
            databases: databases.as_deref_mut(),
        });
        // The step's database window ends with it (before an overloaded step's cool-down).
        let windows = databases
            .as_deref_mut()
            .map(|d| d.cut(outcome.total.overall().requests()))
            .unwrap_or_default();
        take(combined, &mut watch);
        if let Some(problem) = reach.as_ref().and_then(Reach::problem) {
            return Err(SessionError::Unreachable(problem));
        }
        if interrupts.load(Ordering::Relaxed) > 0 {
            // A step cut short says nothing about the level, but what it sent was measured.
            combined.add(outcome, sweep.mark(level, n, true), None);
            combined.databases(windows);
            sweep.interrupted(level);
            show(sweep, Shown::Interrupted(level));
            break;
        }
        let resources = watch.is_some().then(|| combined.resources(&outcome));
        let failures = sweep.measured(level, &outcome, started, resources.as_ref());
        combined.add(outcome, sweep.mark(level, n, false), failures);
        combined.databases(windows);
        if let Some(dir) = dir
            && let Some(Err(e)) = sweep.document(combined, false).map(|d| folder::write(dir, &d))
        {
            show(sweep, Shown::Warning(&e));
        }
        // The folder's rewrite counts against the budget, as part of the step.
        sweep.done(started);
        show(sweep, Shown::Step);
    }
    Ok(())
}

/// One step: an engine run that shows nothing while it goes; the first one also watches
/// for a target nobody answers.
struct Step<'d> {
    settings: Settings,
    interrupts: Arc<AtomicUsize>,
    reach: Option<Reach>,
    databases: Option<&'d mut Databases>,
}

impl Job for Step<'_> {
    type Output = (Outcome, Option<Reach>);

    fn run<W: Workload>(self, workload: W) -> Self::Output {
        let mut observer = Unobserved {
            reach: self.reach,
            databases: self.databases,
        };
        let outcome = loadcell_engine::run(workload, self.settings, self.interrupts, &mut observer);
        (outcome, observer.reach)
    }
}

/// Sees nothing but whether anybody answers (a step's progress is one line once it ends)
/// and opens the databases' window when the step's warm-up ends.
struct Unobserved<'d> {
    reach: Option<Reach>,
    databases: Option<&'d mut Databases>,
}

impl Observer for Unobserved<'_> {
    fn on_start(&mut self, _: Instant, _: std::time::SystemTime) {
        if let Some(databases) = self.databases.as_deref_mut() {
            databases.start();
        }
    }

    fn on_interval(&mut self, event: &IntervalEvent<'_>) -> Control {
        if let Some(databases) = self.databases.as_deref_mut() {
            databases.see(event.summary);
        }
        match &mut self.reach {
            Some(reach) => reach.see(event.summary),
            None => Control::Continue,
        }
    }
}
