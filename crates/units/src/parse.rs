//! The grammar of the quantities users type: durations (`30s`, `1m30s`, `250ms`), arrival
//! rates (`500`, `500/s`, `30000/m`, `1M/month`), counts (`10k`), byte sizes (`512`, `1KB`,
//! `1.5MB`), fractions (`5%`, `0.05`) and stage lists (`30s:100,2m:100,10s:0`).
//!
//! One grammar for the command line, scenario files and `loadcell target`'s knobs, so all
//! accept the same spellings. Ranges (above 0, at most 1 h, …) are the caller's to check:
//! they depend on what the quantity is for.

use std::time::Duration;

/// A quantity that could not be parsed; the message names the text and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnitError {
    #[error("invalid duration '{0}': expected a number with a unit, e.g. 500ms, 30s, 2m, 1h30m")]
    Duration(String),
    #[error("invalid rate '{0}': expected a number per unit, e.g. 500, 500/s, 30000/m, 1M/month")]
    Rate(String),
    /// A rate below zero (`--rate -5`).
    #[error("invalid rate '{0}': a rate must be positive, e.g. 500 or 500/s")]
    NegativeRate(String),
    #[error("invalid stage '{0}': expected DURATION:TARGET, e.g. 30s:100")]
    Stage(String),
    #[error("invalid count '{0}': expected a whole number, e.g. 1000 or 10k")]
    Count(String),
    #[error("invalid size '{0}': expected bytes with an optional unit (B, KB or MB, 1024-based), e.g. 512, 1KB, 1.5MB")]
    Size(String),
    #[error("invalid fraction '{0}': expected a number or a percentage, e.g. 0.05 or 5%")]
    Fraction(String),
    /// An execution segment that is not `I/N` with `1 ≤ I ≤ N`; the second field says why.
    #[error("invalid segment '{0}': {1}")]
    Segment(String, String),
    #[error("invalid time '{0}': expected RFC 3339 (2026-12-04T13:00:00Z) or an offset from now (+10s)")]
    Instant(String),
}

/// Parses `500ms`, `30s`, `2m`, `1h`, `1h30m`, `1.5s`, `250us`; a bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, UnitError> {
    let err = || UnitError::Duration(text.to_string());
    let t = text.trim();
    if t.is_empty() {
        return Err(err());
    }
    if let Ok(secs) = t.parse::<f64>() {
        return seconds(secs).ok_or_else(err);
    }
    let mut total = 0.0;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(err)?;
        if num_len == 0 {
            return Err(err());
        }
        let value: f64 = rest[..num_len].parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            _ => return Err(err()),
        };
        total += value * scale;
        rest = &rest[unit_len..];
    }
    seconds(total).ok_or_else(err)
}

fn seconds(secs: f64) -> Option<Duration> {
    (0.0..1e12).contains(&secs).then(|| Duration::from_secs_f64(secs))
}

/// Parses an arrival rate into iterations per second: `500` and `500/s` per second,
/// `30000/m`, `100/h`, `1M/month` (30 days), `10k/d`; `k`, `M`, `G` multiply by 10^3/6/9.
pub fn parse_rate(text: &str) -> Result<f64, UnitError> {
    let err = || UnitError::Rate(text.to_string());
    let t = text.trim();
    let (count, per) = match t.split_once('/') {
        Some((c, p)) => (c.trim(), p.trim()),
        None => (t, "s"),
    };
    if count.starts_with('-') && parse_scaled(&count[1..]).is_some() {
        return Err(UnitError::NegativeRate(text.to_string()));
    }
    let count = parse_scaled(count).ok_or_else(err)?;
    let per_secs = match per {
        "s" | "sec" | "second" => 1.0,
        "m" | "min" | "minute" => 60.0,
        "h" | "hour" => 3600.0,
        "d" | "day" => 86_400.0,
        "w" | "week" => 7.0 * 86_400.0,
        "month" | "mo" => 30.0 * 86_400.0,
        _ => match parse_duration(per) {
            Ok(d) if d > Duration::ZERO => d.as_secs_f64(),
            _ => return Err(err()),
        },
    };
    let rate = count / per_secs;
    if rate.is_finite() && rate >= 0.0 {
        Ok(rate)
    } else {
        Err(err())
    }
}

/// A number with an optional `k`/`M`/`G` suffix (`1.5k` = 1500).
fn parse_scaled(text: &str) -> Option<f64> {
    let (num, scale) = match text.chars().last()? {
        'k' | 'K' => (&text[..text.len() - 1], 1e3),
        'M' => (&text[..text.len() - 1], 1e6),
        'G' => (&text[..text.len() - 1], 1e9),
        _ => (text, 1.0),
    };
    let v: f64 = num.trim().parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v * scale)
}

/// Parses a whole count with an optional `k`/`M` suffix (`10k` = 10000).
pub fn parse_count(text: &str) -> Result<u64, UnitError> {
    let err = || UnitError::Count(text.to_string());
    let v = parse_scaled(text.trim()).ok_or_else(err)?;
    if v.fract() != 0.0 || v > u64::MAX as f64 {
        return Err(err());
    }
    Ok(v as u64)
}

/// Parses a byte size: `512`, `512B`, `1KB`, `1.5MB` (also `K`, `KiB`, `M`, `MiB`; any
/// case). Units are 1024-based: `1KB` = 1024 bytes; the result is rounded to whole bytes.
pub fn parse_size(text: &str) -> Result<u64, UnitError> {
    let err = || UnitError::Size(text.to_string());
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value = plain_number(number).ok_or_else(err)?;
    let scale = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        _ => return Err(err()),
    };
    let bytes = (value * scale).round();
    if bytes > u64::MAX as f64 {
        return Err(err());
    }
    Ok(bytes as u64)
}

/// Parses a fraction written plainly (`0.05`) or as a percentage (`5%`); finite and not
/// negative. Whether it may be 0 or above 1 is the caller's to check.
pub fn parse_fraction(text: &str) -> Result<f64, UnitError> {
    let err = || UnitError::Fraction(text.to_string());
    let t = text.trim();
    let (number, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 100.0),
        None => (t, 1.0),
    };
    plain_number(number).map(|v| v / scale).ok_or_else(err)
}

/// A finite, non-negative number.
fn plain_number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|v| v.is_finite() && *v >= 0.0)
}

/// One stage: ramp linearly to `target` over `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub duration: Duration,
    /// VUs (closed model) or iterations per second (open model).
    pub target: f64,
}

/// Parses `30s:100,2m:100,10s:0`. Targets are rates when `rates` is true (so `1k/m`
/// works), whole VU counts otherwise.
pub fn parse_stages(text: &str, rates: bool) -> Result<Vec<Stage>, UnitError> {
    let mut stages = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let err = || UnitError::Stage(part.to_string());
        let (d, target) = part.split_once(':').ok_or_else(err)?;
        let duration = parse_duration(d).map_err(|_| err())?;
        let target = if rates {
            parse_rate(target).map_err(|_| err())?
        } else {
            parse_count(target).map_err(|_| err())? as f64
        };
        stages.push(Stage { duration, target });
    }
    if stages.is_empty() {
        return Err(UnitError::Stage(text.to_string()));
    }
    Ok(stages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = |t: &str| parse_duration(t).map(|d| d.as_millis());
        assert_eq!(ms("30s"), Ok(30_000));
        assert_eq!(ms("250ms"), Ok(250));
        assert_eq!(ms("1m30s"), Ok(90_000));
        assert_eq!(ms("1.5s"), Ok(1_500));
        assert_eq!(ms("2"), Ok(2_000));
        assert_eq!(ms("1h"), Ok(3_600_000));
        assert_eq!(parse_duration("500us").map(|d| d.as_micros()), Ok(500));
        for bad in ["", "abc", "10x", "s", "-1s", "1..2s", "NaN"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_duration("10x").map_err(|e| e.to_string()),
            Err("invalid duration '10x': expected a number with a unit, e.g. 500ms, 30s, 2m, 1h30m".to_string())
        );
    }

    #[test]
    fn rates() {
        assert_eq!(parse_rate("500"), Ok(500.0));
        assert_eq!(parse_rate("500/s"), Ok(500.0));
        assert_eq!(parse_rate("30000/m"), Ok(500.0));
        assert_eq!(parse_rate("3600/h"), Ok(1.0));
        assert_eq!(parse_rate("1.5k"), Ok(1500.0));
        assert_eq!(parse_rate("10/100ms"), Ok(100.0));
        let monthly = parse_rate("1M/month").unwrap_or(0.0);
        assert!((monthly - 1e6 / 2_592_000.0).abs() < 1e-9);
        for bad in ["", "x", "10/x", "-5", "5/0s", "1e999"] {
            assert!(parse_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts() {
        assert_eq!(parse_count("1000"), Ok(1000));
        assert_eq!(parse_count("10k"), Ok(10_000));
        assert!(parse_count("1.5").is_err());
        assert!(parse_count("x").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("512"), Ok(512));
        assert_eq!(parse_size("512B"), Ok(512));
        assert_eq!(parse_size("1kb"), Ok(1024));
        assert_eq!(parse_size("2KiB"), Ok(2048));
        assert_eq!(parse_size("1.5K"), Ok(1536));
        assert_eq!(parse_size("1MB"), Ok(1024 * 1024));
        for bad in ["", "KB", "1GB", "-1KB", "1 TB", "x", "1e3"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn fractions() {
        assert_eq!(parse_fraction("5%"), Ok(0.05));
        assert_eq!(parse_fraction(" 0.1 "), Ok(0.1));
        assert_eq!(parse_fraction("0"), Ok(0.0));
        assert_eq!(parse_fraction("150%"), Ok(1.5));
        for bad in ["", "%", "-1%", "x", "nan", "inf"] {
            assert!(parse_fraction(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stages() {
        let s = parse_stages("30s:100, 2m:100,10s:0", false).unwrap_or_default();
        assert_eq!(s.len(), 3);
        assert_eq!(
            s[1],
            Stage {
                duration: Duration::from_secs(120),
                target: 100.0
            }
        );
        let r = parse_stages("1m:6000/m", true).unwrap_or_default();
        assert_eq!(r[0].target, 100.0);
        for bad in ["", "30s", "x:1", "30s:x", "30s:1.5"] {
            assert!(parse_stages(bad, false).is_err(), "{bad}");
        }
    }
}
