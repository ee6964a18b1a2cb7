//! `cargo bench` output of Rust's built-in libtest harness (`#[bench]`):
//! `test name ... bench:       1,234 ns/iter (+/- 56)`. libtest prints one summary per
//! benchmark — the median of its samples and their range — so each benchmark is a single
//! sample here (compared by its point change; a note says so).

use std::path::Path;

use loadcell_schema::{BenchResults, BenchSource, Benchmark};

use crate::BenchError;

/// Parses libtest bench output.
pub fn parse(text: &str, path: &Path) -> Result<BenchResults, BenchError> {
    let mut results = BenchResults::new(BenchSource::Libtest, path.display().to_string());
    for (line_no, line) in text.lines().enumerate() {
        let Some(rest) = line.trim().strip_prefix("test ") else {
            continue;
        };
        let Some((name, tail)) = rest.split_once(" ... bench:") else {
            continue;
        };
        let value = tail.split_whitespace().next().unwrap_or_default().replace(',', "");
        let ns: f64 = value.parse().map_err(|_| BenchError::Invalid {
            path: path.to_path_buf(),
            position: Some((line_no + 1, 1)),
            message: format!("'{value}' is not a number of ns/iter"),
        })?;
        let mut b = Benchmark::from_samples(name.trim(), vec![ns * 1e-9]);
        if let Some(dev) = tail.split("(+/-").nth(1) {
            let dev = dev.trim().trim_end_matches(')').replace(',', "");
            if let Ok(d) = dev.parse::<f64>() {
                b.extra.insert("range_ns".into(), d);
            }
        }
        results.benchmarks.push(b);
    }
    if !results.benchmarks.is_empty() {
        results
            .notes
            .push("libtest prints one summary per benchmark: compared by the point change only".into());
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_lines() {
        let text = "running 2 tests\ntest tests::add  ... bench:         1,234 ns/iter (+/- 56)\n\
                    test tests::sort ... bench:     123,456.70 ns/iter (+/- 1,000)\n\ntest result: ok.\n";
        let r = parse(text, Path::new("out.txt")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.benchmarks.len(), 2);
        assert_eq!(r.benchmarks[0].name, "tests::add");
        assert!((r.benchmarks[0].stats.mean - 1.234e-6).abs() < 1e-15);
        assert_eq!(r.benchmarks[1].extra.get("range_ns"), Some(&1000.0));
    }
}
