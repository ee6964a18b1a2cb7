//! `loadcell report DIR`: the session rebuilds the folder's summary (from its interval log,
//! or a capacity or scale folder's `summary.json`); it is printed, then every report is
//! written again, with the comparison of a run that had a `--baseline`. It exits as the run
//! did (or would have): 1 for a failed threshold, a regression, an interrupted run or a
//! folder whose run never finished.

use crate::error::CliError;
use loadcell_schema::exit;
use loadcell_session::folder;
use loadcell_session::rebuild::{Source, rebuild};
use std::path::Path;

/// `loadcell report DIR`.
pub fn run(dir: &Path) -> Result<i32, CliError> {
    let rebuilt = rebuild(dir)?;
    print!("{}", loadcell_report::terminal_text(&rebuilt.summary));
    if let Some(reason) = &rebuilt.aborted {
        println!("{}", super::run::aborted_line(reason));
    }
    let mut code = rebuilt.summary.exit_code();
    match rebuilt.source {
        Source::Intervals {
            intervals,
            finished,
            last_t_s,
        } => {
            let written = folder::write(dir, &rebuilt.summary)?;
            println!();
            let unfinished = if finished {
                String::new()
            } else {
                code = code.max(exit::INCOMPLETE);
                format!(
                    "; the run did not finish (no end.json): results end at {last_t_s:.1}s, at most the last second is missing"
                )
            };
            println!("  rebuilt from {intervals} intervals in {}{unfinished}", dir.display());
            for path in written {
                println!("  wrote {}", path.display());
            }
            if let Some(compared) = super::compare::restore_comparison(dir, &rebuilt.summary)? {
                code = code.max(compared);
            }
        }
        Source::Summary => {
            let written = folder::write_reports(dir, &rebuilt.summary)?;
            let what = if rebuilt.summary.capacity.is_some() {
                "a capacity search"
            } else if rebuilt.summary.scale.is_some() {
                "a scale sweep"
            } else {
                "a summary without an interval log"
            };
            println!();
            println!(
                "  rendered again from {} ({what})",
                dir.join(folder::SUMMARY_FILE).display()
            );
            for path in written {
                println!("  wrote {}", path.display());
            }
        }
    }
    Ok(code)
}
