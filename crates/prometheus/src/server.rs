//! The `/metrics` HTTP/1.1 server: its own thread and single-threaded tokio runtime, so
//! that scrapes never compete with the load engine's workers. Each response is the
//! latest pre-rendered exposition; nothing is computed per scrape.

use crate::encode::{OPENMETRICS_CONTENT_TYPE, TEXT_CONTENT_TYPE};
use crate::error::PrometheusError;
use crate::live::LiveMetrics;
use crate::negotiate::wants_openmetrics;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{ACCEPT, ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;
use tokio::sync::oneshot;

/// A client that sends no complete request head within this long is dropped.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

const INDEX: &str = "<!doctype html>\n<html><head><title>loadcell</title></head>\
<body><h1>loadcell</h1><p>Live metrics of the running load test: <a href=\"/metrics\">/metrics</a></p></body></html>\n";

/// A running metrics server. Dropping it stops it, as [`MetricsServer::shutdown`] does.
#[derive(Debug)]
pub struct MetricsServer {
    /// The address actually bound (the real port when port 0 was asked for).
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl MetricsServer {
    /// Binds `addr` now (so that a taken port is reported before the run starts) and
    /// serves `metrics` from a new thread until shut down.
    pub fn start(addr: SocketAddr, metrics: Arc<LiveMetrics>) -> Result<MetricsServer, PrometheusError> {
        let listener = std::net::TcpListener::bind(addr).map_err(|e| PrometheusError::bind(addr, &e))?;
        let start_err = |e: std::io::Error| PrometheusError::Start(e.to_string());
        listener.set_nonblocking(true).map_err(start_err)?;
        let bound = listener.local_addr().map_err(start_err)?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(start_err)?;
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("loadcell-prometheus".into())
            .spawn(move || runtime.block_on(serve(listener, metrics, stopped)))
            .map_err(start_err)?;
        Ok(MetricsServer {
            addr: bound,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The scrape URL, e.g. `http://127.0.0.1:9464/metrics`.
    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }

    /// Stops accepting, drops open connections and waits for the server thread to end.
    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for MetricsServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until `stopped` fires (or its sender is gone). Connections still
/// open then are dropped with the runtime.
async fn serve(listener: std::net::TcpListener, metrics: Arc<LiveMetrics>, mut stopped: oneshot::Receiver<()>) {
    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
        return;
    };
    loop {
        let stream = tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => {
                    // Out of file descriptors and the like: let the moment pass.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let metrics = metrics.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let response = respond(&metrics, &req);
                async move { Ok::<_, Infallible>(response) }
            });
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// `GET /metrics` serves the exposition, `GET /` a page linking to it.
fn respond<B>(metrics: &LiveMetrics, req: &Request<B>) -> Response<Full<Bytes>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut resp = plain(StatusCode::METHOD_NOT_ALLOWED, "only GET and HEAD are supported\n");
        resp.headers_mut().insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return resp;
    }
    match req.uri().path() {
        "/metrics" => {
            let accept = req.headers().get(ACCEPT).and_then(|v| v.to_str().ok());
            let openmetrics = wants_openmetrics(accept);
            let content_type = if openmetrics {
                OPENMETRICS_CONTENT_TYPE
            } else {
                TEXT_CONTENT_TYPE
            };
            with_type(StatusCode::OK, metrics.bytes(openmetrics), content_type)
        }
        "/" => with_type(
            StatusCode::OK,
            Bytes::from_static(INDEX.as_bytes()),
            "text/html; charset=utf-8",
        ),
        _ => plain(StatusCode::NOT_FOUND, "not found: metrics are at /metrics\n"),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Full<Bytes>> {
    with_type(status, Bytes::from_static(text.as_bytes()), "text/plain; charset=utf-8")
}

fn with_type(status: StatusCode, body: Bytes, content_type: &'static str) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(body));
    *resp.status_mut() = status;
    resp.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str, accept: Option<&str>) -> Request<()> {
        let mut b = Request::get(path);
        if let Some(a) = accept {
            b = b.header(ACCEPT, a);
        }
        b.body(()).unwrap()
    }

    #[test]
    fn routes_and_negotiates() {
        let m = LiveMetrics::new();
        let text = respond(&m, &get("/metrics", None));
        assert_eq!(text.status(), StatusCode::OK);
        assert_eq!(text.headers()[CONTENT_TYPE], TEXT_CONTENT_TYPE);
        let om = respond(
            &m,
            &get("/metrics?x=1", Some("application/openmetrics-text;version=1.0.0")),
        );
        assert_eq!(om.headers()[CONTENT_TYPE], OPENMETRICS_CONTENT_TYPE);
        assert_eq!(respond(&m, &get("/", None)).status(), StatusCode::OK);
        assert_eq!(respond(&m, &get("/nope", None)).status(), StatusCode::NOT_FOUND);
        let post = Request::post("/metrics").body(()).unwrap();
        let resp = respond(&m, &post);
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(resp.headers()[ALLOW], "GET, HEAD");
    }

    #[test]
    fn taken_port_is_reported() {
        let first = MetricsServer::start("127.0.0.1:0".parse().unwrap(), LiveMetrics::new()).unwrap();
        let err = MetricsServer::start(first.addr, LiveMetrics::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("cannot listen on {} for --prometheus: address in use", first.addr)
        );
        first.shutdown();
    }
}
