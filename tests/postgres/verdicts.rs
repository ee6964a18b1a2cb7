//! Bottleneck verdicts that need no `--monitor`: loadcell on one thread at a rate it cannot
//! keep, against a server cheaper per request than itself, is `generator`; a port that
//! refuses every connection is `connections` (the listen-backlog variant needs `--monitor
//! host` for the kernel's counters and is not here yet).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use loadcell_schema::{BottleneckKind, Confidence};
use loadcell_testkit::{Loadcell, process::run_summary};

/// A keep-alive server cheaper per request than loadcell (a canned answer per request head,
/// a thread per connection, no HTTP library). The listener thread ends with the test process.
fn canned_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    format!("http://{addr}/")
}

fn answer(mut stream: TcpStream) {
    const REPLY: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    let mut buf = [0u8; 4096];
    let mut pending = 0usize;
    while let Ok(n) = stream.read(&mut buf[pending..]) {
        if n == 0 {
            return;
        }
        pending += n;
        let text = &buf[..pending];
        let heads = text.windows(4).filter(|w| w == b"\r\n\r\n").count();
        let consumed = text.windows(4).rposition(|w| w == b"\r\n\r\n").map_or(0, |i| i + 4);
        for _ in 0..heads {
            if stream.write_all(REPLY).is_err() {
                return;
            }
        }
        buf.copy_within(consumed..pending, 0);
        pending -= consumed;
    }
}

#[test]
fn one_thread_at_a_rate_it_cannot_keep_is_the_generator() {
    let url = canned_server();
    let done = run_summary(
        url.as_ref(),
        &["--threads", "1", "--rate", "200000", "--max-vus", "300", "-d", "2s"],
        Loadcell::alone,
    );
    let summary = done.typed();
    // What the verdict rests on, shown when it fails.
    let seen = format!(
        "generator {:?}; latency mean {:.2} ms, service mean {:.2} ms; {:?}; VUs {:?}",
        summary.generator,
        summary.latency_ms.mean,
        summary.service_time_ms.as_ref().map_or(0.0, |s| s.mean),
        summary.arrival_rate,
        summary.vus
    );
    let achieved = summary.arrival_rate.as_ref().map_or(0.0, |r| r.achieved_per_s);
    assert!(achieved < 190_000.0, "one debug-built thread kept 200k/s? {achieved}");
    let verdict = summary
        .bottlenecks
        .first()
        .unwrap_or_else(|| panic!("no verdict; {seen}"));
    assert_eq!(
        verdict.kind,
        BottleneckKind::Generator,
        "{seen}\n{:#?}",
        summary.bottlenecks
    );
    assert_eq!(verdict.confidence, Confidence::High);
    assert!(
        done.output().contains("generator (high confidence)"),
        "{}",
        done.output()
    );
}

/// Answers every request for `serving`, then closes its listener: every later connect is
/// refused. (A port that refuses from the start is a setup error, exit 2 — issue #10.)
fn a_server_that_goes_away(serving: std::time::Duration) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    listener.set_nonblocking(true).expect("non-blocking");
    std::thread::spawn(move || {
        let until = std::time::Instant::now() + serving;
        while std::time::Instant::now() < until {
            match listener.accept() {
                Ok((mut stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    let mut request = [0u8; 2048];
                    let _ = stream.read(&mut request);
                    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(1)),
            }
        }
    });
    port
}

#[test]
fn a_target_that_stops_accepting_connections_is_connections() {
    let port = a_server_that_goes_away(std::time::Duration::from_secs(1));
    let url = format!("http://127.0.0.1:{port}/");
    let done = run_summary(url.as_ref(), &["--rate", "50", "-d", "4s"], |c| c);
    let summary = done.typed();
    let verdict = summary
        .bottlenecks
        .first()
        .unwrap_or_else(|| panic!("no verdict: {:?}", summary.errors));
    assert_eq!(verdict.kind, BottleneckKind::Connections, "{:#?}", summary.bottlenecks);
    assert!(verdict.evidence[0].contains("refused"), "{verdict:?}");
}
