//! Files named by output flags (`--summary-json`, `--json`): checked before the first
//! request, so an unwritable path is bad input (exit 2) and not a lost run, and written at
//! the end.

use crate::error::SessionError;
use serde::Serialize;
use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::Path;

/// Checks that `flag`'s `path` can be written, leaving no trace: an existing file is
/// opened for writing (not truncated); a missing one is created and removed again.
pub fn check_writable(flag: &'static str, path: &Path) -> Result<(), SessionError> {
    let cannot = |source| SessionError::WriteFlag {
        flag,
        path: path.to_path_buf(),
        source,
    };
    match OpenOptions::new().write(true).open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == ErrorKind::NotFound => {
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(cannot)?;
            std::fs::remove_file(path).map_err(cannot)
        }
        Err(e) => Err(cannot(e)),
    }
}

/// Writes `value` as pretty JSON (and a final newline) to `flag`'s `path`.
/// Writes `bytes` to `path` for `flag`, naming the flag when it cannot.
pub fn write_bytes(flag: &'static str, path: &Path, bytes: &[u8]) -> Result<(), SessionError> {
    std::fs::write(path, bytes).map_err(|source| SessionError::WriteFlag {
        flag,
        path: path.to_path_buf(),
        source,
    })
}

pub fn write_json<T: Serialize>(flag: &'static str, path: &Path, value: &T) -> Result<(), SessionError> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(path, text + "\n").map_err(|source| SessionError::WriteFlag {
        flag,
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writable_path_is_left_as_it_was_and_a_bad_one_named() {
        let dir = std::env::temp_dir().join(format!("loadcell-session-outputs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let fresh = dir.join("summary.json");
        check_writable("--summary-json", &fresh).unwrap_or_else(|e| panic!("{e}"));
        assert!(!fresh.exists(), "the check leaves no file behind");
        std::fs::write(&fresh, "kept").unwrap_or_else(|e| panic!("{e}"));
        check_writable("--summary-json", &fresh).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read_to_string(&fresh).unwrap_or_default(), "kept");
        let missing = dir.join("no-such-folder").join("s.json");
        let err = check_writable("--summary-json", &missing).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.starts_with("cannot write --summary-json '")));
        assert!(check_writable("--json", &dir).is_err(), "a folder is not a file");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
