//! Live progress on stderr while the run goes: a bar on a terminal, one plain line every
//! five seconds elsewhere (CI logs), nothing with `--quiet`. Also where `--abort-on-fail`
//! looks at the thresholds once a second.

use crate::print::{ms, num, pct};
use crate::verdict::Measured;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loadcell_engine::{CheckName, Control, EndpointName, IntervalEvent, Observer};
use loadcell_metrics::Recorder;
use loadcell_schema::IntervalSummary;
use loadcell_threshold::Threshold;
use std::io::{IsTerminal, Write};
use std::time::Duration;

const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// How progress is shown.
enum Display {
    Bar(ProgressBar),
    Plain { last: Duration },
    Quiet,
}

/// The run's observer: progress, abort-on-fail, and live metrics.
pub struct Progress<'a> {
    display: Display,
    /// Planned length including warm-up, when known.
    planned: Option<Duration>,
    abort: Option<AbortCheck<'a>>,
    pub live: Option<crate::live::Live>,
    /// The results folder's interval log, appended once per interval.
    pub results: Option<loadcell_results::ResultsWriter>,
    pub context: Context,
    /// What the profile's analyses need from each interval (spike, breakpoint).
    pub tracks: Option<crate::tracks::Tracks>,
}

/// `--abort-on-fail`: what to check and from when.
pub struct AbortCheck<'a> {
    pub thresholds: &'a [Threshold],
    pub endpoints: &'a [EndpointName],
    pub checks: &'a [CheckName],
    pub vus_limit: u64,
    /// Measured time (after warm-up) before thresholds are judged.
    pub delay: Duration,
    pub warmup: Duration,
    /// The threshold that failed, once one did.
    pub failed: Option<String>,
}

impl<'a> Progress<'a> {
    pub fn new(quiet: bool, planned: Option<Duration>, abort: Option<AbortCheck<'a>>) -> Progress<'a> {
        let display = if quiet {
            Display::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = match planned {
                Some(p) => ProgressBar::new(p.as_secs().max(1)),
                None => ProgressBar::new_spinner(),
            };
            let template = if planned.is_some() {
                "{spinner:.green} [{elapsed_precise} / {duration_precise}] {bar:30.cyan/blue} {msg}"
            } else {
                "{spinner:.green} [{elapsed_precise}] {msg}"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("█▉▊▋▌▍▎▏ "));
            }
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(200));
            Display::Bar(bar)
        } else {
            Display::Plain { last: Duration::ZERO }
        };
        Progress {
            display,
            planned,
            abort,
            live: None,
            results: None,
            context: Context::default(),
            tracks: None,
        }
    }

    /// Clears the bar before the summary is printed.
    pub fn finish(&self) {
        if let Display::Bar(bar) = &self.display {
            bar.finish_and_clear();
        }
    }

    /// The threshold that made `--abort-on-fail` stop the run.
    pub fn abort_reason(&self) -> Option<&str> {
        self.abort.as_ref().and_then(|a| a.failed.as_deref())
    }
}

fn line(iv: &IntervalSummary, total: &Recorder, context: &Context) -> String {
    let phase = if iv.warmup { "warm-up  " } else { "" };
    let mut text = format!(
        "{phase}{} req/s  p95 {}  errors {}  vus {}  total {}",
        num(iv.rate_per_s),
        ms(iv.latency_ms.p95),
        pct(iv.failed, iv.requests),
        iv.active_vus,
        total.requests()
    );
    if context.stages.len() > 1 {
        let at = iv.t_s - iv.len_s / 2.0;
        let stage = context.stages.iter().position(|&(start, end)| at >= start && at < end);
        if let Some(i) = stage {
            text.push_str(&format!("  stage {}/{}", i + 1, context.stages.len()));
            if let Some(name) = context.stage_names.get(i) {
                text.push_str(&format!(" {name}"));
            }
        }
    }
    if !context.journeys.is_empty() {
        let counts: Vec<String> = context
            .journeys
            .iter()
            .zip(&total.journeys)
            .map(|(name, j)| format!("{name} {}", j.iterations))
            .collect();
        text.push_str("  | ");
        text.push_str(&counts.join(" · "));
    }
    text
}

/// What the progress line names besides the numbers: the load stages (start and end in
/// seconds since the start) and, for scenarios, the journeys.
#[derive(Debug, Default, Clone)]
pub struct Context {
    pub stages: Vec<(f64, f64)>,
    /// Phase names of the stages (test-type profiles), shown after `stage i/n`.
    pub stage_names: Vec<String>,
    pub journeys: Vec<String>,
}

impl Observer for Progress<'_> {
    fn on_interval(&mut self, event: &IntervalEvent<'_>) -> Control {
        let (iv, total, elapsed) = (event.summary, event.total, event.elapsed);
        if let Some(live) = &self.live {
            live.update(event);
        }
        if let Some(Err(e)) = self.results.as_mut().map(|w| w.append(event)) {
            // Losing the log must not end the test; the summary is still written at the end.
            eprintln!("warning: results folder: {e}; no more intervals will be written");
            self.results = None;
        }
        match &mut self.display {
            Display::Bar(bar) => {
                bar.set_position(elapsed.as_secs());
                bar.set_message(line(iv, total, &self.context));
            }
            Display::Plain { last } => {
                if elapsed >= *last + PLAIN_EVERY {
                    *last = elapsed;
                    let of = self.planned.map(|p| format!("/{}s", p.as_secs())).unwrap_or_default();
                    let mut err = std::io::stderr().lock();
                    let _ = writeln!(
                        err,
                        "[{:>4}s{of}] {}",
                        elapsed.as_secs(),
                        line(iv, total, &self.context)
                    );
                }
            }
            Display::Quiet => {}
        }
        let control = match &mut self.abort {
            Some(check) if !iv.warmup => check.judge(total, elapsed),
            _ => Control::Continue,
        };
        if let Some(tracks) = &mut self.tracks {
            let reason = self.abort.as_ref().and_then(|a| a.failed.as_deref());
            let lost = reason.filter(|_| control == Control::Abort);
            tracks.see(&crate::tracks::Interval::of_event(event), lost);
        }
        control
    }
}

impl AbortCheck<'_> {
    /// Judges the thresholds on the run so far (`total`, `elapsed` since the start); once
    /// one failed, the answer stays `Abort` and `failed` keeps that first failure.
    pub fn judge(&mut self, total: &Recorder, elapsed: Duration) -> Control {
        if self.failed.is_some() {
            return Control::Abort;
        }
        let measured = elapsed.saturating_sub(self.warmup);
        if measured < self.delay || total.requests() == 0 {
            return Control::Continue;
        }
        let source = Measured {
            total,
            endpoints: self.endpoints,
            checks: self.checks,
            seconds: measured.as_secs_f64(),
            vus_limit: self.vus_limit,
        };
        for t in self.thresholds {
            let verdict = t.evaluate(&source);
            if let (false, Some(actual)) = (verdict.passed, verdict.actual) {
                self.failed = Some(format!("{} (actual {})", t.expr, t.format_value(actual)));
                return Control::Abort;
            }
        }
        Control::Continue
    }
}
