//! Per-request pipeline: counting, the knobs (stall, contention and coherency,
//! workers (and falling over with `--overload-queue`), service time, CPU work, latency
//! (and its growth with uptime), leak (memory, descriptors), injected errors (and their growth), connection
//! closes) and turning a [`Reply`] into a hyper response. Shared state lives in [`App`].

use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_TYPE, HeaderValue, SET_COOKIE};
use hyper::{Method, Request, Response, StatusCode, Version};
use tokio::sync::{Notify, Semaphore};

use crate::config::Config;
use crate::db::Db;
use crate::error::TargetError;
use crate::knobs::Latency;
use crate::rng;
use crate::shop::{self, Reply, Target};
use crate::stats::{Route, Stats};
use crate::store::Store;

/// Largest request body read (bigger bodies get 413).
const MAX_BODY: usize = 64 * 1024;

const LEAK_SHARDS: usize = 8;

/// Everything shared by all connections.
pub(crate) struct App {
    config: Config,
    knobs: bool,
    pub(crate) stats: Stats,
    store: Store,
    workers: Option<Semaphore>,
    /// Requests inside the knobs right now (for `--serial-time` and `--coherency-time`).
    in_flight: AtomicUsize,
    /// Requests waiting for a worker right now (for `--overload-queue`).
    waiting: AtomicUsize,
    /// Set once the queue overflowed `--overload-queue`: the service has fallen over.
    fallen: AtomicBool,
    leak_next: AtomicUsize,
    leaks: [Mutex<Vec<Box<[u8]>>>; LEAK_SHARDS],
    /// `--leak-fds`: descriptors held open until `/_reset`.
    leaked_fds: Mutex<Vec<std::fs::File>>,
    /// `--postgres`: opened inside the runtime by [`App::open_db`] before the first request.
    db: OnceLock<Db>,
}

/// Per-connection state: lets a handler ask the connection to close (HTTP/2 GOAWAY).
#[derive(Default)]
pub(crate) struct ConnState {
    closing: AtomicBool,
    pub(crate) close: Notify,
}

impl App {
    pub(crate) fn new(config: Config) -> App {
        App {
            knobs: config.has_knobs(),
            workers: config.workers.map(Semaphore::new),
            in_flight: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            fallen: AtomicBool::new(false),
            config,
            stats: Stats::new(Instant::now()),
            store: Store::new(),
            leak_next: AtomicUsize::new(0),
            leaks: std::array::from_fn(|_| Mutex::new(Vec::new())),
            leaked_fds: Mutex::new(Vec::new()),
            db: OnceLock::new(),
        }
    }

    /// Connects, seeds and prepares `--postgres` (nothing without it). Runs inside the
    /// runtime, before the listener accepts.
    pub(crate) async fn open_db(&self) -> Result<(), TargetError> {
        if let Some(postgres) = &self.config.postgres {
            let db = Db::open(postgres).await?;
            let _ = self.db.set(db);
        }
        Ok(())
    }

    /// The `/api/db` routes: the database's answer, or the shop's "needs --postgres" reply.
    async fn db_reply(&self, route: Route, req: &shop::Request<'_>) -> Option<Reply> {
        let db = self.db.get()?;
        Some(match route {
            Route::DbSearch => db.search(req.query).await,
            _ => db.product(req.path).await,
        })
    }

    /// Zeroes the counters and releases leaked memory; the store is kept.
    pub(crate) fn reset(&self) {
        self.stats.reset();
        for shard in &self.leaks {
            let mut shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            *shard = Vec::new();
        }
        *self.leaked_fds.lock().unwrap_or_else(PoisonError::into_inner) = Vec::new();
        self.stats.clear_leaked();
    }

    /// Applies stall, contention and coherency, workers, service time, CPU work, latency
    /// (and its growth) and leak, in that order. Returns `Overloaded` instead when the
    /// service has fallen over (`--overload-queue`).
    async fn apply_knobs(&self) -> Handled {
        if self.fallen.load(Relaxed) {
            return Handled::Overloaded;
        }
        let config = &self.config;
        let in_flight = Counted::enter(&self.in_flight);
        if let Some(stall) = &config.stall {
            let wait = stall.remaining(self.stats.started().elapsed());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        let shared = shared_wait(config.serial_time, config.coherency_time, in_flight.n);
        // Without workers the service time is a plain delay too: one sleep, one timer rounding.
        let (first, service) = match self.workers {
            None => (shared + config.service_time, Duration::ZERO),
            Some(_) => (shared, config.service_time),
        };
        if !first.is_zero() {
            tokio::time::sleep(first).await;
        }
        let permit = match &self.workers {
            Some(workers) => {
                let queued = Counted::enter(&self.waiting);
                // Only requests that find every worker busy really wait.
                let busy = workers.available_permits() == 0;
                if busy && self.config.overload_queue.is_some_and(|limit| queued.n > limit) {
                    // Falls over for good: this request and every later one get 503.
                    self.fallen.store(true, Relaxed);
                    return Handled::Overloaded;
                }
                // The semaphore is never closed, so acquire cannot fail; if it did we just go on.
                workers.acquire().await.ok()
            }
            None => None,
        };
        if !service.is_zero() {
            tokio::time::sleep(service).await;
        }
        spin(config.cpu_work);
        drop(permit);
        let grown = crate::knobs::grown_latency(config.latency_growth, self.stats.started().elapsed());
        let wait = config.latency.as_ref().map_or(Duration::ZERO, Latency::sample) + grown;
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        if config.leak_bytes > 0 {
            self.leak(config.leak_bytes);
        }
        if config.leak_fds > 0 {
            self.leak_fds(config.leak_fds);
        }
        Handled::Served
    }

    /// The share of requests answered 500 now: `--error-rate` plus its growth.
    fn error_rate(&self) -> f64 {
        let config = &self.config;
        if config.error_growth > 0.0 {
            crate::knobs::grown_error_rate(config.error_rate, config.error_growth, self.stats.started().elapsed())
        } else {
            config.error_rate
        }
    }

    /// Opens `count` descriptors and keeps them; at the process's limit the open fails and
    /// the leak stops there (the request is still served: accepting connections is what
    /// the exhausted limit breaks).
    fn leak_fds(&self, count: usize) {
        let mut held = self.leaked_fds.lock().unwrap_or_else(PoisonError::into_inner);
        for _ in 0..count {
            match std::fs::File::open("/dev/null") {
                Ok(file) => held.push(file),
                Err(_) => return,
            }
        }
    }

    fn leak(&self, bytes: u64) {
        let Ok(len) = usize::try_from(bytes) else {
            return;
        };
        // A non-zero fill writes every page, so RSS really grows.
        let block = vec![0xA5u8; len].into_boxed_slice();
        let shard = self.leak_next.fetch_add(1, Relaxed) % LEAK_SHARDS;
        self.leaks[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(block);
        self.stats.leaked(bytes);
    }
}

/// What the knobs made of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Handled {
    Served,
    /// The service has fallen over (`--overload-queue`): answer 503 at once.
    Overloaded,
}

/// Counts a request in a gauge (in flight, or waiting for a worker) for as long as the
/// guard lives, so every exit path, early answers included, gives the place back.
struct Counted<'a> {
    count: &'a AtomicUsize,
    /// The gauge when this request entered, itself included.
    n: usize,
}

impl<'a> Counted<'a> {
    fn enter(count: &'a AtomicUsize) -> Counted<'a> {
        let n = count.fetch_add(1, Relaxed) + 1;
        Counted { count, n }
    }
}

impl Drop for Counted<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Relaxed);
    }
}

/// The wait imposed by `--serial-time s` and `--coherency-time c` on a request that finds
/// `n` requests in flight (itself included): `n·s + n·(n−1)·c`. It is as if every request
/// in flight queued ahead of it for one shared lock held `s + (n−1)·c` each, Amdahl's
/// pessimistic reading of a serialized section, so a closed loop of `N` users sees exactly
/// the Universal Scalability Law (see docs/scale.md). Capped at the 1 h knob maximum.
pub(crate) fn shared_wait(serial: Duration, coherency: Duration, n: usize) -> Duration {
    if serial.is_zero() && coherency.is_zero() {
        return Duration::ZERO;
    }
    let n = n as f64;
    let secs = n * serial.as_secs_f64() + n * (n - 1.0) * coherency.as_secs_f64();
    Duration::from_secs_f64(secs.min(crate::knobs::MAX_DURATION.as_secs_f64()))
}

/// Busy CPU work for `duration`: integer arithmetic, with the clock read once per 64
/// rounds (well under a microsecond past `duration`). Read on every turn, half the spin
/// was spent inside `clock_gettime`, whose vDSO frames a profiler cannot always unwind back
/// to `spin`, so a flame graph of `--cpu-work` showed the clock, not the work. Arithmetic
/// rather than `pause`: a hypervisor may take a vCPU away from a run of pauses, and the
/// spin would then charge less CPU than it stands for.
fn spin(duration: Duration) {
    if duration.is_zero() {
        return;
    }
    let end = Instant::now() + duration;
    // xorshift with a plain counter: no calls inside the loop, so even a debug build (the
    // one the tests profile) has every sample of the work in `spin`'s own frame.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    loop {
        let mut round = 0u32;
        while round < 64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            round += 1;
        }
        std::hint::black_box(x);
        if Instant::now() >= end {
            return;
        }
    }
}

/// The hyper service: one call per request.
pub(crate) async fn serve_request(
    app: Arc<App>,
    conn: Arc<ConnState>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = shop::classify(req.method(), req.uri().path());
    let route = match target {
        Target::Shop(route) => route,
        Target::Stats | Target::Reset => return Ok(admin(&app, target, req).await),
    };
    // Counted on arrival, before the body is read and before any knob delay.
    app.stats.request(route);
    if !app.knobs && route == Route::Root {
        app.stats.status(200);
        return Ok(respond(Reply::text(StatusCode::OK, shop::HELLO)));
    }
    let version = req.version();
    let (parts, body) = req.into_parts();
    let body = match read_body(&parts.method, body).await {
        Ok(body) => body,
        Err(reply) => return Ok(finish(&app, &conn, version, reply)),
    };
    if app.knobs {
        if app.apply_knobs().await == Handled::Overloaded {
            let reply = Reply::json(StatusCode::SERVICE_UNAVAILABLE, r#"{"error":"overloaded"}"#);
            return Ok(finish(&app, &conn, version, reply));
        }
        if rng::chance(app.error_rate()) {
            let reply = Reply::json(StatusCode::INTERNAL_SERVER_ERROR, r#"{"error":"injected"}"#);
            return Ok(finish(&app, &conn, version, reply));
        }
    }
    let request = shop::Request {
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    let db = match route {
        Route::DbSearch | Route::DbProduct => app.db_reply(route, &request).await,
        _ => None,
    };
    let reply = db.unwrap_or_else(|| shop::handle(&app.store, &app.stats, route, &request));
    Ok(finish(&app, &conn, version, reply))
}

/// `/_stats` and `/_reset`: never counted, never delayed.
async fn admin(app: &App, target: Target, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let method = req.method().clone();
    if read_body(&method, req.into_body()).await.is_err() {
        return respond(Reply::error(StatusCode::BAD_REQUEST, "unreadable body"));
    }
    let reply = match (target, method) {
        (Target::Stats, Method::GET) => match serde_json::to_vec(&app.stats.snapshot()) {
            Ok(json) => Reply::json(StatusCode::OK, json),
            Err(_) => Reply::error(StatusCode::INTERNAL_SERVER_ERROR, "cannot render stats"),
        },
        (Target::Reset, Method::POST) => {
            app.reset();
            Reply::json(StatusCode::OK, r#"{"reset":true}"#)
        }
        _ => Reply::error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
    };
    respond(reply)
}

/// Reads the whole body for methods that carry one (GET/HEAD bodies are ignored).
async fn read_body(method: &Method, body: Incoming) -> Result<Bytes, Reply> {
    if method == Method::GET || method == Method::HEAD {
        return Ok(Bytes::new());
    }
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            Err(Reply::error(StatusCode::PAYLOAD_TOO_LARGE, "body larger than 64KB"))
        }
        Err(_) => Err(Reply::error(StatusCode::BAD_REQUEST, "unreadable body")),
    }
}

/// Counts the status, applies `--close-rate` and builds the response.
fn finish(app: &App, conn: &ConnState, version: Version, reply: Reply) -> Response<Full<Bytes>> {
    app.stats.status(reply.status.as_u16());
    let mut response = respond(reply);
    if rng::chance(app.config.close_rate) {
        if version == Version::HTTP_2 {
            // HTTP/2 has no Connection header: ask the connection task to send GOAWAY.
            if !conn.closing.swap(true, Relaxed) {
                app.stats.connection_closed_by_server();
                conn.close.notify_one();
            }
        } else {
            response
                .headers_mut()
                .insert(CONNECTION, HeaderValue::from_static("close"));
            app.stats.connection_closed_by_server();
        }
    }
    response
}

fn respond(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(reply.body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    if let Some(cookie) = reply.set_cookie.and_then(|c| HeaderValue::try_from(c).ok()) {
        headers.insert(SET_COOKIE, cookie);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_wait_is_linear_in_serial_and_quadratic_in_coherency() {
        let ms = Duration::from_millis;
        assert_eq!(shared_wait(Duration::ZERO, Duration::ZERO, 10), Duration::ZERO);
        assert_eq!(shared_wait(ms(1), Duration::ZERO, 1), ms(1));
        assert_eq!(shared_wait(ms(1), Duration::ZERO, 8), ms(8));
        assert_eq!(shared_wait(Duration::ZERO, ms(1), 1), Duration::ZERO);
        assert_eq!(shared_wait(Duration::ZERO, ms(1), 4), ms(12));
        assert_eq!(shared_wait(ms(2), ms(1), 3), ms(12));
        assert_eq!(shared_wait(ms(1), ms(1), usize::MAX), crate::knobs::MAX_DURATION);
    }
}
