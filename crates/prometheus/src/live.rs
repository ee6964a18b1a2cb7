//! The shared, pre-rendered exposition: updated once a second by the run's observer,
//! read by every scrape. Rendering happens in `update`; a scrape clones reference-counted
//! bytes under a lock held for a pointer copy.

use crate::collect::collect;
use crate::encode::encode;
use crate::monitor::MonitorState;
use bytes::Bytes;
use loadcell_engine::{CheckName, EndpointName};
use loadcell_metrics::Recorder;
use loadcell_schema::MonitorSample;
use std::sync::{Arc, Mutex, PoisonError};

/// What the exposition is made of: the run so far, as the engine reports it each second.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Cumulative measured results (warm-up excluded), e.g. `IntervalEvent::total`.
    pub total: &'a Recorder,
    /// Names of `total.endpoints`, index for index; slots sharing a name are merged.
    pub endpoints: &'a [EndpointName],
    /// Names of `total.checks`, index for index.
    pub checks: &'a [CheckName],
    /// Names of `total.journeys`, index for index.
    pub journeys: &'a [String],
    /// A scenario's own metrics, in the order of `total.custom`.
    pub custom: &'a [loadcell_schema::CustomMetricDef],
    /// Where they are added to, in the order of `total.custom` (`label`: the metric's name).
    pub custom_sites: &'a [CheckName],
    /// VUs active now.
    pub active_vus: u64,
    /// The most VUs the run may use.
    pub vus_max: u64,
    /// Seconds since the start of the run, warm-up included.
    pub elapsed_s: f64,
    /// Whether the run is still warming up (its results are not in `total`).
    pub warmup: bool,
    /// Open model: the arrival rate the schedule asks for now.
    pub target_rate_per_s: Option<f64>,
}

/// Both renderings of the latest view.
#[derive(Debug, Default)]
struct Rendered {
    text: Bytes,
    openmetrics: Bytes,
}

/// The latest exposition of a run, shared between the observer that updates it and the
/// server that serves it.
#[derive(Debug)]
pub struct LiveMetrics {
    rendered: Mutex<Rendered>,
    monitor: Mutex<MonitorState>,
}

impl LiveMetrics {
    /// Metrics of a run that has not reported yet: global counters at zero.
    pub fn new() -> Arc<LiveMetrics> {
        let empty = Recorder::new(0);
        let live = LiveMetrics {
            rendered: Mutex::new(Rendered::default()),
            monitor: Mutex::new(MonitorState::default()),
        };
        live.update(&View {
            total: &empty,
            endpoints: &[],
            checks: &[],
            journeys: &[],
            custom: &[],
            custom_sites: &[],
            active_vus: 0,
            vus_max: 0,
            elapsed_s: 0.0,
            warmup: false,
            target_rate_per_s: None,
        });
        Arc::new(live)
    }

    /// Renders `view` in both formats and makes it what scrapes see from now on.
    pub fn update(&self, view: &View<'_>) {
        let (text_len, om_len) = {
            let r = self.lock();
            (r.text.len(), r.openmetrics.len())
        };
        let mut families = collect(view);
        families.extend(self.monitor.lock().unwrap_or_else(PoisonError::into_inner).families());
        // Sized like the previous rendering, which the next one rarely outgrows by much.
        let text = Bytes::from(encode(&families, false, text_len + text_len / 8));
        let openmetrics = Bytes::from(encode(&families, true, om_len + om_len / 8));
        *self.lock() = Rendered { text, openmetrics };
    }

    /// Takes in `--monitor` readings (those of `Monitor::drain`, in time order); they show
    /// from the next [`update`](Self::update) on.
    pub fn set_monitor(&self, samples: &[MonitorSample]) {
        self.monitor.lock().unwrap_or_else(PoisonError::into_inner).add(samples);
    }

    /// The latest exposition as text: Prometheus format 0.0.4, or OpenMetrics 1.0.
    pub fn render(&self, openmetrics: bool) -> String {
        String::from_utf8_lossy(&self.bytes(openmetrics)).into_owned()
    }

    /// The latest exposition without copying it.
    pub(crate) fn bytes(&self, openmetrics: bool) -> Bytes {
        let r = self.lock();
        if openmetrics {
            r.openmetrics.clone()
        } else {
            r.text.clone()
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Rendered> {
        // The data is replaced whole, never left half-written: a poisoned lock is still valid.
        self.rendered.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
