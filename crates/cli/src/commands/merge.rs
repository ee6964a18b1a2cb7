//! `loadcell merge DIR… --out DIR`: the session merges the folders and rebuilds the merged
//! one as `loadcell report` does; the summary is printed with the parts, and the exit code
//! is the merged verdict's (1 also for a part that was incomplete).

use crate::error::CliError;
use loadcell_session::merge::{MergeDone, merge};
use std::path::{Path, PathBuf};

/// `loadcell merge`.
pub fn run(dirs: &[PathBuf], out: &Path) -> Result<i32, CliError> {
    let done = merge(dirs, out)?;
    let summary = &done.rebuilt.summary;
    show_summary(&done);
    println!(
        "  merged {} folder(s), {} intervals, into {}",
        done.merged.parts.len(),
        done.merged.intervals,
        out.display()
    );
    for part in &done.merged.parts {
        let segment = part
            .segment
            .as_deref()
            .map_or(String::new(), |s| format!(" (segment {s})"));
        println!(
            "    {}{segment}: {} intervals from {}",
            part.folder, part.intervals, part.started_at
        );
        if let Some(why) = &part.incomplete {
            eprintln!("warning: {}{segment} is incomplete: {why}", part.folder);
        }
    }
    for path in &done.written {
        println!("  wrote {}", path.display());
    }
    Ok(summary.exit_code())
}

/// The merged summary as the terminal shows it, with the threshold that stopped the run
/// (`loadcell merge` and `loadcell collect` alike).
pub(crate) fn show_summary(done: &MergeDone) {
    print!("{}", loadcell_report::terminal_text(&done.rebuilt.summary));
    if let Some(reason) = &done.rebuilt.aborted {
        println!("{}", super::run::aborted_line(reason));
    }
    println!();
}
