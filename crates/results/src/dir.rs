//! Where a run's results go by default: `./loadcell-results/<UTC timestamp>-<slug>`.

use loadcell_schema::rfc3339_utc;
use std::path::PathBuf;
use std::time::SystemTime;

/// The parent of every default results folder, relative to the working directory.
pub const DEFAULT_ROOT: &str = "loadcell-results";

/// Longest slug kept in a folder name.
const MAX_SLUG: usize = 48;

/// `./loadcell-results/20261122T195541Z-<slug of label>`, with `-2`, `-3` … appended when
/// that folder already exists (two runs within a second). Creating the folder is left to
/// [`crate::ResultsWriter::create`], which still refuses a folder another process claimed
/// in the meantime.
pub fn default_dir(label: &str) -> PathBuf {
    let stamp: String = rfc3339_utc(SystemTime::now())
        .chars()
        .take(19) // 2026-11-22T19:55:41
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let base = format!("{stamp}Z-{}", slug(label));
    let root = PathBuf::from(DEFAULT_ROOT);
    let mut dir = root.join(&base);
    let mut n = 2;
    while dir.exists() {
        dir = root.join(format!("{base}-{n}"));
        n += 1;
    }
    dir
}

/// `label` as a file-name-safe slug: lower-case ASCII letters and digits, every other run
/// of characters a single `-`, at most 48 characters; `run` when nothing is left.
/// `https://api.example.com/v1/users` → `api-example-com-v1-users`.
pub fn slug(label: &str) -> String {
    let label = label
        .strip_prefix("https://")
        .or_else(|| label.strip_prefix("http://"))
        .unwrap_or(label);
    let mut out = String::new();
    for c in label.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= MAX_SLUG {
            break;
        }
    }
    let out = out.trim_end_matches('-');
    if out.is_empty() {
        "run".to_string()
    } else {
        out.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_safe_and_short() {
        assert_eq!(slug("https://api.example.com/v1/users"), "api-example-com-v1-users");
        assert_eq!(slug("Checkout flow (EU)"), "checkout-flow-eu");
        assert_eq!(slug("http://127.0.0.1:8080/"), "127-0-0-1-8080");
        assert_eq!(slug("///"), "run");
        assert_eq!(slug("ünïcode"), "n-code");
        assert!(slug(&"x".repeat(500)).len() <= MAX_SLUG);
    }

    #[test]
    fn default_dir_is_under_the_root_with_a_utc_stamp() {
        let dir = default_dir("http://localhost:8080/health");
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(dir.starts_with(DEFAULT_ROOT), "{dir:?}");
        assert_eq!(
            name.len(),
            "20261122T195541Z-".len() + "localhost-8080-health".len(),
            "{name}"
        );
        assert!(
            name.ends_with("Z-localhost-8080-health") && name.as_bytes()[8] == b'T',
            "{name}"
        );
    }
}
