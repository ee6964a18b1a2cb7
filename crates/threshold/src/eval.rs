//! Evaluating a parsed threshold against a source of metric values, and
//! describing limits and values for people.

use crate::metric::Aggregation;
use crate::op::Op;
use crate::units::Unit;
use crate::{Metric, TagFilter, Threshold};

/// Where measured values come from (the run's metrics, live or final).
pub trait MetricSource {
    /// The value of `aggregation` over the samples of `metric` that match
    /// every tag in `filter`, in the canonical unit given by
    /// [`Unit::of`]`(metric, aggregation)`: milliseconds, a fraction 0..=1,
    /// per second, a count, bytes or bytes per second.
    /// `None` when there is no data for that metric and filter.
    fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64>;
}

/// Several sources asked in turn; the first with data answers. The run's measured results
/// and the `--monitor` readings (`target_cpu`, `target_rss`, `target_fds`) come from
/// different places; a threshold list is evaluated against both at once.
pub struct FirstOf<'a>(pub &'a [&'a dyn MetricSource]);

impl MetricSource for FirstOf<'_> {
    fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
        self.0.iter().find_map(|s| s.query(metric, filter, aggregation))
    }
}

/// The outcome of one threshold.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    pub passed: bool,
    /// The measured value in the threshold's unit; `None` without data.
    pub actual: Option<f64>,
}

impl Threshold {
    /// Queries `source` and compares. No data (or a NaN value) fails with
    /// `actual: None`: a threshold nothing was measured for has not been met.
    pub fn evaluate(&self, source: &dyn MetricSource) -> Verdict {
        match source.query(self.metric, &self.filter, self.aggregation) {
            Some(actual) if !actual.is_nan() => Verdict {
                passed: self.op.holds(actual, self.limit),
                actual: Some(actual),
            },
            _ => Verdict {
                passed: false,
                actual: None,
            },
        }
    }

    /// The unit of `limit` and of the values the source returns for it.
    pub fn unit(&self) -> Unit {
        Unit::of(self.metric, self.aggregation)
    }

    /// The condition for people: `< 200 ms`, `< 1%`, `>= 1000/s`, `< 1`.
    pub fn describe_limit(&self) -> String {
        format!("{} {}", self.op, self.format_value(self.limit))
    }

    /// A measured value in the same unit as [`describe_limit`](Self::describe_limit):
    /// `212.4 ms`, `0.8%`, `980.5/s`, `12`, `5000 B`, `1200 B/s`.
    pub fn format_value(&self, v: f64) -> String {
        self.unit().format(v)
    }

    /// True when, with `actual` measured so far, the threshold can never hold
    /// again however the run continues, so `--abort-on-fail` may stop now.
    /// Only counts qualify (they never decrease): a failing `count <`,
    /// `count <=` or `count ==` (the count already exceeds the limit).
    pub fn is_monotonic_failure(&self, actual: f64) -> bool {
        if self.aggregation != Aggregation::Count || self.op.holds(actual, self.limit) {
            return false;
        }
        match self.op {
            Op::Lt | Op::Le => true,
            Op::Eq => actual > self.limit,
            Op::Gt | Op::Ge | Op::Ne => false,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{TagKey, parse};

    /// Answers from a fixed table; `endpoint` filters select a second table.
    struct Fixed {
        rows: Vec<(Metric, Aggregation, f64)>,
        endpoint_rows: Vec<(&'static str, Metric, Aggregation, f64)>,
    }

    impl MetricSource for Fixed {
        fn query(&self, metric: Metric, filter: &TagFilter, aggregation: Aggregation) -> Option<f64> {
            match filter.get(TagKey::Endpoint) {
                Some(ep) => self
                    .endpoint_rows
                    .iter()
                    .find(|(e, m, a, _)| *e == ep && *m == metric && *a == aggregation)
                    .map(|r| r.3),
                None => self
                    .rows
                    .iter()
                    .find(|(m, a, _)| *m == metric && *a == aggregation)
                    .map(|r| r.2),
            }
        }
    }

    fn source() -> Fixed {
        Fixed {
            rows: vec![
                (Metric::HttpReqDuration, Aggregation::Percentile(95.0), 180.0),
                (Metric::HttpReqDuration, Aggregation::Avg, 90.5),
                (Metric::HttpReqFailed, Aggregation::Rate, 0.008),
                (Metric::HttpReqs, Aggregation::Rate, 1200.0),
                (Metric::HttpReqs, Aggregation::Count, 100.0),
                (Metric::DroppedIterations, Aggregation::Count, 3.0),
                (Metric::Checks, Aggregation::Rate, f64::NAN),
            ],
            endpoint_rows: vec![(
                "GET /p/{{ id }}",
                Metric::HttpReqDuration,
                Aggregation::Percentile(99.0),
                700.0,
            )],
        }
    }

    fn verdict(expr: &str) -> Verdict {
        parse(expr).unwrap().evaluate(&source())
    }

    #[test]
    fn first_of_asks_each_source_in_turn() {
        struct Cpu;
        impl MetricSource for Cpu {
            fn query(&self, metric: Metric, _: &TagFilter, _: Aggregation) -> Option<f64> {
                (metric == Metric::TargetCpu).then_some(91.0)
            }
        }
        let (a, b) = (source(), Cpu);
        let both = FirstOf(&[&a, &b]);
        assert_eq!(parse("target_cpu<80%").unwrap().evaluate(&both).actual, Some(91.0));
        assert!(!parse("target_cpu<80%").unwrap().evaluate(&both).passed);
        assert!(parse("p95<200ms").unwrap().evaluate(&both).passed);
        assert_eq!(parse("target_fds<10").unwrap().evaluate(&both).actual, None);
    }

    #[test]
    fn pass_and_fail() {
        assert_eq!(
            verdict("p95<200ms"),
            Verdict {
                passed: true,
                actual: Some(180.0)
            }
        );
        assert_eq!(
            verdict("p95<150ms"),
            Verdict {
                passed: false,
                actual: Some(180.0)
            }
        );
        assert!(verdict("error_rate<1%").passed);
        assert!(!verdict("error_rate<0.5%").passed);
        assert!(verdict("rps>=1000").passed);
        assert!(!verdict("http_reqs: rate>=2000").passed);
        assert!(verdict("http_req_duration{endpoint:GET /p/{{ id }}}: p(99)<1s").passed);
        assert!(!verdict("http_req_duration{endpoint:GET /p/{{ id }}}: p(99)<500").passed);
    }

    #[test]
    fn no_data_fails_without_actual() {
        let none = Verdict {
            passed: false,
            actual: None,
        };
        assert_eq!(verdict("p99<1s"), none);
        assert_eq!(verdict("http_req_duration{endpoint:GET /other}: p(99)<1s"), none);
        assert_eq!(verdict("checks: rate>0.9"), none, "NaN counts as no data");
        assert_eq!(verdict("checks: rate!=0.9"), none);
    }

    #[test]
    fn each_op() {
        // actual count is 100
        for (op, pass) in [
            ("<", false),
            ("<=", true),
            (">", false),
            (">=", true),
            ("==", true),
            ("!=", false),
        ] {
            assert_eq!(verdict(&format!("http_reqs: count{op}100")).passed, pass, "{op} 100");
        }
        for (op, pass) in [
            ("<", true),
            ("<=", true),
            (">", false),
            (">=", false),
            ("==", false),
            ("!=", true),
        ] {
            assert_eq!(verdict(&format!("http_reqs: count {op} 101")).passed, pass, "{op} 101");
        }
        assert!(Op::Gt.holds(2.0, 1.0));
        assert!(!Op::Lt.holds(f64::NAN, 1.0));
        assert_eq!(Op::Ge.to_string(), ">=");
        assert_eq!(Op::Ne.to_string(), "!=");
    }

    #[test]
    fn describe_and_format() {
        let t = parse("p95<200ms").unwrap();
        assert_eq!(t.describe_limit(), "< 200 ms");
        assert_eq!(t.format_value(212.4), "212.4 ms");
        assert_eq!(t.format_value(212.456), "212.46 ms");
        assert_eq!(t.format_value(0.4567), "0.457 ms");
        assert_eq!(parse("p95<1.5s").unwrap().describe_limit(), "< 1500 ms");
        assert_eq!(parse("p95<500us").unwrap().describe_limit(), "< 0.5 ms");
        let t = parse("error_rate<1%").unwrap();
        assert_eq!(t.describe_limit(), "< 1%");
        assert_eq!(t.format_value(0.008), "0.8%");
        assert_eq!(parse("error_rate<0.001").unwrap().describe_limit(), "< 0.1%");
        assert_eq!(parse("checks: rate>=0.999").unwrap().describe_limit(), ">= 99.9%");
        assert_eq!(parse("rps>=1000").unwrap().describe_limit(), ">= 1000/s");
        assert_eq!(parse("http_reqs: count>100").unwrap().describe_limit(), "> 100");
        assert_eq!(parse("data_sent: count<1kB").unwrap().describe_limit(), "< 1000 B");
        assert_eq!(
            parse("data_received: rate<2kB/s").unwrap().describe_limit(),
            "< 2000 B/s"
        );
        assert_eq!(parse("vus: value==10").unwrap().describe_limit(), "== 10");
        assert_eq!(parse("p95<200").unwrap().unit(), crate::Unit::Millis);
    }

    #[test]
    fn monotonic_failure_only_for_failing_counts() {
        let t = parse("dropped_iterations: count<1").unwrap();
        assert!(!t.is_monotonic_failure(0.0));
        assert!(t.is_monotonic_failure(1.0));
        assert!(t.is_monotonic_failure(5.0));
        let t = parse("http_reqs: count<=10").unwrap();
        assert!(!t.is_monotonic_failure(10.0));
        assert!(t.is_monotonic_failure(11.0));
        let t = parse("dropped_iterations: count==0").unwrap();
        assert!(!t.is_monotonic_failure(0.0));
        assert!(t.is_monotonic_failure(1.0));
        let t = parse("iterations: count==10").unwrap();
        assert!(!t.is_monotonic_failure(3.0), "can still reach 10");
        // Counts that may still grow into passing, and non-count aggregations.
        assert!(!parse("http_reqs: count>100").unwrap().is_monotonic_failure(5.0));
        assert!(!parse("http_reqs: count>=100").unwrap().is_monotonic_failure(5.0));
        assert!(!parse("http_reqs: count!=5").unwrap().is_monotonic_failure(5.0));
        assert!(!parse("p95<200").unwrap().is_monotonic_failure(900.0));
        assert!(!parse("error_rate<1%").unwrap().is_monotonic_failure(0.5));
        assert!(!parse("rps<10").unwrap().is_monotonic_failure(50.0));
    }
}
