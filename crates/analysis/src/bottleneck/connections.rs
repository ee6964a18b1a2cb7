//! `connections`: the target could not take the connections loadcell opened — refused or
//! timed-out connects, in a number that matters (at least [`MIN_ERRORS`] and
//! [`MIN_PERCENT`] of requests). The host's listen-queue overflow and drop counters, when
//! `--monitor host` read them, are the kernel's proof that the backlog was full.

use std::collections::BTreeMap;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, ErrorKind, Summary};

use super::evidence;

pub const MIN_ERRORS: u64 = 5;
pub const MIN_PERCENT: f64 = 0.5;

/// Refused and timed-out connects, and their share of requests (percent), when they are
/// in a number that matters.
pub fn failed_connects(summary: &Summary) -> Option<(u64, u64, f64)> {
    let count = |kind: ErrorKind| summary.errors.get(kind.as_str()).copied().unwrap_or(0);
    let refused = count(ErrorKind::ConnectRefused);
    let timed_out = count(ErrorKind::ConnectTimeout);
    let failed = refused + timed_out;
    let attempts = summary.requests.total.max(1) as f64;
    let percent = 100.0 * failed as f64 / attempts;
    (failed >= MIN_ERRORS && percent >= MIN_PERCENT).then_some((refused, timed_out, percent))
}

pub fn verdict(summary: &Summary) -> Option<Bottleneck> {
    let (refused, timed_out, percent) = failed_connects(summary)?;
    let failed = refused + timed_out;
    let mut evidence = vec![format!(
        "{failed} requests could not connect ({percent:.1}%): {refused} refused, {timed_out} timed out"
    )];
    let mut numbers = BTreeMap::from([
        ("connect_refused".to_string(), refused as f64),
        ("connect_timeout".to_string(), timed_out as f64),
        ("connect_error_percent".to_string(), percent),
    ]);
    let kernel = evidence::host(summary).map(|host| {
        (
            evidence::max_of(host, "tcp_listen_overflows_per_s").unwrap_or(0.0),
            evidence::max_of(host, "tcp_listen_drops_per_s").unwrap_or(0.0),
        )
    });
    let proven = kernel.is_some_and(|(overflows, drops)| overflows > 0.0 || drops > 0.0);
    if let Some((overflows, drops)) = kernel {
        evidence.push(format!(
            "kernel: up to {overflows:.0} listen-queue overflows/s and {drops:.0} SYN drops/s (host TcpExtListenOverflows, ListenDrops)"
        ));
        numbers.insert("listen_overflows_per_s_max".to_string(), overflows);
        numbers.insert("listen_drops_per_s_max".to_string(), drops);
    }
    evidence.push(format!(
        "{} connections opened for {} requests",
        summary.connections_opened, summary.requests.total
    ));
    let verdict = if proven {
        "the target's listen queue overflowed: connections were refused before the service saw them"
    } else {
        "the target refused or did not accept connections in time"
    };
    Some(Bottleneck {
        kind: BottleneckKind::Connections,
        confidence: if proven || refused > 0 { Confidence::High } else { Confidence::Medium },
        verdict: verdict.to_string(),
        evidence,
        numbers,
        recommendations: vec![
            "raise the listen backlog: the server's listen(backlog) and net.core.somaxconn (the kernel caps it), and net.ipv4.tcp_max_syn_backlog".to_string(),
            "accept faster or open fewer connections (keep-alive, a connection pool in front); check the file descriptor limit".to_string(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::{BottleneckKind, Confidence, MonitorKind};

    #[test]
    fn refused_connects_with_listen_overflows_are_a_full_backlog() {
        let mut s = testing::open(1000.0, 900.0);
        s.errors.insert("connect_refused".into(), 300);
        s.requests.failed = 300;
        let s = testing::monitored(
            s,
            "host",
            MonitorKind::Host,
            &[
                ("tcp_listen_overflows_per_s", 20.0, 85.0),
                ("tcp_listen_drops_per_s", 20.0, 85.0),
            ],
        );
        let found = decide(&s);
        let c = found
            .iter()
            .find(|b| b.kind == BottleneckKind::Connections)
            .expect("connections");
        assert_eq!(c.confidence, Confidence::High);
        assert!(c.verdict.contains("listen queue overflowed"), "{}", c.verdict);
        assert_eq!(c.numbers["listen_overflows_per_s_max"], 85.0);
        assert!(c.recommendations[0].contains("backlog"));
    }

    #[test]
    fn a_few_connect_errors_among_many_requests_are_not_a_verdict() {
        let mut s = testing::open(1000.0, 1000.0);
        s.errors.insert("connect_timeout".into(), 3);
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Connections));
    }
}
