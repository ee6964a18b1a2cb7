//! Running a detected framework and reading what it produced. Every tool runs in the
//! project directory with its output captured; a failure reports the end of its stderr.
//! Nothing is written into the project by loadcell: pytest's cache is off and its JSON goes
//! to a temporary file; Python bytecode is not written; Go and Cargo use their own caches
//! (Cargo's target directory can be redirected with [`DetectOptions::cargo_target_dir`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

use loadcell_schema::BenchResults;

use super::Framework;
use crate::BenchError;
use crate::ingest::{criterion, go, libtest, pytest};

/// How the frameworks are run.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectOptions {
    /// criterion: `--warm-up-time`, `--measurement-time` (seconds) and `--sample-size`.
    pub warm_up: Option<Duration>,
    pub measurement: Option<Duration>,
    pub sample_size: Option<u32>,
    /// Cargo: `--locked`, and a target directory other than the project's.
    pub cargo_locked: bool,
    pub cargo_target_dir: Option<PathBuf>,
    /// Go: `-count` (samples per benchmark) and `-benchtime`.
    pub go_count: u32,
    pub go_benchtime: Option<String>,
    /// pytest-benchmark: `--benchmark-min-rounds` and `--benchmark-max-time` (seconds).
    pub pytest_min_rounds: Option<u32>,
    pub pytest_max_time: Option<f64>,
    /// The Python interpreter (`python3`).
    pub python: String,
    /// Extra environment for the benchmark processes.
    pub env: Vec<(String, String)>,
}

impl Default for DetectOptions {
    fn default() -> DetectOptions {
        DetectOptions {
            warm_up: None,
            measurement: None,
            sample_size: None,
            cargo_locked: false,
            cargo_target_dir: None,
            go_count: 5,
            go_benchtime: None,
            pytest_min_rounds: None,
            pytest_max_time: None,
            python: "python3".to_string(),
            env: Vec::new(),
        }
    }
}

/// Runs `framework`'s benchmarks in `dir` and returns their results.
pub fn run_detected(dir: &Path, framework: Framework, options: &DetectOptions) -> Result<BenchResults, BenchError> {
    let mut results = match framework {
        Framework::Criterion => run_criterion(dir, options)?,
        Framework::Libtest => {
            let out = tool(dir, "cargo", &cargo_args(options, &[]), options, "cargo bench")?;
            libtest::parse(&out, Path::new("cargo bench"))?
        }
        Framework::Go => run_go(dir, options)?,
        Framework::PytestBenchmark => run_pytest(dir, options)?,
    };
    results.origin = dir.display().to_string();
    results.created_at = Some(loadcell_schema::rfc3339_utc(SystemTime::now()));
    if results.benchmarks.is_empty() {
        return Err(BenchError::Framework {
            tool: framework.as_str(),
            dir: dir.to_path_buf(),
            message: "it ran but reported no benchmark results".into(),
        });
    }
    Ok(results)
}

fn cargo_args(options: &DetectOptions, after: &[String]) -> Vec<String> {
    let mut args = vec!["bench".to_string()];
    if !after.is_empty() {
        // criterion's options go to bench targets only: the library's and binaries' libtest
        // harnesses would reject them.
        args.extend(["--bench".to_string(), "*".to_string()]);
    }
    if options.cargo_locked {
        args.push("--locked".into());
    }
    if !after.is_empty() {
        args.push("--".into());
        args.extend(after.iter().cloned());
    }
    args
}

fn run_criterion(dir: &Path, options: &DetectOptions) -> Result<BenchResults, BenchError> {
    let secs = |d: Duration| format!("{}", d.as_secs_f64());
    let mut after = vec!["--noplot".to_string()];
    if let Some(w) = options.warm_up {
        after.extend(["--warm-up-time".into(), secs(w)]);
    }
    if let Some(m) = options.measurement {
        after.extend(["--measurement-time".into(), secs(m)]);
    }
    if let Some(n) = options.sample_size {
        after.extend(["--sample-size".into(), n.to_string()]);
    }
    // Files written before this run are an older run's: leave them out (with a margin for
    // file systems that round modification times).
    let since = SystemTime::now() - Duration::from_secs(1);
    tool(dir, "cargo", &cargo_args(options, &after), options, "cargo bench")?;
    let target = match &options.cargo_target_dir {
        Some(t) => t.clone(),
        None => target_dir(dir, options)?,
    };
    criterion::read(&target.join("criterion"), Some(since))
}

/// The project's target directory, as `cargo metadata` reports it.
fn target_dir(dir: &Path, options: &DetectOptions) -> Result<PathBuf, BenchError> {
    let args = ["metadata", "--no-deps", "--format-version", "1"].map(String::from);
    let out = tool(dir, "cargo", &args, options, "cargo metadata")?;
    let meta: serde_json::Value = serde_json::from_str(&out).map_err(|e| BenchError::Framework {
        tool: "cargo metadata",
        dir: dir.to_path_buf(),
        message: e.to_string(),
    })?;
    meta["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| BenchError::Framework {
            tool: "cargo metadata",
            dir: dir.to_path_buf(),
            message: "no target_directory".into(),
        })
}

fn run_go(dir: &Path, options: &DetectOptions) -> Result<BenchResults, BenchError> {
    let mut args: Vec<String> = ["test", "-run", "^$", "-bench", ".", "-benchmem"]
        .map(String::from)
        .to_vec();
    args.extend(["-count".into(), options.go_count.max(1).to_string()]);
    if let Some(t) = &options.go_benchtime {
        args.extend(["-benchtime".into(), t.clone()]);
    }
    args.push("./...".into());
    let out = tool(dir, "go", &args, options, "go test -bench")?;
    go::parse(&out, Path::new("go test -bench"))
}

fn run_pytest(dir: &Path, options: &DetectOptions) -> Result<BenchResults, BenchError> {
    let json = std::env::temp_dir().join(format!(
        "loadcell-pytest-benchmark-{}-{}.json",
        std::process::id(),
        SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    // pytest-benchmark creates its storage folder (`./.benchmarks`) even when nothing is
    // saved: point it at a temporary folder, removed afterwards.
    let storage = json.with_extension("storage");
    let mut args: Vec<String> = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "--benchmark-only"]
        .map(String::from)
        .to_vec();
    args.push(format!("--benchmark-json={}", json.display()));
    args.push(format!("--benchmark-storage=file://{}", storage.display()));
    if let Some(n) = options.pytest_min_rounds {
        args.push(format!("--benchmark-min-rounds={n}"));
    }
    if let Some(t) = options.pytest_max_time {
        args.push(format!("--benchmark-max-time={t}"));
    }
    let ran = tool(dir, &options.python, &args, options, "pytest");
    let text = std::fs::read_to_string(&json);
    let _ = std::fs::remove_file(&json);
    let _ = std::fs::remove_dir_all(&storage);
    ran?;
    let text = text.map_err(|e| BenchError::io(&json, &e))?;
    pytest::parse(&text, &json)
}

/// Runs `program args` in `dir`, returning its stdout, or an error with the end of stderr.
fn tool(
    dir: &Path,
    program: &str,
    args: &[String],
    options: &DetectOptions,
    what: &'static str,
) -> Result<String, BenchError> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("PYTHONDONTWRITEBYTECODE", "1")
        // Go must not fetch a toolchain or modules: benchmarks run offline.
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOPROXY", "off");
    if let Some(t) = &options.cargo_target_dir {
        cmd.env("CARGO_TARGET_DIR", t);
    }
    for (k, v) in &options.env {
        cmd.env(k, v);
    }
    let out = cmd.output().map_err(|e| BenchError::Framework {
        tool: what,
        dir: dir.to_path_buf(),
        message: match e.kind() {
            std::io::ErrorKind::NotFound => format!("{program} is not installed (not found on PATH)"),
            _ => e.to_string(),
        },
    })?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let text = if err.trim().is_empty() {
            String::from_utf8_lossy(&out.stdout).into_owned()
        } else {
            err.into_owned()
        };
        let tail: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(3)..].join(" | ");
        return Err(BenchError::Framework {
            tool: what,
            dir: dir.to_path_buf(),
            message: format!("{}: {tail}", out.status),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
