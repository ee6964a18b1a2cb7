//! A scenario's own metrics (`metrics:`, k6's custom metrics): their declaration, kept in
//! `meta.json` so `loadcell report DIR` can name them, and their results in `summary.json`'s
//! `custom_metrics[]`.

use serde::{Deserialize, Serialize};

/// k6's four kinds of custom metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomKind {
    /// A running total (`count`, `rate` per second).
    Counter,
    /// A distribution (`p(N)`, `avg`, `min`, `max`, `med`).
    Trend,
    /// A share of true (non-zero) values (`rate`).
    Rate,
    /// The last value set (`value`), with its min and max.
    Gauge,
}

impl CustomKind {
    pub const ALL: [CustomKind; 4] = [
        CustomKind::Counter,
        CustomKind::Trend,
        CustomKind::Rate,
        CustomKind::Gauge,
    ];

    /// The word written in a scenario file and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomKind::Counter => "counter",
            CustomKind::Trend => "trend",
            CustomKind::Rate => "rate",
            CustomKind::Gauge => "gauge",
        }
    }
}

/// What a trend's values are (k6's `isTime` for `ms`): decides the units a threshold's limit
/// may be written in and how values are shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomUnit {
    /// Plain numbers.
    #[default]
    None,
    /// Milliseconds.
    Ms,
    /// Bytes.
    Bytes,
}

impl CustomUnit {
    pub const ALL: [CustomUnit; 3] = [CustomUnit::None, CustomUnit::Ms, CustomUnit::Bytes];

    pub fn as_str(self) -> &'static str {
        match self {
            CustomUnit::None => "none",
            CustomUnit::Ms => "ms",
            CustomUnit::Bytes => "bytes",
        }
    }
}

/// One declared custom metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomMetricDef {
    pub name: String,
    pub kind: CustomKind,
    #[serde(default)]
    pub unit: CustomUnit,
}

/// One custom metric's results over the measured run, in `summary.json`'s `custom_metrics[]`.
/// Only the fields of its kind are present.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomMetricSummary {
    pub name: String,
    pub kind: CustomKind,
    pub unit: CustomUnit,
    /// Values added (a rate: samples; a counter: adds, whatever their size).
    pub samples: u64,
    /// Adds that had no number to add (a template that did not render to one, a negative
    /// trend value); not in `samples`, and each one failed its iteration.
    pub invalid: u64,
    /// Counter: the total.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<f64>,
    /// Counter: the total per measured second. Rate: the share of true values (0..1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// Rate: true values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passes: Option<u64>,
    /// Rate: false values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fails: Option<u64>,
    /// Gauge: the last value set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Trend, gauge: the smallest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Trend, gauge: the largest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Trend: the mean.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avg: Option<f64>,
    /// Trend: percentiles 50, 90, 95 and 99 (3 significant digits, resolution 0.001).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub med: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p95: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p99: Option<f64>,
}

impl CustomMetricSummary {
    /// A metric's summary with its counts and none of its kind's fields set yet.
    pub fn new(def: &CustomMetricDef, samples: u64, invalid: u64) -> CustomMetricSummary {
        CustomMetricSummary {
            name: def.name.clone(),
            kind: def.kind,
            unit: def.unit,
            samples,
            invalid,
            count: None,
            rate: None,
            passes: None,
            fails: None,
            value: None,
            min: None,
            max: None,
            avg: None,
            med: None,
            p90: None,
            p95: None,
            p99: None,
        }
    }
}
