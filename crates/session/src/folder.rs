//! Results folders: claiming one before the first request (`--out DIR`, or a fresh folder
//! under `./loadcell-results/`), and writing `summary.json` and every report into it, each
//! file atomically (written beside its place, then renamed), so a reader or a kill sees the
//! old file or the new one, never half of one. A run's folder also holds the interval log
//! (`loadcell-results`), started by [`create_run`]; a capacity or scale folder holds only the
//! summary and the reports, rewritten after every step.

use crate::error::{SessionError, invalid};
use loadcell_results::{ResultsWriter, RunMeta};
use loadcell_schema::Summary;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// The summary's file name in a results folder.
pub const SUMMARY_FILE: &str = "summary.json";

/// How many fresh default folder names to try when others took the name in the same second.
const NAME_ATTEMPTS: usize = 8;

/// Where a run's results go: `--out`, or a fresh default folder named after a label.
#[derive(Debug, Clone)]
pub enum OutDir {
    Given(PathBuf),
    Default(String),
}

/// Creates a run's folder and writes `meta.json` before the first request. A default
/// folder that another run claimed in the same second is replaced by the next free name.
pub fn create_run(out: &OutDir, meta: &RunMeta) -> Result<(PathBuf, ResultsWriter), SessionError> {
    let create = |dir: &Path| {
        ResultsWriter::create(dir, meta).map_err(|source| SessionError::Results {
            context: "--out: ",
            source,
        })
    };
    match out {
        OutDir::Given(dir) => Ok((dir.clone(), create(dir)?)),
        OutDir::Default(label) => {
            let mut last = None;
            for _ in 0..NAME_ATTEMPTS {
                let dir = loadcell_results::default_dir(label);
                match create(&dir) {
                    Ok(writer) => return Ok((dir, writer)),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| invalid("cannot create a results folder")))
        }
    }
}

/// Claims a capacity or scale folder: `--out DIR` (created if missing; refused when it
/// already holds results), a new folder under `./loadcell-results/` named after `label`, or
/// none with `--no-out`. Runs before any request, so a refusal sends nothing.
pub fn claim(out: Option<&Path>, no_out: bool, label: &str) -> Result<Option<PathBuf>, SessionError> {
    if no_out {
        return Ok(None);
    }
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(|source| SessionError::CreateDir {
            context: "--out: ",
            path: dir.to_path_buf(),
            source,
        })?;
        // A folder is never overwritten: two searches (or a search and a run) never mix.
        for taken in [SUMMARY_FILE, loadcell_results::META_FILE] {
            if dir.join(taken).exists() {
                return Err(invalid(format!(
                    "--out: '{}' already holds results ({taken}); give a new folder",
                    dir.display()
                )));
            }
        }
        return Ok(Some(dir.to_path_buf()));
    }
    let root = Path::new(loadcell_results::DEFAULT_ROOT);
    std::fs::create_dir_all(root).map_err(|source| SessionError::CreateDir {
        context: "",
        path: root.to_path_buf(),
        source,
    })?;
    // `create_dir` fails on an existing folder, so a name another process claimed in the
    // same second is skipped for the next one.
    let mut last = None;
    for _ in 0..NAME_ATTEMPTS {
        let dir = loadcell_results::default_dir(label);
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(Some(dir)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = Some(e),
            Err(source) => {
                return Err(SessionError::CreateDir {
                    context: "",
                    path: dir,
                    source,
                });
            }
        }
    }
    Err(invalid(format!(
        "cannot create a results folder under '{}': {}",
        root.display(),
        last.map_or_else(|| "every name was taken".to_string(), |e| e.to_string())
    )))
}

/// Writes `summary.json` and every report into `dir`, each file atomically; returns the
/// paths written.
pub fn write(dir: &Path, summary: &Summary) -> Result<Vec<PathBuf>, SessionError> {
    let json = serde_json::to_string_pretty(summary)?;
    let path = dir.join(SUMMARY_FILE);
    replace(&path, (json + "\n").as_bytes())?;
    let mut written = vec![path];
    written.extend(write_reports(dir, summary)?);
    Ok(written)
}

/// Renders every report of `summary` into `dir`, each file atomically; returns the paths.
pub fn write_reports(dir: &Path, summary: &Summary) -> Result<Vec<PathBuf>, SessionError> {
    let mut written = Vec::new();
    for exporter in loadcell_report::exporters() {
        let bytes = exporter.render(summary)?;
        let path = dir.join(exporter.file_name());
        replace(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes `path` by writing `path.tmp` and renaming it over `path`.
fn replace(path: &Path, bytes: &[u8]) -> Result<(), SessionError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|source| SessionError::WriteFile {
        path: tmp.clone(),
        source,
    })?;
    std::fs::rename(&tmp, path).map_err(|source| SessionError::WriteFile {
        path: path.to_path_buf(),
        source,
    })
}

/// True for a folder written by `capacity` or `scale`: a summary and no interval log.
pub fn is_summary_only(dir: &Path) -> bool {
    dir.join(SUMMARY_FILE).is_file() && !dir.join(loadcell_results::META_FILE).exists()
}

/// The folder's `summary.json`.
pub fn read_summary(dir: &Path) -> Result<Summary, SessionError> {
    let path = dir.join(SUMMARY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|source| SessionError::ReadFile {
        path: path.clone(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| SessionError::NotASummary { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!("loadcell-session-folder-{tag}-{}", std::process::id()))
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
