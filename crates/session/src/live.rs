//! `--prometheus [ADDR]`: serves the run's live metrics while it runs (or the fleet's merged
//! ones, for `loadcell collect`). The server is started
//! before the first request (so a taken port is a usage error, not a lost run) and is fed
//! once per interval from the observer.

use crate::error::SessionError;
use loadcell_engine::{CheckName, IntervalEvent};
use loadcell_prometheus::{LiveMetrics, MetricsServer, View, parse_addr};
use std::sync::Arc;

/// The live metrics of one run and the server that exposes them.
pub struct Live {
    metrics: Arc<LiveMetrics>,
    server: MetricsServer,
    checks: Vec<CheckName>,
    journeys: Vec<String>,
    custom: Vec<loadcell_schema::CustomMetricDef>,
    custom_sites: Vec<CheckName>,
    vus_max: u64,
}

impl Live {
    /// Starts the server on `addr` (`None`: the default 127.0.0.1:9464).
    pub fn start(
        addr: Option<&str>,
        checks: Vec<CheckName>,
        journeys: Vec<String>,
        custom: Vec<loadcell_schema::CustomMetricDef>,
        custom_sites: Vec<CheckName>,
        vus_max: u64,
    ) -> Result<Live, SessionError> {
        let addr = match addr {
            Some(text) => parse_addr(text)?,
            None => loadcell_prometheus::DEFAULT_ADDR,
        };
        let metrics = LiveMetrics::new();
        let server = MetricsServer::start(addr, metrics.clone())?;
        Ok(Live {
            metrics,
            server,
            checks,
            journeys,
            custom,
            custom_sites,
            vus_max,
        })
    }

    /// Publishes the results so far.
    pub fn update(&self, event: &IntervalEvent<'_>) {
        self.metrics.update(&View {
            total: event.total,
            // The run's endpoints so far: a redirect hop's appears once it happened.
            endpoints: event.endpoints,
            checks: &self.checks,
            journeys: &self.journeys,
            custom: &self.custom,
            custom_sites: &self.custom_sites,
            active_vus: event.summary.active_vus,
            vus_max: self.vus_max,
            elapsed_s: event.elapsed.as_secs_f64(),
            warmup: event.summary.warmup,
            target_rate_per_s: event.summary.target_rate_per_s,
        });
    }

    /// Names the slots once they are known: `loadcell collect` learns them from the first
    /// part that joins, after its server was started.
    pub fn set_slots(
        &mut self,
        checks: Vec<CheckName>,
        journeys: Vec<String>,
        custom: Vec<loadcell_schema::CustomMetricDef>,
        custom_sites: Vec<CheckName>,
        vus_max: u64,
    ) {
        self.checks = checks;
        self.journeys = journeys;
        self.custom = custom;
        self.custom_sites = custom_sites;
        self.vus_max = vus_max;
    }

    /// Publishes merged results (`loadcell collect`): the totals of the seconds merged so
    /// far and the last of them.
    pub fn publish(
        &self,
        total: &loadcell_metrics::Recorder,
        endpoints: &[loadcell_engine::EndpointName],
        last: &loadcell_schema::IntervalSummary,
    ) {
        self.metrics.update(&View {
            total,
            endpoints,
            checks: &self.checks,
            journeys: &self.journeys,
            custom: &self.custom,
            custom_sites: &self.custom_sites,
            active_vus: last.active_vus,
            vus_max: self.vus_max,
            elapsed_s: last.t_s,
            warmup: last.warmup,
            target_rate_per_s: last.target_rate_per_s,
        });
    }

    /// Publishes the `--monitor` readings taken since the last ones.
    pub fn set_monitor(&self, readings: &[loadcell_schema::MonitorSample]) {
        self.metrics.set_monitor(readings);
    }

    /// Where the metrics are served.
    pub fn url(&self) -> String {
        self.server.url()
    }

    pub fn shutdown(self) {
        self.server.shutdown();
    }
}
