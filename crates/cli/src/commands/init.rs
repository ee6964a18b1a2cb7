//! `loadcell init [URL|DIR]`: a commented starter plan. A URL is probed with a few
//! sequential requests through the same run as `loadcell run URL -c 1 -n 20 -d 5s` (so
//! what it says it saw is what a run measures), a folder is searched for benchmark
//! frameworks (`loadcell_bench::detect`); `loadcell-suite`'s `init` writes the text, which is
//! checked as `loadcell validate` checks a plan before it is written.

use crate::args::{Cli, Command, InitArgs};
use crate::error::CliError;
use clap::Parser;
use loadcell_schema::{Summary, exit};
use loadcell_session::Target;
use loadcell_suite::init::{Probe, Starter, starter_plan};
use std::path::{Path, PathBuf};

/// The probe: sequential requests, at most this many …
const PROBE_REQUESTS: &str = "20";
/// … within at most this long.
const PROBE_TIME: &str = "5s";

/// Runs `loadcell init`.
pub fn run(args: &InitArgs) -> Result<i32, CliError> {
    let to_stdout = args.out.as_os_str() == "-";
    if !to_stdout && !args.force && args.out.exists() {
        return Err(CliError::Usage(format!(
            "{}: already exists; give --force to overwrite it, or --out another file",
            args.out.display()
        )));
    }
    let starter = match args.source.as_deref() {
        None => Starter::Placeholder,
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => Starter::Url(probe(url)?),
        Some(dir) => benches(Path::new(dir), &args.out, to_stdout)?,
    };
    let text = starter_plan(&starter);
    let base = match args.out.parent() {
        Some(p) if !to_stdout && !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // What is written must pass `loadcell validate`: a plan init cannot check is a bug here.
    super::suite::check_text(&text, &args.out.display().to_string(), &base)?;
    if to_stdout {
        super::compare::print_out(&text);
        return Ok(exit::OK);
    }
    std::fs::write(&args.out, &text)
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", args.out.display())))?;
    eprintln!(
        "wrote {}; check it with `loadcell validate {0}`, run it with `loadcell suite {0}`",
        args.out.display()
    );
    Ok(exit::OK)
}

/// The URL measured by a short run of one VU; a target that is not there ends it (exit 2).
fn probe(url: &str) -> Result<Probe, CliError> {
    let argv = [
        "loadcell",
        "run",
        url,
        "-c",
        "1",
        "-n",
        PROBE_REQUESTS,
        "-d",
        PROBE_TIME,
        "--no-out",
        "-q",
    ];
    let cli =
        Cli::try_parse_from(argv).map_err(|e| CliError::Usage(crate::first_paragraph(&e.render().to_string())))?;
    let Command::Run(args) = cli.command else {
        return Err(CliError::Usage("init: the probe is a run".into()));
    };
    let target = Target::prepare(&args.target, None, &args.request.spec())?;
    let finished = super::run::measure(target, &args, crate::signals::install())?;
    let s = &finished.summary;
    if s.requests.total == 0 {
        return Err(CliError::Usage(format!(
            "{url}: no probe request completed in {PROBE_TIME}"
        )));
    }
    let probe = Probe {
        url: url.to_string(),
        requests: s.requests.total,
        failed: s.requests.failed,
        p50_ms: s.latency_ms.p50,
        p95_ms: s.latency_ms.p95,
        seen: seen(s),
    };
    eprintln!(
        "probed {url} with {} sequential requests (at most {PROBE_REQUESTS} in {PROBE_TIME}): saw {}: p50 {}, p95 {}",
        probe.requests,
        probe.seen,
        loadcell_units::format::ms(probe.p50_ms),
        loadcell_units::format::ms(probe.p95_ms)
    );
    Ok(probe)
}

/// `200 ×19, 503 ×1, timeout ×0`: the statuses and errors the probe saw.
fn seen(s: &Summary) -> String {
    let parts: Vec<String> = s
        .status_codes
        .iter()
        .chain(&s.errors)
        .filter(|(_, n)| **n > 0)
        .map(|(what, n)| format!("{what} ×{n}"))
        .collect();
    parts.join(", ")
}

/// A `bench` test per framework found in `dir`, named in the plan relative to its folder
/// (as given when the plan is written here, else absolute).
fn benches(dir: &Path, out: &Path, to_stdout: bool) -> Result<Starter, CliError> {
    if !dir.is_dir() {
        return Err(CliError::Usage(format!(
            "{}: no such folder (give a URL http://… to probe, or a project folder)",
            dir.display()
        )));
    }
    let found = loadcell_bench::detect(dir);
    if found.is_empty() {
        return Err(CliError::Usage(
            loadcell_bench::BenchError::NothingDetected { dir: dir.to_path_buf() }.to_string(),
        ));
    }
    let here = to_stdout || out.parent().is_none_or(|p| p.as_os_str().is_empty());
    let path = match (here, dir.canonicalize()) {
        (false, Ok(abs)) => abs.display().to_string(),
        _ => dir.display().to_string(),
    };
    Ok(Starter::Dir {
        path,
        frameworks: found.iter().map(|f| f.as_str().to_string()).collect(),
    })
}
