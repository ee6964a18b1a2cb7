//! Bottleneck verdicts that need no `--monitor`: loadcell on one thread at a rate it cannot
//! keep, against a server cheaper per request than itself, is `generator`; a port that
//! refuses every connection is `connections` (the listen-backlog variant needs `--monitor
//! host` for the kernel's counters and is not here yet).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use loadcell_schema::{BottleneckKind, Confidence};
use loadcell_testkit::{Loadcell, RefusingPort, process::run_summary};

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

#[test]
fn a_port_that_refuses_every_connection_is_connections() {
    let port = RefusingPort::new();
    let url = format!("http://127.0.0.1:{}/", port.port);
    let done = run_summary(url.as_ref(), &["--rate", "50", "-d", "1s"], |c| c);
    let summary = done.typed();
    let verdict = summary
        .bottlenecks
        .first()
        .unwrap_or_else(|| panic!("no verdict: {:?}", summary.errors));
    assert_eq!(verdict.kind, BottleneckKind::Connections, "{:#?}", summary.bottlenecks);
    assert!(verdict.evidence[0].contains("refused"), "{verdict:?}");
}
