//! `metrics:` — the scenario's own metrics (k6's `Counter`, `Trend`, `Rate`, `Gauge`), declared
//! at the root as `NAME: counter|trend|rate|gauge` or `NAME: { type: trend, unit: ms }` — and a
//! step's `add:`, which adds to them after its response, checks and extraction:
//! `NAME: 1` (a number), `NAME: "{{ total }}"` (a template that must render to a number) and,
//! for a rate, `checks` (all of the step's checks passed), `ok` (the request succeeded) or
//! `true`/`false`.

use loadcell_schema::{CustomKind, CustomMetricDef, CustomUnit};
use loadcell_threshold::Metric;

use super::node::{Kind, Node, get};
use super::{Ctx, template, value};
use crate::model::{AddValue, MetricAdd};
use crate::suggest;
use crate::validate::scope::Scope;

/// k6's limit on a metric name's length.
const MAX_NAME: usize = 128;
const TYPES: [&str; 4] = ["counter", "trend", "rate", "gauge"];
const UNITS: [&str; 3] = ["none", "ms", "bytes"];

/// The declarations in file order.
pub(crate) fn section(ctx: &mut Ctx<'_>, node: &Node) -> Option<Vec<CustomMetricDef>> {
    let entries = value::map(ctx, node, "'metrics' (e.g. { orders_placed: counter })")?;
    let mark = ctx.errors.len();
    let mut out = Vec::with_capacity(entries.len());
    for (key, spec) in entries {
        let name = key.text.as_str();
        if let Err(why) = check_name(name) {
            ctx.error(key.pos, why);
            continue;
        }
        if let Some((kind, unit)) = declaration(ctx, name, spec) {
            out.push(CustomMetricDef {
                name: name.to_string(),
                kind,
                unit,
            });
        }
    }
    ctx.clean_since(mark).then_some(out)
}

/// k6's rule for a metric name, and no clash with a built-in metric.
fn check_name(name: &str) -> Result<(), String> {
    let quoted = crate::error::quote(name, 60);
    let mut bytes = name.bytes();
    let first_ok = bytes.next().is_some_and(|b| b.is_ascii_alphabetic() || b == b'_');
    if !first_ok || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') || name.len() > MAX_NAME {
        return Err(format!(
            "metric name {quoted} is not valid: letters, digits and '_' only, not starting with a digit, at most {MAX_NAME} characters (as k6)"
        ));
    }
    if Metric::from_name(name).is_some() {
        return Err(format!(
            "metric name {quoted} is a built-in metric: give the scenario's own metric another name"
        ));
    }
    Ok(())
}

/// `counter` or `{ type: trend, unit: ms }`.
fn declaration(ctx: &mut Ctx<'_>, name: &str, spec: &Node) -> Option<(CustomKind, CustomUnit)> {
    let what = format!("the type of metric '{name}'");
    match &spec.kind {
        Kind::Map(entries) => {
            let keys_ok = value::known_keys(ctx, entries, &["type", "unit"], &format!("in metric '{name}'"));
            let Some((_, t)) = get(entries, "type") else {
                if keys_ok {
                    ctx.error(
                        spec.pos,
                        format!("metric '{name}' needs 'type': one of {}", TYPES.join(", ")),
                    );
                }
                return None;
            };
            let kind = CustomKind::ALL[value::choice(ctx, t, &what, &TYPES)?];
            let unit = match get(entries, "unit") {
                Some((_, u)) => {
                    CustomUnit::ALL[value::choice(ctx, u, &format!("the unit of metric '{name}'"), &UNITS)?]
                }
                None => CustomUnit::None,
            };
            if unit != CustomUnit::None && !matches!(kind, CustomKind::Trend | CustomKind::Gauge) {
                let (_, u) = get(entries, "unit")?;
                ctx.error(
                    u.pos,
                    format!(
                        "metric '{name}' is a {}: only a trend or a gauge has a unit",
                        kind.as_str()
                    ),
                );
                return None;
            }
            Some((kind, unit))
        }
        _ => value::choice(ctx, spec, &what, &TYPES).map(|i| (CustomKind::ALL[i], CustomUnit::None)),
    }
}

/// A step's `add:`, each name resolved to its declaration's index. `scope` sees what this
/// step extracts (the adds run after the extraction).
pub(crate) fn adds(ctx: &mut Ctx<'_>, node: &Node, scope: &Scope<'_>, label: &str) -> Option<Vec<MetricAdd>> {
    let entries = value::map(ctx, node, "'add' (e.g. { orders_placed: 1 })")?;
    let mark = ctx.errors.len();
    let mut out = Vec::with_capacity(entries.len());
    for (key, v) in entries {
        let Some(metric) = ctx.metrics.iter().position(|m| m.name == key.text) else {
            let message = undeclared(ctx, &key.text, label);
            ctx.error(key.pos, message);
            continue;
        };
        let kind = ctx.metrics[metric].kind;
        if let Some(value) = add_value(ctx, v, kind, &key.text, scope) {
            out.push(MetricAdd {
                metric,
                name: key.text.clone(),
                kind,
                value,
            });
        }
    }
    ctx.clean_since(mark).then_some(out)
}

fn undeclared(ctx: &Ctx<'_>, name: &str, label: &str) -> String {
    let quoted = crate::error::quote(name, 60);
    if ctx.metrics.is_empty() {
        return format!(
            "{label} adds to metric {quoted}, but the scenario declares no 'metrics:' (e.g. metrics: {{ {}: counter }})",
            crate::error::clip(name, 60)
        );
    }
    let names: Vec<&str> = ctx.metrics.iter().map(|m| m.name.as_str()).collect();
    format!(
        "{label} adds to metric {quoted}, which 'metrics:' does not declare{}",
        suggest::hint(name, &names)
    )
}

/// What one add adds: checked against the metric's kind.
fn add_value(ctx: &mut Ctx<'_>, v: &Node, kind: CustomKind, name: &str, scope: &Scope<'_>) -> Option<AddValue> {
    let rate = kind == CustomKind::Rate;
    let expected = if rate {
        "checks, ok, true, false, a number or a template such as \"{{ total }}\""
    } else {
        "a number or a template that renders to one, such as \"{{ total }}\""
    };
    match &v.kind {
        Kind::Int(n) => Some(AddValue::Number(*n as f64)),
        Kind::Float(f) if f.is_finite() => Some(AddValue::Number(*f)),
        Kind::Bool(b) if rate => Some(AddValue::Flag(*b)),
        Kind::Str(s) if rate && s == "checks" => Some(AddValue::Checks),
        Kind::Str(s) if rate && s == "ok" => Some(AddValue::Ok),
        Kind::Str(s) if s.contains("{{") => template::compile(ctx, v, s, scope).map(AddValue::Template),
        Kind::Str(s) if s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
            s.trim().parse::<f64>().ok().map(AddValue::Number)
        }
        _ => {
            ctx.error(
                v.pos,
                format!(
                    "'add' to {} '{name}' takes {expected}, found {}",
                    kind.as_str(),
                    v.describe()
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::check_name;

    #[test]
    fn names_follow_k6() {
        assert!(check_name("orders_placed").is_ok());
        assert!(check_name("_x9").is_ok());
        assert!(check_name("9lives").is_err());
        assert!(check_name("a-b").is_err());
        assert!(check_name("").is_err());
        assert!(check_name(&"a".repeat(129)).is_err());
        let e = check_name("http_req_duration").err().unwrap_or_default();
        assert!(e.contains("built-in"), "{e}");
    }
}
