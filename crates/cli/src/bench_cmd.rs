//! `loadcell bench -- CMD…` (commands timed like hyperfine), `loadcell bench --detect [DIR]`
//! (the project's own benchmark framework run) and `loadcell ingest FILE --format …`
//! (results made elsewhere): `loadcell-bench` does the work; this shows and writes it. Every
//! path can end in normalized benchmark results (`--out DIR` → `DIR/bench.json`) that
//! `compare` and `baseline` read like a load run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Args;
use loadcell_bench::{CommandSpec, DetectOptions, Format, Options, Progress};
use loadcell_engine::units::parse_duration;
use loadcell_schema::{BENCH_FILE, BenchResults, exit};

use crate::compare_cmd::{print_out, usage, write_file};
use crate::error::CliError;

/// `loadcell bench`
#[derive(Debug, Args)]
#[command(
    after_help = "Each CMD is one command line (quote it); without --shell it runs directly, split into words.\n\nExamples:\n  loadcell bench --warmup 3 -- 'sleep 0.010' 'sleep 0.011'\n  loadcell bench --shell sh --export-json b.json -- 'ls | wc -l'\n  loadcell bench --detect . --out bench-results"
)]
pub struct BenchArgs {
    /// The commands to time, each one argument: 'CMD' ['CMD' …].
    #[arg(value_name = "CMD", conflicts_with = "detect")]
    pub commands: Vec<String>,

    /// Find the benchmark framework in DIR (criterion, libtest, Go, pytest-benchmark) and run it.
    #[arg(long, value_name = "DIR", num_args = 0..=1, default_missing_value = ".")]
    pub detect: Option<PathBuf>,

    /// With --detect and several frameworks found: which one to run.
    #[arg(long, value_name = "NAME", requires = "detect")]
    pub framework: Option<String>,

    /// With --detect: pass --locked to cargo (the project's Cargo.lock must be up to date).
    #[arg(long, requires = "detect")]
    pub locked: bool,

    /// Runs before the measured ones, not counted.
    #[arg(short = 'w', long, value_name = "N", default_value_t = 0)]
    pub warmup: u32,

    /// Exactly this many measured runs (with --detect: Go's -count, criterion's sample size, pytest's min rounds).
    #[arg(short = 'r', long, value_name = "N")]
    pub runs: Option<u32>,

    /// Without --runs: measure at least this long (at least 10 runs) [default: 3s]
    /// (with --detect: criterion's measurement time, Go's -benchtime, pytest's max time).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub min_time: Option<Duration>,

    /// Without --runs: at most this many runs.
    #[arg(long, value_name = "N")]
    pub max_runs: Option<u32>,

    /// Run before every run, untimed (e.g. to clear caches).
    #[arg(short = 'p', long, value_name = "CMD")]
    pub prepare: Option<String>,

    /// Run the commands through this shell (`SH -c CMD`); its start-up is measured and subtracted.
    #[arg(short = 'S', long, value_name = "SH")]
    pub shell: Option<String>,

    /// Measure a process's start-up on this do-nothing command (e.g. `true`) and subtract it from every run.
    #[arg(long, value_name = "CMD", conflicts_with = "shell")]
    pub subtract_startup: Option<String>,

    /// Keep going when a command exits unsuccessfully.
    #[arg(short = 'i', long)]
    pub ignore_failure: bool,

    /// Write hyperfine's JSON export to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,

    /// Write hyperfine's Markdown table to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,

    /// Write the normalized results to DIR/bench.json (for compare and baseline).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// No progress on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `loadcell ingest FILE --format …`
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// The results file (criterion: its target/criterion folder or one estimates.json).
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// criterion, go, pytest-benchmark, hyperfine, google-benchmark or libtest.
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::ValueParser::new(|s: &str| s.parse::<Format>()))]
    pub format: Format,

    /// Write the normalized results to DIR/bench.json (for compare and baseline).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// Runs `loadcell bench`.
pub fn run(args: &BenchArgs) -> Result<i32, CliError> {
    if let Some(dir) = &args.detect {
        return detect(args, dir);
    }
    if args.commands.is_empty() {
        return Err(CliError::Usage(
            "no command to benchmark: loadcell bench -- 'CMD' ['CMD' …] (or --detect DIR)".into(),
        ));
    }
    if args.runs.is_some() && (args.min_time.is_some() || args.max_runs.is_some()) {
        return Err(CliError::Usage(
            "--runs gives the exact number of runs: drop --min-time and --max-runs".into(),
        ));
    }
    let spec = |line: &str| match &args.shell {
        Some(sh) => CommandSpec::with_shell(line, sh),
        None => CommandSpec::parse(line),
    };
    let commands = args
        .commands
        .iter()
        .map(|c| spec(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(usage)?;
    let options = Options {
        warmup: args.warmup,
        runs: args.runs,
        min_time: args.min_time.unwrap_or(loadcell_bench::runner::DEFAULT_MIN_TIME),
        max_runs: args.max_runs,
        prepare: args.prepare.as_deref().map(spec).transpose().map_err(usage)?,
        ignore_failure: args.ignore_failure,
        startup: args
            .subtract_startup
            .as_deref()
            .map(CommandSpec::parse)
            .transpose()
            .map_err(usage)?,
    };
    let live = !args.quiet && std::io::stderr().is_terminal();
    let results = loadcell_bench::run_benchmarks(&commands, &options, |p| progress(live, p)).map_err(usage)?;
    if live {
        eprint!("\r\x1b[2K");
    }
    print_out(&crate::bench_text::commands(&results));
    if let Some(file) = &args.export_json {
        write_file(file, &loadcell_bench::export::json::hyperfine_json(&results))?;
    }
    if let Some(file) = &args.export_markdown {
        write_file(file, loadcell_bench::export::markdown::markdown(&results).as_bytes())?;
    }
    if let Some(dir) = &args.out {
        write_results(dir, &loadcell_bench::from_commands(&results, "loadcell bench"))?;
    }
    Ok(exit::OK)
}

/// One line of progress, rewritten in place.
fn progress(live: bool, p: Progress<'_>) {
    if !live {
        return;
    }
    match p {
        Progress::Calibrating { on } => eprint!("\r\x1b[2Kmeasuring start-up on {on}"),
        Progress::Warmup { command, done, of } => eprint!("\r\x1b[2K{command}: warm-up {done}/{of}"),
        Progress::Run {
            command,
            done,
            of,
            last,
        } => {
            eprint!("\r\x1b[2K{command}: run {done}/{of} ({:.1} ms)", last * 1e3);
        }
    }
}

/// `bench --detect DIR`: the framework found there, run with the timing flags mapped onto it.
fn detect(args: &BenchArgs, dir: &Path) -> Result<i32, CliError> {
    if !args.commands.is_empty() || args.prepare.is_some() || args.shell.is_some() || args.export_json.is_some() {
        return Err(CliError::Usage(
            "--detect runs the project's benchmarks: commands, --prepare, --shell and --export-json apply to commands"
                .into(),
        ));
    }
    if !dir.is_dir() {
        return Err(CliError::Usage(format!("--detect: {}: no such folder", dir.display())));
    }
    let found = loadcell_bench::detect(dir);
    let names = || found.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ");
    let framework = match (&args.framework, found.as_slice()) {
        (_, []) => {
            return Err(usage(loadcell_bench::BenchError::NothingDetected {
                dir: dir.to_path_buf(),
            }));
        }
        (None, [one]) => *one,
        (None, _) => {
            return Err(CliError::Usage(format!(
                "{}: several benchmark frameworks found ({}): choose one with --framework",
                dir.display(),
                names()
            )));
        }
        (Some(name), _) => *found.iter().find(|f| f.as_str() == name).ok_or_else(|| {
            CliError::Usage(format!(
                "{}: no {name} benchmarks found (found: {})",
                dir.display(),
                names()
            ))
        })?,
    };
    if !args.quiet {
        eprintln!("{}: running {} benchmarks", dir.display(), framework.as_str());
    }
    let results = loadcell_bench::run_detected(dir, framework, &detect_options(args)).map_err(usage)?;
    print_out(&crate::bench_text::results(&results));
    if let Some(dir) = &args.out {
        write_results(dir, &results)?;
    }
    Ok(exit::OK)
}

/// `--runs` and `--min-time` in each framework's terms.
fn detect_options(args: &BenchArgs) -> DetectOptions {
    let mut o = DetectOptions {
        cargo_locked: args.locked,
        ..DetectOptions::default()
    };
    if let Some(n) = args.runs {
        o.go_count = n;
        o.sample_size = Some(n.max(10));
        o.pytest_min_rounds = Some(n);
    }
    if let Some(t) = args.min_time {
        o.measurement = Some(t);
        o.go_benchtime = Some(format!("{}ms", t.as_millis().max(1)));
        o.pytest_max_time = Some(t.as_secs_f64());
    }
    o
}

/// Runs `loadcell ingest`.
pub fn ingest(args: &IngestArgs) -> Result<i32, CliError> {
    let results = loadcell_bench::ingest(&args.file, args.format).map_err(usage)?;
    print_out(&crate::bench_text::results(&results));
    if let Some(dir) = &args.out {
        write_results(dir, &results)?;
    }
    Ok(exit::OK)
}

/// Writes `DIR/bench.json`.
fn write_results(dir: &Path, results: &BenchResults) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::Output(format!("cannot create {}: {e}", dir.display())))?;
    let json = serde_json::to_string_pretty(results).map_err(|e| CliError::Output(e.to_string()))? + "\n";
    let path = dir.join(BENCH_FILE);
    write_file(&path, json.as_bytes())?;
    println!("  results: {}", path.display());
    Ok(())
}
