//! `loadcell suite PLAN`: which tests of the plan run, where the suite's folder goes, and
//! what counts against the verdict.

use clap::Args;
use std::path::PathBuf;

/// `loadcell suite PLAN [flags]`
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  loadcell suite examples/plan.yaml\n  \
                  loadcell suite plan.yaml --only smoke,load --out suite-results\n  \
                  loadcell suite plan.yaml --keep-going --allow-warnings\n\n\
                  Exit codes: 0 every test passed its SLOs and nothing warned; 1 a test failed, a test warned \
                  (dropped iterations, a saturated generator, coordinated omission, a lost monitor source, a test \
                  cut short) unless --allow-warnings, or a result could not be written; 2 the plan is invalid, or \
                  the first test could not start (a target that is not there), before any load. See docs/suite.md.")]
pub struct SuiteArgs {
    /// The plan file (.yaml, .yml or .json; see docs/suite.md).
    #[arg(value_name = "PLAN")]
    pub plan: PathBuf,

    /// The suite's folder: index.html, suite.json, junit.xml, suite.md, the plan and one results folder per test
    /// [default: ./loadcell-results/<time>-suite-<plan>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Run only these tests (their names in the plan: the type, or the test's `name:`), comma-separated.
    #[arg(long, value_name = "NAMES", value_delimiter = ',')]
    pub only: Option<Vec<String>>,

    /// Stop at the first test that fails (the default).
    #[arg(long, conflicts_with = "keep_going")]
    pub stop_on_fail: bool,

    /// Run every test even after one failed.
    #[arg(long)]
    pub keep_going: bool,

    /// List warnings without failing the suite for them.
    #[arg(long)]
    pub allow_warnings: bool,

    /// No live progress of each test on stderr.
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `loadcell init [URL|DIR] [--out FILE] [--force]`
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  loadcell init http://127.0.0.1:8080/api/products\n  \
                  loadcell init . --out bench-plan.yaml\n  loadcell init --out - | less\n\n\
                  With a URL, 20 sequential requests (at most 5 s) measure it, and the plan's smoke level, load \
                  rate and SLOs come from what they measured (the rule is a comment in the file). With a folder, a \
                  `bench` test per benchmark framework found there. With neither, placeholders.\n\
                  Exit codes: 0 written; 2 the file exists (without --force), the URL does not answer, the folder \
                  is missing or holds no benchmarks. See docs/suite.md.")]
pub struct InitArgs {
    /// A URL to probe, or a project folder whose benchmarks to add; none: a plan with placeholders.
    #[arg(value_name = "URL|DIR")]
    pub source: Option<String>,

    /// Where to write the plan (`-` prints it).
    #[arg(long, value_name = "FILE", default_value = "plan.yaml")]
    pub out: PathBuf,

    /// Overwrite the file if it exists.
    #[arg(long)]
    pub force: bool,
}
