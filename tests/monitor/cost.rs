//! The monitor's own cost: the CPU its thread spends per reading of three sources (a
//! process, the host and a Prometheus endpoint), from the thread's schedstat (nanoseconds
//! on CPU). At one reading per second, 1% of a core is 10 ms per reading.

use crate::support::{Target, monitor};
use loadcell_monitor::SourceSpec;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

/// A node_exporter-sized `/metrics` (a few hundred series) on 127.0.0.1, served on a thread.
fn exporter() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
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
        body += &format!("# TYPE node_misc_{i} gauge\nnode_misc_{i}{{a=\"x\"}} {i}\n");
    }
    body += "# TYPE node_load1 gauge\nnode_load1 0.5\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.5e+07\n";
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(body.as_bytes());
        }
    });
    format!("http://{addr}/metrics")
}

/// Nanoseconds on CPU of this process's thread called `name`.
fn thread_cpu_ns(name: &str) -> Option<u64> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        // The kernel keeps 15 bytes of a thread's name.
        if name.starts_with(comm.trim()) && !comm.trim().is_empty() {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            return stat.split_ascii_whitespace().next()?.parse().ok();
        }
    }
    None
}

#[test]
fn three_sources_cost_far_under_one_percent_of_a_core() {
    let target = Target::start(&[]);
    let url = exporter();
    let specs = [
        SourceSpec::Pid(target.pid()),
        SourceSpec::Host,
        SourceSpec::Prometheus(url),
    ];
    let (mon, _) = monitor(&specs, None);
    // After the first readings (thread start-up, first connection), count 8 readings.
    std::thread::sleep(Duration::from_millis(1500));
    let before = thread_cpu_ns("loadcell-monitor").expect("monitor thread");
    let readings_before = mon.drain().len();
    std::thread::sleep(Duration::from_secs(8));
    let after = thread_cpu_ns("loadcell-monitor").expect("monitor thread");
    let readings = mon.drain().len();
    let run = mon.finish();
    assert!(readings_before >= 3, "{readings_before}");
    let rounds = readings as f64 / 3.0;
    let per_round_ms = (after - before) as f64 / 1e6 / rounds;
    eprintln!(
        "cost: {per_round_ms:.3} ms of CPU per reading of 3 sources ({:.3}% of a core at 1 s; debug build)",
        per_round_ms / 10.0
    );
    assert!((7.0..=9.5).contains(&rounds), "{rounds} rounds of readings in 8 s");
    assert!(per_round_ms < 2.5, "{per_round_ms} ms per reading");
    let s = run.summaries(0.0, f64::INFINITY);
    let prom = &s[2];
    assert_eq!(prom.failed_samples, 0, "{prom:?}");
    assert!(prom.metrics.iter().any(|m| m.name == "process_resident_memory_bytes"));
    assert!(
        prom.metrics
            .iter()
            .any(|m| m.name == "rate(node_cpu_seconds_total{mode=\"idle\"})")
    );
}
