//! Knob value types and their parsers: durations, byte sizes, rates, latency
//! distributions and stall windows. Parsers return a short reason on failure; the
//! caller ([`crate::Config`]) wraps it into a [`crate::TargetError`] naming the flag.

use std::fmt;
use std::time::Duration;

use crate::rng;

/// Longest duration any knob accepts (also the cap for sampled latencies).
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

/// Largest per-request leak accepted by `--leak`.
pub const MAX_LEAK_BYTES: u64 = 64 * 1024 * 1024;
/// `--leak-fds` at most: a leak, not a way to exhaust the limit in one request.
pub const MAX_LEAK_FDS: usize = 1000;

/// z-score of the 99th percentile of a standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_841;

/// Parses a duration in the unit grammar of `loadcell-units` (`250us`, `10ms`, `1.5s`, `2m`;
/// `µs` for `us`; units in any case here). A bare `0` is allowed; any other number needs a
/// unit, and no knob waits longer than [`MAX_DURATION`].
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    if text.parse::<f64>().is_ok() {
        return Err("missing unit (use us, ms, s or m, e.g. 10ms)".to_string());
    }
    let duration = loadcell_units::parse_duration(&text.to_ascii_lowercase()).map_err(|e| e.to_string())?;
    if duration > MAX_DURATION {
        return Err("longer than the 1h maximum".to_string());
    }
    Ok(duration)
}

/// Parses a byte size in the unit grammar: `512`, `512B`, `1KB`, `1.5MB` (also `K`, `KiB`,
/// `M`, `MiB`), 1024-based; at most [`MAX_LEAK_BYTES`].
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bytes = loadcell_units::parse_size(text).map_err(|e| e.to_string())?;
    if bytes > MAX_LEAK_BYTES {
        return Err("larger than the 64MB maximum".to_string());
    }
    Ok(bytes)
}

/// Parses a share of requests: a fraction `0.05` or a percentage `5%`, within 0..=1.
pub fn parse_rate(text: &str) -> Result<f64, String> {
    let rate = loadcell_units::parse_fraction(text).map_err(|e| e.to_string())?;
    check_rate(rate)?;
    Ok(rate)
}

/// Checks that a rate is a finite number within 0..=1.
pub(crate) fn check_rate(rate: f64) -> Result<(), String> {
    if rate.is_finite() && (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        Err("must be between 0 and 1 (or 0% and 100%)".to_string())
    }
}

/// Parses a positive count such as `--workers 4` (`1k` works, as everywhere).
pub fn parse_count(text: &str) -> Result<usize, String> {
    match loadcell_units::parse_count(text).map(usize::try_from) {
        Ok(Ok(0)) => Err("must be at least 1".to_string()),
        Ok(Ok(n)) => Ok(n),
        Ok(Err(_)) => Err("too large".to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// Added response latency, sampled per request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Latency {
    /// Always the same delay (`10ms`, or `fixed:10ms`).
    Fixed(Duration),
    /// Uniform between the bounds, inclusive (`5ms..20ms`, or `uniform:5ms,20ms`).
    Uniform(Duration, Duration),
    /// Log-normal with the given median and 99th percentile (`lognormal:20ms,200ms`).
    /// Samples are capped at [`MAX_DURATION`].
    LogNormal {
        /// The 50th percentile.
        median: Duration,
        /// The 99th percentile; must exceed the median.
        p99: Duration,
    },
}

impl Latency {
    /// Parses a latency spec; see the variants for the accepted forms.
    pub fn parse(text: &str) -> Result<Latency, String> {
        let text = text.trim();
        if let Some(rest) = text.strip_prefix("lognormal:") {
            let (median, p99) = pair(rest, ',')?;
            return Latency::log_normal(median, p99);
        }
        if let Some(rest) = text.strip_prefix("uniform:") {
            let (low, high) = pair(rest, ',')?;
            return Latency::uniform(low, high);
        }
        if let Some(rest) = text.strip_prefix("fixed:") {
            return Ok(Latency::Fixed(parse_duration(rest)?));
        }
        if text.contains("..") {
            let (low, high) = pair_str(text, "..")?;
            return Latency::uniform(low, high);
        }
        if text.contains(':') {
            return Err("unknown form (use 10ms, 5ms..20ms or lognormal:MEDIAN,P99)".to_string());
        }
        Ok(Latency::Fixed(parse_duration(text)?))
    }

    fn uniform(low: Duration, high: Duration) -> Result<Latency, String> {
        if high < low {
            return Err("the upper bound is below the lower bound".to_string());
        }
        Ok(Latency::Uniform(low, high))
    }

    fn log_normal(median: Duration, p99: Duration) -> Result<Latency, String> {
        if median.is_zero() {
            return Err("the median must be above zero".to_string());
        }
        if p99 <= median {
            return Err("the p99 must be above the median".to_string());
        }
        Ok(Latency::LogNormal { median, p99 })
    }

    /// Checks a hand-built value the same way the parser would.
    pub(crate) fn check(&self) -> Result<(), String> {
        match *self {
            Latency::Fixed(d) if d > MAX_DURATION => Err("longer than the 1h maximum".to_string()),
            Latency::Fixed(_) => Ok(()),
            Latency::Uniform(low, high) => Latency::uniform(low, high).map(|_| ()),
            Latency::LogNormal { median, p99 } => Latency::log_normal(median, p99).map(|_| ()),
        }
    }

    /// Draws one delay from the distribution.
    pub fn sample(&self) -> Duration {
        match *self {
            Latency::Fixed(d) => d,
            Latency::Uniform(low, high) => {
                let span = (high - low).as_secs_f64();
                low + Duration::try_from_secs_f64(span * rng::next_f64()).unwrap_or_default()
            }
            Latency::LogNormal { median, p99 } => {
                let median = median.as_secs_f64();
                let sigma = (p99.as_secs_f64() / median).ln() / Z_P99;
                let secs = median * (sigma * rng::standard_normal()).exp();
                Duration::try_from_secs_f64(secs)
                    .unwrap_or(MAX_DURATION)
                    .min(MAX_DURATION)
            }
        }
    }
}

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Latency::Fixed(d) => write!(f, "{d:?}"),
            Latency::Uniform(low, high) => write!(f, "{low:?}..{high:?}"),
            Latency::LogNormal { median, p99 } => write!(f, "lognormal:{median:?},{p99:?}"),
        }
    }
}

fn pair(text: &str, sep: char) -> Result<(Duration, Duration), String> {
    let (a, b) = text
        .split_once(sep)
        .ok_or_else(|| format!("expected two durations separated by '{sep}'"))?;
    Ok((parse_duration(a)?, parse_duration(b)?))
}

fn pair_str(text: &str, sep: &str) -> Result<(Duration, Duration), String> {
    let (a, b) = text
        .split_once(sep)
        .ok_or_else(|| format!("expected two durations separated by '{sep}'"))?;
    Ok((parse_duration(a)?, parse_duration(b)?))
}

/// The latency `--latency-growth` adds after `uptime`: `per_minute × uptime / 1 min`,
/// growing linearly from server start, capped at [`MAX_DURATION`].
pub fn grown_latency(per_minute: Duration, uptime: Duration) -> Duration {
    if per_minute.is_zero() {
        return Duration::ZERO;
    }
    let secs = per_minute.as_secs_f64() * uptime.as_secs_f64() / 60.0;
    Duration::try_from_secs_f64(secs)
        .unwrap_or(MAX_DURATION)
        .min(MAX_DURATION)
}

/// The error rate after `uptime` with `--error-rate base` and `--error-growth per_minute`:
/// `base + per_minute × uptime / 1 min`, capped at 1.
pub fn grown_error_rate(base: f64, per_minute: f64, uptime: Duration) -> f64 {
    (base + per_minute * uptime.as_secs_f64() / 60.0).min(1.0)
}

/// Periodic stalls: windows `[k*every, k*every + duration)` for k = 1, 2, ...
/// measured from server start. A request arriving inside a window is held until it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stall {
    /// Period between stall starts (`--stall-every`).
    pub every: Duration,
    /// Length of each stall (`--stall-for`); must be shorter than `every`.
    pub duration: Duration,
}

impl Stall {
    /// How long a request arriving `elapsed` after server start must wait.
    pub fn remaining(&self, elapsed: Duration) -> Duration {
        let every = self.every.as_nanos();
        if every == 0 || elapsed < self.every {
            return Duration::ZERO;
        }
        let phase = Duration::from_nanos((elapsed.as_nanos() % every) as u64);
        self.duration.saturating_sub(phase)
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if self.every.is_zero() {
            Err("the period must be above zero".to_string())
        } else if self.duration >= self.every {
            Err("the stall must be shorter than the period (--stall-every)".to_string())
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("100us"), Ok(Duration::from_micros(100)));
        assert_eq!(parse_duration("100µs"), Ok(Duration::from_micros(100)));
        assert_eq!(parse_duration("10ms"), Ok(ms(10)));
        assert_eq!(parse_duration(" 10MS "), Ok(ms(10)));
        assert_eq!(parse_duration("1.5s"), Ok(ms(1500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn duration_errors() {
        for bad in ["", "10", "ms", "10h", "-5ms", "1..2s", "abc", "61m", "1e3s"] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should fail");
        }
        let reason = parse_duration("10xs").unwrap_err();
        assert!(reason.contains("'10xs'"), "{reason}");
        assert!(parse_duration("10").unwrap_err().contains("missing unit"));
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("1KB"), Ok(1024));
        assert_eq!(parse_size("1kb"), Ok(1024));
        assert_eq!(parse_size("2KiB"), Ok(2048));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("1MB"), Ok(1024 * 1024));
        assert_eq!(parse_size("0"), Ok(0));
    }

    #[test]
    fn size_errors() {
        for bad in ["", "KB", "1GB", "-1KB", "1 TB", "65MB", "x"] {
            assert!(parse_size(bad).is_err(), "{bad:?} should fail");
        }
        assert!(parse_size("1GB").unwrap_err().contains("'1GB'"));
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("0"), Ok(0.0));
        assert_eq!(parse_rate("0.25"), Ok(0.25));
        assert_eq!(parse_rate("1"), Ok(1.0));
        assert_eq!(parse_rate("5%"), Ok(0.05));
        assert_eq!(parse_rate("100%"), Ok(1.0));
        for bad in ["", "%", "1.5", "101%", "-0.1", "abc", "NaN", "inf"] {
            assert!(parse_rate(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("4"), Ok(4));
        for bad in ["0", "-1", "x", "1.5", ""] {
            assert!(parse_count(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn latency_specs() {
        assert_eq!(Latency::parse("10ms"), Ok(Latency::Fixed(ms(10))));
        assert_eq!(Latency::parse("fixed:10ms"), Ok(Latency::Fixed(ms(10))));
        assert_eq!(Latency::parse("5ms..20ms"), Ok(Latency::Uniform(ms(5), ms(20))));
        assert_eq!(Latency::parse("uniform:5ms,20ms"), Ok(Latency::Uniform(ms(5), ms(20))));
        assert_eq!(
            Latency::parse("lognormal:20ms,200ms"),
            Ok(Latency::LogNormal {
                median: ms(20),
                p99: ms(200)
            })
        );
    }

    #[test]
    fn latency_errors() {
        for bad in [
            "",
            "10",
            "20ms..5ms",
            "5ms..",
            "lognormal:20ms",
            "lognormal:200ms,20ms",
            "lognormal:0ms,20ms",
            "lognormal:20ms,20ms",
            "gamma:1ms,2ms",
            "uniform:5ms",
            "fixed:",
        ] {
            assert!(Latency::parse(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn latency_samples_stay_in_range() {
        let uniform = Latency::Uniform(ms(5), ms(20));
        for _ in 0..1000 {
            let d = uniform.sample();
            assert!(d >= ms(5) && d <= ms(20), "{d:?}");
        }
        let log = Latency::LogNormal {
            median: ms(20),
            p99: ms(200),
        };
        let mut samples: Vec<Duration> = (0..20_000).map(|_| log.sample()).collect();
        samples.sort();
        let median = samples[samples.len() / 2];
        let p99 = samples[samples.len() * 99 / 100];
        assert!(median > ms(16) && median < ms(25), "median {median:?}");
        assert!(p99 > ms(140) && p99 < ms(280), "p99 {p99:?}");
    }

    #[test]
    fn growth_is_linear_in_uptime_and_capped() {
        let minute = Duration::from_secs(60);
        assert_eq!(grown_latency(ms(600), Duration::ZERO), Duration::ZERO);
        assert_eq!(grown_latency(ms(600), minute), ms(600));
        assert_eq!(grown_latency(ms(600), Duration::from_secs(90)), ms(900));
        assert_eq!(grown_latency(Duration::ZERO, minute), Duration::ZERO);
        assert_eq!(grown_latency(MAX_DURATION, 10 * MAX_DURATION), MAX_DURATION);
        assert_eq!(grown_error_rate(0.0, 0.01, minute), 0.01);
        assert!((grown_error_rate(0.05, 0.01, Duration::from_secs(30)) - 0.055).abs() < 1e-12);
        assert_eq!(grown_error_rate(0.5, 1.0, minute), 1.0);
    }

    #[test]
    fn stall_windows() {
        let stall = Stall {
            every: ms(1000),
            duration: ms(300),
        };
        assert_eq!(stall.remaining(ms(0)), Duration::ZERO);
        assert_eq!(stall.remaining(ms(500)), Duration::ZERO);
        assert_eq!(stall.remaining(ms(1000)), ms(300));
        assert_eq!(stall.remaining(ms(1100)), ms(200));
        assert_eq!(stall.remaining(ms(1300)), Duration::ZERO);
        assert_eq!(stall.remaining(ms(2050)), ms(250));
        assert!(
            Stall {
                every: ms(100),
                duration: ms(100)
            }
            .check()
            .is_err()
        );
        assert!(
            Stall {
                every: ms(0),
                duration: ms(0)
            }
            .check()
            .is_err()
        );
    }
}
