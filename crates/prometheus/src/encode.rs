//! Writes families as Prometheus text (format 0.0.4) or OpenMetrics 1.0 text, with the
//! escaping each format asks for.

use crate::buckets::LE;
use crate::model::{Family, Kind, Value};
use std::fmt::Write;

/// `Content-Type` of the Prometheus text format.
pub(crate) const TEXT_CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// `Content-Type` of OpenMetrics text.
pub(crate) const OPENMETRICS_CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The exposition of `families`; families without samples are left out.
pub(crate) fn encode(families: &[Family], openmetrics: bool, capacity: usize) -> String {
    let mut out = String::with_capacity(capacity);
    for family in families.iter().filter(|f| !f.samples.is_empty()) {
        write_family(&mut out, family, openmetrics);
    }
    if openmetrics {
        out.push_str("# EOF\n");
    }
    out
}

fn write_family(out: &mut String, family: &Family, openmetrics: bool) {
    let def = family.def;
    let kind = match def.kind {
        Kind::Counter => "counter",
        Kind::Gauge => "gauge",
        Kind::Histogram => "histogram",
    };
    // The text format names a counter family after its samples; OpenMetrics does not.
    let total = if def.kind == Kind::Counter { "_total" } else { "" };
    let described = if openmetrics { "" } else { total };
    if openmetrics {
        let _ = writeln!(out, "# TYPE {}{described} {kind}", def.name);
        if let Some(unit) = def.unit {
            let _ = writeln!(out, "# UNIT {} {unit}", def.name);
        }
    }
    let _ = write!(out, "# HELP {}{described} ", def.name);
    escape_help(out, def.help, openmetrics);
    out.push('\n');
    if !openmetrics {
        let _ = writeln!(out, "# TYPE {}{described} {kind}", def.name);
    }
    for sample in &family.samples {
        match &sample.value {
            Value::Count(n) => {
                series(out, def.name, total, &sample.labels, None);
                let _ = writeln!(out, " {n}");
            }
            Value::Total(v) => {
                series(out, def.name, total, &sample.labels, None);
                let _ = writeln!(out, " {v}");
            }
            Value::Gauge(v) => {
                series(out, def.name, "", &sample.labels, None);
                let _ = writeln!(out, " {v}");
            }
            Value::Histogram(b) => {
                for (n, le) in b.with_inf().zip(LE) {
                    series(out, def.name, "_bucket", &sample.labels, Some(le));
                    let _ = writeln!(out, " {n}");
                }
                series(out, def.name, "_sum", &sample.labels, None);
                let _ = writeln!(out, " {}", b.sum_s);
                series(out, def.name, "_count", &sample.labels, None);
                let _ = writeln!(out, " {}", b.count);
            }
        }
    }
}

/// `name_suffix{label="value",...}`, with `le` last when given.
fn series(out: &mut String, name: &str, suffix: &str, labels: &[(&'static str, String)], le: Option<&str>) {
    out.push_str(name);
    out.push_str(suffix);
    if labels.is_empty() && le.is_none() {
        return;
    }
    out.push('{');
    let pairs = labels
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain(le.map(|le| ("le", le)));
    for (i, (key, value)) in pairs.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(key);
        out.push_str("=\"");
        escape_label_value(out, value);
        out.push('"');
    }
    out.push('}');
}

/// Label values escape backslash, double quote and line feed in both formats. Other
/// control characters have no escape and would break a line-based parser, so they become
/// U+FFFD.
pub(crate) fn escape_label_value(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// HELP text escapes backslash and line feed; OpenMetrics also escapes double quotes.
fn escape_help(out: &mut String, help: &str, openmetrics: bool) {
    for c in help.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if openmetrics => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        escape_label_value(&mut out, s);
        out
    }

    #[test]
    fn escapes_label_values() {
        assert_eq!(escaped(r#"GET /a\b"c"#), r#"GET /a\\b\"c"#);
        assert_eq!(escaped("x\ny"), "x\\ny");
        assert_eq!(escaped("x\ry\u{7}"), "x\u{FFFD}y\u{FFFD}");
        assert_eq!(escaped("GET /p/{{ id }}"), "GET /p/{{ id }}");
    }

    #[test]
    fn escapes_help_per_format() {
        let mut text = String::new();
        escape_help(&mut text, "a \"b\" \\ c\nd", false);
        assert_eq!(text, "a \"b\" \\\\ c\\nd");
        let mut om = String::new();
        escape_help(&mut om, "a \"b\"", true);
        assert_eq!(om, "a \\\"b\\\"");
    }

    #[test]
    fn counters_are_named_per_format() {
        let mut f = Family::new(&names::DATA_SENT);
        f.push(Vec::new(), Value::Count(42));
        let text = encode(std::slice::from_ref(&f), false, 0);
        assert!(
            text.contains("# TYPE loadcell_data_sent_bytes_total counter\n"),
            "{text}"
        );
        assert!(text.contains("\nloadcell_data_sent_bytes_total 42\n"), "{text}");
        assert!(!text.contains("# EOF"));
        let om = encode(&[f], true, 0);
        assert!(om.starts_with("# TYPE loadcell_data_sent_bytes counter\n# UNIT loadcell_data_sent_bytes bytes\n"));
        assert!(om.contains("\nloadcell_data_sent_bytes_total 42\n"), "{om}");
        assert!(om.ends_with("\n# EOF\n"), "{om}");
    }

    #[test]
    fn empty_families_are_left_out() {
        let f = Family::new(&names::CHECKS);
        assert_eq!(encode(&[f], false, 0), "");
    }
}
