//! [`Config`]: the validated server settings and knobs, built from [`TargetArgs`]
//! or by hand (tests, the in-process [`crate::TargetHandle`]).

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::args::TargetArgs;
use crate::db::PostgresConfig;
use crate::error::TargetError;
use crate::knobs::{self, Latency, Stall};

/// Listen backlog unless `--backlog` says otherwise: enough for a load generator opening
/// many connections at once.
pub const DEFAULT_BACKLOG: u32 = 1024;

/// Validated settings. `Config::default()` has no knobs, port 0 and one thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Address to listen on.
    pub host: IpAddr,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// Listen backlog (at least 1; the kernel caps it at net.core.somaxconn).
    pub backlog: u32,
    /// Tokio runtime worker threads (at least 1).
    pub threads: usize,
    /// Added latency per request, outside the workers.
    pub latency: Option<Latency>,
    /// Share of requests answered 500 `{"error":"injected"}` (0..=1).
    pub error_rate: f64,
    /// Periodic stalls measured from server start.
    pub stall: Option<Stall>,
    /// Number of service workers; `None` = unlimited.
    pub workers: Option<usize>,
    /// Time each request holds its worker (async sleep).
    pub service_time: Duration,
    /// Contention: each request waits this long per request in flight (itself included).
    pub serial_time: Duration,
    /// Coherency: each request waits this long per ordered pair of requests in flight,
    /// `n·(n−1)` times for `n` in flight.
    pub coherency_time: Duration,
    /// CPU busy-spin per request (inside the worker).
    pub cpu_work: Duration,
    /// Bytes kept per request.
    pub leak_bytes: u64,
    /// Descriptors kept open per request.
    pub leak_fds: usize,
    /// Share of responses that close the connection (0..=1).
    pub close_rate: f64,
    /// Needs `workers`: once more than this many requests wait for a worker, every later
    /// request is answered 503 at once, for good.
    pub overload_queue: Option<usize>,
    /// Added latency per minute of uptime (grows linearly, capped at 1 h).
    pub latency_growth: Duration,
    /// Error rate added per minute of uptime (the total is capped at 1).
    pub error_growth: f64,
    /// `--postgres`: serve the `/api/db` routes from this database.
    pub postgres: Option<PostgresConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            backlog: DEFAULT_BACKLOG,
            threads: 1,
            latency: None,
            error_rate: 0.0,
            stall: None,
            workers: None,
            service_time: Duration::ZERO,
            serial_time: Duration::ZERO,
            coherency_time: Duration::ZERO,
            cpu_work: Duration::ZERO,
            leak_bytes: 0,
            leak_fds: 0,
            close_rate: 0.0,
            overload_queue: None,
            latency_growth: Duration::ZERO,
            error_growth: 0.0,
            postgres: None,
        }
    }
}

impl Config {
    /// Validates and converts command-line flags.
    pub fn from_args(args: &TargetArgs) -> Result<Config, TargetError> {
        let host = args
            .host
            .trim()
            .parse::<IpAddr>()
            .map_err(|_| TargetError::flag("host", &args.host, "not an IP address"))?;
        let port = args
            .port
            .trim()
            .parse::<u16>()
            .map_err(|_| TargetError::flag("port", &args.port, "not a port number (0-65535)"))?;
        let threads = flag("threads", &args.threads, knobs::parse_count)?;
        let backlog = flag("backlog", &args.backlog, knobs::parse_count)?;
        let backlog = u32::try_from(backlog)
            .map_err(|_| TargetError::flag("backlog", &args.backlog, "larger than 4294967295"))?;
        let stall = match (&args.stall_every, &args.stall_for) {
            (None, None) => None,
            (Some(every), None) => {
                return Err(TargetError::flag("stall-every", every, "needs --stall-for too"));
            }
            (None, Some(duration)) => {
                return Err(TargetError::flag("stall-for", duration, "needs --stall-every too"));
            }
            (Some(every), Some(duration)) => {
                let stall = Stall {
                    every: flag("stall-every", every, knobs::parse_duration)?,
                    duration: flag("stall-for", duration, knobs::parse_duration)?,
                };
                stall
                    .check()
                    .map_err(|reason| TargetError::flag("stall-for", duration, reason))?;
                Some(stall)
            }
        };
        let config = Config {
            host,
            port,
            backlog,
            threads,
            latency: opt_flag("latency", &args.latency, Latency::parse)?,
            error_rate: opt_flag("error-rate", &args.error_rate, knobs::parse_rate)?.unwrap_or(0.0),
            stall,
            workers: opt_flag("workers", &args.workers, knobs::parse_count)?,
            service_time: opt_flag("service-time", &args.service_time, knobs::parse_duration)?.unwrap_or_default(),
            serial_time: opt_flag("serial-time", &args.serial_time, knobs::parse_duration)?.unwrap_or_default(),
            coherency_time: opt_flag("coherency-time", &args.coherency_time, knobs::parse_duration)?
                .unwrap_or_default(),
            cpu_work: opt_flag("cpu-work", &args.cpu_work, knobs::parse_duration)?.unwrap_or_default(),
            leak_bytes: opt_flag("leak", &args.leak, knobs::parse_size)?.unwrap_or(0),
            leak_fds: opt_flag("leak-fds", &args.leak_fds, knobs::parse_count)?.unwrap_or(0),
            close_rate: opt_flag("close-rate", &args.close_rate, knobs::parse_rate)?.unwrap_or(0.0),
            overload_queue: opt_flag("overload-queue", &args.overload_queue, knobs::parse_count)?,
            latency_growth: opt_flag("latency-growth", &args.latency_growth, knobs::parse_duration)?
                .unwrap_or_default(),
            error_growth: opt_flag("error-growth", &args.error_growth, knobs::parse_rate)?.unwrap_or(0.0),
            postgres: postgres(args)?,
        };
        config.validate()?;
        Ok(config)
    }

    /// Checks a (possibly hand-built) config; errors name the matching flag.
    pub fn validate(&self) -> Result<(), TargetError> {
        if self.threads == 0 {
            return Err(TargetError::flag("threads", "0", "must be at least 1"));
        }
        if self.backlog == 0 {
            return Err(TargetError::flag("backlog", "0", "must be at least 1"));
        }
        if self.workers == Some(0) {
            return Err(TargetError::flag("workers", "0", "must be at least 1"));
        }
        if let (Some(n), None) = (self.overload_queue, self.workers) {
            return Err(TargetError::flag(
                "overload-queue",
                n.to_string(),
                "needs --workers (requests only queue for workers)",
            ));
        }
        if self.overload_queue == Some(0) {
            return Err(TargetError::flag("overload-queue", "0", "must be at least 1"));
        }
        for (name, rate) in [
            ("error-rate", self.error_rate),
            ("close-rate", self.close_rate),
            ("error-growth", self.error_growth),
        ] {
            knobs::check_rate(rate).map_err(|reason| TargetError::flag(name, rate.to_string(), reason))?;
        }
        if let Some(latency) = &self.latency {
            latency
                .check()
                .map_err(|reason| TargetError::flag("latency", latency.to_string(), reason))?;
        }
        if let Some(stall) = &self.stall {
            stall
                .check()
                .map_err(|reason| TargetError::flag("stall-for", format!("{:?}", stall.duration), reason))?;
        }
        for (name, value) in [
            ("service-time", self.service_time),
            ("serial-time", self.serial_time),
            ("coherency-time", self.coherency_time),
            ("cpu-work", self.cpu_work),
            ("latency-growth", self.latency_growth),
        ] {
            if value > knobs::MAX_DURATION {
                return Err(TargetError::flag(
                    name,
                    format!("{value:?}"),
                    "longer than the 1h maximum",
                ));
            }
        }
        if let Some(postgres) = &self.postgres {
            postgres.check()?;
            if postgres.pool == 0 {
                return Err(TargetError::flag("postgres-pool", "0", "must be at least 1"));
            }
        }
        if self.leak_fds > knobs::MAX_LEAK_FDS {
            return Err(TargetError::flag(
                "leak-fds",
                self.leak_fds.to_string(),
                "more than 1000 descriptors per request",
            ));
        }
        if self.leak_bytes > knobs::MAX_LEAK_BYTES {
            return Err(TargetError::flag(
                "leak",
                self.leak_bytes.to_string(),
                "larger than the 64MB maximum",
            ));
        }
        Ok(())
    }

    /// True when any knob changes request handling (the fast path skips them all).
    pub(crate) fn has_knobs(&self) -> bool {
        self.latency.is_some()
            || self.error_rate > 0.0
            || self.stall.is_some()
            || self.workers.is_some()
            || !self.service_time.is_zero()
            || !self.serial_time.is_zero()
            || !self.coherency_time.is_zero()
            || !self.cpu_work.is_zero()
            || self.leak_bytes > 0
            || self.leak_fds > 0
            || self.close_rate > 0.0
            || self.overload_queue.is_some()
            || !self.latency_growth.is_zero()
            || self.error_growth > 0.0
    }
}

impl TryFrom<&TargetArgs> for Config {
    type Error = TargetError;

    fn try_from(args: &TargetArgs) -> Result<Config, TargetError> {
        Config::from_args(args)
    }
}

/// `--postgres URL` and the flags that shape it.
fn postgres(args: &TargetArgs) -> Result<Option<PostgresConfig>, TargetError> {
    let Some(url) = &args.postgres else {
        return Ok(None);
    };
    let mut config = PostgresConfig::new(url.clone());
    config.index = args.postgres_index;
    if let Some(rows) = opt_flag("postgres-rows", &args.postgres_rows, knobs::parse_count)? {
        config.rows = rows as u64;
    }
    if let Some(pool) = opt_flag("postgres-pool", &args.postgres_pool, knobs::parse_count)? {
        config.pool = pool;
    }
    Ok(Some(config))
}

fn flag<T>(name: &'static str, value: &str, parse: fn(&str) -> Result<T, String>) -> Result<T, TargetError> {
    parse(value).map_err(|reason| TargetError::flag(name, value, reason))
}

fn opt_flag<T>(
    name: &'static str,
    value: &Option<String>,
    parse: fn(&str) -> Result<T, String>,
) -> Result<Option<T>, TargetError> {
    value.as_deref().map(|v| flag(name, v, parse)).transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> TargetArgs {
        TargetArgs::default()
    }

    fn message(args: &TargetArgs) -> String {
        match Config::try_from(args) {
            Ok(config) => panic!("expected an error, got {config:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn defaults() {
        let config = Config::try_from(&args()).unwrap();
        assert_eq!(config.port, 8080);
        assert_eq!(config.threads, 1);
        assert_eq!(config.backlog, DEFAULT_BACKLOG);
        assert!(!config.has_knobs());
        assert_eq!(Config::default().port, 0);
        assert!(!Config::default().has_knobs());
    }

    #[test]
    fn all_knobs() {
        let a = TargetArgs {
            host: "::1".into(),
            port: "0".into(),
            threads: "2".into(),
            backlog: "4".into(),
            latency: Some("5ms..20ms".into()),
            error_rate: Some("5%".into()),
            stall_every: Some("5s".into()),
            stall_for: Some("1s".into()),
            workers: Some("4".into()),
            service_time: Some("50ms".into()),
            serial_time: Some("1ms".into()),
            coherency_time: Some("20us".into()),
            cpu_work: Some("100us".into()),
            leak: Some("1KB".into()),
            leak_fds: Some("2".into()),
            close_rate: Some("0.1".into()),
            overload_queue: Some("50".into()),
            latency_growth: Some("600ms".into()),
            error_growth: Some("1%".into()),
            ..args()
        };
        let c = Config::try_from(&a).unwrap();
        assert_eq!(c.host.to_string(), "::1");
        assert_eq!(c.threads, 2);
        assert_eq!(c.backlog, 4);
        assert_eq!(c.error_rate, 0.05);
        assert_eq!(
            c.stall,
            Some(Stall {
                every: Duration::from_secs(5),
                duration: Duration::from_secs(1)
            })
        );
        assert_eq!(c.workers, Some(4));
        assert_eq!(c.service_time, Duration::from_millis(50));
        assert_eq!(c.serial_time, Duration::from_millis(1));
        assert_eq!(c.coherency_time, Duration::from_micros(20));
        assert_eq!(c.cpu_work, Duration::from_micros(100));
        assert_eq!(c.leak_bytes, 1024);
        assert_eq!(c.leak_fds, 2);
        assert_eq!(c.close_rate, 0.1);
        assert_eq!(c.overload_queue, Some(50));
        assert_eq!(c.latency_growth, Duration::from_millis(600));
        assert_eq!(c.error_growth, 0.01);
        assert!(c.has_knobs());
        for grown in [
            Config {
                latency_growth: Duration::from_millis(1),
                ..Config::default()
            },
            Config {
                error_growth: 0.01,
                ..Config::default()
            },
        ] {
            assert!(grown.has_knobs());
        }
    }

    #[test]
    fn errors_name_flag_and_value() {
        let cases: Vec<(TargetArgs, &str)> = vec![
            (
                TargetArgs {
                    host: "localhost".into(),
                    ..args()
                },
                "--host",
            ),
            (
                TargetArgs {
                    port: "70000".into(),
                    ..args()
                },
                "--port",
            ),
            (
                TargetArgs {
                    threads: "0".into(),
                    ..args()
                },
                "--threads",
            ),
            (
                TargetArgs {
                    backlog: "0".into(),
                    ..args()
                },
                "--backlog",
            ),
            (
                TargetArgs {
                    latency: Some("fast".into()),
                    ..args()
                },
                "--latency",
            ),
            (
                TargetArgs {
                    error_rate: Some("150%".into()),
                    ..args()
                },
                "--error-rate",
            ),
            (
                TargetArgs {
                    stall_every: Some("5s".into()),
                    ..args()
                },
                "--stall-every",
            ),
            (
                TargetArgs {
                    stall_for: Some("1s".into()),
                    ..args()
                },
                "--stall-for",
            ),
            (
                TargetArgs {
                    stall_every: Some("1s".into()),
                    stall_for: Some("2s".into()),
                    ..args()
                },
                "--stall-for",
            ),
            (
                TargetArgs {
                    workers: Some("none".into()),
                    ..args()
                },
                "--workers",
            ),
            (
                TargetArgs {
                    service_time: Some("50".into()),
                    ..args()
                },
                "--service-time",
            ),
            (
                TargetArgs {
                    serial_time: Some("1".into()),
                    ..args()
                },
                "--serial-time",
            ),
            (
                TargetArgs {
                    coherency_time: Some("2h".into()),
                    ..args()
                },
                "--coherency-time",
            ),
            (
                TargetArgs {
                    cpu_work: Some("2h".into()),
                    ..args()
                },
                "--cpu-work",
            ),
            (
                TargetArgs {
                    leak: Some("1GB".into()),
                    ..args()
                },
                "--leak",
            ),
            (
                TargetArgs {
                    close_rate: Some("2".into()),
                    ..args()
                },
                "--close-rate",
            ),
            (
                TargetArgs {
                    overload_queue: Some("10".into()),
                    ..args()
                },
                "--overload-queue",
            ),
            (
                TargetArgs {
                    workers: Some("2".into()),
                    overload_queue: Some("0".into()),
                    ..args()
                },
                "--overload-queue",
            ),
            (
                TargetArgs {
                    latency_growth: Some("5".into()),
                    ..args()
                },
                "--latency-growth",
            ),
            (
                TargetArgs {
                    error_growth: Some("150%".into()),
                    ..args()
                },
                "--error-growth",
            ),
        ];
        for (a, flag) in cases {
            let msg = message(&a);
            assert!(msg.contains(flag), "{msg:?} should name {flag}");
            assert!(!msg.contains('\n'), "{msg:?} should be one line");
            assert!(Config::try_from(&a).unwrap_err().is_usage());
        }
        let msg = message(&TargetArgs {
            latency: Some("fast".into()),
            ..args()
        });
        assert!(msg.starts_with("invalid value 'fast' for --latency: "), "{msg}");
    }

    #[test]
    fn validate_hand_built() {
        let bad = Config {
            error_rate: 1.5,
            ..Config::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("--error-rate"));
        let bad = Config {
            workers: Some(0),
            ..Config::default()
        };
        assert!(bad.validate().is_err());
        let bad = Config {
            threads: 0,
            ..Config::default()
        };
        assert!(bad.validate().is_err());
        assert!(Config::default().validate().is_ok());
    }
}
