//! Units of a threshold's limit: which unit each metric/aggregation uses,
//! the suffixes accepted after a number, and formatting values for people.

use crate::metric::{Aggregation, Metric, MetricKind};

/// The canonical unit of a threshold's limit and of the value a
/// [`MetricSource`](crate::MetricSource) must return for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Milliseconds (every aggregation of a trend metric).
    Millis,
    /// A fraction 0..=1 (`rate` of http_req_failed and checks); shown as a percent.
    Fraction,
    /// Events per second (`rate` of http_reqs, iterations, dropped_iterations).
    PerSecond,
    /// A plain number (`count` of http_reqs, iterations, dropped_iterations; vus, vus_max).
    Count,
    /// Bytes (`count` of data_received, data_sent).
    Bytes,
    /// Bytes per second (`rate` of data_received, data_sent).
    BytesPerSecond,
    /// Percent where 100 is one CPU core (`target_cpu`; may exceed 100).
    Percent,
}

impl Unit {
    /// The unit of `aggregation` over `metric`.
    pub fn of(metric: Metric, aggregation: Aggregation) -> Unit {
        let bytes = matches!(metric, Metric::DataReceived | Metric::DataSent);
        match metric {
            Metric::TargetCpu => return Unit::Percent,
            Metric::TargetRss => return Unit::Bytes,
            Metric::TargetFds => return Unit::Count,
            Metric::Custom(c) => {
                return match (c.kind, aggregation) {
                    (MetricKind::Rate, _) => Unit::Fraction,
                    (MetricKind::Counter, Aggregation::Rate) => Unit::PerSecond,
                    (MetricKind::Counter, _) => Unit::Count,
                    _ => c.unit,
                };
            }
            _ => {}
        }
        match metric.kind() {
            MetricKind::Trend => Unit::Millis,
            MetricKind::Rate => Unit::Fraction,
            MetricKind::Gauge | MetricKind::Resource => Unit::Count,
            MetricKind::Counter => match (aggregation, bytes) {
                (Aggregation::Rate, true) => Unit::BytesPerSecond,
                (Aggregation::Rate, false) => Unit::PerSecond,
                (_, true) => Unit::Bytes,
                (_, false) => Unit::Count,
            },
        }
    }

    /// Converts `number` written with `suffix` (may be empty) to this unit,
    /// or `None` when the suffix does not fit.
    pub(crate) fn convert(self, number: f64, suffix: &str) -> Option<f64> {
        match self {
            Unit::Millis => match suffix {
                "" | "ms" => Some(number),
                "s" => Some(number * 1000.0),
                "m" | "min" => Some(number * 60_000.0),
                "h" => Some(number * 3_600_000.0),
                "us" | "µs" => Some(number / 1000.0),
                "ns" => Some(number / 1_000_000.0),
                _ => None,
            },
            Unit::Fraction => match suffix {
                "" => Some(number),
                "%" => Some(number / 100.0),
                _ => None,
            },
            Unit::PerSecond => match suffix {
                "" | "/s" => Some(number),
                _ => None,
            },
            Unit::Count => match suffix {
                "" => Some(number),
                _ => None,
            },
            Unit::Bytes => bytes_factor(suffix).map(|f| number * f),
            Unit::Percent => match suffix {
                "" | "%" => Some(number),
                _ => None,
            },
            Unit::BytesPerSecond => {
                let base = suffix.strip_suffix("/s").unwrap_or(suffix);
                bytes_factor(base).map(|f| number * f)
            }
        }
    }

    /// What to write instead of a suffix that does not fit.
    pub(crate) fn suffix_hint(self) -> &'static str {
        match self {
            Unit::Millis => "use ms, s, us or m (a bare number is milliseconds)",
            Unit::Fraction => "use a fraction like 0.01 or a percent like 1%",
            Unit::PerSecond => "use a number per second, e.g. 100 or 100/s",
            Unit::Count => "use a plain number",
            Unit::Bytes => "use bytes, e.g. 1000, 10kB, 5MB or 1MiB",
            Unit::BytesPerSecond => "use bytes per second, e.g. 1000, 10kB/s or 5MB/s",
            Unit::Percent => "use a percent of one CPU core, e.g. 80% (200% is two cores)",
        }
    }

    /// `v` with its unit: `212.4 ms`, `0.8%`, `1000/s`, `12`, `512 B`, `1024 B/s`.
    pub fn format(self, v: f64) -> String {
        match self {
            Unit::Millis => format!("{} ms", number(v)),
            Unit::Fraction => format!("{}%", number(v * 100.0)),
            Unit::PerSecond => format!("{}/s", number(v)),
            Unit::Count => number(v),
            Unit::Bytes => format!("{} B", number(v)),
            Unit::BytesPerSecond => format!("{} B/s", number(v)),
            Unit::Percent => format!("{}%", number(v)),
        }
    }
}

fn bytes_factor(suffix: &str) -> Option<f64> {
    Some(match suffix {
        "" | "B" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    })
}

/// A number without noise: at most 2 decimals (3 below 1), trailing zeros dropped.
pub(crate) fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let s = if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        &s
    };
    if s == "-0" { "0".into() } else { s.into() }
}
