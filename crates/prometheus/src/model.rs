//! The format-neutral shape of one exposition: metric families, their samples and values,
//! built by `collect` and written out by `encode`.

use crate::buckets::Buckets;

/// What kind of metric a family is; decides the TYPE line and the sample suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Monotone count; samples are named `<name>_total`.
    Counter,
    Gauge,
    /// Fixed buckets; samples are `<name>_bucket`, `<name>_sum` and `<name>_count`.
    Histogram,
}

/// A metric family's fixed description.
#[derive(Debug)]
pub(crate) struct Def {
    /// The OpenMetrics family name: for counters without the `_total` suffix.
    pub name: &'static str,
    pub kind: Kind,
    /// OpenMetrics unit; the name ends with `_<unit>`.
    pub unit: Option<&'static str>,
    pub help: &'static str,
}

/// One family with its samples, in exposition order.
#[derive(Debug)]
pub(crate) struct Family {
    pub def: &'static Def,
    pub samples: Vec<Sample>,
}

/// One labelled value of a family.
#[derive(Debug)]
pub(crate) struct Sample {
    /// Label names are fixed identifiers; values are escaped when written.
    pub labels: Vec<(&'static str, String)>,
    pub value: Value,
}

#[derive(Debug)]
pub(crate) enum Value {
    Count(u64),
    /// A counter whose total is not a whole number (a scenario's own counter's sum).
    Total(f64),
    Gauge(f64),
    Histogram(Buckets),
}

impl Family {
    pub fn new(def: &'static Def) -> Family {
        Family {
            def,
            samples: Vec::new(),
        }
    }

    /// Adds a sample with these labels.
    pub fn push(&mut self, labels: Vec<(&'static str, String)>, value: Value) {
        self.samples.push(Sample { labels, value });
    }
}
