//! hyperfine's `--export-markdown` table: `| Command | Mean [ms] | Min [ms] | Max [ms] |
//! Relative |`, the unit chosen from the first command's mean (µs below 1 ms, ms below 1 s,
//! else s; one decimal for µs and ms, three for s), `mean ± stddev`, and the ratio to the
//! fastest as `1.09 ± 0.05` (hyperfine's `src/export/markup.rs`). One column more than
//! hyperfine: the 95% interval of the ratio of the means.

use crate::relative::relative_to_fastest;
use crate::runner::CommandResult;

/// The unit of a table: its short name and the factor from seconds.
fn unit_for(first_mean: f64) -> (&'static str, f64, usize) {
    if first_mean < 0.001 {
        ("µs", 1e6, 1)
    } else if first_mean < 1.0 {
        ("ms", 1e3, 1)
    } else {
        ("s", 1.0, 3)
    }
}

/// The Markdown table of `results`.
pub fn markdown(results: &[CommandResult]) -> String {
    let (unit, factor, digits) = unit_for(results.first().map_or(0.0, |r| r.stats.mean));
    let v = |x: f64| format!("{:.digits$}", x * factor);
    let mut out = format!(
        "| Command | Mean [{unit}] | Min [{unit}] | Max [{unit}] | Relative | Ratio, 95% interval |\n\
         |:---|---:|---:|---:|---:|---:|\n"
    );
    for (r, rel) in results.iter().zip(relative_to_fastest(results, 0.95)) {
        let mean = match r.stats.stddev {
            Some(sd) => format!("{} ± {}", v(r.stats.mean), v(sd)),
            None => v(r.stats.mean),
        };
        let relative = match (rel.is_fastest, rel.ratio_stddev) {
            (false, Some(sd)) => format!("{:.2} ± {sd:.2}", rel.ratio),
            _ => format!("{:.2}", rel.ratio),
        };
        let interval = rel
            .interval
            .map_or_else(|| "–".to_string(), |i| format!("{:.3} … {:.3}", i.low, i.high));
        out += &format!(
            "| `{}` | {mean} | {} | {} | {relative} | {interval} |\n",
            r.command.replace('|', "\\|"),
            v(r.stats.min),
            v(r.stats.max)
        );
    }
    out
}
