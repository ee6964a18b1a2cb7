//! Benchmark results as text for the terminal: timed commands the way hyperfine prints them
//! (mean ± σ, range, user/system CPU, outliers with their reason, then each command against
//! the fastest with the ratio's 95% interval), and normalized results one benchmark a line.

use crate::{CommandResult, relative_to_fastest};
use loadcell_schema::{BenchResults, SampleStats};

/// A time in seconds with a unit that suits it.
fn time(s: f64) -> String {
    let a = s.abs();
    if a < 1e-6 {
        format!("{:.1} ns", s * 1e9)
    } else if a < 1e-3 {
        format!("{:.1} µs", s * 1e6)
    } else if a < 1.0 {
        format!("{:.2} ms", s * 1e3)
    } else {
        format!("{s:.3} s")
    }
}

fn mean_sd(stats: &SampleStats) -> String {
    match stats.stddev {
        Some(sd) => format!("{} ± {}", time(stats.mean), time(sd)),
        None => time(stats.mean),
    }
}

/// The timed commands, then how they compare.
pub fn commands(results: &[CommandResult]) -> String {
    let mut out = String::new();
    for (i, r) in results.iter().enumerate() {
        let mean = |xs: &[f64]| xs.iter().sum::<f64>() / xs.len().max(1) as f64;
        out += &format!("Benchmark {}: {}\n", i + 1, r.command);
        out += &format!(
            "  Time (mean ± σ):  {}    [User: {}, System: {}]\n",
            mean_sd(&r.stats),
            time(mean(&r.user)),
            time(mean(&r.system))
        );
        out += &format!(
            "  Range (min … max): {} … {}    median {}    {} runs\n",
            time(r.stats.min),
            time(r.stats.max),
            time(r.stats.median),
            r.times.len()
        );
        if let Some(o) = &r.overhead {
            out += &format!("  {}\n", crate::normalize::overhead_note(o));
        }
        for o in &r.outliers {
            let t = r.times.get(o.index).copied().unwrap_or_default();
            out += &format!("  outlier: run {} took {} — {}\n", o.index + 1, time(t), o.reason);
        }
        out.push('\n');
    }
    if results.len() > 1 {
        out += &relative(results);
    }
    out
}

/// hyperfine's summary: the fastest, then how many times slower each other command is.
fn relative(results: &[CommandResult]) -> String {
    let rel = relative_to_fastest(results, 0.95);
    let Some(fastest) = rel.iter().find(|r| r.is_fastest) else {
        return String::new();
    };
    let mut out = format!("Summary\n  {} ran\n", fastest.command);
    for r in rel.iter().filter(|r| !r.is_fastest) {
        let pm = r.ratio_stddev.map_or(String::new(), |sd| format!(" ± {sd:.2}"));
        let interval = r.interval.map_or("no interval: too few runs".to_string(), |i| {
            format!(
                "ratio of the means {:.3}, 95% interval {:.3} … {:.3}",
                r.ratio, i.low, i.high
            )
        });
        out += &format!("    {:.2}{pm} times faster than {}  ({interval})\n", r.ratio, r.command);
    }
    out
}

/// Normalized results: one benchmark a line, then the notes.
pub fn results(results: &BenchResults) -> String {
    let mut out = format!(
        "{} results from {}: {} benchmark{}\n",
        results.source.as_str(),
        results.origin,
        results.benchmarks.len(),
        if results.benchmarks.len() == 1 { "" } else { "s" }
    );
    for b in &results.benchmarks {
        out += &format!(
            "  {}: {} per iteration (median {}, min {}, max {}), {} sample{}\n",
            b.name,
            mean_sd(&b.stats),
            time(b.stats.median),
            time(b.stats.min),
            time(b.stats.max),
            b.stats.n,
            if b.stats.n == 1 { "" } else { "s" }
        );
    }
    for n in &results.notes {
        out += &format!("  note: {n}\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_pick_a_unit() {
        assert_eq!(time(0.0105), "10.50 ms");
        assert_eq!(time(2.5e-6), "2.5 µs");
        assert_eq!(time(3.2e-8), "32.0 ns");
        assert_eq!(time(1.5), "1.500 s");
    }
}
