//! `loadcell bench --detect [DIR]`: which benchmark frameworks a project uses, and running
//! them into normalized results ([`run_detected`]).
//!
//! - **Cargo + criterion**: a `Cargo.toml` naming `criterion` → `cargo bench -- …criterion
//!   options…`, then criterion's `target/criterion/**/new/` files written by this run.
//! - **Cargo + libtest**: a `Cargo.toml` with a `benches/` folder and no criterion →
//!   `cargo bench` and its `bench:` lines (`#[bench]` needs a nightly toolchain).
//! - **Go**: `func Benchmark…` in a `_test.go` file → `go test -run '^$' -bench .
//!   -benchmem -count N ./...`.
//! - **pytest-benchmark**: a `test_*.py` / `*_test.py` using the `benchmark` fixture →
//!   `python3 -m pytest --benchmark-only --benchmark-json FILE`.

mod run;

use std::path::Path;

pub use run::{DetectOptions, run_detected};

/// A benchmark framework a project can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framework {
    Criterion,
    Libtest,
    Go,
    PytestBenchmark,
}

impl Framework {
    pub fn as_str(self) -> &'static str {
        match self {
            Framework::Criterion => "criterion",
            Framework::Libtest => "libtest",
            Framework::Go => "go",
            Framework::PytestBenchmark => "pytest-benchmark",
        }
    }
}

/// Folders never searched: build output, dependencies, version control.
const SKIP: [&str; 7] = [
    "target",
    ".git",
    "node_modules",
    "vendor",
    "__pycache__",
    ".venv",
    "venv",
];
/// How deep the search for Go and Python test files goes.
const MAX_DEPTH: usize = 6;

/// The frameworks found in `dir`, in the order above.
pub fn detect(dir: &Path) -> Vec<Framework> {
    let mut found = Vec::new();
    if let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) {
        if uses_criterion(&manifest) {
            found.push(Framework::Criterion);
        } else if dir.join("benches").is_dir() {
            found.push(Framework::Libtest);
        }
    }
    let mut go = false;
    let mut py = false;
    scan(dir, 0, &mut |path, text| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if name.ends_with("_test.go") && text.contains("func Benchmark") {
            go = true;
        }
        let py_test = name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"));
        if py_test && uses_benchmark_fixture(text) {
            py = true;
        }
    });
    if go {
        found.push(Framework::Go);
    }
    if py {
        found.push(Framework::PytestBenchmark);
    }
    found
}

/// A `criterion` dependency line in a Cargo manifest (`criterion = "0.5"`,
/// `criterion = { version = … }`, `[dev-dependencies.criterion]`).
fn uses_criterion(manifest: &str) -> bool {
    manifest
        .lines()
        .map(str::trim)
        .any(|l| l.starts_with("criterion ") || l.starts_with("criterion=") || l.ends_with(".criterion]"))
}

/// A test function taking pytest-benchmark's `benchmark` fixture.
fn uses_benchmark_fixture(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim_start();
        l.starts_with("def test") && l.contains("benchmark")
    })
}

/// Calls `visit` with every `.go` and `.py` file under `dir` and its text.
fn scan(dir: &Path, depth: usize, visit: &mut impl FnMut(&Path, &str)) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if !SKIP.contains(&name.as_ref()) && !name.starts_with('.') {
                scan(&path, depth + 1, visit);
            }
        } else if (name.ends_with(".go") || name.ends_with(".py"))
            && let Ok(text) = std::fs::read_to_string(&path)
        {
            visit(&path, &text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifests_and_fixtures() {
        assert!(uses_criterion(
            "[dev-dependencies]\ncriterion = { version = \"0.5\" }\n"
        ));
        assert!(uses_criterion("[dev-dependencies.criterion]\nversion = \"0.5\"\n"));
        assert!(!uses_criterion("[dependencies]\ncriterion-plot = \"0.5\"\n"));
        assert!(uses_benchmark_fixture(
            "def test_sort(benchmark):\n    benchmark(sorted, [3, 1])\n"
        ));
        assert!(!uses_benchmark_fixture(
            "def test_sort():\n    assert sorted([2, 1]) == [1, 2]\n"
        ));
    }
}
