//! The threshold parser: k6 expressions (`METRIC{tags}: AGG OP VALUE`), the
//! short form (`p95<200ms`, `error_rate<1%`, `rps>=1000`) and the split
//! key/condition form of scenario files.

use crate::error::{ThresholdError, clip};
use crate::filter::parse_filter;
use crate::metric::{Aggregation, Custom, Metric, MetricKind};
use crate::op::Op;
use crate::suggest;
use crate::units::Unit;

mod cursor;
mod short;

use crate::{TagFilter, Threshold};
use cursor::Cursor;
use short::{short_form, short_name};

/// The text being parsed, ready to quote in errors.
pub(crate) struct Ctx {
    pub(crate) expr: String,
}

impl Ctx {
    fn new(text: &str) -> Ctx {
        Ctx { expr: clip(text, 200) }
    }

    pub(crate) fn syntax(&self, reason: impl Into<String>) -> ThresholdError {
        ThresholdError::Syntax {
            expr: self.expr.clone(),
            reason: reason.into(),
        }
    }
}

/// Parses a whole one-line threshold in either syntax:
/// `http_req_duration{endpoint:GET /x}: p(95)<200` or `p95<200ms`.
pub fn parse(expr: &str) -> Result<Threshold, ThresholdError> {
    parse_with(expr, &[])
}

/// [`parse`], where a metric name may also be one of the scenario's own `customs`.
pub fn parse_with(expr: &str, customs: &[Custom]) -> Result<Threshold, ThresholdError> {
    let text = expr.trim();
    if text.is_empty() {
        return Err(ThresholdError::Empty);
    }
    let ctx = Ctx::new(text);
    // A condition never contains ':', so the last one separates the metric
    // part from the condition; colons inside tag values come before it.
    let (metric, filter, condition) = match text.rfind(':') {
        Some(colon) => {
            let (metric, filter) = metric_part(&ctx, &text[..colon], &text[colon + 1..], customs)?;
            let (aggregation, op, limit) = condition(&ctx, metric, &text[colon + 1..])?;
            (metric, filter, (aggregation, op, limit))
        }
        None => {
            let (metric, aggregation, op, limit) = short_form(&ctx, text)?;
            (metric, TagFilter::default(), (aggregation, op, limit))
        }
    };
    let (aggregation, op, limit) = condition;
    Ok(Threshold {
        expr: text.to_string(),
        metric,
        filter,
        aggregation,
        op,
        limit,
        abort_after: None,
    })
}

/// Parses one condition of the map form in scenario files,
/// `http_req_duration{endpoint:GET /x}: ["p(95)<200", "p(99)<500"]`:
/// `metric` is the key (name and optional tag filter), `condition` one item.
/// The resulting `expr` is `"{metric}: {condition}"` (both trimmed).
pub fn parse_condition(metric: &str, condition_text: &str) -> Result<Threshold, ThresholdError> {
    parse_condition_with(metric, condition_text, &[])
}

/// [`parse_condition`], where the key may also name one of the scenario's own `customs`.
pub fn parse_condition_with(
    metric: &str,
    condition_text: &str,
    customs: &[Custom],
) -> Result<Threshold, ThresholdError> {
    let (key, cond) = (metric.trim(), condition_text.trim());
    if key.is_empty() && cond.is_empty() {
        return Err(ThresholdError::Empty);
    }
    let text = format!("{key}: {cond}");
    let ctx = Ctx::new(&text);
    let (metric, filter) = metric_part(&ctx, key, "", customs)?;
    let (aggregation, op, limit) = condition(&ctx, metric, cond)?;
    Ok(Threshold {
        expr: text,
        metric,
        filter,
        aggregation,
        op,
        limit,
        abort_after: None,
    })
}

/// Checks the key of the map form alone (`http_req_duration{journey:a}`), for a key whose
/// list of conditions is empty — which k6 allows, and which judges nothing.
pub fn parse_key(key: &str) -> Result<(Metric, TagFilter), ThresholdError> {
    parse_key_with(key, &[])
}

/// [`parse_key`], where the key may also name one of the scenario's own `customs`.
pub fn parse_key_with(key: &str, customs: &[Custom]) -> Result<(Metric, TagFilter), ThresholdError> {
    let key = key.trim();
    let ctx = Ctx::new(key);
    metric_part(&ctx, key, "", customs)
}

/// `NAME` or `NAME{filter}`. `after` is the text following the part, used
/// only to explain an unclosed `{`.
fn metric_part(ctx: &Ctx, part: &str, after: &str, customs: &[Custom]) -> Result<(Metric, TagFilter), ThresholdError> {
    let part = part.trim();
    let name_len = part.bytes().take_while(|b| is_ident(*b)).count();
    let (name, rest) = part.split_at(name_len);
    if name.is_empty() {
        return Err(if part.is_empty() {
            ctx.syntax("missing metric name before ':'")
        } else {
            ctx.syntax(format!("expected a metric name, found '{}'", clip(part, 60)))
        });
    }
    let custom = || customs.iter().find(|c| c.name == name).map(|c| Metric::Custom(*c));
    let Some(metric) = Metric::from_name(name).or_else(custom) else {
        return Err(unknown_metric(ctx, name, customs));
    };
    let rest = rest.trim_start();
    if rest.is_empty() {
        return Ok((metric, TagFilter::default()));
    }
    if !rest.starts_with('{') {
        return Err(ctx.syntax(format!("unexpected '{}' after metric '{name}'", clip(rest, 60))));
    }
    if rest.ends_with('}') {
        let filter = parse_filter(ctx, &rest[1..rest.len() - 1])?;
        if let Some(&(key, _)) = filter.tags.iter().find(|(k, _)| !metric.tag_keys().contains(k)) {
            return Err(ThresholdError::TagNotApplicable {
                expr: ctx.expr.clone(),
                metric,
                key,
            });
        }
        if let Some((key, _)) = filter.custom.first()
            && !metric.takes_custom_tags()
        {
            return Err(ThresholdError::CustomTagNotApplicable {
                expr: ctx.expr.clone(),
                metric,
                key: key.clone(),
            });
        }
        return Ok((metric, filter));
    }
    if let Some(close) = rest.rfind('}') {
        return Err(ctx.syntax(format!(
            "unexpected '{}' after the tag filter",
            clip(rest[close + 1..].trim(), 60)
        )));
    }
    // No '}' before the separating ':' — either the filter is unclosed or
    // the ':' we split at was inside a tag value and the condition is missing.
    Err(match after.rfind('}') {
        Some(close) if after[close + 1..].trim().is_empty() => ctx.syntax(format!(
            "missing condition after the tag filter; expected e.g. '{name}{{...}}: {}'",
            example(metric)
        )),
        Some(close) => ctx.syntax(format!(
            "expected ':' between the tag filter and '{}'",
            clip(after[close + 1..].trim(), 60)
        )),
        None => ctx.syntax("unclosed '{' in the tag filter"),
    })
}

fn unknown_metric(ctx: &Ctx, name: &str, customs: &[Custom]) -> ThresholdError {
    if let Some((metric, aggregation)) = short_name(name) {
        return ctx.syntax(format!(
            "'{name}' is a short form, not a metric; write e.g. '{name}<...' without ':', \
             or '{metric}: {aggregation}<...' to add a tag filter"
        ));
    }
    let names: Vec<&'static str> = Metric::ALL
        .iter()
        .map(Metric::name)
        .chain(customs.iter().map(|c| c.name))
        .collect();
    ThresholdError::UnknownMetric {
        expr: ctx.expr.clone(),
        name: clip(name, 60),
        suggestion: suggest::closest(name, &names),
        customs: customs.iter().map(|c| c.name).collect(),
    }
}

fn example(metric: Metric) -> &'static str {
    match metric.kind() {
        MetricKind::Trend => "p(95)<200",
        MetricKind::Rate => "rate<0.01",
        MetricKind::Counter => "count>100",
        MetricKind::Gauge => "value<100",
        MetricKind::Resource => "max<100",
    }
}

/// `AGG OP VALUE` for a known metric.
fn condition(ctx: &Ctx, metric: Metric, text: &str) -> Result<(Aggregation, Op, f64), ThresholdError> {
    let mut c = Cursor::new(text);
    c.skip_ws();
    if c.at_end() {
        return Err(ctx.syntax(format!(
            "missing condition after ':'; expected e.g. '{}'",
            example(metric)
        )));
    }
    let start = c.pos;
    let token = c.take_while(is_token);
    if token.is_empty() {
        let hint = metric.kind().aggregation_hint();
        return Err(if starts_op(c.rest()) {
            ctx.syntax(format!("missing aggregation before the operator; use {hint}"))
        } else {
            ctx.syntax(format!(
                "expected an aggregation of {metric} ({hint}), found '{}'",
                clip(c.rest(), 60)
            ))
        });
    }
    let aggregation = if token == "p" && c.peek_past_ws() == Some('(') {
        c.skip_ws();
        c.bump();
        percentile_in_parens(ctx, &mut c)?
    } else {
        let agg = match token {
            "avg" => Some(Aggregation::Avg),
            "min" => Some(Aggregation::Min),
            "max" => Some(Aggregation::Max),
            "med" => Some(Aggregation::Med),
            "rate" => Some(Aggregation::Rate),
            "count" => Some(Aggregation::Count),
            "value" => Some(Aggregation::Value),
            _ => percentile_token(ctx, token)?,
        };
        agg.ok_or_else(|| invalid_aggregation(ctx, metric, token))?
    };
    let written = text[start..c.pos].trim();
    if !metric.kind().allows(aggregation) {
        return Err(invalid_aggregation(ctx, metric, written));
    }
    let op = operator(ctx, &mut c, written)?;
    let limit = value(ctx, &mut c, op, metric, aggregation, Form::K6)?;
    Ok((aggregation, op, limit))
}

fn invalid_aggregation(ctx: &Ctx, metric: Metric, written: &str) -> ThresholdError {
    ThresholdError::InvalidAggregation {
        expr: ctx.expr.clone(),
        metric,
        aggregation: clip(written, 60),
    }
}

/// `p95`, `p99.9` → a percentile; other tokens → `None`.
fn percentile_token(ctx: &Ctx, token: &str) -> Result<Option<Aggregation>, ThresholdError> {
    let Some(digits) = token.strip_prefix('p') else {
        return Ok(None);
    };
    let well_formed = digits.bytes().any(|b| b.is_ascii_digit())
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && digits.bytes().filter(|b| *b == b'.').count() <= 1;
    match digits.parse::<f64>() {
        Ok(n) if well_formed => percentile(ctx, n, digits).map(Some),
        _ => Ok(None),
    }
}

/// After `p(`: `N )`.
fn percentile_in_parens(ctx: &Ctx, c: &mut Cursor<'_>) -> Result<Aggregation, ThresholdError> {
    c.skip_ws();
    let Some(raw) = c.number() else {
        return Err(ctx.syntax(format!(
            "expected a number inside 'p(...)', found '{}'",
            clip(c.rest().trim(), 60)
        )));
    };
    c.skip_ws();
    if !c.eat(')') {
        return Err(ctx.syntax(format!("expected ')' after 'p({raw}'")));
    }
    match raw.parse::<f64>() {
        Ok(n) => percentile(ctx, n, raw),
        Err(_) => Err(ctx.syntax(format!("bad percentile '{raw}'"))),
    }
}

fn percentile(ctx: &Ctx, n: f64, raw: &str) -> Result<Aggregation, ThresholdError> {
    if (0.0..=100.0).contains(&n) {
        Ok(Aggregation::Percentile(n))
    } else {
        Err(ThresholdError::PercentileOutOfRange {
            expr: ctx.expr.clone(),
            value: clip(raw, 30),
        })
    }
}

fn starts_op(s: &str) -> bool {
    s.starts_with(['<', '>', '=', '!'])
}

/// One of `<`, `<=`, `>`, `>=`, `==` (also k6's `===`), `!=`.
fn operator(ctx: &Ctx, c: &mut Cursor<'_>, after: &str) -> Result<Op, ThresholdError> {
    c.skip_ws();
    const OPS: [(&str, Op); 7] = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("===", Op::Eq),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
    ];
    for (text, op) in OPS {
        if c.eat_str(text) {
            return Ok(op);
        }
    }
    let after = clip(after, 60);
    Err(if c.at_end() {
        ctx.syntax(format!(
            "missing comparison operator after '{after}'; use <, <=, >, >=, == or !="
        ))
    } else if c.rest().starts_with("=>") || c.rest().starts_with("=<") {
        ctx.syntax(format!(
            "'{}' is not an operator; use <=, >=, <, >, == or !=",
            &c.rest()[..2]
        ))
    } else if c.rest().starts_with('=') {
        ctx.syntax("use '==' to compare for equality, not '='")
    } else {
        ctx.syntax(format!(
            "expected a comparison operator (<, <=, >, >=, == or !=) after '{after}', found '{}'",
            clip(c.rest(), 60)
        ))
    })
}

/// Which syntax a condition was written in: k6 has no percent sign, so a bare `rate<1` is
/// its only way to say 100%, while the short form's `error_rate<1` reads as "1%" to most.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    K6,
    Short,
}

/// `NUMBER [UNIT]` up to the end of the text, converted to the canonical unit. Negative
/// limits are accepted as k6 accepts them (`count>-1` is a threshold that always holds,
/// but not a malformed one).
fn value(
    ctx: &Ctx,
    c: &mut Cursor<'_>,
    op: Op,
    metric: Metric,
    aggregation: Aggregation,
    form: Form,
) -> Result<f64, ThresholdError> {
    c.skip_ws();
    if c.at_end() {
        return Err(ctx.syntax(format!("missing value after '{op}'")));
    }
    let Some(raw) = c.number() else {
        return Err(ctx.syntax(format!(
            "expected a number after '{op}', found '{}'",
            clip(c.rest(), 60)
        )));
    };
    let Ok(number) = raw.parse::<f64>() else {
        return Err(ctx.syntax(format!("bad number '{}' after '{op}'", clip(raw, 60))));
    };
    if !number.is_finite() {
        return Err(ctx.syntax(format!("number '{}' is too large", clip(raw, 30))));
    }
    c.skip_ws();
    let suffix = c.take_while_char(|ch| ch.is_alphabetic() || ch == '%' || ch == '/');
    c.skip_ws();
    if !c.at_end() {
        return Err(ctx.syntax(format!(
            "unexpected '{}' after the value '{}'",
            clip(c.rest(), 60),
            clip(&format!("{raw}{suffix}"), 60)
        )));
    }
    let unit = Unit::of(metric, aggregation);
    let Some(limit) = unit.convert(number, suffix) else {
        return Err(ctx.syntax(format!(
            "unit '{}' does not fit {aggregation} of {metric}; {}",
            clip(suffix, 30),
            unit.suffix_hint()
        )));
    };
    if !limit.is_finite() {
        return Err(ctx.syntax(format!("number '{}' is too large", clip(raw, 30))));
    }
    if unit == Unit::Fraction && limit > 1.0 {
        return Err(ctx.syntax(format!(
            "rate '{raw}{suffix}' is above 100%; rates are fractions (0.01) or percents (1%)"
        )));
    }
    if form == Form::Short
        && unit == Unit::Fraction
        && suffix.is_empty()
        && limit == 1.0
        && !matches!(op, Op::Eq | Op::Ge)
    {
        // `error_rate<1` reads as "below 1%" to most people but means "below 100%".
        return Err(ctx.syntax(format!(
            "'{op}{raw}' is ambiguous: a bare 1 is a rate of 100%; write 1% for one percent (or 0.01), or 100% if you mean it"
        )));
    }
    Ok(limit)
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn is_token(b: u8) -> bool {
    is_ident(b) || b == b'.'
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz_tests;
