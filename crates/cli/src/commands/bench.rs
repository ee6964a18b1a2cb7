//! `loadcell bench -- CMD…` (commands timed like hyperfine), `loadcell bench --detect [DIR]`
//! (the project's own benchmark framework run) and `loadcell ingest FILE --format …`
//! (results made elsewhere): `loadcell-bench` does the work; this shows and writes it. Every
//! path can end in normalized benchmark results (`--out DIR` → `DIR/bench.json`) that
//! `compare` and `baseline` read like a load run.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use loadcell_bench::{CommandSpec, DetectOptions, Options, Progress};
use loadcell_schema::{BENCH_FILE, BenchResults, exit};

use crate::args::compare::{BenchArgs, IngestArgs};
use crate::commands::compare::{print_out, usage, write_file};
use crate::error::CliError;

/// What a `loadcell bench` command line asks for, checked: commands to time, or a
/// framework to run in a folder.
enum Planned {
    Commands(Vec<CommandSpec>, Box<Options>),
    Detect(PathBuf, loadcell_bench::Framework),
}

/// Checks a `loadcell bench` command line as `run` would, nothing run: the flags'
/// combinations, each command's words and program, the baseline (a suite's check).
pub fn check(args: &BenchArgs) -> Result<(), CliError> {
    plan(args)?;
    args.baseline.open_bench().map(|_| ())
}

/// Runs `loadcell bench`.
pub fn run(args: &BenchArgs) -> Result<i32, CliError> {
    let planned = plan(args)?;
    // Read before anything runs: a missing baseline is a usage error, not a wasted run.
    let baseline = args.baseline.open_bench()?;
    let results = match planned {
        Planned::Commands(commands, options) => time_commands(args, &commands, &options)?,
        Planned::Detect(dir, framework) => run_framework(args, &dir, framework)?,
    };
    if let Some(dir) = &args.out {
        write_results(dir, &results)?;
    }
    match baseline {
        Some(b) => b.finish_bench(args.out.as_deref(), &results, exit::OK),
        None => Ok(exit::OK),
    }
}

fn plan(args: &BenchArgs) -> Result<Planned, CliError> {
    if let Some(dir) = &args.detect {
        return detect_plan(args, dir).map(|f| Planned::Detect(dir.clone(), f));
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
    if let Some(dir) = args.dir.as_deref().filter(|d| !d.is_dir()) {
        return Err(CliError::Usage(format!("--dir: {}: no such folder", dir.display())));
    }
    let spec = |line: &str| {
        let spec = match &args.shell {
            Some(sh) => CommandSpec::with_shell(line, sh),
            None => CommandSpec::parse(line),
        };
        spec.map(|s| this_loadcell(s).in_dir(args.dir.as_deref()))
            .map_err(usage)
            .and_then(|s| findable(s, args.dir.as_deref()))
    };
    let commands = args.commands.iter().map(|c| spec(c)).collect::<Result<Vec<_>, _>>()?;
    let options = Options {
        warmup: args.warmup,
        runs: args.runs,
        min_time: args.min_time.unwrap_or(loadcell_bench::runner::DEFAULT_MIN_TIME),
        max_runs: args.max_runs,
        prepare: args.prepare.as_deref().map(spec).transpose()?,
        ignore_failure: args.ignore_failure,
        startup: args
            .subtract_startup
            .as_deref()
            .map(|c| CommandSpec::parse(c).map_err(usage).and_then(|s| findable(s, None)))
            .transpose()?,
    };
    if options.runs == Some(0) {
        return Err(CliError::Usage("invalid number of runs: must be at least 1".into()));
    }
    Ok(Planned::Commands(commands, Box::new(options)))
}

/// A command whose first word is `loadcell` runs this very binary — the one timing it —
/// rather than whichever `loadcell` is on PATH (or none, after `cargo run`).
fn this_loadcell(mut spec: CommandSpec) -> CommandSpec {
    if spec.shell.is_none()
        && spec.argv.first().is_some_and(|p| p == "loadcell")
        && let Ok(exe) = std::env::current_exe()
    {
        spec.argv[0] = exe.display().to_string();
    }
    spec
}

/// The command's program (or shell) must exist before anything is timed: a path relative
/// to the folder it runs in, or a name found on PATH.
fn findable(spec: CommandSpec, dir: Option<&Path>) -> Result<CommandSpec, CliError> {
    let program = spec.argv.first().map(String::as_str).unwrap_or_default();
    let found = if program.contains('/') {
        dir.map_or_else(|| Path::new(program).to_path_buf(), |d| d.join(program))
            .is_file()
    } else {
        std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|p| p.join(program).is_file()))
    };
    if found {
        Ok(spec)
    } else {
        Err(CliError::Usage(format!(
            "cannot run '{}': {program}: command not found",
            spec.name
        )))
    }
}

/// Times the commands like hyperfine; prints them and writes the exports.
fn time_commands(args: &BenchArgs, commands: &[CommandSpec], options: &Options) -> Result<BenchResults, CliError> {
    let live = !args.quiet && std::io::stderr().is_terminal();
    let results = loadcell_bench::run_benchmarks(commands, options, |p| progress(live, p)).map_err(usage)?;
    if live {
        eprint!("\r\x1b[2K");
    }
    print_out(&loadcell_bench::text::commands(&results));
    if let Some(file) = &args.export_json {
        write_file(file, &loadcell_bench::export::json::hyperfine_json(&results))?;
    }
    if let Some(file) = &args.export_markdown {
        write_file(file, loadcell_bench::export::markdown::markdown(&results).as_bytes())?;
    }
    Ok(loadcell_bench::from_commands(&results, "loadcell bench"))
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

/// `bench --detect DIR`: the framework found there, checked before it runs.
fn detect_plan(args: &BenchArgs, dir: &Path) -> Result<loadcell_bench::Framework, CliError> {
    if !args.commands.is_empty()
        || args.prepare.is_some()
        || args.shell.is_some()
        || args.export_json.is_some()
        || args.dir.is_some()
    {
        return Err(CliError::Usage(
            "--detect runs the project's benchmarks: commands, --prepare, --shell, --dir and --export-json apply to commands"
                .into(),
        ));
    }
    if !dir.is_dir() {
        return Err(CliError::Usage(format!("--detect: {}: no such folder", dir.display())));
    }
    let found = loadcell_bench::detect(dir);
    let names = || found.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ");
    match (&args.framework, found.as_slice()) {
        (_, []) => Err(usage(loadcell_bench::BenchError::NothingDetected {
            dir: dir.to_path_buf(),
        })),
        (None, [one]) => Ok(*one),
        (None, _) => Err(CliError::Usage(format!(
            "{}: several benchmark frameworks found ({}): choose one with --framework",
            dir.display(),
            names()
        ))),
        (Some(name), _) => found.iter().find(|f| f.as_str() == name).copied().ok_or_else(|| {
            CliError::Usage(format!(
                "{}: no {name} benchmarks found (found: {})",
                dir.display(),
                names()
            ))
        }),
    }
}

/// Runs the framework's benchmarks with the timing flags mapped onto it, and prints them.
fn run_framework(args: &BenchArgs, dir: &Path, framework: loadcell_bench::Framework) -> Result<BenchResults, CliError> {
    if !args.quiet {
        eprintln!("{}: running {} benchmarks", dir.display(), framework.as_str());
    }
    let results = loadcell_bench::run_detected(dir, framework, &detect_options(args)).map_err(usage)?;
    print_out(&loadcell_bench::text::results(&results));
    Ok(results)
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
    print_out(&loadcell_bench::text::results(&results));
    if let Some(dir) = &args.out {
        write_results(dir, &results)?;
    }
    Ok(exit::OK)
}

/// Writes `DIR/bench.json`.
fn write_results(dir: &Path, results: &BenchResults) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::Output(format!("cannot create {}: {e}", dir.display())))?;
    let json = serde_json::to_string_pretty(results)? + "\n";
    let path = dir.join(BENCH_FILE);
    write_file(&path, json.as_bytes())?;
    println!("  results: {}", path.display());
    Ok(())
}
