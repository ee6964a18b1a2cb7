//! Where requests go: scheme, host and port of a base URL, checked once before the run.

use crate::error::RequestError;
use rustls::pki_types::ServerName;

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    Http,
    Https,
}

/// A parsed origin plus the path and query of the URL it came from.
#[derive(Debug, Clone)]
pub struct Origin {
    pub scheme: Scheme,
    /// Host as written (brackets removed from IPv6 literals).
    pub host: String,
    pub port: u16,
    /// The `Host` header value (`host[:port]`, port omitted when it is the default).
    pub authority: String,
    /// Path and query of the URL (`/` when empty).
    pub path_and_query: String,
    /// TLS server name (SNI and certificate verification).
    pub server_name: ServerName<'static>,
}

impl Origin {
    /// Parses an absolute `http://` or `https://` URL.
    pub fn parse(raw: &str) -> Result<Origin, RequestError> {
        let invalid = |reason: &str| RequestError::InvalidUrl {
            url: raw.to_string(),
            reason: reason.to_string(),
        };
        let url = url::Url::parse(raw).map_err(|e| invalid(&e.to_string()))?;
        let scheme = match url.scheme() {
            "http" => Scheme::Http,
            "https" => Scheme::Https,
            other => return Err(RequestError::UnsupportedScheme(other.to_string())),
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(h) => h.to_string(),
            None => return Err(invalid("no host")),
        };
        if host.is_empty() {
            return Err(invalid("no host"));
        }
        let port = url.port_or_known_default().ok_or_else(|| invalid("no port"))?;
        let authority = match (url.host(), url.port()) {
            (Some(url::Host::Ipv6(ip)), Some(p)) => format!("[{ip}]:{p}"),
            (Some(url::Host::Ipv6(ip)), None) => format!("[{ip}]"),
            (_, Some(p)) => format!("{host}:{p}"),
            (_, None) => host.clone(),
        };
        let mut path_and_query = url.path().to_string();
        if let Some(q) = url.query() {
            path_and_query.push('?');
            path_and_query.push_str(q);
        }
        let server_name =
            ServerName::try_from(host.clone()).map_err(|_| invalid("host is not a valid TLS server name"))?;
        Ok(Origin {
            scheme,
            host,
            port,
            authority,
            path_and_query,
            server_name,
        })
    }

    /// `scheme://authority`, for messages and joining relative paths.
    pub fn base(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        format!("{scheme}://{}", self.authority)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_hosts_ports_and_paths() {
        let o = Origin::parse("http://127.0.0.1:8080/a/b?x=1").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (o.host.as_str(), o.port, o.authority.as_str()),
            ("127.0.0.1", 8080, "127.0.0.1:8080")
        );
        assert_eq!(o.path_and_query, "/a/b?x=1");
        let o = Origin::parse("https://example.test").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (o.port, o.authority.as_str(), o.path_and_query.as_str()),
            (443, "example.test", "/")
        );
        let o = Origin::parse("http://[::1]:9/").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((o.host.as_str(), o.authority.as_str()), ("::1", "[::1]:9"));
    }

    #[test]
    fn rejects_what_is_not_an_http_url() {
        assert!(matches!(
            Origin::parse("ftp://x/"),
            Err(RequestError::UnsupportedScheme(_))
        ));
        assert!(matches!(
            Origin::parse("not a url"),
            Err(RequestError::InvalidUrl { .. })
        ));
        assert!(matches!(Origin::parse("http://"), Err(RequestError::InvalidUrl { .. })));
        assert!(matches!(
            Origin::parse("http://x:99999/"),
            Err(RequestError::InvalidUrl { .. })
        ));
    }
}
