//! `network`: an interface carried bytes near its link speed. The host source (`--monitor
//! host`) writes each interface's `net_link_bytes_per_s` when the kernel knows it
//! (`/sys/class/net/IF/speed`); an interface whose mean received or sent bytes per second
//! reached [`NEAR_LINK`] of it was the limit. Loopback and most virtual interfaces have no
//! link speed: their traffic is never judged (there is nothing to compare it with, and a
//! guess would be a made-up number), and [`not_judged`] says so.

use std::collections::BTreeMap;

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, MonitorSummary, Summary};

use super::{Pressure, evidence};

/// A link counts as full at this share of its speed (mean over the run, either direction).
pub const NEAR_LINK: f64 = 0.9;

const LINK: &str = "net_link_bytes_per_s";

/// The busiest direction of one interface: (direction, mean bytes/s, max bytes/s).
fn busiest(host: &MonitorSummary, labels: &str) -> Option<(&'static str, f64, f64)> {
    ["rx", "tx"]
        .into_iter()
        .filter_map(|dir| {
            let m = evidence::metric(host, &format!("net_{dir}_bytes_per_s{labels}"))?;
            Some((dir, m.mean?, m.max.unwrap_or(0.0)))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
}

pub fn verdict(summary: &Summary, pressure: &Pressure) -> Option<Bottleneck> {
    let host = evidence::host(summary)?;
    host.metrics
        .iter()
        .filter_map(|m| Some((m.name.strip_prefix(LINK)?, m.mean?)))
        .find_map(|(labels, link)| {
            let (dir, mean, max) = busiest(host, labels)?;
            (link > 0.0 && mean >= NEAR_LINK * link).then(|| full(labels, link, dir, mean, max, pressure))
        })
}

fn full(labels: &str, link: f64, dir: &str, mean: f64, max: f64, pressure: &Pressure) -> Bottleneck {
    let iface = labels.trim_start_matches("{iface=\"").trim_end_matches("\"}");
    let share = 100.0 * mean / link;
    let mut evidence = vec![format!(
        "{iface}: {dir} mean {:.1} MB/s, max {:.1} MB/s, on a {:.0} Mb/s link ({share:.0}%)",
        mean / 1e6,
        max / 1e6,
        link * 8.0 / 1e6
    )];
    evidence.extend(pressure.describe());
    Bottleneck {
        kind: BottleneckKind::Network,
        confidence: if pressure.any() {
            Confidence::High
        } else {
            Confidence::Medium
        },
        verdict: format!("the network was the limit: {iface} carried {share:.0}% of its link speed"),
        evidence,
        numbers: BTreeMap::from([
            ("link_bytes_per_s".to_string(), link),
            ("link_share_percent".to_string(), share),
            (format!("{dir}_bytes_per_s_mean"), mean),
        ]),
        recommendations: vec![
            "send fewer bytes per response (compression, smaller payloads, caching)".to_string(),
            "or a faster link, more interfaces or more hosts behind a balancer".to_string(),
        ],
    }
}

/// Why no network verdict could be decided although the host was watched: the traffic went
/// over interfaces without a link speed (loopback). `None` when there is nothing to say.
pub fn not_judged(summary: &Summary) -> Option<String> {
    let host = evidence::host(summary)?;
    let has_link = host.metrics.iter().any(|m| m.name.starts_with(LINK));
    let on_loopback = host
        .metrics
        .iter()
        .any(|m| m.name.starts_with("net_rx_bytes_per_s{iface=\"lo\"}"));
    (!has_link && on_loopback).then(|| "network not judged: loopback has no link speed".to_string())
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::{BottleneckKind, Confidence, MonitorKind};

    #[test]
    fn an_interface_near_its_link_speed_is_the_network() {
        let s = testing::rising(testing::open(5000.0, 3000.0), 5.0, 60.0);
        let s = testing::monitored(
            s,
            "host",
            MonitorKind::Host,
            &[
                ("net_link_bytes_per_s{iface=\"eth0\"}", 125e6, 125e6),
                ("net_tx_bytes_per_s{iface=\"eth0\"}", 118e6, 124e6),
                ("net_rx_bytes_per_s{iface=\"eth0\"}", 4e6, 5e6),
            ],
        );
        let found = decide(&s);
        let net = found
            .iter()
            .find(|b| b.kind == BottleneckKind::Network)
            .unwrap_or_else(|| panic!("{found:?}"));
        assert_eq!(net.confidence, Confidence::High);
        assert!(net.verdict.contains("eth0 carried 94%"), "{}", net.verdict);
        assert!(net.evidence[0].contains("1000 Mb/s link"), "{:?}", net.evidence);
    }

    #[test]
    fn loopback_traffic_is_not_judged_and_a_half_full_link_is_no_verdict() {
        let s = testing::monitored(
            testing::open(100.0, 100.0),
            "host",
            MonitorKind::Host,
            &[("net_rx_bytes_per_s{iface=\"lo\"}", 9e9, 9e9)],
        );
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Network));
        assert_eq!(
            super::not_judged(&s).as_deref(),
            Some("network not judged: loopback has no link speed")
        );
        let half = testing::monitored(
            testing::open(100.0, 100.0),
            "host",
            MonitorKind::Host,
            &[
                ("net_link_bytes_per_s{iface=\"eth0\"}", 125e6, 125e6),
                ("net_tx_bytes_per_s{iface=\"eth0\"}", 60e6, 80e6),
            ],
        );
        assert!(decide(&half).is_empty(), "{:?}", decide(&half));
        assert_eq!(super::not_judged(&half), None);
    }
}
