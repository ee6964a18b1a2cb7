//! Every metric family loadcell exposes: name, type, unit and help text, in exposition
//! order. Names here are OpenMetrics family names (counters without `_total`).

use crate::model::{Def, Kind};

macro_rules! def {
    ($id:ident, $name:literal, $kind:ident, $unit:expr, $help:literal) => {
        pub(crate) const $id: Def = Def {
            name: $name,
            kind: Kind::$kind,
            unit: $unit,
            help: $help,
        };
    };
}

def!(
    HTTP_REQUESTS,
    "loadcell_http_requests",
    Counter,
    None,
    "Completed HTTP requests by endpoint and status class (error: no response, a transport failure)."
);
def!(
    HTTP_RESPONSES,
    "loadcell_http_responses",
    Counter,
    None,
    "HTTP responses by endpoint and status code."
);
def!(
    HTTP_ERRORS,
    "loadcell_http_request_errors",
    Counter,
    None,
    "Requests that got no (complete) response, by endpoint and transport error kind."
);
def!(
    HTTP_DURATION,
    "loadcell_http_request_duration_seconds",
    Histogram,
    Some("seconds"),
    "Request latency as the user saw it (from the scheduled start in the open model), responses and request timeouts."
);
def!(
    HTTP_TTFB,
    "loadcell_http_request_ttfb_seconds",
    Histogram,
    Some("seconds"),
    "Time from a request written (sent, over HTTP/2) to its first response byte: k6's http_req_waiting."
);
def!(
    DATA_SENT,
    "loadcell_data_sent_bytes",
    Counter,
    Some("bytes"),
    "Bytes sent to the target on the wire, headers included."
);
def!(
    DATA_RECEIVED,
    "loadcell_data_received_bytes",
    Counter,
    Some("bytes"),
    "Bytes received from the target on the wire, headers included."
);
def!(
    CONNECTIONS,
    "loadcell_connections_opened",
    Counter,
    None,
    "Connections opened to the target (DNS, TCP and TLS done)."
);
def!(
    ITERATIONS,
    "loadcell_iterations",
    Counter,
    None,
    "Iterations completed: journey runs in scenarios, requests in quick mode."
);
def!(
    DROPPED,
    "loadcell_dropped_iterations",
    Counter,
    None,
    "Open model: iterations due by the arrival schedule that found no free VU."
);
def!(
    SCHEDULED,
    "loadcell_iterations_scheduled",
    Counter,
    None,
    "Open model: iterations due by the arrival schedule."
);
def!(
    JOURNEY_ITERATIONS,
    "loadcell_journey_iterations",
    Counter,
    None,
    "Completed iterations of each journey."
);
def!(
    JOURNEY_FAILED,
    "loadcell_journey_failed_iterations",
    Counter,
    None,
    "Journey iterations in which a request, a check or an extraction failed."
);
def!(
    CHECKS,
    "loadcell_checks",
    Counter,
    None,
    "Check results by journey, step, check and result."
);
def!(
    CUSTOM_COUNTER,
    "loadcell_custom_counter",
    Counter,
    None,
    "A scenario's own counter (metrics:): the sum of what its steps added, by metric."
);
def!(
    CUSTOM_RATE,
    "loadcell_custom_rate",
    Counter,
    None,
    "A scenario's own rate (metrics:): values added by metric and result (true: not zero)."
);
def!(
    CUSTOM_GAUGE,
    "loadcell_custom_gauge",
    Gauge,
    None,
    "A scenario's own gauge (metrics:): the last value added, by metric."
);
def!(
    CUSTOM_TREND,
    "loadcell_custom_trend",
    Gauge,
    None,
    "A scenario's own trend (metrics:) in its unit, by metric and stat (avg, min, max, p50, p90, p95, p99; HDR, 3 significant digits)."
);
def!(
    CUSTOM_INVALID,
    "loadcell_custom_invalid",
    Counter,
    None,
    "Adds to a scenario's own metric that had no number (each failed its iteration), by metric."
);
def!(VUS, "loadcell_vus", Gauge, None, "Virtual users active now.");
def!(
    VUS_MAX,
    "loadcell_vus_max",
    Gauge,
    None,
    "The most virtual users this run may use (the peak of the VU curve, or --max-vus in the open model)."
);
def!(
    TARGET_RATE,
    "loadcell_target_arrival_rate",
    Gauge,
    None,
    "Open model: iterations per second the arrival schedule asks for now."
);
def!(
    ELAPSED,
    "loadcell_elapsed_seconds",
    Gauge,
    Some("seconds"),
    "Time since the start of the run, warm-up included."
);
def!(
    WARMUP,
    "loadcell_warmup",
    Gauge,
    None,
    "1 during the warm-up (whose results are not counted), 0 after it."
);

def!(
    MONITOR_VALUE,
    "loadcell_monitor_value",
    Gauge,
    None,
    "The target's resources as --monitor last read them, by source and metric (metric names as in summary.json: cpu_percent, rss_bytes, fds, ...)."
);
def!(
    MONITOR_UP,
    "loadcell_monitor_up",
    Gauge,
    None,
    "1 while a --monitor source is read, 0 once it disappeared (the process exited)."
);

/// Every family, in exposition order.
#[cfg(test)]
pub(crate) const ALL: [&Def; 26] = [
    &HTTP_REQUESTS,
    &HTTP_RESPONSES,
    &HTTP_ERRORS,
    &HTTP_DURATION,
    &HTTP_TTFB,
    &DATA_SENT,
    &DATA_RECEIVED,
    &CONNECTIONS,
    &ITERATIONS,
    &DROPPED,
    &SCHEDULED,
    &JOURNEY_ITERATIONS,
    &JOURNEY_FAILED,
    &CHECKS,
    &CUSTOM_COUNTER,
    &CUSTOM_RATE,
    &CUSTOM_GAUGE,
    &CUSTOM_TREND,
    &CUSTOM_INVALID,
    &VUS,
    &VUS_MAX,
    &TARGET_RATE,
    &ELAPSED,
    &WARMUP,
    &MONITOR_VALUE,
    &MONITOR_UP,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_conventions() {
        for def in ALL {
            assert!(def.name.starts_with("loadcell_"), "{}", def.name);
            assert!(
                !def.name.ends_with("_total"),
                "{}: counters get _total when written",
                def.name
            );
            if let Some(unit) = def.unit {
                assert!(def.name.ends_with(&format!("_{unit}")), "{}", def.name);
            }
            assert!(!def.help.contains('\n') && !def.help.is_empty());
        }
        let mut names: Vec<_> = ALL.iter().map(|d| d.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len());
    }
}
