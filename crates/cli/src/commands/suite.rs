//! `loadcell suite PLAN` and `loadcell validate PLAN`: the plan read by `loadcell-suite`,
//! each selected test's command line parsed by clap and checked as `run`, `capacity` or
//! `scale` would check it — all before the first request —, then the tests run in-process
//! one after the other through the same command functions, with progress on stderr and the
//! suite's verdict on stdout. `loadcell report SUITE_DIR` judges a suite folder again.

use crate::args::{Cli, Command, SuiteArgs};
use crate::error::CliError;
use clap::error::{ContextKind, ContextValue};
use clap::{CommandFactory, Parser};
use loadcell_schema::exit;
use loadcell_suite::runner::{self, folder_of};
use loadcell_suite::{Flag, Invocation, Launched, Launcher, Plan, Progress, Test, TestResult, Vocabulary};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `loadcell suite PLAN`.
pub fn run(args: &SuiteArgs) -> Result<i32, CliError> {
    let plan = load(&args.plan)?;
    let selected = runner::select(&plan, args.only.as_deref()).map_err(CliError::Usage)?;
    check(&plan, &selected)?;
    let dir = claim(args.out.as_deref(), &args.plan)?;
    let options = runner::Options {
        dir: dir.clone(),
        only: args.only.clone(),
        stop_on_fail: !args.keep_going,
        allow_warnings: args.allow_warnings,
    };
    let mut launcher = InProcess {
        interrupts: crate::signals::install(),
        quiet: args.quiet,
    };
    let outcome =
        runner::run(&plan, &options, &mut launcher, &mut Shown).map_err(|e| CliError::Usage(e.to_string()))?;
    print!("{}", loadcell_suite::report::terminal(&outcome.doc));
    println!(
        "  suite: {}  (index.html, suite.json, junit.xml, suite.md)",
        dir.display()
    );
    for failure in &outcome.write_failures {
        eprintln!("error: {failure}");
    }
    Ok(outcome.exit_code)
}

/// `loadcell report SUITE_DIR`: each test's folder rebuilt as `loadcell report` rebuilds
/// it, every test judged again, the suite's files written again; exits as the suite did.
pub fn report(dir: &Path) -> Result<i32, CliError> {
    let mut rebuild_test = |folder: &Path| {
        eprintln!("\n── suite: rebuilding {} ──", folder.display());
        if let Err(e) = super::report::run(folder) {
            eprintln!("error: {e}");
        }
    };
    let outcome = runner::rebuild(dir, &vocabulary(), &mut rebuild_test).map_err(CliError::Usage)?;
    print!("{}", loadcell_suite::report::terminal(&outcome.doc));
    println!(
        "  suite: {}  (index.html, suite.json, junit.xml, suite.md written again)",
        dir.display()
    );
    for failure in &outcome.write_failures {
        eprintln!("error: {failure}");
    }
    Ok(outcome.exit_code)
}

/// `loadcell validate PLAN`: the plan and every test's flags, nothing sent.
pub fn validate(path: &Path) -> Result<i32, CliError> {
    let plan = load(path)?;
    let tests: Vec<&Test> = plan.tests.iter().collect();
    check(&plan, &tests)?;
    let names: Vec<&str> = tests.iter().map(|t| t.name.as_str()).collect();
    println!(
        "{}: ok — plan against {}: {} tests ({}), {} SLOs",
        path.display(),
        plan.system.argument(),
        tests.len(),
        names.join(", "),
        plan.slo.len()
    );
    Ok(exit::OK)
}

/// `loadcell schema --plan`: the JSON Schema of plan files.
pub fn schema() -> Result<i32, CliError> {
    let text = serde_json::to_string_pretty(&loadcell_suite::json_schema(&vocabulary()))?;
    println!("{text}");
    Ok(exit::OK)
}

/// Checks a plan's text as `loadcell validate` checks a file (`loadcell init`'s output).
pub(crate) fn check_text(text: &str, file: &str, base: &Path) -> Result<(), CliError> {
    let plan = loadcell_suite::parse(text, file, base, &vocabulary()).map_err(|e| CliError::Usage(e.to_string()))?;
    let tests: Vec<&Test> = plan.tests.iter().collect();
    check(&plan, &tests)
}

fn load(path: &Path) -> Result<Plan, CliError> {
    loadcell_suite::load(path, &vocabulary()).map_err(|e| CliError::Usage(e.to_string()))
}

/// The long flags of `run`, `capacity` and `scale`, from clap's own definitions.
fn vocabulary() -> Vocabulary {
    let cli = Cli::command();
    let flags = |name: &str| -> Vec<Flag> {
        let Some(sub) = cli.find_subcommand(name) else {
            return Vec::new();
        };
        sub.get_arguments()
            .filter_map(|a| {
                let long = a.get_long()?;
                Some(Flag {
                    long: long.to_string(),
                    takes_value: a.get_action().takes_values(),
                    repeatable: matches!(a.get_action(), clap::ArgAction::Append),
                })
            })
            .collect()
    };
    Vocabulary {
        run: flags("run"),
        capacity: flags("capacity"),
        scale: flags("scale"),
        bench: flags("bench"),
    }
}

/// Every selected test parsed and checked as its command would be, before any load; a
/// problem is named at the option (or the test) that caused it.
fn check(plan: &Plan, selected: &[&Test]) -> Result<(), CliError> {
    for test in selected {
        let out = PathBuf::from("suite").join(folder_of(plan, test));
        let invocation = Invocation::of(plan, test, &out);
        let command = parse(&invocation).map_err(|e| clap_at(plan, test, &invocation, &e))?;
        let checked = match &command {
            Command::Run(args) => super::run::check(args).and_then(|()| args.baseline.open().map(|_| ())),
            Command::Capacity(args) => super::capacity::check(args),
            Command::Scale(args) => super::scale::check(args),
            Command::Bench(args) => super::bench::check(args),
            _ => Ok(()),
        };
        checked.map_err(|e| {
            let at = test.pos;
            CliError::Usage(format!(
                "{}:{}:{}: test '{}': {e}",
                plan.file, at.line, at.col, test.name
            ))
        })?;
    }
    Ok(())
}

fn parse(invocation: &Invocation) -> Result<Command, clap::Error> {
    let argv = std::iter::once("loadcell".to_string()).chain(invocation.args.iter().cloned());
    Cli::try_parse_from(argv).map(|cli| cli.command)
}

/// clap's complaint about a test's command line, at the plan option that wrote the flag.
fn clap_at(plan: &Plan, test: &Test, invocation: &Invocation, e: &clap::Error) -> CliError {
    let flag = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => s
            .strip_prefix("--")
            .map(|f| f.split([' ', '=']).next().unwrap_or(f).to_string()),
        _ => None,
    };
    let at = flag.and_then(|f| invocation.origin(&f)).unwrap_or(test.pos);
    let message = crate::first_paragraph(&e.render().to_string());
    CliError::Usage(format!(
        "{}:{}:{}: test '{}': {message}",
        plan.file, at.line, at.col, test.name
    ))
}

/// The suite's folder: `--out DIR` (refused when it already holds a suite), or a new one
/// under `./loadcell-results/`.
fn claim(out: Option<&Path>, plan: &Path) -> Result<PathBuf, CliError> {
    if let Some(dir) = out.filter(|d| d.join("suite.json").exists()) {
        return Err(CliError::Usage(format!(
            "--out: '{}' already holds a suite (suite.json); give a new folder",
            dir.display()
        )));
    }
    let stem = plan
        .file_stem()
        .map_or("plan".into(), |s| s.to_string_lossy().into_owned());
    let label = format!("suite-{}", loadcell_results::slug(&stem));
    let dir = loadcell_session::folder::claim(out, false, &label)?;
    dir.ok_or_else(|| CliError::Usage("no suite folder".into()))
}

/// Runs each test through the same command functions as `loadcell run|capacity|scale`.
struct InProcess {
    interrupts: Arc<AtomicUsize>,
    quiet: bool,
}

impl Launcher for InProcess {
    fn launch(&mut self, _test: &Test, invocation: &Invocation) -> Launched {
        let mut invocation = invocation.clone();
        if self.quiet {
            // Before a bench test's `--` and its commands.
            let at = invocation
                .args
                .iter()
                .position(|a| a == "--")
                .unwrap_or(invocation.args.len());
            invocation.args.insert(at, "--quiet".into());
        }
        let result = match parse(&invocation) {
            Ok(Command::Run(args)) => super::run::run(&args, self.interrupts.clone()),
            Ok(Command::Capacity(args)) => super::capacity::run(&args, self.interrupts.clone()),
            Ok(Command::Scale(args)) => super::scale::run(&args, self.interrupts.clone()),
            // Checked before the suite started: what stops it now is a command that failed
            // (or could not run) while it was measured — the test's failure, not a setup's.
            Ok(Command::Bench(args)) => {
                return match super::bench::run(&args) {
                    Ok(code) => Launched::Exited(code),
                    Err(e) if e.exit_code() == exit::USAGE => Launched::Failed(e.to_string()),
                    Err(e) => Launched::Exited(e.exit_code()),
                };
            }
            Ok(_) => Err(CliError::Usage("a test runs as run, capacity, scale or bench".into())),
            Err(e) => Err(CliError::Usage(crate::first_paragraph(&e.render().to_string()))),
        };
        match result {
            Ok(code) => Launched::Exited(code),
            Err(e) if e.exit_code() == exit::USAGE => Launched::SetupFailed(e.to_string()),
            Err(e) => Launched::Exited(e.exit_code()),
        }
    }

    fn interrupted(&self) -> bool {
        self.interrupts.load(Ordering::SeqCst) > 0
    }
}

/// "test 3/7: spike" before each test, the plan so far after it.
struct Shown;

impl Progress for Shown {
    fn starting(&mut self, index: usize, total: usize, test: &Test) {
        eprintln!("\n── suite: test {index}/{total}: {} ──", test.name);
    }

    fn finished(&mut self, so_far: &[TestResult], plan: &[&Test]) {
        eprintln!("── suite so far: {}", loadcell_suite::report::so_far(so_far, plan));
    }
}
