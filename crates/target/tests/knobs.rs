//! End-to-end tests of the knobs (latency, errors, closes, workers, stalls, CPU
//! work, leaks) against servers spawned on 127.0.0.1 port 0. Bounds are loose on
//! purpose: they must hold on a busy 2-core machine.
#![cfg(test)]

mod common;

use std::time::{Duration, Instant};

use bytes::Bytes;
use common::Client;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use loadcell_target::{Config, Latency, Stall, TargetHandle};

fn spawn(config: Config) -> TargetHandle {
    TargetHandle::spawn(config).unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[tokio::test]
async fn latency_delays_responses() {
    let server = spawn(Config {
        latency: Some(Latency::Fixed(ms(50))),
        ..Config::default()
    });
    let mut c = Client::connect(server.addr).await;
    for _ in 0..3 {
        let start = Instant::now();
        assert_eq!(c.get("/").await.status, 200);
        assert!(start.elapsed() >= ms(50), "{:?}", start.elapsed());
    }
    // /_stats is never delayed.
    let start = Instant::now();
    c.get("/_stats").await;
    assert!(start.elapsed() < ms(40));
    server.shutdown();
}

#[tokio::test]
async fn error_rate_injects_500s() {
    let server = spawn(Config {
        error_rate: 0.3,
        ..Config::default()
    });
    let mut c = Client::connect(server.addr).await;
    let mut errors = 0;
    for _ in 0..400 {
        let r = c.get("/api/products/1").await;
        if r.status == 500 {
            assert_eq!(r.body, r#"{"error":"injected"}"#);
            errors += 1;
        } else {
            assert_eq!(r.status, 200);
        }
    }
    // Expect 120 (sd ~9).
    assert!((70..=170).contains(&errors), "{errors} errors");
    let stats = server.stats();
    assert_eq!(stats.requests_total, 400);
    assert_eq!(stats.by_status.get("500"), Some(&errors));
    server.shutdown();
}

#[tokio::test]
async fn close_rate_one_closes_every_connection() {
    let server = spawn(Config {
        close_rate: 1.0,
        ..Config::default()
    });
    for _ in 0..5 {
        let mut c = Client::connect(server.addr).await;
        let r = c.get("/").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.header("connection"), Some("close"));
        assert!(c.closed_by_peer().await, "server should close the connection");
    }
    let stats = server.stats();
    assert_eq!(stats.connections_closed_by_server, 5);
    assert_eq!(stats.connections_total, 5);
    server.shutdown();
}

#[tokio::test]
async fn close_rate_share_is_counted() {
    let server = spawn(Config {
        close_rate: 0.5,
        ..Config::default()
    });
    let mut closes = 0;
    let mut client = None;
    for _ in 0..200 {
        let c = match &mut client {
            Some(c) => c,
            None => client.insert(Client::connect(server.addr).await),
        };
        let r = c.get("/").await;
        assert_eq!(r.status, 200);
        if r.header("connection") == Some("close") {
            closes += 1;
            client = None;
        }
    }
    assert!((60..=140).contains(&closes), "{closes} closes");
    let stats = server.stats();
    assert_eq!(stats.connections_closed_by_server, closes);
    let open_at_end = u64::from(client.is_some());
    assert_eq!(stats.connections_total, closes + open_at_end);
    assert_eq!(stats.requests_total, 200);
    server.shutdown();
}

#[tokio::test]
async fn close_rate_sends_goaway_on_h2() {
    let server = spawn(Config {
        close_rate: 1.0,
        ..Config::default()
    });
    let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let conn = tokio::spawn(conn);
    let req = hyper::Request::get(format!("http://{}/", server.addr))
        .body(Empty::<Bytes>::new())
        .unwrap();
    let resp = sender.send_request(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    resp.into_body().collect().await.unwrap();
    // The server ends the connection without the client dropping its sender.
    let ended = tokio::time::timeout(Duration::from_secs(2), conn).await;
    assert!(ended.is_ok(), "h2 connection should be closed by the server");
    assert_eq!(server.stats().connections_closed_by_server, 1);
    drop(sender);
    server.shutdown();
}

#[tokio::test]
async fn workers_cap_throughput() {
    // 2 workers x 50ms = 40 req/s, whatever the concurrency.
    let server = spawn(Config {
        workers: Some(2),
        service_time: ms(50),
        ..Config::default()
    });
    let start = Instant::now();
    let deadline = tokio::time::Instant::from_std(start + ms(1000));
    let clients: Vec<_> = (0..20)
        .map(|_| {
            let addr = server.addr;
            tokio::spawn(async move {
                let mut c = Client::connect(addr).await;
                let mut done = 0u32;
                while let Ok(r) = tokio::time::timeout_at(deadline, c.send("GET", "/", &[], None)).await {
                    assert_eq!(r.unwrap().status, 200);
                    done += 1;
                }
                done
            })
        })
        .collect();
    let mut total = 0;
    for client in clients {
        total += client.await.unwrap();
    }
    eprintln!("{total} requests completed in 1s");
    assert!((25..=45).contains(&total), "{total} requests completed in 1s");
    server.shutdown();
}

#[tokio::test]
async fn overload_queue_makes_the_service_fall_over_for_good() {
    // 1 worker x 200 ms, falls over once more than 2 requests wait for it.
    let server = spawn(Config {
        workers: Some(1),
        service_time: ms(200),
        overload_queue: Some(2),
        ..Config::default()
    });
    // One in service, then three waiting: the third waiter overflows the queue.
    let clients: Vec<_> = (0..4u64)
        .map(|i| {
            let addr = server.addr;
            tokio::spawn(async move {
                tokio::time::sleep(ms(20 * i)).await;
                let mut c = Client::connect(addr).await;
                c.get("/").await.status
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for client in clients {
        statuses.push(client.await.unwrap());
    }
    assert_eq!(
        statuses,
        [200, 200, 200, 503],
        "the queue was already in when it fell over"
    );
    // Later requests, with the queue empty again, still get 503 at once.
    let mut c = Client::connect(server.addr).await;
    for _ in 0..3 {
        let start = Instant::now();
        let r = c.get("/").await;
        assert_eq!((r.status, r.body.as_str()), (503, r#"{"error":"overloaded"}"#));
        assert!(start.elapsed() < ms(100), "{:?}", start.elapsed());
    }
    assert_eq!(server.stats().by_status.get("503"), Some(&4));
    server.shutdown();
}

#[tokio::test]
async fn latency_grows_with_uptime() {
    // 6 s per minute adds 100 ms per second of uptime.
    let started = Instant::now();
    let server = spawn(Config {
        latency_growth: Duration::from_secs(6),
        ..Config::default()
    });
    let mut c = Client::connect(server.addr).await;
    let t = Instant::now();
    assert_eq!(c.get("/").await.status, 200);
    let early = t.elapsed();
    tokio::time::sleep_until(tokio::time::Instant::from_std(started + ms(1000))).await;
    let t = Instant::now();
    assert_eq!(c.get("/").await.status, 200);
    let later = t.elapsed();
    // ~uptime × 0.1: under 60 ms at first, 100 ms or more after a second.
    assert!(early < ms(60), "{early:?}");
    assert!(later >= ms(100) && later < ms(300), "{later:?}");
    server.shutdown();
}

#[tokio::test]
async fn service_time_without_workers_delays_each_request() {
    let server = spawn(Config {
        service_time: ms(30),
        cpu_work: ms(20),
        ..Config::default()
    });
    let mut c = Client::connect(server.addr).await;
    let start = Instant::now();
    assert_eq!(c.get("/").await.status, 200);
    assert!(start.elapsed() >= ms(50), "{:?}", start.elapsed());
    server.shutdown();
}

#[tokio::test]
async fn stall_holds_requests_until_the_window_ends() {
    let t0 = Instant::now();
    let server = spawn(Config {
        stall: Some(Stall {
            every: ms(1000),
            duration: ms(500),
        }),
        ..Config::default()
    });
    let mut c = Client::connect(server.addr).await;
    // Before the first window (it opens 1s after start): fast.
    let start = Instant::now();
    assert_eq!(c.get("/").await.status, 200);
    assert!(start.elapsed() < ms(300), "{:?}", start.elapsed());
    // Inside the first window [1s, 1.5s): held until it ends.
    tokio::time::sleep_until(tokio::time::Instant::from_std(t0 + ms(1100))).await;
    let start = Instant::now();
    assert_eq!(c.get("/").await.status, 200);
    let held = start.elapsed();
    assert!(held >= ms(300) && held < ms(900), "held {held:?}");
    assert_eq!(server.stats().requests_total, 2);
    server.shutdown();
}

#[tokio::test]
async fn leak_grows_and_reset_releases() {
    let server = spawn(Config {
        leak_bytes: 1024,
        ..Config::default()
    });
    let mut c = Client::connect(server.addr).await;
    for _ in 0..10 {
        c.get("/").await;
    }
    assert_eq!(c.get("/_stats").await.json()["leaked_bytes"], 10 * 1024);
    c.post("/_reset", &[], "").await;
    assert_eq!(server.stats().leaked_bytes, 0);
    server.shutdown();
}
