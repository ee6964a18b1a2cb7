//! Each endpoint's p95 SLO from the run's thresholds: `p95<200ms` (or
//! `http_req_duration: p(95)<200`) applies to every endpoint, a filter narrows it —
//! `{endpoint:GET /x}` to one endpoint, `{method:POST}` to one method. The most specific
//! applies; with several equally specific, the tightest.

use loadcell_threshold::{Aggregation, Metric, Op, TagKey, Threshold};

/// The thresholds that state a p95 latency limit, parsed from their expressions
/// (unparsable ones are skipped: the run that wrote them accepted them).
pub fn p95_limits(exprs: &[String]) -> Vec<Threshold> {
    exprs
        .iter()
        .filter_map(|e| loadcell_threshold::parse(e).ok())
        .filter(|t| {
            t.metric == Metric::HttpReqDuration
                && matches!(t.aggregation, Aggregation::Percentile(p) if (p - 95.0).abs() < 1e-9)
                && matches!(t.op, Op::Lt | Op::Le)
        })
        .collect()
}

/// The SLO in ms for the endpoint `name` (`METHOD /path`).
pub fn slo_for(limits: &[Threshold], name: &str) -> Option<f64> {
    let method = name.split_whitespace().next().unwrap_or_default();
    let specificity = |t: &Threshold| -> Option<u8> {
        if t.filter.is_empty() {
            return Some(0);
        }
        let mut rank = 0;
        for (key, value) in &t.filter.tags {
            match key {
                TagKey::Endpoint | TagKey::Name if value == name => rank = rank.max(2),
                TagKey::Method if value.eq_ignore_ascii_case(method) => rank = rank.max(1),
                _ => return None,
            }
        }
        Some(rank)
    };
    let ranked: Vec<(u8, f64)> = limits
        .iter()
        .filter_map(|t| specificity(t).map(|r| (r, t.limit)))
        .collect();
    let best = ranked.iter().map(|(r, _)| *r).max()?;
    ranked
        .iter()
        .filter(|(r, _)| *r == best)
        .map(|(_, l)| *l)
        .min_by(f64::total_cmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(exprs: &[&str]) -> Vec<Threshold> {
        p95_limits(&exprs.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn the_most_specific_p95_threshold_applies() {
        let l = limits(&[
            "p95<300ms",
            "p99<900ms",
            "error_rate<1%",
            "http_req_duration{endpoint:GET /fast}: p(95)<50",
            "http_req_duration{method:POST}: p(95)<500",
        ]);
        assert_eq!(l.len(), 3);
        assert_eq!(slo_for(&l, "GET /fast"), Some(50.0));
        assert_eq!(slo_for(&l, "POST /orders"), Some(500.0));
        assert_eq!(slo_for(&l, "GET /other"), Some(300.0));
        assert_eq!(slo_for(&limits(&["p99<1s"]), "GET /"), None);
        assert_eq!(slo_for(&limits(&["p95<2s", "p(95)<1500"]), "GET /"), Some(1500.0));
    }
}
