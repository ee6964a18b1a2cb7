//! Live progress on stderr while a run goes: a bar on a terminal, one plain line every
//! five seconds elsewhere (CI logs), nothing with `--quiet`. The session calls it once per
//! interval (it is one part of the run's observer) and for notes such as warnings.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use loadcell_engine::IntervalEvent;
use loadcell_metrics::Recorder;
use loadcell_schema::IntervalSummary;
use loadcell_session::Start;
use loadcell_units::format::{ms, num, share};
use std::io::{IsTerminal, Write};
use std::time::Duration;

const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// How progress is shown.
enum Mode {
    Bar(ProgressBar),
    Plain { last: Duration },
    Quiet,
}

/// The run's progress display.
pub struct Progress {
    mode: Mode,
    quiet: bool,
    start: Start,
}

impl Progress {
    /// Progress on stderr, or none with `quiet`.
    pub fn new(quiet: bool) -> Progress {
        Progress {
            mode: Mode::Quiet,
            quiet,
            start: Start::default(),
        }
    }
}

/// The bar (a terminal) or plain lines (anything else), for a run of `planned` length.
fn mode(planned: Option<Duration>) -> Mode {
    if !std::io::stderr().is_terminal() {
        return Mode::Plain { last: Duration::ZERO };
    }
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
    Mode::Bar(bar)
}

/// One progress line: this interval's numbers, the stage, the journeys' iterations.
fn line(iv: &IntervalSummary, total: &Recorder, start: &Start) -> String {
    let phase = if iv.warmup { "warm-up  " } else { "" };
    let mut text = format!(
        "{phase}{} req/s  p95 {}  errors {}  vus {}  total {}",
        num(iv.rate_per_s),
        ms(iv.latency_ms.p95),
        share(iv.failed, iv.requests),
        iv.active_vus,
        total.requests()
    );
    if start.stages.len() > 1 {
        let at = iv.t_s - iv.len_s / 2.0;
        let stage = start.stages.iter().position(|&(from, to)| at >= from && at < to);
        if let Some(i) = stage {
            text.push_str(&format!("  stage {}/{}", i + 1, start.stages.len()));
            if let Some(name) = start.stage_names.get(i) {
                text.push_str(&format!(" {name}"));
            }
        }
    }
    if !start.journeys.is_empty() {
        let counts: Vec<String> = start
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

impl loadcell_session::Display for Progress {
    fn start(&mut self, start: &Start) {
        self.start = start.clone();
        if !self.quiet {
            self.mode = mode(start.planned);
        }
    }

    fn interval(&mut self, event: &IntervalEvent<'_>) {
        let (iv, total, elapsed) = (event.summary, event.total, event.elapsed);
        match &mut self.mode {
            Mode::Bar(bar) => {
                bar.set_position(elapsed.as_secs());
                bar.set_message(line(iv, total, &self.start));
            }
            Mode::Plain { last } => {
                if elapsed >= *last + PLAIN_EVERY {
                    *last = elapsed;
                    let of = self
                        .start
                        .planned
                        .map(|p| format!("/{}s", p.as_secs()))
                        .unwrap_or_default();
                    let mut err = std::io::stderr().lock();
                    let _ = writeln!(err, "[{:>4}s{of}] {}", elapsed.as_secs(), line(iv, total, &self.start));
                }
            }
            Mode::Quiet => {}
        }
    }

    fn note(&mut self, text: &str) {
        match &self.mode {
            Mode::Bar(bar) => bar.println(text),
            Mode::Plain { .. } | Mode::Quiet => eprintln!("{text}"),
        }
    }

    /// Clears the bar before the summary is printed.
    fn finish(&mut self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}
