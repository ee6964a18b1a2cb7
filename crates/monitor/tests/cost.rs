//! The monitor's own cost: the CPU its thread spends per round of readings (its own CPU
//! clock, start-up included), for each kind of source alone and for three sources at once
//! (this process, the host, a Prometheus endpoint of node_exporter's shape). At one round
//! per second, 1% of a core is 10 ms per round.
//!
//! `cargo test -p loadcell-monitor --test cost -- --nocapture` prints the figures of a debug
//! build (regex compiled with optimisations, as `[profile.dev.package]` says); add
//! `--release` for what the shipped binary spends.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use loadcell_monitor::{Clock, Monitor, MonitorPlan, SourceSpec};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};

/// A `/metrics` page of node_exporter's shape (8 CPUs × 8 modes, 300 more families) on
/// 127.0.0.1, served on a thread with keep-alive like a real exporter.
fn exporter() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut body = String::from("# TYPE node_cpu_seconds_total counter\n");
    for cpu in 0..8 {
        for mode in ["idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"] {
            body += &format!(
                "node_cpu_seconds_total{{cpu=\"{cpu}\",mode=\"{mode}\"}} {}.5\n",
                cpu * 1000
            );
        }
    }
    for i in 0..300 {
        body += &format!("# HELP node_misc_{i} Something.\n# TYPE node_misc_{i} gauge\nnode_misc_{i}{{a=\"x\"}} {i}\n");
    }
    body += "# TYPE node_load1 gauge\nnode_load1 0.5\n# TYPE process_resident_memory_bytes gauge\n\
             process_resident_memory_bytes 1.5e+07\n";
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let body = body.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                while matches!(stream.read(&mut buf), Ok(n) if n > 0) {
                    let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", body.len());
                    if stream
                        .write_all(head.as_bytes())
                        .and_then(|()| stream.write_all(body.as_bytes()))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
    });
    format!("http://{addr}/metrics")
}

/// Rounds at 100 ms for 2 s: the monitor thread's CPU per round, ms.
fn per_round_ms(specs: &[SourceSpec]) -> f64 {
    let plan = MonitorPlan::resolve(specs, &[]).unwrap();
    let clock = Clock {
        t0: Instant::now(),
        interval: Duration::from_millis(100),
    };
    let monitor = Monitor::start(plan, clock, None);
    std::thread::sleep(Duration::from_millis(2050));
    let run = monitor.finish();
    assert!((18..=23).contains(&run.cost.rounds), "{:?}", run.cost);
    assert!(run.samples.iter().all(|s| s.error.is_none()), "a reading failed");
    run.cost.ms_per_round()
}

#[test]
fn three_sources_cost_under_one_percent_of_a_core() {
    let url = exporter();
    let me = SourceSpec::Pid(std::process::id());
    let prometheus = SourceSpec::Prometheus(url);
    for spec in [&me, &SourceSpec::Host, &prometheus] {
        eprintln!(
            "cost: {spec}: {:.3} ms per round",
            per_round_ms(std::slice::from_ref(spec))
        );
    }
    let all = per_round_ms(&[me, SourceSpec::Host, prometheus]);
    eprintln!(
        "cost: the three together: {all:.3} ms per round = {:.3}% of a core at 1 s",
        all / 10.0
    );
    assert!(
        all < 10.0,
        "{all} ms per round is 1% of a core or more at one round per second"
    );
}
