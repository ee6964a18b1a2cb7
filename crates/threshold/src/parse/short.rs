//! The short form: `p95<200ms`, `p99.9<2s`, `median<10ms`, `error_rate<1%`,
//! `rps>=1000`, `ttfb_p95<100ms`, `target_cpu<80%` — a name standing for a metric and
//! an aggregation, then `OP VALUE`. The target's resources (`target_cpu`, `target_rss`,
//! `target_fds`) stand for their `max` over the monitored readings.

use super::cursor::Cursor;
use super::{Ctx, Form, example, is_token, operator, percentile_in_parens, percentile_token, value};
use crate::error::{ThresholdError, clip};
use crate::metric::{Aggregation, Metric};
use crate::op::Op;
use crate::suggest;

/// Short-form names, for suggestions and messages.
const SHORT_NAMES: [&str; 17] = [
    "p50",
    "p90",
    "p95",
    "p99",
    "p99.9",
    "median",
    "mean",
    "avg",
    "min",
    "max",
    "error_rate",
    "rps",
    "ttfb_p95",
    "ttfb_avg",
    "target_cpu",
    "target_rss",
    "target_fds",
];

/// The short form: `NAME OP VALUE`.
pub(super) fn short_form(ctx: &Ctx, text: &str) -> Result<(Metric, Aggregation, Op, f64), ThresholdError> {
    let mut c = Cursor::new(text);
    let token = c.take_while(is_token);
    if token.is_empty() {
        return Err(ctx.syntax(format!(
            "expected a short form like 'p95<200ms' or a k6 threshold like \
             'http_req_duration: p(95)<200', found '{}'",
            clip(text, 60)
        )));
    }
    let (metric, aggregation) = if (token == "p" || token == "ttfb_p") && c.peek_past_ws() == Some('(') {
        c.skip_ws();
        c.bump();
        let metric = if token == "p" {
            Metric::HttpReqDuration
        } else {
            Metric::HttpReqWaiting
        };
        (metric, percentile_in_parens(ctx, &mut c)?)
    } else if let Some(found) = short_name_checked(ctx, token)? {
        found
    } else if token == "p" || token == "ttfb_p" {
        return Err(ctx.syntax(format!(
            "expected a percentile after '{token}', e.g. {token}95 or {token}(95)"
        )));
    } else if let Some(metric) = Metric::from_name(token) {
        return Err(ctx.syntax(format!(
            "missing ':' after metric '{token}'; write e.g. '{token}: {}'",
            example(metric)
        )));
    } else {
        let mut names: Vec<&'static str> = SHORT_NAMES.to_vec();
        names.extend(Metric::ALL.iter().map(Metric::name));
        let hint = match suggest::closest(token, &names) {
            Some(s) => format!("did you mean '{s}'?"),
            None => "expected a short form (p95, p99.9, avg, median, min, max, error_rate, rps, \
                     ttfb_p95) or 'METRIC: AGG OP VALUE'"
                .into(),
        };
        return Err(ctx.syntax(format!("unknown threshold '{}'; {hint}", clip(token, 60))));
    };
    let written = text[..c.pos].trim();
    let op = operator(ctx, &mut c, written)?;
    let limit = value(ctx, &mut c, op, metric, aggregation, Form::Short)?;
    Ok((metric, aggregation, op, limit))
}

/// Resolves a short-form name; `None` when it is not one. Percentile range
/// errors are not reported (used for hints).
pub(super) fn short_name(name: &str) -> Option<(Metric, Aggregation)> {
    short_name_checked(&Ctx::new(name), name).ok().flatten()
}

fn short_name_checked(ctx: &Ctx, name: &str) -> Result<Option<(Metric, Aggregation)>, ThresholdError> {
    match name {
        "error_rate" => return Ok(Some((Metric::HttpReqFailed, Aggregation::Rate))),
        "rps" => return Ok(Some((Metric::HttpReqs, Aggregation::Rate))),
        "target_cpu" => return Ok(Some((Metric::TargetCpu, Aggregation::Max))),
        "target_rss" => return Ok(Some((Metric::TargetRss, Aggregation::Max))),
        "target_fds" => return Ok(Some((Metric::TargetFds, Aggregation::Max))),
        _ => {}
    }
    let (metric, base) = match name.strip_prefix("ttfb_") {
        Some(base) => (Metric::HttpReqWaiting, base),
        None => (Metric::HttpReqDuration, name),
    };
    let aggregation = match base {
        "avg" | "mean" => Aggregation::Avg,
        "med" | "median" => Aggregation::Med,
        "min" => Aggregation::Min,
        "max" => Aggregation::Max,
        _ => match percentile_token(ctx, base)? {
            Some(p) => p,
            None => return Ok(None),
        },
    };
    Ok(Some((metric, aggregation)))
}
