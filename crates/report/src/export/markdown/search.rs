//! The answer of a `loadcell capacity` search or a `loadcell scale` sweep in `summary.md`:
//! the sustainable rate with its bracket and knee, or the fitted Universal Scalability Law
//! with one row per measured level. The steps themselves are in the stages table.

use std::fmt::Write;

use loadcell_schema::Summary;

use crate::text::escape::{md_code, md_text};
use crate::text::number;

/// The capacity answer, or nothing when the summary is not a capacity search.
pub fn capacity(out: &mut String, summary: &Summary) {
    let Some(c) = &summary.capacity else {
        return;
    };
    let slos: Vec<String> = c.slos.iter().map(|s| md_code(s)).collect();
    let slos = slos.join(", ");
    let search = format!(
        "search {} after {} steps in {}",
        md_text(c.stop.as_str()),
        c.steps.len(),
        number::duration_s(c.elapsed_s)
    );
    match c.capacity_per_s {
        Some(rate) => {
            let fail = c.lowest_fail_per_s.map_or("nothing above it failed".to_string(), |f| {
                format!("lowest failing {}/s", number::num_short(f))
            });
            let _ = write!(
                out,
                "**Capacity: {}/s** sustainable under {slos} — highest passing {}/s, {fail}; {search}",
                number::num_short(rate),
                number::num_short(c.highest_pass_per_s.unwrap_or(rate)),
            );
        }
        None => {
            let _ = write!(out, "**Capacity: none** — no step held {slos}; {search}");
        }
    }
    if let Some(k) = &c.knee {
        let _ = write!(
            out,
            "; knee of p95 at {}/s ({})",
            number::num_short(k.offered_rate),
            number::ms(k.p95_ms)
        );
    }
    out.push_str(".\n\n");
}

/// The scalability fit, or nothing when the summary is not a scale sweep.
pub fn scale(out: &mut String, summary: &Summary) {
    let Some(s) = &summary.scale else {
        return;
    };
    match &s.fit {
        Some(f) => {
            let peak = match (f.peak_vus, f.peak_throughput, f.ceiling) {
                (Some(n), Some(x), _) => format!("peak at N* = {} VUs, {} req/s", number::num_short(n), number::num(x)),
                (_, _, Some(c)) => format!("no peak (κ = 0); throughput approaches {} req/s", number::num(c)),
                _ => "no peak: it scales linearly".to_string(),
            };
            let _ = writeln!(
                out,
                "**Scalability (USL)**: λ = {} req/s per VU, σ = {} (contention), κ = {} (coherency), R² = {}; {peak}.\n",
                number::param(f.lambda),
                number::param(f.sigma),
                number::param(f.kappa),
                number::float(f.r_squared, 4),
            );
        }
        None => {
            let why = s.error.as_deref().unwrap_or("the points could not be fitted");
            let _ = writeln!(out, "**Scalability (USL)**: no fit — {}.\n", md_text(why));
        }
    }
    out.push_str("| VUs | Throughput | Fitted | Efficiency | Mean | p95 |\n|--:|--:|--:|--:|--:|--:|\n");
    for p in &s.points {
        let opt_ms = |v: Option<f64>| v.map_or("–".to_string(), number::ms);
        let _ = writeln!(
            out,
            "| {} | {} req/s | {} | {} | {} | {} |",
            p.vus,
            number::num(p.throughput),
            p.fitted_throughput
                .map_or("–".to_string(), |x| format!("{} req/s", number::num(x))),
            p.efficiency.map_or("–".to_string(), number::percent),
            opt_ms(p.mean_ms),
            opt_ms(p.p95_ms),
        );
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    fn render(f: fn(&mut String, &Summary), summary: &Summary) -> String {
        let mut out = String::new();
        f(&mut out, summary);
        out
    }

    #[test]
    fn capacity_line_has_the_answer_bracket_and_knee() {
        let text = render(capacity, &testing::capacity());
        assert!(
            text.starts_with("**Capacity: 150/s** sustainable under `p95<200ms`"),
            "{text}"
        );
        assert!(text.contains("highest passing 150/s, lowest failing 155/s"), "{text}");
        assert!(text.contains("search converged after 9 steps"), "{text}");
        assert!(text.contains("knee of p95 at"), "{text}");
        let mut none = testing::capacity();
        if let Some(c) = none.capacity.as_mut() {
            c.capacity_per_s = None;
        }
        assert!(render(capacity, &none).starts_with("**Capacity: none** — no step held"));
        assert_eq!(render(capacity, &testing::summary(5)), "");
    }

    #[test]
    fn scale_has_the_fit_and_a_row_per_level() {
        let summary = testing::scale();
        let text = render(scale, &summary);
        assert!(text.starts_with("**Scalability (USL)**: λ = "), "{text}");
        assert!(
            text.contains("σ = ") && text.contains("κ = ") && text.contains("R² = "),
            "{text}"
        );
        let points = summary.scale.as_ref().map_or(0, |s| s.points.len());
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("| ") && !l.starts_with("| VUs"))
                .count(),
            points
        );
        assert_eq!(render(scale, &testing::summary(5)), "");
    }
}
