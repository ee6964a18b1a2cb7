//! The monitor's own thread: one reading of every source at each interval boundary of the
//! run (`t0 + k·interval`, the same instants the engine cuts its intervals at), never on the
//! request path. Readings are handed out with [`Monitor::drain`] as they come (for the
//! results folder and live metrics) and all of them again by [`Monitor::finish`].
//!
//! A source found gone is recorded once, with the time, and not read again; the others go
//! on. With `--flamegraph` the thread also starts and stops `perf record` at the edges of
//! the steady window.

use std::collections::BTreeSet;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use loadcell_schema::{MonitorKind, MonitorSample};

use crate::flame::{FlameGraph, FlameGraphError, Profiler};
use crate::plan::{MonitorPlan, PlannedSource};
use crate::source::Outcome;
use crate::summary::{attach_flamegraph, summarize};

/// When the run's intervals are cut.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    /// The run's start (the engine's `t0`, see `Observer::on_start`).
    pub t0: Instant,
    /// The interval length (one second).
    pub interval: Duration,
}

/// `--flamegraph`: record these processes from `from_s` to `to_s` (seconds since `t0`).
#[derive(Debug, Clone)]
pub struct FlameWindow {
    pub pids: Vec<u32>,
    pub from_s: f64,
    pub to_s: f64,
}

/// The monitor of a run, sampling on its own thread.
pub struct Monitor {
    shared: Arc<Mutex<Vec<MonitorSample>>>,
    stop: mpsc::Sender<()>,
    thread: Option<JoinHandle<Finished>>,
    sources: Vec<(String, MonitorKind)>,
    t0: Instant,
}

/// What the thread hands back.
struct Finished {
    samples: Vec<MonitorSample>,
    profiler: Option<Result<Profiler, FlameGraphError>>,
    cost: Cost,
}

/// What the monitor's own thread spent: its CPU time over its rounds of readings.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Cost {
    /// CPU time of the monitor thread, start to end (flame graph rendering excluded).
    pub cpu: Duration,
    /// Rounds of readings (one reading of every live source each).
    pub rounds: u64,
}

impl Cost {
    /// CPU per round, milliseconds.
    pub fn ms_per_round(&self) -> f64 {
        if self.rounds == 0 {
            0.0
        } else {
            self.cpu.as_secs_f64() * 1e3 / self.rounds as f64
        }
    }
}

/// Everything a finished monitor saw.
pub struct MonitorRun {
    /// Each source's name and kind, in `--monitor` order.
    pub sources: Vec<(String, MonitorKind)>,
    /// Every reading, in time order.
    pub samples: Vec<MonitorSample>,
    /// `--flamegraph`: the rendered profile, or why there is none.
    pub flamegraph: Option<Result<FlameGraph, FlameGraphError>>,
    /// The monitor's own cost (for the generator's health line and BENCHMARKS.md).
    pub cost: Cost,
}

impl Monitor {
    /// Starts sampling `plan`'s sources at `clock`'s boundaries (the first reading, at
    /// `t0`, gives levels only: rates need two readings).
    pub fn start(plan: MonitorPlan, clock: Clock, flame: Option<FlameWindow>) -> Monitor {
        let shared = Arc::new(Mutex::new(Vec::new()));
        let (stop, stopped) = mpsc::channel();
        let sources = plan
            .sources
            .iter()
            .map(|s| (s.spec.to_string(), s.spec.kind()))
            .collect();
        let out = shared.clone();
        let thread = std::thread::Builder::new()
            .name("loadcell-monitor".to_string())
            .spawn(move || sample_loop(plan.sources, clock, flame, &out, &stopped))
            .ok();
        Monitor {
            shared,
            stop,
            thread,
            sources,
            t0: clock.t0,
        }
    }

    /// The readings taken since the last call (never blocks on a reading in progress).
    pub fn drain(&self) -> Vec<MonitorSample> {
        std::mem::take(&mut *self.shared.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Stops sampling after one last reading (when the last one is more than 0.1 s old),
    /// renders the flame graph if one was recorded, and returns every reading.
    pub fn finish(mut self) -> MonitorRun {
        let _ = self.stop.send(());
        let finished = self.thread.take().and_then(|t| t.join().ok());
        let (samples, profiler, cost) = match finished {
            Some(f) => (f.samples, f.profiler, f.cost),
            None => (Vec::new(), None, Cost::default()),
        };
        let end_s = self.t0.elapsed().as_secs_f64();
        let profiled = self
            .sources
            .iter()
            .find(|s| matches!(s.1, MonitorKind::Pid | MonitorKind::Process))
            .map_or("the target", |s| s.0.as_str());
        let title = format!("on-CPU stacks of {profiled}");
        let flamegraph = profiler.map(|p| p.and_then(|p| p.render(end_s, &title)));
        MonitorRun {
            sources: self.sources.clone(),
            samples,
            flamegraph,
            cost,
        }
    }
}

impl MonitorRun {
    /// The `summary.json` sections: per source its statistics, series and leak verdicts
    /// fitted on the readings from `from_s` (the end of the warm-up) to `to_s` (the end of
    /// the steady part), with the flame graph's summary on the profiled source.
    pub fn summaries(&self, from_s: f64, to_s: f64) -> Vec<loadcell_schema::MonitorSummary> {
        let mut out = summarize(&self.sources, &self.samples, from_s, to_s);
        if let Some(Ok(g)) = &self.flamegraph {
            attach_flamegraph(&mut out, &g.summary);
        }
        out
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The thread's body: read at `t0`, then at each boundary until told to stop.
fn sample_loop(
    mut sources: Vec<PlannedSource>,
    clock: Clock,
    flame: Option<FlameWindow>,
    out: &Mutex<Vec<MonitorSample>>,
    stopped: &mpsc::Receiver<()>,
) -> Finished {
    let interval = clock.interval.max(Duration::from_millis(10));
    let mut all = Vec::new();
    let mut gone = BTreeSet::new();
    let mut profiler: Option<Result<Profiler, FlameGraphError>> = None;
    let mut k: u32 = 0;
    let mut rounds = 0;
    let mut last_at = clock.t0;
    loop {
        let due = clock.t0 + interval * k;
        let wait = due.saturating_duration_since(Instant::now());
        match stopped.recv_timeout(wait) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
        let t_s = interval.as_secs_f64() * f64::from(k);
        flame_edges(&flame, &mut profiler, t_s);
        let batch = read_all(&mut sources, &mut gone, t_s);
        rounds += 1;
        last_at = Instant::now();
        publish(out, &mut all, batch);
        // Readings that fell more than half an interval behind skip the boundaries they
        // missed rather than bunching up.
        let at = Instant::now().saturating_duration_since(clock.t0).as_secs_f64() / interval.as_secs_f64();
        k = if at > f64::from(k + 1) + 0.5 {
            at.ceil() as u32
        } else {
            k + 1
        };
    }
    let now = Instant::now();
    if now.saturating_duration_since(last_at) > Duration::from_millis(100) {
        let t_s = now.saturating_duration_since(clock.t0).as_secs_f64();
        let batch = read_all(&mut sources, &mut gone, t_s);
        rounds += 1;
        publish(out, &mut all, batch);
    }
    if let (Some(Ok(p)), Some(w)) = (profiler.as_mut(), &flame) {
        p.interrupt(w.to_s.min(now.saturating_duration_since(clock.t0).as_secs_f64()));
    }
    Finished {
        samples: all,
        profiler,
        cost: Cost {
            cpu: thread_cpu(),
            rounds,
        },
    }
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec we own.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0;
    if ok {
        Duration::new(
            u64::try_from(ts.tv_sec).unwrap_or(0),
            u32::try_from(ts.tv_nsec).unwrap_or(0),
        )
    } else {
        Duration::ZERO
    }
}

/// Starts the profiler when the window opens, stops it when it closes.
fn flame_edges(flame: &Option<FlameWindow>, profiler: &mut Option<Result<Profiler, FlameGraphError>>, t_s: f64) {
    let Some(w) = flame else {
        return;
    };
    if profiler.is_none() && t_s >= w.from_s && t_s < w.to_s {
        *profiler = Some(Profiler::start(&w.pids, t_s));
    }
    if t_s >= w.to_s
        && let Some(Ok(p)) = profiler.as_mut()
    {
        p.interrupt(t_s);
    }
}

fn read_all(sources: &mut [PlannedSource], gone: &mut BTreeSet<usize>, t_s: f64) -> Vec<MonitorSample> {
    let mut batch = Vec::with_capacity(sources.len());
    for (i, source) in sources.iter_mut().enumerate() {
        if gone.contains(&i) {
            continue;
        }
        let mut sample = MonitorSample {
            source: source.spec.to_string(),
            t_s,
            ..MonitorSample::default()
        };
        match source.sampler.read(Instant::now()) {
            Outcome::Read(r) => {
                sample.values = r.values.into_iter().collect();
                sample.limits = r.limits.into_iter().collect();
            }
            Outcome::Failed(e) => sample.error = Some(loadcell_diagnostics::clip(&e, 200)),
            Outcome::Gone(why) => {
                gone.insert(i);
                sample.gone = Some(why);
            }
        }
        batch.push(sample);
    }
    batch
}

fn publish(out: &Mutex<Vec<MonitorSample>>, all: &mut Vec<MonitorSample>, batch: Vec<MonitorSample>) {
    out.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .extend(batch.iter().cloned());
    all.extend(batch);
}
