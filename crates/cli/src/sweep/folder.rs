//! The results folder of `loadcell capacity` and `loadcell scale`: `summary.json` and the
//! reports (`report.html`, `junit.xml`, `summary.md`, `timeseries.csv`), claimed before the
//! first request and rewritten after every step, each file atomically (written beside its
//! place, then renamed), so a killed search leaves every finished step. Also what
//! `loadcell report DIR` does with such a folder: it has no interval log to rebuild from,
//! so the reports are rendered again from its `summary.json`.

use crate::error::CliError;
use crate::print;
use loadcell_schema::Summary;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The summary's file name in a results folder.
pub const SUMMARY_FILE: &str = "summary.json";

/// Claims the results folder: `--out DIR` (created if missing; refused when it already
/// holds results), a new folder under `./loadcell-results/` named after `label`, or none
/// with `--no-out`. Runs before any request, so a refusal sends nothing.
pub fn claim(out: Option<&Path>, no_out: bool, label: &str) -> Result<Option<PathBuf>, CliError> {
    if no_out {
        return Ok(None);
    }
    if let Some(dir) = out {
        std::fs::create_dir_all(dir)
            .map_err(|e| CliError::Usage(format!("--out: cannot create '{}': {e}", dir.display())))?;
        // A folder is never overwritten: two searches (or a search and a run) never mix.
        for taken in [SUMMARY_FILE, loadcell_results::META_FILE] {
            if dir.join(taken).exists() {
                return Err(CliError::Usage(format!(
                    "--out: '{}' already holds results ({taken}); give a new folder",
                    dir.display()
                )));
            }
        }
        return Ok(Some(dir.to_path_buf()));
    }
    let root = Path::new(loadcell_results::DEFAULT_ROOT);
    std::fs::create_dir_all(root).map_err(|e| CliError::Usage(format!("cannot create '{}': {e}", root.display())))?;
    // `create_dir` fails on an existing folder, so a name another process claimed in the
    // same second is skipped for the next one.
    let mut last = None;
    for _ in 0..8 {
        let dir = loadcell_results::default_dir(label);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(Some(dir)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(CliError::Usage(format!("cannot create '{}': {e}", dir.display()))),
        }
    }
    Err(CliError::Usage(format!(
        "cannot create a results folder under '{}': {}",
        root.display(),
        last.map_or_else(|| "every name was taken".to_string(), |e| e.to_string())
    )))
}

/// Writes `summary.json` and every report into `dir`, each file atomically.
pub fn write(dir: &Path, summary: &Summary) -> Result<(), CliError> {
    let json = serde_json::to_string_pretty(summary).map_err(|e| CliError::Output(e.to_string()))?;
    replace(&dir.join(SUMMARY_FILE), (json + "\n").as_bytes())?;
    write_reports(dir, summary)
}

/// Renders every report of `summary` into `dir`, each file atomically.
fn write_reports(dir: &Path, summary: &Summary) -> Result<(), CliError> {
    for exporter in loadcell_report::exporters() {
        let bytes = exporter.render(summary).map_err(|e| CliError::Output(e.to_string()))?;
        replace(&dir.join(exporter.file_name()), &bytes)?;
    }
    Ok(())
}

/// Writes `path` by writing `path.tmp` and renaming it over `path`: a reader (or a kill)
/// sees the old file or the new one, never half of one.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| CliError::Output(format!("cannot write {}: {e}", tmp.display())))?;
    std::fs::rename(&tmp, path).map_err(|e| CliError::Output(format!("cannot write {}: {e}", path.display())))
}

/// True for a folder written by `capacity` or `scale`: a summary and no interval log.
pub fn is_summary_only(dir: &Path) -> bool {
    dir.join(SUMMARY_FILE).is_file() && !dir.join(loadcell_results::META_FILE).exists()
}

/// `loadcell report DIR` on a capacity or scale folder: renders the reports again from
/// its `summary.json` (which it leaves as it is).
pub fn rerender(dir: &Path) -> Result<i32, CliError> {
    let path = dir.join(SUMMARY_FILE);
    let text =
        std::fs::read_to_string(&path).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let summary: Summary = serde_json::from_str(&text)
        .map_err(|e| CliError::Usage(format!("{} is not a loadcell summary: {e}", path.display())))?;
    print!("{}", print::render(&summary));
    write_reports(dir, &summary)?;
    let what = if summary.capacity.is_some() {
        "a capacity search"
    } else if summary.scale.is_some() {
        "a scale sweep"
    } else {
        "a summary without an interval log"
    };
    println!();
    println!("  rendered again from {} ({what})", path.display());
    for exporter in loadcell_report::exporters() {
        println!("  wrote {}", dir.join(exporter.file_name()).display());
    }
    Ok(loadcell_schema::exit::OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!("loadcell-sweep-folder-{tag}-{}", std::process::id()))
    }

    #[test]
    fn an_out_folder_with_results_is_refused() {
        let dir = temp("taken");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(claim(Some(&dir), false, "x").ok().flatten(), Some(dir.clone()));
        replace(&dir.join(SUMMARY_FILE), b"{}\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(!dir.join("summary.json.tmp").exists(), "the temporary file is renamed");
        let err = claim(Some(&dir), false, "x")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("already holds results"), "{err}");
        assert!(is_summary_only(&dir));
        assert_eq!(claim(Some(&dir), true, "x").ok(), Some(None), "--no-out claims nothing");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
