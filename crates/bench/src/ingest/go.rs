//! `go test -bench` output, in the Go benchmark data format
//! (<https://go.googlesource.com/proposal/+/master/design/14313-benchmark-format.md>):
//! `BenchmarkName-8  1000000  1053 ns/op  24 B/op  1 allocs/op`. Repeated lines of one
//! benchmark (`-count N`) are its samples. The `-8` GOMAXPROCS suffix is dropped from the
//! name, so runs on machines with different CPU counts still match; `pkg:` lines prefix
//! names when the output covers more than one package.

use std::path::Path;

use loadcell_schema::{BenchResults, BenchSource, Benchmark};

use crate::BenchError;

/// Parses Go benchmark output.
pub fn parse(text: &str, path: &Path) -> Result<BenchResults, BenchError> {
    let packages = text.lines().filter(|l| l.starts_with("pkg:")).count();
    let mut pkg = String::new();
    let mut results = BenchResults::new(BenchSource::Go, path.display().to_string());
    for (line_no, line) in text.lines().enumerate() {
        if let Some(p) = line.strip_prefix("pkg:") {
            pkg = p.trim().to_string();
            continue;
        }
        if !line.starts_with("Benchmark") {
            continue;
        }
        let fields: Vec<&str> = line.split_whitespace().collect();
        // A name, iterations, then value–unit pairs; a bare "BenchmarkX" line (a failed or
        // still-running benchmark's header) has no numbers.
        if fields.len() < 4 || fields[1].parse::<u64>().is_err() {
            continue;
        }
        let name = strip_procs(fields[0]);
        let name = if packages > 1 {
            format!("{pkg}/{name}")
        } else {
            name.to_string()
        };
        let iterations: f64 = fields[1].parse().unwrap_or(0.0);
        let mut ns_per_op = None;
        let mut extra = Vec::new();
        for pair in fields[2..].chunks(2) {
            let [value, unit] = pair else { continue };
            let Ok(v) = value.parse::<f64>() else {
                return Err(BenchError::Invalid {
                    path: path.to_path_buf(),
                    position: Some((line_no + 1, 1)),
                    message: format!("'{value}' is not a number in a benchmark line"),
                });
            };
            match *unit {
                "ns/op" => ns_per_op = Some(v),
                "B/op" => extra.push(("bytes_per_op", v)),
                "allocs/op" => extra.push(("allocs_per_op", v)),
                _ => {}
            }
        }
        let Some(ns) = ns_per_op else { continue };
        let idx = match results.benchmarks.iter().position(|b| b.name == name) {
            Some(i) => i,
            None => {
                results.benchmarks.push(Benchmark {
                    name: name.clone(),
                    ..Benchmark::default()
                });
                results.benchmarks.len() - 1
            }
        };
        let b = &mut results.benchmarks[idx];
        b.samples.push(ns * 1e-9);
        b.iterations.push(iterations);
        for (k, v) in extra {
            b.extra.insert(k.to_string(), v);
        }
    }
    for b in &mut results.benchmarks {
        b.stats = loadcell_schema::SampleStats::of(&b.samples);
    }
    Ok(results)
}

/// `BenchmarkSort-8` → `BenchmarkSort`; `BenchmarkX/size=10-8` → `BenchmarkX/size=10`.
fn strip_procs(name: &str) -> &str {
    match name.rsplit_once('-') {
        Some((base, procs)) if !procs.is_empty() && procs.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_lines_are_samples() {
        let text = "goos: linux\ngoarch: amd64\npkg: example.com/fib\ncpu: Some CPU\n\
                    BenchmarkFib10-2   \t 3000000\t       401.5 ns/op\t       0 B/op\t       0 allocs/op\n\
                    BenchmarkFib10-2   \t 3000000\t       398.0 ns/op\t       0 B/op\t       0 allocs/op\n\
                    BenchmarkSort/n=100-2 \t  50000\t     25000 ns/op\t     896 B/op\t       1 allocs/op\n\
                    PASS\nok  \texample.com/fib\t3.2s\n";
        let r = parse(text, Path::new("go.txt")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.benchmarks.len(), 2);
        let fib = &r.benchmarks[0];
        assert_eq!((fib.name.as_str(), fib.samples.len()), ("BenchmarkFib10", 2));
        assert!((fib.stats.mean - 399.75e-9).abs() < 1e-15);
        assert_eq!(fib.iterations, [3e6, 3e6]);
        assert_eq!(r.benchmarks[1].name, "BenchmarkSort/n=100");
        assert_eq!(r.benchmarks[1].extra.get("bytes_per_op"), Some(&896.0));
    }

    #[test]
    fn a_broken_number_names_its_line() {
        let e = parse("BenchmarkX-2 10 abc ns/op\n", Path::new("go.txt")).map(|_| ());
        assert_eq!(
            e.map_err(|e| e.to_string()),
            Err("go.txt:1:1: 'abc' is not a number in a benchmark line".to_string())
        );
    }
}
