//! `--prometheus`: live metrics scraped from the real binary mid-run over HTTP and read by a
//! real Prometheus text-format parser (openmetrics-parser).

use crate::support::{TempDir, fast_target, read_summary, spawn, url_of, wait, wait_until};
use openmetrics_parser::PrometheusValue;
use openmetrics_parser::prometheus::parse_prometheus;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// One scrape of /metrics, or None while the server is not up yet.
pub(crate) fn scrape(port: u16) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(3))).ok()?;
    let request = format!("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = String::new();
    stream.read_to_string(&mut raw).ok()?;
    let (head, body) = raw.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.1 200").then(|| body.to_string())
}

pub(crate) fn counter(body: &str, family: &str, labels: &[(&str, &str)]) -> f64 {
    let parsed = parse_prometheus(body).unwrap_or_else(|e| panic!("not valid Prometheus text: {e:?}\n{body}"));
    let fam = parsed
        .families
        .get(family)
        .unwrap_or_else(|| panic!("no family {family}"));
    let sample = fam
        .iter_samples()
        .find(|s| {
            labels.iter().all(|(k, v)| {
                s.get_labelset()
                    .ok()
                    .and_then(|set| set.get_label_value(k).map(String::from))
                    .as_deref()
                    == Some(*v)
            })
        })
        .unwrap_or_else(|| panic!("no sample of {family} with {labels:?}"));
    match &sample.value {
        PrometheusValue::Counter(c) => c.value.as_f64(),
        PrometheusValue::Gauge(g) => g.as_f64(),
        PrometheusValue::Unknown(u) => u.as_f64(),
        PrometheusValue::Histogram(h) => h.count.unwrap_or(0) as f64,
        other => panic!("unexpected value {other:?}"),
    }
}

#[test]
fn live_metrics_are_scraped_mid_run_and_parse() {
    let server = fast_target();
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let dir = TempDir::new();
    let json = dir.path().join("summary.json");
    let json_arg = json.display().to_string();
    let running = spawn(&[
        "run",
        &url_of(&server),
        "-r",
        "200",
        "-d",
        "4s",
        "-q",
        "--prometheus",
        &addr,
        "--summary-json",
        &json_arg,
    ]);
    // Scrape until the counter shows requests, then until it has grown (a later interval).
    let mut scrapes: Vec<(f64, String)> = Vec::new();
    for _ in 0..2 {
        let before = scrapes.last().map_or(0.0, |s| s.0);
        wait_until(Duration::from_secs(5), || {
            // Before the first interval is published there is no sample yet.
            let Some(body) = scrape(port).filter(|b| b.contains("loadcell_http_requests_total{")) else {
                return false;
            };
            let requests = counter(
                &body,
                "loadcell_http_requests_total",
                &[("endpoint", "GET /"), ("status_class", "2xx")],
            );
            let grew = requests > before;
            if grew {
                scrapes.push((requests, body));
            }
            grew
        });
    }
    let mut finished = wait(running);
    finished.summary = read_summary(&json);
    finished.assert_exit(0);
    assert_eq!(
        scrapes.len(),
        2,
        "two scrapes with data while the run was going\n{}",
        finished.output()
    );
    let (first, second) = (scrapes[0].0, scrapes[1].0);
    assert!(second > first, "counters grow between scrapes: {first} then {second}");
    let body = &scrapes[1].1;
    let count = counter(body, "loadcell_http_request_duration_seconds", &[("endpoint", "GET /")]);
    assert_eq!(count, second, "every 2xx response has a latency sample");
    let vus_max = counter(body, "loadcell_vus_max", &[]);
    assert!(vus_max >= 1.0);
    let total = crate::support::u64_at(finished.summary(), "requests.total") as f64;
    assert!(
        second <= total,
        "live counts never exceed the final total ({second} > {total})"
    );
}

#[test]
fn a_taken_port_is_a_usage_error_before_any_request() {
    let server = fast_target();
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let finished = crate::support::run(&url_of(&server), &["-n", "10", "--prometheus", &addr]);
    finished.assert_exit(2);
    finished.assert_no_panic();
    assert_eq!(server.stats().requests_total, 0);
}
