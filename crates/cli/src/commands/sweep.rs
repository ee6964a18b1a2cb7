//! What `capacity` and `scale` do alike at the command line: claim the results folder and
//! check `--json` before the first request, and at the end write the folder's last summary
//! and the `--json` section, report what could not be written, and pick the exit code.

use crate::args::SweepOutputArgs;
use crate::error::CliError;
use loadcell_schema::{Summary, exit};
use loadcell_session::{SectionFile, SessionError, folder, outputs};
use std::path::{Path, PathBuf};

/// The outputs of a sweep, claimed before the first request.
pub struct SweepOutputs<'a> {
    pub dir: Option<PathBuf>,
    json: Option<&'a Path>,
}

impl<'a> SweepOutputs<'a> {
    /// Checks `--json` and claims the results folder (named `{kind}-{target}` by default).
    pub fn claim(args: &'a SweepOutputArgs, kind: &str, target: &str) -> Result<Self, CliError> {
        let json = args.json.as_deref();
        if let Some(path) = json {
            outputs::check_writable("--json", path)?;
        }
        let label = format!("{kind}-{}", loadcell_results::slug(target));
        let dir = folder::claim(args.folder.out.as_deref(), args.folder.no_out, &label)?;
        Ok(SweepOutputs { dir, json })
    }

    /// `--json` alone (checked), no results folder: `scale --points` sends nothing.
    pub fn json_only(json: Option<&'a Path>) -> Result<Self, CliError> {
        if let Some(path) = json {
            outputs::check_writable("--json", path)?;
        }
        Ok(SweepOutputs { dir: None, json })
    }

    /// Writes the folder's final `doc` (`None`: no `step` ran) and the `--json` section;
    /// returns the exit code: 0 with an `answer`, 1 without one or when an output failed.
    pub fn finish(&self, doc: Option<Summary>, section: SectionFile<'_>, answer: bool, step: &str) -> i32 {
        let mut failures: Vec<SessionError> = Vec::new();
        if let Some(dir) = &self.dir {
            match doc.map(|d| folder::write(dir, &d)) {
                Some(Ok(_)) => println!(
                    "  results: {}  (report: {})",
                    dir.display(),
                    dir.join("report.html").display()
                ),
                Some(Err(e)) => failures.push(e),
                None => println!("  results: none (no {step} ran)"),
            }
        }
        if let Some(path) = self.json
            && let Err(e) = outputs::write_json("--json", path, &section)
        {
            failures.push(e);
        }
        for failure in &failures {
            eprintln!("error: {failure}");
        }
        match (answer, failures.is_empty()) {
            (true, true) => exit::OK,
            (true, false) => exit::OUTPUT_FAILED,
            (false, _) => exit::THRESHOLD_FAILED,
        }
    }
}

/// A failed rewrite of the folder while the sweep goes on.
pub fn warn(e: &SessionError) {
    eprintln!("warning: results folder: {e}");
}
