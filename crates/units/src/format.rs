//! Numbers for people: `12,345`, `0.412 ms`, `41.2 ms`, `1,234 ms`, `12.3 s`, `3.8 MiB`,
//! `0.25%`, `267 /s`. The terminal summary and every report write numbers with these
//! functions (and `report.html`'s JavaScript formatters follow the same rules), so a figure
//! reads the same wherever it is shown.

/// An integer with thousands separators: `1234567` → `1,234,567`.
pub fn int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A non-negative float rounded to `decimals`, with thousands separators on the integer part.
pub fn float(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
    let whole = whole.parse::<u64>().map(int).unwrap_or_else(|_| whole.to_string());
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac}")
    }
}

/// Milliseconds with precision that suits the magnitude: `0.412 ms`, `4.12 ms`, `41.2 ms`,
/// `412 ms`, `4,120 ms`, then seconds from 10 s on: `12.3 s`, `123 s`.
pub fn ms(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    if a == 0.0 {
        "0 ms".to_string()
    } else if a < 1.0 {
        format!("{} ms", float(v, 3))
    } else if a < 10.0 {
        format!("{} ms", float(v, 2))
    } else if a < 100.0 {
        format!("{} ms", float(v, 1))
    } else if a < 10_000.0 {
        format!("{} ms", float(v, 0))
    } else if a < 100_000.0 {
        format!("{} s", float(v / 1000.0, 1))
    } else {
        format!("{} s", float(v / 1000.0, 0))
    }
}

/// A rate or any other float shown with about three significant digits: `0.25`, `6.25`,
/// `24.8`, `267`, `57,647`.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    let a = v.abs();
    if a == 0.0 {
        "0".to_string()
    } else if a < 10.0 {
        float(v, 2)
    } else if a < 100.0 {
        float(v, 1)
    } else {
        float(v, 0)
    }
}

/// Like [`num`] without separators, and always two decimals under 10 (`0.00`, `6.25`,
/// `24.8`, `1234`): for numbers inside sentences stored in `summary.json`, whose wording is
/// part of the schema.
pub fn plain(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Like [`num`] without trailing zeros after the point: `54`, `6.25`, `24.8`.
pub fn num_short(v: f64) -> String {
    let text = num(v);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// σ, κ and other model parameters: four significant digits, scientific when tiny.
pub fn param(v: f64) -> String {
    if v == 0.0 {
        "0".to_string()
    } else if v.abs() >= 100.0 {
        float(v, 1)
    } else if v.abs() >= 0.01 {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

/// A fraction 0..=1 as a percentage: `0%`, `<0.01%`, `0.25%`, `12.5%`, `100%`.
pub fn percent(fraction: f64) -> String {
    if !fraction.is_finite() {
        return "–".to_string();
    }
    let p = fraction * 100.0;
    if p <= 0.0 {
        "0%".to_string()
    } else if p < 0.01 {
        "<0.01%".to_string()
    } else if p >= 100.0 {
        "100%".to_string()
    } else if p < 10.0 {
        format!("{p:.2}%")
    } else if p > 99.99 {
        ">99.99%".to_string()
    } else if p > 99.0 {
        format!("{p:.2}%")
    } else {
        format!("{p:.1}%")
    }
}

/// `part / whole` as a percentage, `0%` when `whole` is 0.
pub fn share(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".to_string()
    } else {
        percent(part as f64 / whole as f64)
    }
}

/// Bytes in IEC units with three significant digits: `512 B`, `1.50 KiB`, `3.82 MiB`.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} B");
    }
    let mut v = n as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    let digits = if v < 10.0 {
        2
    } else if v < 100.0 {
        1
    } else {
        0
    };
    format!("{v:.digits$} {}", UNITS[unit])
}

/// A signed change with precision that suits its magnitude: `+120`, `-3.25`, `+0.0042`.
pub fn signed(v: f64) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    if v.abs() >= 100.0 {
        format!("{v:+.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:+.2}")
    } else {
        format!("{v:+.4}")
    }
}

/// A level (a rate or a VU count) as it appears in names: at most two decimals, no
/// trailing zeros, no separators: `80`, `41.25`, `0.5`, `1500`.
pub fn level(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// An optional value with one decimal, `-` when absent (table cells).
pub fn opt1(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"))
}

/// A duration in seconds: `850 ms`, `4.0 s`, `59.5 s`, `2 m 05 s`, `1 h 02 m`.
pub fn duration_s(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "–".to_string();
    }
    if s < 1.0 {
        return format!("{:.0} ms", s * 1000.0);
    }
    if s < 60.0 {
        return format!("{s:.1} s");
    }
    let total = s.round() as u64;
    let (h, m, sec) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h} h {m:02} m")
    } else {
        format!("{m} m {sec:02} s")
    }
}

/// An RFC 3339 UTC timestamp for reading: `2025-01-02T03:04:05.678Z` → `2025-01-02 03:04:05 UTC`.
/// Anything else is returned unchanged.
pub fn timestamp(rfc3339: &str) -> String {
    let Some(rest) = rfc3339.strip_suffix('Z') else {
        return rfc3339.to_string();
    };
    let Some((date, time)) = rest.split_once('T') else {
        return rfc3339.to_string();
    };
    let time = time.split('.').next().unwrap_or(time);
    format!("{date} {time} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_get_thousands_separators() {
        assert_eq!(int(0), "0");
        assert_eq!(int(999), "999");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(1234567), "1,234,567");
    }

    #[test]
    fn milliseconds_scale_their_precision() {
        assert_eq!(ms(0.0), "0 ms");
        assert_eq!(ms(0.4123), "0.412 ms");
        assert_eq!(ms(4.123), "4.12 ms");
        assert_eq!(ms(41.23), "41.2 ms");
        assert_eq!(ms(412.3), "412 ms");
        assert_eq!(ms(4123.0), "4,123 ms");
        assert_eq!(ms(12_345.0), "12.3 s");
        assert_eq!(ms(f64::NAN), "–");
    }

    #[test]
    fn rates_percentages_and_bytes() {
        assert_eq!(num(6.25), "6.25");
        assert_eq!(num(24.84), "24.8");
        assert_eq!(num(57647.0), "57,647");
        assert_eq!(num_short(54.0), "54");
        assert_eq!(num_short(6.5), "6.5");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(0.00001), "<0.01%");
        assert_eq!(percent(0.0025), "0.25%");
        assert_eq!(percent(0.125), "12.5%");
        assert_eq!(percent(0.995), "99.50%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(bytes(512), "512 B");
        assert_eq!(bytes(1536), "1.50 KiB");
        assert_eq!(bytes(4_000_000), "3.81 MiB");
        assert_eq!(duration_s(4.0), "4.0 s");
        assert_eq!(duration_s(125.0), "2 m 05 s");
        assert_eq!(duration_s(3720.0), "1 h 02 m");
        assert_eq!(timestamp("2025-01-02T03:04:05.678Z"), "2025-01-02 03:04:05 UTC");
        assert_eq!(timestamp("yesterday"), "yesterday");
    }

    #[test]
    fn signed_changes_levels_and_cells() {
        assert_eq!(signed(120.4), "+120");
        assert_eq!(signed(-3.254), "-3.25");
        assert_eq!(signed(0.00421), "+0.0042");
        assert_eq!(plain(1234.4), "1234");
        assert_eq!(plain(24.84), "24.8");
        assert_eq!(plain(0.0), "0.00");
        assert_eq!(level(80.0), "80");
        assert_eq!(level(41.25), "41.25");
        assert_eq!(level(152.5), "152.5");
        assert_eq!(level(0.5), "0.5");
        assert_eq!(opt1(Some(2.345)), "2.3");
        assert_eq!(opt1(None), "-");
    }
}
