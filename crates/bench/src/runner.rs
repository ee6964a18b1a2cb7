//! Benchmarking commands the way hyperfine does (`src/benchmark/mod.rs`): warm-up runs that
//! are not counted, an optional `--prepare` command before every run (not timed), then
//! either exactly `--runs N` or as many runs as fit in `--min-time` (at least
//! [`MIN_RUNS`]), judged from the first timed run. One difference: with several commands,
//! their measured runs take turns (A B A B …) where hyperfine runs all of A, then all of B —
//! so a machine that gets busier half-way slows both, and their ratio stays honest. With a shell, the shell's own start-up
//! is measured first on an empty command and subtracted from every run, as hyperfine's
//! `ShellExecutor::calibrate` does. Without a shell nothing is subtracted unless asked
//! ([`Options::startup`]): then the start-up of a process — fork, exec, dynamic loading,
//! exit — is measured on a do-nothing program (`true`) and subtracted, so that a ratio
//! compares what the commands do rather than what starting any program costs. Either
//! subtraction is recorded in the results ([`Overhead`]), never applied silently.

use std::time::Duration;

use loadcell_schema::{Outlier, SampleStats};

use crate::BenchError;
use crate::command::CommandSpec;
use crate::outliers::outliers;
use crate::timing::{Timing, run_once};

/// Runs when neither `--runs` nor enough `--min-time` asks for more (hyperfine's default).
pub const MIN_RUNS: u32 = 10;
/// Time to fill with runs when `--runs` is not given (hyperfine's default).
pub const DEFAULT_MIN_TIME: Duration = Duration::from_secs(3);
/// Runs of the empty shell command (or the start-up command) that measure the start-up.
pub const CALIBRATION_RUNS: u32 = 30;

/// How commands are benchmarked.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Runs before the measured ones, not counted.
    pub warmup: u32,
    /// Exactly this many measured runs.
    pub runs: Option<u32>,
    /// Without `runs`: measure for at least this long (and at least [`MIN_RUNS`] runs).
    pub min_time: Duration,
    /// Without `runs`: at most this many runs.
    pub max_runs: Option<u32>,
    /// Run before every run (warm-up and measured), not timed.
    pub prepare: Option<CommandSpec>,
    /// Keep going when a command exits unsuccessfully.
    pub ignore_failure: bool,
    /// Commands run without a shell: measure the start-up of a process on this do-nothing
    /// command (e.g. `true`) and subtract it from every run.
    pub startup: Option<CommandSpec>,
}

/// Start-up time subtracted from every run of a command.
#[derive(Debug, Clone, PartialEq)]
pub struct Overhead {
    /// Mean seconds subtracted.
    pub seconds: f64,
    /// Standard error of that mean.
    pub standard_error: f64,
    /// What it was measured on (`sh -c :`, `true`).
    pub measured_on: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            warmup: 0,
            runs: None,
            min_time: DEFAULT_MIN_TIME,
            max_runs: None,
            prepare: None,
            ignore_failure: false,
            startup: None,
        }
    }
}

/// What one command measured.
#[derive(Debug, Clone, PartialEq)]
pub struct CommandResult {
    pub command: String,
    /// Wall-clock seconds of each measured run (shell start-up subtracted).
    pub times: Vec<f64>,
    pub user: Vec<f64>,
    pub system: Vec<f64>,
    pub exit_codes: Vec<Option<i32>>,
    pub stats: SampleStats,
    pub outliers: Vec<Outlier>,
    /// What was subtracted from every run (the shell's or a process's start-up).
    pub overhead: Option<Overhead>,
}

/// What the runner reports as it goes, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Progress<'a> {
    Calibrating {
        on: &'a str,
    },
    Warmup {
        command: &'a str,
        done: u32,
        of: u32,
    },
    Run {
        command: &'a str,
        done: u32,
        of: u32,
        last: f64,
    },
}

/// Benchmarks every command in turn.
pub fn run_benchmarks(
    commands: &[CommandSpec],
    options: &Options,
    mut progress: impl FnMut(Progress<'_>),
) -> Result<Vec<CommandResult>, BenchError> {
    if commands.is_empty() {
        return Err(BenchError::NoCommand);
    }
    if options.runs == Some(0) {
        return Err(BenchError::Setting {
            name: "number of runs",
            message: "must be at least 1".into(),
        });
    }
    let startup = match &options.startup {
        Some(s) if commands.iter().any(|c| c.shell.is_none()) => Some(calibrate(s, &mut progress)?),
        _ => None,
    };
    let mut states = Vec::with_capacity(commands.len());
    for c in commands {
        let overhead = match &c.shell {
            Some(shell) => Some(calibrate(&CommandSpec::with_shell(":", shell)?, &mut progress)?),
            None => startup.clone(),
        };
        warm_up(c, options, &mut progress)?;
        states.push(State {
            cmd: c,
            overhead,
            runs: Vec::new(),
            planned: options.runs.unwrap_or(MIN_RUNS),
        });
    }
    // Measured runs take turns, so a change in the machine's load falls on every command
    // alike instead of on whichever ran last.
    loop {
        let mut ran = false;
        for st in &mut states {
            if (st.runs.len() as u32) < st.planned {
                measure(st, options, &mut progress)?;
                ran = true;
            }
        }
        if !ran {
            break;
        }
    }
    Ok(states.into_iter().map(|st| finish(st, options)).collect())
}

/// One command's measurement in progress.
struct State<'a> {
    cmd: &'a CommandSpec,
    overhead: Option<Overhead>,
    runs: Vec<Timing>,
    planned: u32,
}

/// The mean time of `empty` (after three unmeasured runs) and its standard error.
fn calibrate(empty: &CommandSpec, progress: &mut impl FnMut(Progress<'_>)) -> Result<Overhead, BenchError> {
    progress(Progress::Calibrating { on: &empty.name });
    for _ in 0..3 {
        run_once(empty)?;
    }
    let times = (0..CALIBRATION_RUNS)
        .map(|_| run_once(empty).map(|t| t.real))
        .collect::<Result<Vec<f64>, _>>()?;
    let stats = SampleStats::of(&times);
    let measured_on = match &empty.shell {
        Some(shell) => format!("{shell} -c :"),
        None => empty.name.clone(),
    };
    Ok(Overhead {
        seconds: stats.mean,
        standard_error: stats.stddev.unwrap_or(0.0) / (times.len() as f64).sqrt(),
        measured_on,
    })
}

fn warm_up(cmd: &CommandSpec, options: &Options, progress: &mut impl FnMut(Progress<'_>)) -> Result<(), BenchError> {
    for done in 0..options.warmup {
        prepare(options)?;
        checked(cmd, options, run_once(cmd)?)?;
        progress(Progress::Warmup {
            command: &cmd.name,
            done: done + 1,
            of: options.warmup,
        });
    }
    Ok(())
}

/// One measured run; the first one decides how many runs fit in the minimum time.
fn measure(st: &mut State<'_>, options: &Options, progress: &mut impl FnMut(Progress<'_>)) -> Result<(), BenchError> {
    prepare(options)?;
    let t = checked(st.cmd, options, run_once(st.cmd)?)?;
    if st.runs.is_empty() && options.runs.is_none() {
        st.planned = planned_runs(t.real, options);
    }
    st.runs.push(t);
    progress(Progress::Run {
        command: &st.cmd.name,
        done: st.runs.len() as u32,
        of: st.planned,
        last: t.real,
    });
    Ok(())
}

fn finish(st: State<'_>, options: &Options) -> CommandResult {
    let sub = st.overhead.as_ref().map_or(0.0, |o| o.seconds);
    let times: Vec<f64> = st.runs.iter().map(|t| (t.real - sub).max(0.0)).collect();
    CommandResult {
        command: st.cmd.name.clone(),
        stats: SampleStats::of(&times),
        outliers: outliers(&times, options.warmup > 0),
        user: st.runs.iter().map(|t| t.user).collect(),
        system: st.runs.iter().map(|t| t.system).collect(),
        exit_codes: st.runs.iter().map(|t| t.exit_code).collect(),
        times,
        overhead: st.overhead,
    }
}

/// Runs that fit in `min_time` after a first run of `first` seconds, at least [`MIN_RUNS`],
/// at most `max_runs`.
fn planned_runs(first: f64, options: &Options) -> u32 {
    let fit = (options.min_time.as_secs_f64() / first.max(1e-9))
        .floor()
        .min(f64::from(u32::MAX)) as u32;
    let n = fit.max(MIN_RUNS);
    options.max_runs.map_or(n, |m| n.min(m.max(1)))
}

fn prepare(options: &Options) -> Result<(), BenchError> {
    if let Some(p) = &options.prepare {
        let t = run_once(p)?;
        if !t.success {
            return Err(BenchError::Failed {
                command: p.name.clone(),
                status: status_text(t.exit_code),
            });
        }
    }
    Ok(())
}

fn checked(cmd: &CommandSpec, options: &Options, t: Timing) -> Result<Timing, BenchError> {
    if t.success || options.ignore_failure {
        Ok(t)
    } else {
        Err(BenchError::Failed {
            command: cmd.name.clone(),
            status: status_text(t.exit_code),
        })
    }
}

fn status_text(code: Option<i32>) -> String {
    code.map_or_else(|| "a signal".to_string(), |c| format!("exit code {c}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_fill_the_minimum_time_within_bounds() {
        let o = Options::default();
        assert_eq!(planned_runs(0.1, &o), 30, "3 s of 0.1 s runs");
        assert_eq!(planned_runs(2.0, &o), MIN_RUNS);
        let capped = Options {
            max_runs: Some(12),
            ..Options::default()
        };
        assert_eq!(planned_runs(0.001, &capped), 12);
    }
}
