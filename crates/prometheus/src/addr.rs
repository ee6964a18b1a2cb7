//! The `--prometheus` address: `PORT`, `:PORT`, `IP:PORT`, `[IPv6]:PORT` or
//! `localhost:PORT`, loopback unless an IP says otherwise.

use crate::error::PrometheusError;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The default port of `--prometheus` (the OpenTelemetry Prometheus exporter's, too).
pub const DEFAULT_PORT: u16 = 9464;

/// Where `--prometheus` listens when given no value: loopback only.
pub const DEFAULT_ADDR: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DEFAULT_PORT);

/// Parses a `--prometheus` value. A bare port (or `:PORT`) and `localhost` mean
/// 127.0.0.1; any other host must be an IP literal (`0.0.0.0` to listen everywhere), so
/// that no name lookup decides which interface is exposed. Port 0 picks a free port.
pub fn parse_addr(input: &str) -> Result<SocketAddr, PrometheusError> {
    let bad = |reason| PrometheusError::Address {
        input: input.to_owned(),
        reason,
    };
    let s = input.trim();
    if s.is_empty() {
        return Err(bad("expected [IP:]PORT, e.g. 127.0.0.1:9464"));
    }
    let port_only = s.strip_prefix(':').unwrap_or(s);
    if port_only.bytes().all(|b| b.is_ascii_digit()) {
        let port = port_only.parse().map_err(|_| bad("the port must be 0..=65535"))?;
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Ok(addr);
    }
    match s.rsplit_once(':') {
        Some((host, port)) if host.eq_ignore_ascii_case("localhost") => {
            let port = port.parse().map_err(|_| bad("the port must be 0..=65535"))?;
            Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
        }
        Some((host, _)) if host.parse::<IpAddr>().is_err() && !host.starts_with('[') => {
            Err(bad("the host must be an IP address (or localhost), e.g. 0.0.0.0:9464"))
        }
        _ => Err(bad("expected [IP:]PORT, e.g. 127.0.0.1:9464")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ports_ips_and_localhost() {
        assert_eq!(parse_addr("9464").unwrap(), DEFAULT_ADDR);
        assert_eq!(parse_addr(":9464").unwrap(), DEFAULT_ADDR);
        assert_eq!(parse_addr("localhost:9464").unwrap(), DEFAULT_ADDR);
        assert_eq!(parse_addr("0.0.0.0:9100").unwrap(), "0.0.0.0:9100".parse().unwrap());
        assert_eq!(parse_addr("[::1]:0").unwrap(), "[::1]:0".parse().unwrap());
    }

    #[test]
    fn rejects_names_and_bad_ports() {
        let msg = parse_addr("example.com:9464").unwrap_err().to_string();
        assert!(msg.contains("must be an IP address"), "{msg}");
        assert!(parse_addr("70000").is_err());
        assert!(parse_addr("1.2.3.4").is_err());
        assert!(parse_addr("").is_err());
        assert!(parse_addr("localhost:x").is_err());
    }
}
