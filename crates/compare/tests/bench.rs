//! Comparing normalized benchmark results: per-run samples get Welch intervals, tools that
//! report only a standard error get an interval from it, single samples a point change.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_compare::{Input, Settings, compare};
use loadcell_schema::{BenchResults, BenchSource, Benchmark, Method, ReportedError, SampleStats, Verdict};
use loadcell_stats::Rng;

fn samples(mean: f64, sd: f64, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = Rng::new(seed);
    (0..n).map(|_| mean + sd * rng.normal()).collect()
}

fn set(benchmarks: Vec<Benchmark>) -> Input {
    let mut r = BenchResults::new(BenchSource::Command, "test");
    r.benchmarks = benchmarks;
    Input::Bench(loadcell_compare::BenchRun {
        path: "test".into(),
        results: r,
    })
}

#[test]
fn a_ten_percent_slower_benchmark_is_regressed_and_its_interval_holds_the_change() {
    let base = set(vec![Benchmark::from_samples("sleep", samples(0.010, 0.0003, 20, 1))]);
    let new = set(vec![Benchmark::from_samples("sleep", samples(0.011, 0.0003, 20, 2))]);
    let cmp = compare(&base, &new, &Settings::default()).unwrap();
    let row = &cmp.rows[0];
    assert_eq!((row.method, row.verdict), (Method::RunSamples, Verdict::Regressed));
    let i = row.metrics[0].interval.unwrap();
    assert!(i.low < 0.1 && 0.1 < i.high, "{i:?}");
    assert!(cmp.distributions.is_none());
}

#[test]
fn equal_benchmarks_are_unchanged_in_nearly_every_pair() {
    let mut alarms = 0;
    for pair in 0..200 {
        let base = set(vec![Benchmark::from_samples("b", samples(1e-3, 5e-5, 10, 10 + pair))]);
        let new = set(vec![Benchmark::from_samples(
            "b",
            samples(1e-3, 5e-5, 10, 1_000 + pair),
        )]);
        if compare(&base, &new, &Settings::default()).unwrap().verdict != Verdict::Unchanged {
            alarms += 1;
        }
    }
    // 5% sd, 10 samples: a ±5% change of the mean is ~3 standard errors away.
    assert!(alarms <= 2, "{alarms} false alarms in 200 pairs");
}

#[test]
fn reported_errors_and_single_samples_are_reduced_methods() {
    let reported = |mean: f64| Benchmark {
        name: "est".into(),
        stats: SampleStats {
            n: 100,
            mean,
            ..SampleStats::default()
        },
        reported: Some(ReportedError {
            standard_error: mean * 0.005,
            interval: None,
            confidence_level: None,
        }),
        ..Benchmark::default()
    };
    let single = |v: f64| Benchmark::from_samples("one", vec![v]);
    let base = set(vec![
        reported(1.0),
        single(1.0),
        Benchmark::from_samples("gone", vec![1.0, 1.1]),
    ]);
    let new = set(vec![
        reported(1.2),
        single(1.02),
        Benchmark::from_samples("fresh", vec![1.0, 1.1]),
    ]);
    let cmp = compare(&base, &new, &Settings::default()).unwrap();
    assert_eq!(cmp.rows[0].method, Method::ReportedErrors);
    assert_eq!(cmp.rows[0].verdict, Verdict::Regressed);
    assert_eq!(
        (cmp.rows[1].method, cmp.rows[1].verdict),
        (Method::PointOnly, Verdict::Unchanged)
    );
    assert_eq!(cmp.only_in_base, ["gone"]);
    assert_eq!(cmp.only_in_new, ["fresh"]);
    assert!(
        cmp.notes.iter().any(|n| n.contains("no interval for one")),
        "{:?}",
        cmp.notes
    );
    assert!(
        cmp.notes.iter().any(|n| n.contains("no samples for est")),
        "{:?}",
        cmp.notes
    );
}

#[test]
fn a_load_run_and_benchmarks_cannot_be_compared() {
    let summary_like = loadcell_compare::open(std::path::Path::new("/nonexistent"));
    assert!(summary_like.is_err());
    let dir = std::env::temp_dir().join(format!("loadcell-compare-mixed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut results = BenchResults::new(BenchSource::Go, "x");
    results
        .benchmarks
        .push(Benchmark::from_samples("BenchmarkX", vec![1.0, 2.0]));
    std::fs::write(dir.join("bench.json"), serde_json::to_vec(&results).unwrap()).unwrap();
    let bench = loadcell_compare::open(&dir).unwrap();
    assert!(matches!(bench, Input::Bench(_)), "a folder with bench.json");
    let load = Input::Load(loadcell_compare::LoadRun {
        run: bench.compared_run(),
        thresholds: Vec::new(),
        rows: Vec::new(),
        spectrum: Vec::new(),
        notes: Vec::new(),
    });
    let err = compare(&load, &bench, &Settings::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("both must be load runs or both benchmark results"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
