//! `loadcell scale --points 1:43,2:80.5,…`: the Universal Scalability Law fitted to
//! throughputs measured elsewhere (production metrics, another tool), with the same table,
//! fit and `--json` as a sweep, and no request sent.

use super::{Level, Report, render, write_json};
use crate::error::CliError;
use loadcell_schema::exit;
use loadcell_usl::Point;
use std::path::Path;

/// Fits `list`; exit 0 with a fit, 1 without one, like a sweep.
pub fn run(list: &str, json: Option<&Path>) -> Result<i32, CliError> {
    let levels = parse(list)?;
    let points: Vec<Point> = levels
        .iter()
        .map(|l| Point {
            n: l.vus as f64,
            throughput: l.throughput,
        })
        .collect();
    let fitted = loadcell_usl::fit(&points);
    let efficiency = match &fitted {
        Ok(fit) => loadcell_usl::efficiency_table(&points, fit),
        Err(_) => Vec::new(),
    };
    print!(
        "{}",
        render("the given points", &levels, fitted.as_ref().ok(), &efficiency)
    );
    if let Err(e) = &fitted {
        println!("  no fit: {e}");
    }
    if let Some(path) = json {
        let max_n = levels.last().map_or(1.0, |l| l.vus as f64);
        let fit = fitted.as_ref().map_err(ToString::to_string);
        write_json(
            path,
            &Report::new("points", (0.0, 0.0), &levels, fit, efficiency, max_n),
        )?;
    }
    Ok(if fitted.is_ok() {
        exit::OK
    } else {
        exit::THRESHOLD_FAILED
    })
}

/// `VUS:REQ_PER_S` pairs, sorted by VUs; at least 3 distinct levels.
fn parse(list: &str) -> Result<Vec<Level>, CliError> {
    let bad = |why: String| {
        CliError::Usage(format!(
            "invalid --points '{list}': {why} (e.g. --points 1:43,2:80.5,4:152)"
        ))
    };
    let mut levels = Vec::new();
    for part in list.split(',') {
        let part = part.trim();
        let (vus, rate) = part
            .split_once(':')
            .ok_or_else(|| bad(format!("'{part}' is not VUS:REQ_PER_S")))?;
        let vus: u64 = vus
            .trim()
            .parse()
            .ok()
            .filter(|&v| v >= 1)
            .ok_or_else(|| bad(format!("'{}' is not a whole number of VUs ≥ 1", vus.trim())))?;
        let throughput: f64 = rate
            .trim()
            .parse()
            .ok()
            .filter(|t: &f64| t.is_finite() && *t >= 0.0)
            .ok_or_else(|| bad(format!("'{}' is not a throughput ≥ 0", rate.trim())))?;
        if levels.iter().any(|l: &Level| l.vus == vus) {
            return Err(bad(format!("{vus} VUs given twice")));
        }
        levels.push(Level {
            vus,
            requests: 0,
            failed: 0,
            seconds: 0.0,
            throughput,
            mean_ms: None,
            p95_ms: None,
        });
    }
    if levels.len() < 3 {
        return Err(bad("the fit needs at least 3 distinct levels".to_string()));
    }
    levels.sort_by_key(|l| l.vus);
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_parse_sorted_and_bad_ones_are_usage_errors() {
        let levels = parse("4:152, 1:43,2:80.5").unwrap_or_default();
        let got: Vec<(u64, f64)> = levels.iter().map(|l| (l.vus, l.throughput)).collect();
        assert_eq!(got, [(1, 43.0), (2, 80.5), (4, 152.0)]);
        for bad in [
            "1:43,2:80",
            "1:43,2:x,4:1",
            "0:1,2:2,3:3",
            "1-43,2:2,3:3",
            "1:1,1:2,3:3",
            "1:-1,2:2,3:3",
        ] {
            match parse(bad) {
                Err(CliError::Usage(m)) => assert!(m.starts_with("invalid --points"), "{m}"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
