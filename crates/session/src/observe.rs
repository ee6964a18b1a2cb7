//! The observer of a run, composed from small parts that each do one job once per
//! interval, in this order: take the monitor's new readings (`--monitor`), publish live
//! metrics (`--prometheus`), append the interval (with those readings) to the results
//! folder's log (and send it to `loadcell collect`, `--collect`), show progress (the CLI's [`Display`]), judge the thresholds on the run so
//! far (`--abort-on-fail`, `target_*` ones on the readings so far), feed the tracks the
//! profile's analyses need, and watch for a target that is not there at all ([`Reach`]).

use crate::databases::Databases;
use crate::fleet::Collecting;
use crate::live::Live;
use crate::reach::Reach;
use crate::watch::Watching;
use loadcell_analysis::AbortCheck;
use loadcell_analysis::tracks::{Interval, Tracks};
use loadcell_engine::{Control, IntervalEvent, Observer};
use loadcell_results::ResultsWriter;
use loadcell_schema::MonitorSample;
use loadcell_threshold::MetricSource;
use std::time::{Instant, SystemTime};

/// How the run is shown while it goes (the CLI's progress bar or lines).
pub trait Display {
    /// The run is about to start (the outputs are open).
    fn start(&mut self, start: &crate::run::Start);
    /// One interval ended.
    fn interval(&mut self, event: &IntervalEvent<'_>);
    /// A line for the user beside the progress (`live metrics: URL`, warnings).
    fn note(&mut self, line: &str);
    /// The run ended: clear what should not stay above the summary.
    fn finish(&mut self);
}

/// Shows nothing (a sweep's steps, tests).
pub struct Silent;

impl Display for Silent {
    fn start(&mut self, _: &crate::run::Start) {}
    fn interval(&mut self, _: &IntervalEvent<'_>) {}
    fn note(&mut self, _: &str) {}
    fn finish(&mut self) {}
}

/// The results folder's interval log, appended once per interval.
pub struct ResultsLog {
    pub writer: Option<ResultsWriter>,
}

impl ResultsLog {
    fn append(&mut self, event: &IntervalEvent<'_>, readings: &[MonitorSample], display: &mut dyn Display) {
        if let Some(Err(e)) = self.writer.as_mut().map(|w| w.append_with_monitor(event, readings)) {
            // Losing the log must not end the test; the summary is still written at the end.
            display.note(&format!(
                "warning: results folder: {e}; no more intervals will be written"
            ));
            self.writer = None;
        }
    }
}

/// The run's observer: every part it was given.
pub struct Parts<'a> {
    pub live: Option<Live>,
    pub log: ResultsLog,
    pub display: &'a mut dyn Display,
    pub abort: Option<AbortCheck<'a>>,
    pub tracks: Option<Tracks>,
    pub reach: Option<Reach>,
    /// `--monitor`: started with the engine's clock.
    pub watch: Option<Watching>,
    /// `--postgres`: the window opens at the end of the warm-up.
    pub databases: Option<Databases>,
    /// `--collect`: each line of the log goes to the collector too.
    pub collect: Option<Collecting>,
    /// Why the collector stopped the run (a fleet-wide threshold failed).
    pub fleet_stop: Option<String>,
}

impl Parts<'_> {
    /// The threshold that stopped the run (`--abort-on-fail` or its own `abortOnFail`).
    pub fn abort_reason(&self) -> Option<&str> {
        self.abort.as_ref().and_then(|a| a.failed.as_deref())
    }

    /// Sends what the log just got to the collector, says once that it was lost, and
    /// whether it said stop.
    fn collect(&mut self, send: impl FnOnce(&mut Collecting, &ResultsWriter)) -> Control {
        let (Some(collect), Some(writer)) = (self.collect.as_mut(), self.log.writer.as_ref()) else {
            return Control::Continue;
        };
        send(collect, writer);
        if let Some(line) = collect.take_note() {
            self.display.note(&line);
        }
        match collect.stop() {
            Some(why) => {
                self.fleet_stop
                    .get_or_insert_with(|| format!("fleet-wide, judged by the collector: {why}"));
                Control::Abort
            }
            None => Control::Continue,
        }
    }
}

impl Observer for Parts<'_> {
    fn on_start(&mut self, t0: Instant, started_at: SystemTime) {
        // `meta.json` was written before the setup and any `--start-at` wait: it now gets
        // the load's start, which the intervals count from.
        if let Some(Err(e)) = self.log.writer.as_mut().map(|w| w.started(started_at)) {
            self.display.note(&format!("warning: results folder: {e}"));
        }
        let _ = self.collect(|c, w| c.meta(&serde_json::to_vec(w.meta()).unwrap_or_default()));
        if let Some(watch) = &mut self.watch {
            watch.start(t0);
        }
        if let Some(databases) = &mut self.databases {
            databases.start();
        }
    }

    fn on_interval(&mut self, event: &IntervalEvent<'_>) -> Control {
        if let Some(databases) = &mut self.databases {
            databases.see(event.summary);
        }
        let readings = self.watch.as_mut().map(Watching::drain).unwrap_or_default();
        if let Some(live) = &self.live {
            live.update(event);
            if !readings.is_empty() {
                live.set_monitor(&readings);
            }
        }
        self.log.append(event, &readings, self.display);
        let fleet = self.collect(|c, w| c.line(w.last_line()));
        self.display.interval(event);
        for (r, why) in readings.iter().filter_map(|r| r.gone.as_ref().map(|why| (r, why))) {
            let line = format!(
                "--monitor {}: gone at {:.1} s ({why}); the run goes on",
                r.source, r.t_s
            );
            self.display.note(&line);
        }
        let resources = self.watch.as_ref().map(|w| w.so_far() as &dyn MetricSource);
        let control = match &mut self.abort {
            Some(check) if !event.summary.warmup => {
                check.judge_named(event.total, event.endpoints, event.elapsed, resources)
            }
            _ => Control::Continue,
        };
        // The collector judged the fleet: a failing fleet-wide threshold stops every part.
        let control = if fleet == Control::Abort {
            Control::Abort
        } else {
            control
        };
        if let Some(tracks) = &mut self.tracks {
            let reason = self.abort.as_ref().and_then(|a| a.failed.as_deref());
            let lost = reason.filter(|_| control == Control::Abort);
            tracks.see(&Interval::of_event(event), lost);
        }
        let unreachable = self.reach.as_mut().map(|r| r.see(event.summary));
        if unreachable == Some(Control::Abort) {
            return Control::Abort;
        }
        control
    }
}
