//! Replays the committed fuzz corpus (`fuzz/corpus/TARGET/`) and the inputs that once broke
//! something (`fuzz/regressions/TARGET/`) on stable: every file goes through the same entry
//! point its cargo-fuzz target calls (`loadcell_*::fuzzing::*`), which panics when an
//! invariant breaks. So CI checks, without nightly, that nothing the fuzzers found
//! interesting panics or misbehaves again. Fuzzing itself is `scripts/fuzz.sh`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Every file in `fuzz/{kind}/{target}`.
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind)
        .join(target);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
    files.sort();
    files
}

/// Feeds every corpus and regression file of `target` to `entry`; fails naming each file
/// that broke an invariant. A corpus smaller than `at_least` files means it went missing.
fn replay(target: &str, at_least: usize, entry: fn(&[u8])) {
    let mut files = files("corpus", target);
    assert!(files.len() >= at_least, "{target}: only {} corpus files", files.len());
    files.extend(self::files("regressions", target));
    let broken: Vec<String> = files
        .iter()
        .filter(|path| {
            let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            catch_unwind(AssertUnwindSafe(|| entry(&data))).is_err()
        })
        .map(|path| path.display().to_string())
        .collect();
    assert!(broken.is_empty(), "invariants broken by {broken:#?}");
}

#[test]
fn response_parser_corpus() {
    replay("response", 50, loadcell_http::fuzzing::response);
}

#[test]
fn scenario_corpus() {
    replay("scenario", 40, loadcell_scenario::fuzzing::scenario);
}

#[test]
fn threshold_corpus() {
    replay("threshold", 15, loadcell_threshold::fuzzing::threshold);
}

#[test]
fn template_corpus() {
    replay("template", 15, loadcell_scenario::fuzzing::template);
}
