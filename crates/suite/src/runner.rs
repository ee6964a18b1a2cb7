//! Running a plan: the selected tests in order, each through the [`Launcher`] into its own
//! folder under the suite folder, judged from the `summary.json` it wrote; `suite.json`,
//! `junit.xml` and `suite.md` rewritten after every test, so a killed suite keeps what ran.
//! The first failing test stops the rest unless asked to keep going.

use crate::error::SuiteError;
use crate::invoke::Invocation;
use crate::judge::{self, TestResult};
use crate::model::{Kind, Plan, Test, Vocabulary};
use crate::report::{self, SuiteDoc};
use loadcell_schema::{BenchResults, Summary, exit};
use std::path::{Path, PathBuf};

/// How a plan is run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The suite folder; each test writes into `NN-name` inside it.
    pub dir: PathBuf,
    /// `--only`: the names of the tests to run (all when `None`).
    pub only: Option<Vec<String>>,
    /// Stop at the first failing test (the default).
    pub stop_on_fail: bool,
    /// Warnings are listed but do not fail the suite.
    pub allow_warnings: bool,
}

/// What running one test's command line came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Launched {
    /// The command ran to its verdict (its exit code); its folder holds `summary.json`.
    Exited(i32),
    /// It stopped before sending load (a target that is not there, a file missing): why.
    SetupFailed(String),
    /// It ran and failed without leaving results (a benchmarked command that exited
    /// unsuccessfully): why, in its own words.
    Failed(String),
}

/// Runs one test's command line (the CLI runs it in-process).
pub trait Launcher {
    fn launch(&mut self, test: &Test, invocation: &Invocation) -> Launched;

    /// True once the user asked to stop (Ctrl-C): no further test starts.
    fn interrupted(&self) -> bool {
        false
    }
}

/// Told as the suite goes.
pub trait Progress {
    /// Test `index` (1-based) of `total` is about to start.
    fn starting(&mut self, index: usize, total: usize, test: &Test);
    /// A test finished; `so_far` holds every finished test's result, in order.
    fn finished(&mut self, so_far: &[TestResult], plan: &[&Test]);
}

/// The suite's end.
#[derive(Debug)]
pub struct SuiteOutcome {
    pub doc: SuiteDoc,
    /// 0 passed with no (fatal) warning, 1 a test failed or warned, 2 the first test could
    /// not start (nothing was sent).
    pub exit_code: i32,
    /// Suite files that could not be written (the verdict stands; the exit code turns 0 to 1).
    pub write_failures: Vec<SuiteError>,
}

/// The tests `--only` selects, in plan order; an unknown name is a usage error.
pub fn select<'p>(plan: &'p Plan, only: Option<&[String]>) -> Result<Vec<&'p Test>, String> {
    let Some(names) = only else {
        return Ok(plan.tests.iter().collect());
    };
    let known: Vec<&str> = plan.tests.iter().map(|t| t.name.as_str()).collect();
    if let Some(bad) = names.iter().find(|n| !known.contains(&n.as_str())) {
        return Err(format!(
            "--only: the plan has no test '{bad}'{}",
            loadcell_diagnostics::hint(bad, &known)
        ));
    }
    Ok(plan.tests.iter().filter(|t| names.contains(&t.name)).collect())
}

/// The folder of `test` inside the suite folder: its place in the plan and its name.
pub fn folder_of(plan: &Plan, test: &Test) -> String {
    let index = plan.tests.iter().position(|t| t.name == test.name).unwrap_or(0);
    format!("{:02}-{}", index + 1, test.name)
}

/// Runs the selected tests of `plan` (checked by the caller: `select` and every
/// invocation) and writes the suite's files after each.
pub fn run(
    plan: &Plan,
    options: &Options,
    launcher: &mut dyn Launcher,
    progress: &mut dyn Progress,
) -> Result<SuiteOutcome, SuiteError> {
    let selected = select(plan, options.only.as_deref()).unwrap_or_default();
    std::fs::create_dir_all(&options.dir).map_err(|source| SuiteError::Write {
        path: options.dir.clone(),
        source,
    })?;
    let started_at = loadcell_schema::rfc3339_utc(std::time::SystemTime::now());
    let mut results: Vec<TestResult> = Vec::new();
    let mut write_failures = Vec::new();
    if let Err(e) = report::write(&options.dir, PLAN_FILE, &plan.text) {
        write_failures.push(e);
    }
    let mut setup_failed = false;
    for (i, test) in selected.iter().enumerate() {
        progress.starting(i + 1, selected.len(), test);
        let folder = folder_of(plan, test);
        let invocation = Invocation::of(plan, test, &options.dir.join(&folder));
        let result = match launcher.launch(test, &invocation) {
            Launched::Exited(code) => read_result(test, invocation.display(), &options.dir, folder, code),
            Launched::SetupFailed(why) => {
                setup_failed = results.is_empty();
                judge::unfinished(test, invocation.display(), folder, Some(exit::USAGE), why)
            }
            Launched::Failed(why) => {
                judge::unfinished(test, invocation.display(), folder, Some(exit::THRESHOLD_FAILED), why)
            }
        };
        let stop = !result.passed && (options.stop_on_fail || setup_failed);
        results.push(result);
        progress.finished(&results, &selected);
        let doc = report::document(plan, &selected, &results, options, &started_at);
        if let Err(e) = report::write_all(&options.dir, &doc) {
            write_failures.push(e);
        }
        if stop || launcher.interrupted() {
            break;
        }
    }
    Ok(conclude(
        plan,
        &selected,
        results,
        options,
        &started_at,
        setup_failed,
        write_failures,
    ))
}

/// The suite's document and exit code once its tests are judged.
fn conclude(
    plan: &Plan,
    selected: &[&Test],
    results: Vec<TestResult>,
    options: &Options,
    started_at: &str,
    setup_failed: bool,
    write_failures: Vec<SuiteError>,
) -> SuiteOutcome {
    let doc = report::document(plan, selected, &results, options, started_at);
    let exit_code = match doc.verdict.passed {
        _ if setup_failed => exit::USAGE,
        true if write_failures.is_empty() => exit::OK,
        _ => exit::THRESHOLD_FAILED,
    };
    SuiteOutcome {
        doc,
        exit_code,
        write_failures,
    }
}

/// The copy of the plan in the suite folder.
pub const PLAN_FILE: &str = "plan.yaml";

/// `loadcell report SUITE_DIR`: every test that ran is judged again from its folder, after
/// `rebuild_test` (the CLI's `loadcell report` of that folder) has rebuilt it, with the
/// plan kept in the folder and each test's exit code as `suite.json` recorded it; then the
/// suite's files are written again. An error is a folder that is not a suite.
pub fn rebuild(
    dir: &Path,
    vocabulary: &Vocabulary,
    rebuild_test: &mut dyn FnMut(&Path),
) -> Result<SuiteOutcome, String> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name))
            .map_err(|e| format!("'{}' is not a suite folder: {name}: {e}", dir.display()))
    };
    let recorded: serde_json::Value =
        serde_json::from_str(&read("suite.json")?).map_err(|e| format!("{}: {e}", dir.join("suite.json").display()))?;
    let plan_file = dir.join(PLAN_FILE).display().to_string();
    let plan = crate::parse::parse(&read(PLAN_FILE)?, &plan_file, dir, vocabulary).map_err(|e| e.to_string())?;
    let words = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map_or(Vec::new(), |a| {
            a.iter().filter_map(|x| x.as_str().map(String::from)).collect()
        })
    };
    let ran = recorded["tests"].as_array().cloned().unwrap_or_default();
    let mut names: Vec<String> = ran
        .iter()
        .filter_map(|t| t["name"].as_str().map(String::from))
        .collect();
    names.extend(words(&recorded["not_run"]));
    let selected: Vec<&Test> = plan.tests.iter().filter(|t| names.contains(&t.name)).collect();
    let options = Options {
        dir: dir.to_path_buf(),
        only: Some(names),
        stop_on_fail: true,
        allow_warnings: recorded["verdict"]["allow_warnings"].as_bool().unwrap_or(false),
    };
    let mut results = Vec::new();
    for entry in &ran {
        let Some(test) = plan
            .tests
            .iter()
            .find(|t| Some(t.name.as_str()) == entry["name"].as_str())
        else {
            continue;
        };
        let folder = folder_of(&plan, test);
        // The command as it ran (the plan kept here resolves a scenario against this folder).
        let command = entry["command"].as_str().unwrap_or_default().to_string();
        let code = entry["exit_code"].as_i64().and_then(|c| i32::try_from(c).ok());
        let result = match code {
            Some(code) if dir.join(&folder).join(results_file(test)).exists() => {
                // A bench test's bench.json is its whole result: nothing to rebuild.
                if test.kind != Kind::Bench {
                    rebuild_test(&dir.join(&folder));
                }
                read_result(test, command, dir, folder, code)
            }
            _ => {
                let why = words(&entry["failures"]).join("; ");
                judge::unfinished(test, command, folder, code, why)
            }
        };
        results.push(result);
    }
    let setup_failed = results
        .first()
        .is_some_and(|r| r.headline.is_none() && r.bench.is_none() && r.exit_code == Some(exit::USAGE));
    let started_at = recorded["started_at"].as_str().unwrap_or_default().to_string();
    let outcome = conclude(
        &plan,
        &selected,
        results,
        &options,
        &started_at,
        setup_failed,
        Vec::new(),
    );
    let write_failures: Vec<SuiteError> = report::write_all(dir, &outcome.doc).err().into_iter().collect();
    let exit_code = match write_failures.is_empty() {
        true => outcome.exit_code,
        false => outcome.exit_code.max(exit::THRESHOLD_FAILED),
    };
    Ok(SuiteOutcome {
        exit_code,
        write_failures,
        ..outcome
    })
}

/// The file a test leaves in its folder: `bench.json` for a bench test, else `summary.json`.
fn results_file(test: &Test) -> &'static str {
    match test.kind {
        Kind::Bench => loadcell_schema::BENCH_FILE,
        _ => "summary.json",
    }
}

/// Judges a test that ran from the results in its folder (and its comparison with a
/// baseline, when its command wrote one).
fn read_result(test: &Test, command: String, dir: &Path, folder: String, code: i32) -> TestResult {
    let path = dir.join(&folder).join(results_file(test));
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string());
    let comparison = crate::baseline::read(&dir.join(&folder));
    let judged = match test.kind {
        Kind::Bench => text
            .and_then(|t| serde_json::from_str::<BenchResults>(&t).map_err(|e| e.to_string()))
            .map(|r| judge::judge_bench(test, command.clone(), folder.clone(), code, &r, comparison.as_ref())),
        _ => text
            .and_then(|t| serde_json::from_str::<Summary>(&t).map_err(|e| e.to_string()))
            .map(|s| judge::judge(test, command.clone(), folder.clone(), code, &s, comparison.as_ref())),
    };
    judged.unwrap_or_else(|e| {
        judge::unfinished(
            test,
            command,
            folder,
            Some(code),
            format!("the test wrote no readable {}: {e}", path.display()),
        )
    })
}
