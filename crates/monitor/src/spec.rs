//! `--monitor SOURCE` as written: `pid:N`, `process:NAME`, `cgroup:PATH`, `host` or
//! `prometheus:URL`. Parsing only checks the form; whether the source is there is checked
//! when the plan is resolved (`crate::plan`).

use std::fmt;
use std::str::FromStr;

use loadcell_schema::MonitorKind;

use crate::MonitorError;

/// One `--monitor` source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// One process and nothing else.
    Pid(u32),
    /// Every process whose name or command line matches, with their children.
    Process(String),
    /// A cgroup v2 directory, absolute or relative to the cgroup2 mount.
    Cgroup(String),
    /// The whole machine.
    Host,
    /// A Prometheus text-format endpoint (`http://` only), scraped each interval.
    Prometheus(String),
}

const KINDS: [&str; 5] = ["pid", "process", "cgroup", "host", "prometheus"];
const FORMS: &str = "pid:N, process:NAME, cgroup:PATH, host or prometheus:URL";

impl SourceSpec {
    /// Parses one source; errors name what is wrong and what would be right.
    pub fn parse(text: &str) -> Result<SourceSpec, MonitorError> {
        let spec = text.trim();
        if spec == "host" {
            return Ok(SourceSpec::Host);
        }
        let Some((kind, value)) = spec.split_once(':') else {
            let hint = match loadcell_diagnostics::closest(spec, KINDS) {
                Some("host") => "did you mean 'host'?".to_string(),
                Some(k) => format!("did you mean '{k}:…'?"),
                None => format!("expected {FORMS}"),
            };
            return Err(MonitorError::bad_spec(text, hint));
        };
        let value = value.trim();
        let need = |what: &str| {
            if value.is_empty() {
                Err(MonitorError::bad_spec(text, format!("missing {what} after '{kind}:'")))
            } else {
                Ok(value.to_string())
            }
        };
        match kind {
            "pid" => parse_pid(text, value).map(SourceSpec::Pid),
            "process" => need("a process name").map(SourceSpec::Process),
            "cgroup" => need("a cgroup path").map(SourceSpec::Cgroup),
            "prometheus" => check_url(text, &need("a URL")?).map(SourceSpec::Prometheus),
            "host" => Err(MonitorError::bad_spec(text, "write just 'host'")),
            other => {
                let hint = match loadcell_diagnostics::closest(other, KINDS) {
                    Some(k) => format!("unknown source kind '{other}'; did you mean '{k}'?"),
                    None => format!("unknown source kind '{other}'; expected {FORMS}"),
                };
                Err(MonitorError::bad_spec(text, hint))
            }
        }
    }

    /// The kind of source.
    pub fn kind(&self) -> MonitorKind {
        match self {
            SourceSpec::Pid(_) => MonitorKind::Pid,
            SourceSpec::Process(_) => MonitorKind::Process,
            SourceSpec::Cgroup(_) => MonitorKind::Cgroup,
            SourceSpec::Host => MonitorKind::Host,
            SourceSpec::Prometheus(_) => MonitorKind::Prometheus,
        }
    }
}

impl fmt::Display for SourceSpec {
    /// The canonical text, used as the source's name everywhere (`pid:4242`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceSpec::Pid(pid) => write!(f, "pid:{pid}"),
            SourceSpec::Process(name) => write!(f, "process:{name}"),
            SourceSpec::Cgroup(path) => write!(f, "cgroup:{path}"),
            SourceSpec::Host => f.write_str("host"),
            SourceSpec::Prometheus(url) => write!(f, "prometheus:{url}"),
        }
    }
}

impl FromStr for SourceSpec {
    type Err = MonitorError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceSpec::parse(s)
    }
}

fn parse_pid(text: &str, value: &str) -> Result<u32, MonitorError> {
    match value.parse::<u32>() {
        Ok(0) => Err(MonitorError::bad_spec(text, "pid 0 is not a process")),
        Ok(pid) => Ok(pid),
        Err(_) if value.is_empty() => Err(MonitorError::bad_spec(text, "missing a process id after 'pid:'")),
        Err(_) => Err(MonitorError::bad_spec(
            text,
            format!(
                "'{}' is not a process id; use process:NAME to match by name",
                clip(value)
            ),
        )),
    }
}

fn check_url(text: &str, value: &str) -> Result<String, MonitorError> {
    let url = url::Url::parse(value).map_err(|e| {
        let hint = if value.contains("://") {
            format!("'{}' is not a URL: {e}", clip(value))
        } else {
            format!(
                "'{}' is not a URL; write e.g. prometheus:http://127.0.0.1:9100/metrics",
                clip(value)
            )
        };
        MonitorError::bad_spec(text, hint)
    })?;
    if url.scheme() != "http" {
        return Err(MonitorError::bad_spec(
            text,
            format!("only http:// endpoints can be scraped, not {}://", url.scheme()),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(MonitorError::bad_spec(text, "the URL has no host"));
    }
    Ok(value.to_string())
}

fn clip(s: &str) -> String {
    loadcell_diagnostics::clip(s, 80)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        match SourceSpec::parse(text) {
            Ok(s) => panic!("{text:?} parsed as {s:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn every_kind_parses_and_prints_back() {
        for (text, spec) in [
            ("pid:4242", SourceSpec::Pid(4242)),
            ("process:nginx", SourceSpec::Process("nginx".into())),
            ("process: my app ", SourceSpec::Process("my app".into())),
            (
                "cgroup:/system.slice/x.service",
                SourceSpec::Cgroup("/system.slice/x.service".into()),
            ),
            ("host", SourceSpec::Host),
            (
                "prometheus:http://127.0.0.1:9100/metrics",
                SourceSpec::Prometheus("http://127.0.0.1:9100/metrics".into()),
            ),
        ] {
            assert_eq!(SourceSpec::parse(text), Ok(spec.clone()), "{text}");
            assert_eq!(SourceSpec::parse(&spec.to_string()), Ok(spec));
        }
        assert_eq!(SourceSpec::Pid(1).kind(), MonitorKind::Pid);
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        assert_eq!(
            err("pdi:12"),
            "bad --monitor 'pdi:12': unknown source kind 'pdi'; did you mean 'pid'?"
        );
        assert_eq!(err("hots"), "bad --monitor 'hots': did you mean 'host'?");
        assert!(
            err("nginx").contains("expected pid:N, process:NAME"),
            "{}",
            err("nginx")
        );
        assert!(err("pid:abc").contains("'abc' is not a process id; use process:NAME"));
        assert!(err("pid:0").contains("pid 0 is not a process"));
        assert!(err("pid:").contains("missing a process id"));
        assert!(err("process:").contains("missing a process name"));
        assert!(err("cgroup: ").contains("missing a cgroup path"));
        assert!(err("host:x").contains("write just 'host'"));
        assert!(err("prometheus:127.0.0.1:9100").contains("write e.g. prometheus:http://"));
        assert!(err("prometheus:https://x/metrics").contains("only http://"));
        assert!(err("prometheus:").contains("missing a URL"));
        assert!(!err("pid:\u{7}").contains('\u{7}'), "control characters are escaped");
    }
}
