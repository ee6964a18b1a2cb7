//! The unit of a metric, read from its name: monitor metrics carry it in their suffix
//! (`_percent`, `_bytes`, `_bytes_per_s`, `_per_s`), Prometheus series by convention
//! (`_bytes`, `_seconds`, and `rate(…)` per second).

/// `percent`, `bytes`, `bytes/s`, `/s`, `count`, or empty when the name does not say.
pub fn unit_of(name: &str) -> &'static str {
    let base = name.split('{').next().unwrap_or(name);
    if let Some(inner) = base.strip_prefix("rate(") {
        return if inner.contains("_bytes") { "bytes/s" } else { "/s" };
    }
    if base.ends_with("_percent") {
        "percent"
    } else if base.ends_with("_bytes_per_s") {
        "bytes/s"
    } else if base.ends_with("_per_s") {
        "/s"
    } else if base.ends_with("_bytes") {
        "bytes"
    } else if matches!(base, "fds" | "threads" | "pids" | "processes") || base.ends_with("_fds") {
        "count"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_come_from_names() {
        assert_eq!(unit_of("cpu_percent"), "percent");
        assert_eq!(unit_of("rss_bytes"), "bytes");
        assert_eq!(unit_of("read_bytes_per_s"), "bytes/s");
        assert_eq!(unit_of("net_rx_bytes_per_s{iface=\"lo\"}"), "bytes/s");
        assert_eq!(unit_of("ctx_voluntary_per_s"), "/s");
        assert_eq!(unit_of("fds"), "count");
        assert_eq!(unit_of("process_open_fds"), "count");
        assert_eq!(
            unit_of("rate(node_network_receive_bytes_total{device=\"eth0\"})"),
            "bytes/s"
        );
        assert_eq!(unit_of("rate(process_cpu_seconds_total)"), "/s");
        assert_eq!(unit_of("load1"), "");
    }
}
