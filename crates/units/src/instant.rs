//! Wall-clock instants users type (`--start-at`): RFC 3339 (`2026-12-04T13:00:00Z`,
//! `2026-12-04T14:00:00.5+01:00`) or an offset from now (`+10s`, in the duration grammar).
//! Parsed by hand, as `loadcell-schema` formats them, rather than with a date-time crate.

use crate::{UnitError, parse_duration};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Parses `text` as an instant: `+DURATION` from `now`, or RFC 3339 with a `Z` or `±HH:MM`
/// offset (at or after 1970).
pub fn parse_instant(text: &str, now: SystemTime) -> Result<SystemTime, UnitError> {
    let err = || UnitError::Instant(text.to_string());
    let text = text.trim();
    if let Some(offset) = text.strip_prefix('+') {
        return parse_duration(offset).map(|d| now + d).map_err(|_| err());
    }
    rfc3339(text).ok_or_else(err)
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)` (a space or `t` for `T`, `z` for `Z`).
fn rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |from: usize, to: usize| -> Option<i64> {
        let s = text.get(from..to)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok())?
    };
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if !(1..=12).contains(&mo) || !(1..=days_in(y, mo)).contains(&d) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        let kept = &frac[..digits.min(9)];
        nanos = kept.parse::<u32>().ok()? * 10u32.pow(9 - kept.len() as u32);
        rest = &frac[digits..];
    }
    let offset_s = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit()).then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let (oh, om) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let magnitude = oh * 3600 + om * 60;
            if *sign == b'+' { magnitude } else { -magnitude }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_s;
    let secs = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

fn days_in(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm, the
/// inverse of `loadcell-schema`'s formatter).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn rfc3339_and_offsets_from_now() {
        let now = at(1_000);
        assert_eq!(
            parse_instant("2026-11-22T19:55:41.123Z", now),
            Ok(at(1_795_377_341_123))
        );
        assert_eq!(
            parse_instant("2026-11-22T20:55:41.123+01:00", now),
            Ok(at(1_795_377_341_123))
        );
        assert_eq!(parse_instant("2000-02-29T00:00:00Z", now), Ok(at(951_782_400_000)));
        assert_eq!(parse_instant("+10s", now), Ok(at(11_000)));
        assert_eq!(parse_instant("+1m30s", now), Ok(at(91_000)));
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "now",
            "+",
            "+x",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-11-22T19:55:41",
            "2026-11-22T19:55:41+1",
            "1969-12-31T23:59:59Z",
        ] {
            assert!(parse_instant(bad, UNIX_EPOCH).is_err(), "{bad}");
        }
    }
}
