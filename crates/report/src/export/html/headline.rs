//! Section 2, the headline numbers as stat cards: requests, throughput, error rate,
//! p50/p95/p99, data in and out, VUs, the load model and what latency is measured from,
//! and in the open model the arrival rate achieved against its target and dropped iterations.

use loadcell_schema::{Model, Summary};

use super::markup::stat;
use crate::text::number;

/// Splits `"0.412 ms"` into the number and its unit for a stat card.
fn split(text: &str) -> (&str, &str) {
    text.rsplit_once(' ').unwrap_or((text, ""))
}

pub fn section(summary: &Summary) -> String {
    let mut cards = String::new();
    cards += &request_cards(summary);
    cards += &latency_cards(summary);
    cards += &traffic_cards(summary);
    cards += &model_cards(summary);
    let title = match (&summary.capacity, &summary.scale) {
        (Some(_), _) | (_, Some(_)) => "Every step together",
        _ => "Headline numbers",
    };
    format!("<section id=\"numbers\"><h2>{title}</h2><div class=\"stats\">\n{cards}</div></section>\n")
}

/// Requests, throughput and errors.
fn request_cards(summary: &Summary) -> String {
    let r = &summary.requests;
    let mut cards = String::new();
    let mut extra = Vec::new();
    if r.warmup > 0 {
        extra.push(format!("{} in warm-up", number::int(r.warmup)));
    }
    if r.interrupted > 0 {
        extra.push(format!("{} cut off", number::int(r.interrupted)));
    }
    let sub = format!(
        "{} ok · {} failed{}",
        number::int(r.ok),
        number::int(r.failed),
        prefixed(&extra)
    );
    cards += &stat("Requests", &number::int(r.total), "", &sub, "");
    let iterations = if summary.iterations.total != r.total {
        format!("{} iterations/s", number::num(summary.iterations.rate_per_s))
    } else {
        String::new()
    };
    cards += &stat("Throughput", &number::num(r.rate_per_s), "req/s", &iterations, "");
    let error_sub = errors_sub(summary);
    cards += &stat(
        "Errors",
        &number::share(r.failed, r.total),
        "",
        &error_sub,
        if r.failed > 0 { "bad" } else { "" },
    );
    cards
}

/// p50, p95 and p99 with what is around them.
fn latency_cards(summary: &Summary) -> String {
    let l = &summary.latency_ms;
    let mut cards = String::new();
    let (v, u) = split_ms(l.p50);
    cards += &stat("Latency p50", &v, &u, &format!("mean {}", number::ms(l.mean)), "");
    let (v, u) = split_ms(l.p95);
    cards += &stat("Latency p95", &v, &u, &format!("p90 {}", number::ms(l.p90)), "");
    let (v, u) = split_ms(l.p99);
    cards += &stat(
        "Latency p99",
        &v,
        &u,
        &format!("p99.9 {} · max {}", number::ms(l.p999), number::ms(l.max)),
        "",
    );
    cards
}

/// Data in and out, and the VUs.
fn traffic_cards(summary: &Summary) -> String {
    let mut cards = String::new();
    let received = number::bytes(summary.data.received_bytes);
    let (v, u) = split(&received);
    let per_s = |b: u64| {
        if summary.duration_s > 0.0 {
            b as f64 / summary.duration_s
        } else {
            0.0
        }
    };
    let sub = format!(
        "{}/s in · sent {} ({}/s)",
        number::bytes(per_s(summary.data.received_bytes) as u64),
        number::bytes(summary.data.sent_bytes),
        number::bytes(per_s(summary.data.sent_bytes) as u64)
    );
    cards += &stat("Data received", v, u, &sub, "");
    cards += &stat(
        "VUs",
        &number::int(summary.vus.max),
        &format!("of {}", number::int(summary.vus.limit)),
        "most busy at once, of the limit",
        "",
    );
    cards
}

/// The load model, and in the open model the arrival rate and dropped iterations.
fn model_cards(summary: &Summary) -> String {
    let mut cards = String::new();
    let (model, how) = match summary.model {
        Model::Closed => ("Closed", "VUs loop request → response"),
        Model::Open => ("Open", "fixed arrival schedule"),
    };
    let mut sub = format!("{how} · latency from the {}", summary.latency_measured_from);
    if let Some(service) = &summary.service_time_ms {
        sub += &format!(" · service time p99 {}", number::ms(service.p99));
    } else if let Some(co) = &summary.latency_co_estimate_ms {
        sub += &format!(" · steady-arrival estimate p99 {}", number::ms(co.p99));
    }
    cards += &stat("Load model", model, "", &sub, "");
    if summary.model == Model::Open || summary.arrival_rate.is_some() {
        let (target, achieved) = summary
            .arrival_rate
            .as_ref()
            .map_or((0.0, 0.0), |a| (a.target_per_s, a.achieved_per_s));
        let short = target > 0.0 && achieved < target * 0.99;
        let (of, sub) = match summary.stage_levels() {
            Some(levels) => (
                format!("of mean {}/s", number::num_short(target)),
                format!("iterations/s achieved; stages {levels}/s"),
            ),
            None => (
                format!("of {}/s", number::num_short(target)),
                "iterations/s achieved of target".to_string(),
            ),
        };
        cards += &stat(
            "Arrival rate",
            &number::num_short(achieved),
            &of,
            &sub,
            if short { "bad" } else { "" },
        );
    }
    if summary.model == Model::Open || summary.dropped_iterations > 0 {
        let sub = format!("of {} scheduled", number::int(summary.iterations.scheduled));
        let class = if summary.dropped_iterations > 0 { "bad" } else { "" };
        cards += &stat(
            "Dropped iterations",
            &number::int(summary.dropped_iterations),
            "",
            &sub,
            class,
        );
    }
    cards
}

fn split_ms(v: f64) -> (String, String) {
    let text = number::ms(v);
    let (a, b) = split(&text);
    (a.to_string(), b.to_string())
}

fn prefixed(parts: &[String]) -> String {
    parts.iter().map(|p| format!(" · {p}")).collect()
}

fn errors_sub(summary: &Summary) -> String {
    let transport: u64 = summary.errors.values().sum();
    let http = summary.requests.failed.saturating_sub(transport);
    if summary.requests.failed == 0 {
        "no failed requests".to_string()
    } else {
        format!(
            "{} HTTP ≥ 400 · {} transport",
            number::int(http),
            number::int(transport)
        )
    }
}
