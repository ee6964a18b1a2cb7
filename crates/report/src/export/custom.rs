//! A scenario's own metrics (`custom_metrics[]`) in words, the same in the terminal, the
//! Markdown summary and report.html: what each kind measures, in the metric's unit.

use loadcell_schema::{CustomKind, CustomMetricSummary, CustomUnit};
use loadcell_units::format::{bytes, ms, num, num_short, share};

/// `count 42  rate 4.2/s`, `98.5% true (197 of 200)`, `value 7  min 0  max 10`, or a trend's
/// `avg … min … med … max … p(90) … p(95) … (N values)`; `no value added` when none was.
pub(crate) fn describe(c: &CustomMetricSummary) -> String {
    let value = |v: Option<f64>| match (v, c.unit) {
        (None, _) => "–".to_string(),
        (Some(v), CustomUnit::Ms) => ms(v),
        (Some(v), CustomUnit::Bytes) => bytes(v.max(0.0).round() as u64),
        (Some(v), CustomUnit::None) => num_short(v),
    };
    match c.kind {
        _ if c.samples == 0 => "no value added".to_string(),
        CustomKind::Counter => format!(
            "count {}  rate {}/s",
            num_short(c.count.unwrap_or(0.0)),
            num(c.rate.unwrap_or(0.0))
        ),
        CustomKind::Rate => {
            let (passes, fails) = (c.passes.unwrap_or(0), c.fails.unwrap_or(0));
            format!(
                "{} true ({passes} of {})",
                share(passes, passes + fails),
                passes + fails
            )
        }
        CustomKind::Gauge => format!("value {}  min {}  max {}", value(c.value), value(c.min), value(c.max)),
        CustomKind::Trend => format!(
            "avg {}  min {}  med {}  max {}  p(90) {}  p(95) {}  ({} values)",
            value(c.avg),
            value(c.min),
            value(c.med),
            value(c.max),
            value(c.p90),
            value(c.p95),
            c.samples
        ),
    }
}

/// `N adds had no number` when some did (each failed its iteration).
pub(crate) fn invalid(c: &CustomMetricSummary) -> Option<String> {
    (c.invalid > 0).then(|| format!("{} adds had no number", c.invalid))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(name: &str, kind: CustomKind, unit: CustomUnit) -> CustomMetricSummary {
        let def = loadcell_schema::CustomMetricDef {
            name: name.into(),
            kind,
            unit,
        };
        CustomMetricSummary::new(&def, 4, 0)
    }

    #[test]
    fn each_kind_in_words_and_in_every_report() {
        let mut counter = metric("orders_placed", CustomKind::Counter, CustomUnit::None);
        counter.count = Some(42.0);
        counter.rate = Some(4.2);
        let mut rate = metric("checkout_ok", CustomKind::Rate, CustomUnit::None);
        (rate.passes, rate.fails, rate.invalid) = (Some(3), Some(1), 2);
        let mut trend = metric("wait", CustomKind::Trend, CustomUnit::Ms);
        (trend.avg, trend.min, trend.med, trend.max, trend.p90, trend.p95) =
            (Some(12.5), Some(1.0), Some(10.0), Some(40.0), Some(30.0), Some(35.0));
        let mut gauge = metric("stock", CustomKind::Gauge, CustomUnit::None);
        (gauge.value, gauge.min, gauge.max) = (Some(7.0), Some(0.0), Some(10.0));
        let mut none = metric("never", CustomKind::Gauge, CustomUnit::None);
        none.samples = 0;
        assert_eq!(describe(&counter), "count 42  rate 4.20/s");
        assert_eq!(describe(&rate), "75.0% true (3 of 4)");
        assert_eq!(invalid(&rate).as_deref(), Some("2 adds had no number"));
        assert!(
            describe(&trend).starts_with("avg 12.5 ms  min 1.00 ms  med 10.0 ms"),
            "{}",
            describe(&trend)
        );
        assert_eq!(describe(&gauge), "value 7  min 0  max 10");
        assert_eq!(describe(&none), "no value added");

        let mut s = crate::testing::summary(3);
        s.custom_metrics = vec![counter, rate, trend, gauge, none];
        let terminal = crate::export::terminal::terminal_text(&s);
        assert!(
            terminal.contains("checkout_ok    rate     75.0% true (3 of 4)  ✗ 2 adds had no number"),
            "{terminal}"
        );
        let md = crate::export::markdown::markdown(&s);
        assert!(
            md.contains("| `orders_placed` | counter | count 42  rate 4.20/s | 0 |"),
            "{md}"
        );
        let html = crate::export::html::html(&s);
        assert!(html.contains("id=\"custom-metrics\"") && html.contains("value 7  min 0  max 10"));
    }
}
