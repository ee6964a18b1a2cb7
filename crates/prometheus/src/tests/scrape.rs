//! A live server on 127.0.0.1:0, scraped with raw HTTP/1.1 over a TCP stream in both
//! formats, the body read back by the real parser.

use super::fixture::{Fixture, PRODUCT};
use super::parse::{for_parser, sample};
use crate::{LiveMetrics, MetricsServer};
use openmetrics_parser::openmetrics::parse_openmetrics;
use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{OpenMetricsValue, PrometheusValue};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET path` with `accept`; returns the response head and body.
fn get(addr: SocketAddr, path: &str, accept: &str) -> (String, String) {
    request(addr, "GET", path, accept)
}

fn request(addr: SocketAddr, method: &str, path: &str, accept: &str) -> (String, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request =
            format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw))
            .await
            .expect("response within 5 s")
            .unwrap();
        let raw = String::from_utf8(raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        (head.to_owned(), body.to_owned())
    })
}

#[test]
fn serves_the_latest_update_in_both_formats() {
    let live = LiveMetrics::new();
    let server = MetricsServer::start("127.0.0.1:0".parse().unwrap(), live.clone()).unwrap();
    assert_ne!(server.addr.port(), 0);
    assert_eq!(server.url(), format!("http://{}/metrics", server.addr));

    // Before the first update: a valid, nearly empty exposition.
    let (head, body) = get(server.addr, "/metrics", "*/*");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        parse_prometheus(&body)
            .unwrap()
            .families
            .contains_key("loadcell_iterations_total")
    );

    let fixture = Fixture::new();
    live.update(&fixture.view());
    let (head, body) = get(server.addr, "/metrics", "text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    let parsed = parse_prometheus(&body).unwrap();
    let requests = &parsed.families["loadcell_http_requests_total"];
    let PrometheusValue::Counter(c) = &sample(requests, &[("endpoint", PRODUCT), ("status_class", "5xx")]).value else {
        panic!("not a counter");
    };
    assert_eq!(c.value.as_f64(), 1.0);

    let prometheus_accept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;\
                             q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
    let (head, body) = get(server.addr, "/metrics", prometheus_accept);
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    let parsed = parse_openmetrics(&for_parser(&body)).unwrap();
    let OpenMetricsValue::Gauge(vus) = &sample(&parsed.families["loadcell_vus"], &[]).value else {
        panic!("not a gauge");
    };
    assert_eq!(vus.as_f64(), 7.0);

    let (head, body) = get(server.addr, "/", "*/*");
    assert!(
        head.starts_with("HTTP/1.1 200") && body.contains("href=\"/metrics\""),
        "{head}"
    );
    let (head, body) = request(server.addr, "HEAD", "/metrics", "*/*");
    assert!(head.starts_with("HTTP/1.1 200") && body.is_empty(), "{head}");
    let (head, _) = get(server.addr, "/favicon.ico", "*/*");
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");

    let addr = server.addr;
    server.shutdown();
    assert!(std::net::TcpStream::connect(addr).is_err(), "closed after shutdown");
}
