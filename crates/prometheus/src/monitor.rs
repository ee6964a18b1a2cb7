//! The `--monitor` readings in the exposition: the latest value of every metric of every
//! source (`loadcell_monitor_value{source, metric}`) and whether each source is still read
//! (`loadcell_monitor_up{source}`). Sources and metric names are bounded: a run has a few
//! sources, each with a fixed set of metrics (or its selected Prometheus series).

use std::collections::BTreeMap;

use loadcell_schema::MonitorSample;

use crate::model::{Family, Value};
use crate::names::{MONITOR_UP, MONITOR_VALUE};

/// The latest reading of each source.
#[derive(Debug, Default)]
pub(crate) struct MonitorState {
    sources: BTreeMap<String, Latest>,
}

#[derive(Debug, Default)]
struct Latest {
    values: BTreeMap<String, f64>,
    up: bool,
}

impl MonitorState {
    /// Takes in readings in time order: a later value replaces an earlier one, a failed
    /// reading keeps the last values, a source found gone is down and loses its values.
    pub(crate) fn add(&mut self, samples: &[MonitorSample]) {
        for s in samples {
            let latest = self.sources.entry(s.source.clone()).or_default();
            if s.gone.is_some() {
                latest.up = false;
                latest.values.clear();
                continue;
            }
            latest.up = true;
            for (name, v) in &s.values {
                latest.values.insert(name.clone(), *v);
            }
        }
    }

    pub(crate) fn families(&self) -> Vec<Family> {
        let mut values = Family::new(&MONITOR_VALUE);
        let mut up = Family::new(&MONITOR_UP);
        for (source, latest) in &self.sources {
            up.push(
                vec![("source", source.clone())],
                Value::Gauge(if latest.up { 1.0 } else { 0.0 }),
            );
            for (metric, v) in &latest.values {
                values.push(
                    vec![("source", source.clone()), ("metric", metric.clone())],
                    Value::Gauge(*v),
                );
            }
        }
        vec![values, up]
    }
}
