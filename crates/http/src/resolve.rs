//! Host overrides, as curl's `--resolve host:port:address`: connections to `host:port` go to
//! `address` while the URL, the `Host` header and TLS SNI keep the real name, so a service
//! can be tested by its name without changing DNS. Looked up once per connection, never
//! per request.

use crate::error::RequestError;
use std::net::IpAddr;

/// One `host:port:address` override.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolve {
    /// The name as it appears in URLs, lower-cased.
    pub host: String,
    /// The port it applies to; `None` for curl's `*` (any port).
    pub port: Option<u16>,
    pub addr: IpAddr,
}

impl Resolve {
    /// Parses `host:port:address` (`address` may be `[v6]` or a bare IPv6 literal; `port`
    /// may be `*`).
    pub fn parse(entry: &str) -> Result<Resolve, RequestError> {
        let bad = |reason: &str| RequestError::InvalidResolve {
            entry: entry.to_string(),
            reason: reason.to_string(),
        };
        let (host, rest) = entry.split_once(':').ok_or_else(|| bad("no ':' after the host"))?;
        let (port, addr) = rest.split_once(':').ok_or_else(|| bad("no ':' after the port"))?;
        let host = host.trim().trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(bad("the host is empty"));
        }
        let port = match port.trim() {
            "*" => None,
            p => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|p| *p > 0)
                    .ok_or_else(|| bad("the port is not a number from 1 to 65535"))?,
            ),
        };
        let addr = addr.trim();
        let addr = addr.strip_prefix('[').and_then(|a| a.strip_suffix(']')).unwrap_or(addr);
        let addr = addr
            .parse::<IpAddr>()
            .map_err(|_| bad("the address is not an IP address (curl takes no names there either)"))?;
        Ok(Resolve {
            host: host.to_ascii_lowercase(),
            port,
            addr,
        })
    }

    /// Whether a connection to `host:port` goes to this address instead.
    pub fn matches(&self, host: &str, port: u16) -> bool {
        self.port.is_none_or(|p| p == port) && self.host.eq_ignore_ascii_case(host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_curl_syntax() {
        let r = Resolve::parse("API.example.test:8443:127.0.0.1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.host.as_str(), r.port), ("api.example.test", Some(8443)));
        assert!(r.matches("api.example.test", 8443));
        assert!(!r.matches("api.example.test", 443));
        let r = Resolve::parse("x.test:*:[::1]").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.addr, "::1".parse::<IpAddr>().unwrap_or_else(|e| panic!("{e}")));
        assert!(r.matches("x.test", 1));
        let r = Resolve::parse("x.test:80:::1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.port, Some(80));
    }

    #[test]
    fn rejects_what_is_not_host_port_address() {
        for bad in [
            "x.test",
            "x.test:80",
            ":80:127.0.0.1",
            "x.test:0:127.0.0.1",
            "x.test:http:127.0.0.1",
            "x.test:80:localhost",
        ] {
            let e = Resolve::parse(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(e.contains(bad) && e.contains("host:port:address"), "{bad}: {e}");
        }
    }
}
