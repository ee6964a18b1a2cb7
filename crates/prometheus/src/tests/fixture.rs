//! A hand-built run for the tests: two journeys sharing an endpoint, transport errors,
//! a 45 s timeout, duplicate check names and a hostile endpoint name.

use crate::live::View;
use loadcell_engine::{CheckName, EndpointName};
use loadcell_metrics::{Outcome, Recorder, Sample, Shape};
use loadcell_schema::{CustomKind, ErrorKind};

pub const PRODUCT: &str = "GET /api/products/{{ product_id }}";
/// A path no one should write, but a scenario file could.
pub const HOSTILE_PATH: &str = "/x\"y\\z\nw{le=\"1\"}";

pub struct Fixture {
    pub total: Recorder,
    pub endpoints: Vec<EndpointName>,
    pub checks: Vec<CheckName>,
    pub journeys: Vec<String>,
    pub custom: Vec<loadcell_schema::CustomMetricDef>,
    pub custom_sites: Vec<CheckName>,
    pub target_rate: Option<f64>,
}

fn endpoint(method: &str, path: &str, journey: &str, step: &str) -> EndpointName {
    EndpointName {
        method: method.into(),
        path: path.into(),
        journey: Some(journey.into()),
        step: Some(step.into()),
        tags: Vec::new(),
    }
}

fn check(journey: &str, step: &str, label: &str) -> CheckName {
    CheckName {
        journey: journey.into(),
        step: step.into(),
        label: label.into(),
        tags: Vec::new(),
    }
}

fn record(r: &mut Recorder, endpoint: usize, latency_us: u64, outcome: Outcome) {
    r.record(&Sample {
        endpoint,
        latency_us,
        service_us: None,
        ttfb_us: outcome.has_latency().then_some(latency_us / 2),
        sending_us: None,
        outcome,
        sent_bytes: 100,
        received_bytes: 1_000,
        expected_interval_us: None,
    });
}

impl Fixture {
    pub fn new() -> Fixture {
        let endpoints = vec![
            endpoint("GET", "/api/products/{{ product_id }}", "browse", "view product"),
            endpoint("GET", "/api/products/{{ product_id }}", "buy", "view"),
            endpoint("POST", "/api/cart", "buy", "add"),
            endpoint("GET", HOSTILE_PATH, "browse", "odd"),
        ];
        let checks = vec![
            check("browse", "view product", "status is 200"),
            check("browse", "view product", "status is 200"),
            check("buy", "add", "body has \"ok\""),
        ];
        let mut r = Recorder::with_shape(Shape {
            endpoints: endpoints.len(),
            journeys: 2,
            checks: checks.len(),
            custom: 6,
        });
        for _ in 0..3 {
            record(&mut r, 0, 1_000, Outcome::Status(200));
        }
        record(&mut r, 0, 2_000, Outcome::Status(404));
        record(&mut r, 1, 300_000, Outcome::Status(200));
        record(&mut r, 1, 40_000, Outcome::Status(503));
        record(&mut r, 2, 0, Outcome::Error(ErrorKind::ConnectRefused));
        record(&mut r, 2, 45_000_000, Outcome::Error(ErrorKind::RequestTimeout));
        record(&mut r, 2, 5_000, Outcome::Status(302));
        record(&mut r, 3, 700, Outcome::Status(200));
        for (i, pass) in [
            (0, true),
            (0, true),
            (0, true),
            (0, false),
            (1, true),
            (1, true),
            (2, false),
        ] {
            r.record_check(i, pass);
        }
        r.record_journey(0, 2_000_000, false);
        r.record_journey(0, 2_000_000, true);
        r.record_journey(1, 3_000_000, true);
        // The scenario's own: a counter of 2.5, a rate 2 of 3 true, a gauge last 7, a trend
        // of 1..=100 and a gauge nothing was added to (no series), one invalid add.
        r.record_custom(0, Some(1.0), false);
        r.record_custom(0, Some(1.5), false);
        for v in [1.0, 0.0, 3.0] {
            r.record_custom(1, Some(v), false);
        }
        r.record_custom(2, Some(9.0), false);
        r.record_custom(2, Some(7.0), false);
        for v in 1..=100 {
            r.record_custom(3, Some(f64::from(v)), true);
        }
        r.record_custom(3, None, true);
        r.iterations = 3;
        r.scheduled = 5;
        r.dropped = 2;
        r.connections_opened = 4;
        Fixture {
            total: r,
            endpoints,
            checks,
            journeys: vec!["browse".into(), "buy".into()],
            custom: [
                ("orders", CustomKind::Counter),
                ("ok", CustomKind::Rate),
                ("stock", CustomKind::Gauge),
                ("total", CustomKind::Trend),
                ("never", CustomKind::Gauge),
            ]
            .into_iter()
            .map(|(name, kind)| loadcell_schema::CustomMetricDef {
                name: name.into(),
                kind,
                unit: loadcell_schema::CustomUnit::None,
            })
            .collect(),
            // One site per metric, and a second place adding to `orders` (nothing added).
            custom_sites: ["orders", "ok", "stock", "total", "never", "orders"]
                .into_iter()
                .map(|metric| check("buy", "checkout", metric))
                .collect(),
            target_rate: Some(12.5),
        }
    }

    pub fn view(&self) -> View<'_> {
        View {
            total: &self.total,
            endpoints: &self.endpoints,
            checks: &self.checks,
            journeys: &self.journeys,
            custom: &self.custom,
            custom_sites: &self.custom_sites,
            active_vus: 7,
            vus_max: 20,
            elapsed_s: 12.25,
            warmup: false,
            target_rate_per_s: self.target_rate,
        }
    }

    /// The exposition of this run.
    pub fn render(&self, openmetrics: bool) -> String {
        let live = crate::LiveMetrics::new();
        live.set_monitor(&monitor_readings());
        live.update(&self.view());
        live.render(openmetrics)
    }
}

/// Two `--monitor` sources: a process with CPU, memory and descriptors, and one that
/// disappeared.
pub fn monitor_readings() -> Vec<loadcell_schema::MonitorSample> {
    use loadcell_schema::MonitorSample;
    let reading = |source: &str, values: &[(&str, f64)]| MonitorSample {
        source: source.into(),
        t_s: 12.0,
        values: values.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        ..MonitorSample::default()
    };
    vec![
        reading("pid:4242", &[("cpu_percent", 1.0), ("rss_bytes", 1.0)]),
        reading(
            "pid:4242",
            &[("cpu_percent", 37.5), ("rss_bytes", 52_428_800.0), ("fds", 17.0)],
        ),
        reading("process:nginx", &[("cpu_percent", 3.0)]),
        MonitorSample {
            gone: Some("no process matches 'nginx' any more".into()),
            ..reading("process:nginx", &[])
        },
    ]
}
