//! Which series of a `prometheus:` source are kept (`--monitor-series`): a small subset of
//! PromQL selectors, and the default set used without any.
//!
//! | selector | keeps |
//! |---|---|
//! | `NAME` | every series of `NAME`, one per label set |
//! | `NAME{k="v",…}` | the series of `NAME` whose labels include every pair |
//! | `sum(NAME…)` | one series: the sum over every matching label set |
//! | `sum by (k, …) (NAME…)` | one series per distinct value of the `by` labels |
//!
//! Counters (typed `counter`, or untyped with a name ending in `_total`, `_count` or
//! `_sum`) are kept as their per-second rate between scrapes, named `rate(…)`.

use std::collections::BTreeMap;

use crate::MonitorError;

/// One `--monitor-series` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesSelector {
    /// The family (sample) name, e.g. `process_resident_memory_bytes`.
    pub name: String,
    /// Label pairs a series must have.
    pub matchers: Vec<(String, String)>,
    /// `None`: each label set apart; `Some(labels)`: summed, grouped by these labels.
    pub sum_by: Option<Vec<String>>,
}

/// Without `--monitor-series`: what node_exporter reports about the machine, plus the
/// standard `process_*` metrics most client libraries export. Series an endpoint does not
/// have are skipped.
pub const DEFAULT_SERIES: [&str; 11] = [
    "sum by (mode) (node_cpu_seconds_total)",
    "node_load1",
    "node_memory_MemAvailable_bytes",
    "node_network_receive_bytes_total",
    "node_network_transmit_bytes_total",
    "node_disk_read_bytes_total",
    "node_disk_written_bytes_total",
    "node_filefd_allocated",
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_open_fds",
];

/// The default selectors, parsed.
pub fn default_selectors() -> Vec<SeriesSelector> {
    DEFAULT_SERIES
        .iter()
        .filter_map(|s| SeriesSelector::parse(s).ok())
        .collect()
}

impl SeriesSelector {
    /// Parses one selector.
    pub fn parse(text: &str) -> Result<SeriesSelector, MonitorError> {
        let bad = |reason: String| MonitorError::BadSeries {
            selector: loadcell_diagnostics::clip(text, 120),
            reason,
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(bad(
                "empty selector; write a metric name like process_resident_memory_bytes".into(),
            ));
        }
        let Some(rest) = t.strip_prefix("sum") else {
            let (name, matchers) = plain(t).map_err(bad)?;
            return Ok(SeriesSelector {
                name,
                matchers,
                sum_by: None,
            });
        };
        let rest = rest.trim_start();
        let (by, inner) = if let Some(after_by) = rest.strip_prefix("by") {
            let (labels, after) = parenthesised(after_by.trim_start()).map_err(bad)?;
            let labels: Vec<String> = labels
                .split(',')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            if let Some(l) = labels.iter().find(|l| !is_label_name(l)) {
                return Err(bad(format!("'{l}' is not a label name")));
            }
            (labels, after.trim_start())
        } else {
            (Vec::new(), rest)
        };
        let (body, after) = parenthesised(inner).map_err(bad)?;
        if !after.trim().is_empty() {
            return Err(bad(format!("unexpected '{}' after the selector", after.trim())));
        }
        let (name, matchers) = plain(body.trim()).map_err(bad)?;
        Ok(SeriesSelector {
            name,
            matchers,
            sum_by: Some(by),
        })
    }

    /// Parses a `--monitor-series` value: one or more selectors separated by commas
    /// outside parentheses and braces.
    pub fn parse_list(text: &str) -> Result<Vec<SeriesSelector>, MonitorError> {
        let mut out = Vec::new();
        let mut depth = 0i32;
        let mut start = 0;
        for (i, c) in text.char_indices() {
            match c {
                '(' | '{' => depth += 1,
                ')' | '}' => depth -= 1,
                ',' if depth == 0 => {
                    out.push(SeriesSelector::parse(&text[start..i])?);
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(SeriesSelector::parse(&text[start..])?);
        Ok(out)
    }

    /// Whether a sample of `name` with `labels` is selected.
    pub fn matches(&self, name: &str, labels: &BTreeMap<String, String>) -> bool {
        name == self.name && self.matchers.iter().all(|(k, v)| labels.get(k).is_some_and(|l| l == v))
    }

    /// The name a selected sample is kept under (before `rate(…)` for counters): the
    /// family with its labels, or with only the `by` labels when summed.
    pub fn series_name(&self, labels: &BTreeMap<String, String>) -> String {
        match &self.sum_by {
            None => with_labels(&self.name, labels.iter()),
            Some(by) => with_labels(&self.name, labels.iter().filter(|(k, _)| by.contains(k))),
        }
    }
}

/// `name{k="v",…}` with the labels in name order (no braces without labels).
pub fn with_labels<'a>(name: &str, labels: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    let pairs: Vec<String> = labels.map(|(k, v)| format!("{k}=\"{v}\"")).collect();
    if pairs.is_empty() {
        name.to_string()
    } else {
        format!("{name}{{{}}}", pairs.join(","))
    }
}

/// `NAME` or `NAME{k="v",…}`.
fn plain(t: &str) -> Result<(String, Vec<(String, String)>), String> {
    let name_end = t.find('{').unwrap_or(t.len());
    let name = t[..name_end].trim();
    if !is_metric_name(name) {
        return Err(format!(
            "'{}' is not a metric name (letters, digits, '_' and ':')",
            loadcell_diagnostics::clip(name, 60)
        ));
    }
    let mut matchers = Vec::new();
    if name_end < t.len() {
        let inner = t[name_end + 1..]
            .strip_suffix('}')
            .ok_or_else(|| "unclosed '{'".to_string())?;
        let mut rest = inner.trim_start();
        while !rest.is_empty() {
            let (key, after) = rest
                .split_once('=')
                .ok_or_else(|| format!("expected label=\"value\", found '{}'", rest.trim()))?;
            let key = key.trim();
            if !is_label_name(key) {
                return Err(format!("'{key}' is not a label name"));
            }
            let (value, after) =
                quoted(after.trim_start()).ok_or_else(|| format!("the value of '{key}' needs double quotes"))?;
            matchers.push((key.to_string(), value));
            rest = after.trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        }
    }
    Ok((name.to_string(), matchers))
}

/// `"value" rest` → (value with `\"` and `\\` unescaped, rest).
fn quoted(t: &str) -> Option<(String, &str)> {
    let body = t.strip_prefix('"')?;
    let mut value = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &body[i + 1..])),
            '\\' => value.push(chars.next()?.1),
            c => value.push(c),
        }
    }
    None
}

/// `(inside) rest` → (inside, rest), with nested parentheses.
fn parenthesised(t: &str) -> Result<(&str, &str), String> {
    let rest = t.strip_prefix('(').ok_or_else(|| "expected '('".to_string())?;
    let mut depth = 1;
    for (i, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&rest[..i], &rest[i + 1..]));
                }
            }
            _ => {}
        }
    }
    Err("unclosed '('".to_string())
}

fn is_metric_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

fn is_label_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selectors_parse() {
        let s = SeriesSelector::parse("process_resident_memory_bytes").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (s.name.as_str(), s.matchers.len(), s.sum_by),
            ("process_resident_memory_bytes", 0, None)
        );
        let s =
            SeriesSelector::parse(r#"jvm_memory_used_bytes{area="heap", id = "x"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.matchers, [("area".into(), "heap".into()), ("id".into(), "x".into())]);
        let s = SeriesSelector::parse("sum by (mode) (node_cpu_seconds_total)").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.sum_by, Some(vec!["mode".to_string()]));
        let s = SeriesSelector::parse("sum(x_total{a=\"1\"})").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((s.name.as_str(), s.sum_by), ("x_total", Some(vec![])));
        assert_eq!(default_selectors().len(), DEFAULT_SERIES.len());
        let list = SeriesSelector::parse_list("a, sum by (x,y) (b), c{k=\"v,w\"}").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(list.len(), 3);
        assert_eq!(list[2].matchers, [("k".into(), "v,w".into())]);
    }

    #[test]
    fn bad_selectors_are_explained() {
        for (text, want) in [
            ("", "empty selector"),
            ("1abc", "is not a metric name"),
            ("x{a=1}", "needs double quotes"),
            ("x{a=\"1\"", "unclosed '{'"),
            ("sum by mode (x)", "expected '('"),
            ("sum(x", "unclosed '('"),
            ("sum(x) y", "unexpected 'y'"),
            ("sum by (1a) (x)", "'1a' is not a label name"),
        ] {
            match SeriesSelector::parse(text) {
                Ok(s) => panic!("{text:?} parsed as {s:?}"),
                Err(e) => assert!(e.to_string().contains(want), "{text:?}: {e}"),
            }
        }
    }

    #[test]
    fn matching_and_naming() {
        let s = SeriesSelector::parse(r#"x{a="1"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert!(s.matches("x", &labels(&[("a", "1"), ("b", "2")])));
        assert!(!s.matches("x", &labels(&[("a", "2")])));
        assert!(!s.matches("y", &labels(&[("a", "1")])));
        assert_eq!(s.series_name(&labels(&[("b", "2"), ("a", "1")])), r#"x{a="1",b="2"}"#);
        let sum = SeriesSelector::parse("sum by (mode) (cpu)").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            sum.series_name(&labels(&[("cpu", "0"), ("mode", "idle")])),
            r#"cpu{mode="idle"}"#
        );
        let all = SeriesSelector::parse("sum(cpu)").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.series_name(&labels(&[("cpu", "0")])), "cpu");
    }
}
