//! The end-of-test summary as text for the terminal (the CLI prints it on stdout, for a run
//! and for `loadcell report DIR`). Everything shown here is also in `summary.json`; this
//! file only decides layout. Numbers are written by
//! `loadcell_units::format`, as in every report.

use loadcell_schema::{Behaviour, LatencyStats, Model, Schedule, StopReason, Summary};
use loadcell_units::format::{bytes, ms, num, share as pct, signed};
use std::fmt::Write;

/// The summary as the terminal shows it.
pub fn terminal_text(s: &Summary) -> String {
    let mut out = String::new();
    let _ = write_summary(&mut out, s);
    out
}

fn write_summary(o: &mut String, s: &Summary) -> std::fmt::Result {
    write_header(o, s)?;
    write_totals(o, s)?;
    super::terminal_scenarios::write(o, s)?;
    super::terminal_scenarios::write_lifecycle(o, s)?;
    write_endpoints(o, s)?;
    write_journeys(o, s)?;
    write_checks(o, s)?;
    write_custom(o, s)?;
    write_stages(o, s)?;
    write_stability(o, s)?;
    write_thresholds(o, s)?;
    super::terminal_evidence::write(o, s)?;
    write_generator(o, s)
}

/// The target, the model, how long was measured and why the run ended.
fn write_header(o: &mut String, s: &Summary) -> std::fmt::Result {
    let target = s.arrival_rate.as_ref().map_or(0.0, |r| r.target_per_s);
    let model = match (s.model, s.stage_levels()) {
        _ if !s.scenarios.is_empty() => format!(
            "{} scenarios at once ({})",
            s.scenarios.len(),
            s.scenarios
                .iter()
                .map(|x| x.executor.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (Model::Closed, None) => format!("closed model, {} VUs", s.vus.limit),
        (Model::Closed, Some(levels)) => format!("closed model, stages {levels} VUs"),
        (Model::Open, None) => format!(
            "open model, {} iterations/s target, up to {} VUs",
            num(target),
            s.vus.limit
        ),
        (Model::Open, Some(levels)) => format!(
            "open model, stages {levels} iterations/s (mean {}/s), up to {} VUs",
            num(target),
            s.vus.limit
        ),
    };
    let stop = match s.stop_reason {
        StopReason::Duration => "duration reached",
        StopReason::Requests => "request count reached",
        StopReason::Interrupted => "interrupted",
        StopReason::ThresholdAborted => "aborted: a threshold failed",
        StopReason::DataExhausted => "test data ran out",
        StopReason::SetupFailed => "setup failed",
    };
    // A segment's numbers are its share of the test; a merge's are the whole test's.
    let part = match (&s.segment, s.merged.len()) {
        (Some(segment), _) => format!(" — segment {segment} of the test"),
        (None, n) if n > 0 => format!(" — merged from {n} part(s)"),
        _ => String::new(),
    };
    writeln!(o)?;
    writeln!(o, "  {} — {model}{part}", s.target)?;
    let warmup = if s.warmup_s > 0.0 {
        format!(
            " after {:.1}s warm-up ({} requests excluded)",
            s.warmup_s, s.requests.warmup
        )
    } else {
        String::new()
    };
    writeln!(o, "  measured {:.2}s{warmup}; {stop}", s.duration_s)?;
    writeln!(o, "  latency measured from the {}", s.latency_measured_from)?;
    if s.stop_reason == StopReason::Interrupted {
        writeln!(
            o,
            "  INCOMPLETE: the run was interrupted before its end; not a pass (exit 1)"
        )?;
    }
    if let Some(warning) = s.mostly_failed() {
        writeln!(o, "  WARNING: {warning}")?;
    }
    writeln!(o)
}

/// Requests and iterations, then latencies and traffic.
fn write_totals(o: &mut String, s: &Summary) -> std::fmt::Result {
    let r = &s.requests;
    let fail_pct = pct(r.failed, r.total);
    writeln!(
        o,
        "  {:<12}{} total, {} ok, {} failed ({fail_pct}), {} req/s",
        "requests",
        r.total,
        r.ok,
        r.failed,
        num(r.rate_per_s)
    )?;
    if r.interrupted > 0 {
        writeln!(
            o,
            "  {:<12}{} still unanswered when the grace period ended: failed (unfinished), in the total",
            "", r.interrupted
        )?;
    }
    if s.model == Model::Open {
        let rate = s.arrival_rate.clone().unwrap_or_default();
        // Iterations still under way at the cut are neither completed nor dropped: said, so
        // that the three add up to what was scheduled.
        let cut = match s.iterations.cut {
            0 => String::new(),
            n => format!(", {n} cut at the end"),
        };
        writeln!(
            o,
            "  {:<12}{} scheduled, {} dropped{cut}; arrival rate {}/s achieved of {}/s {}",
            "iterations",
            s.iterations.scheduled,
            s.iterations.dropped,
            num(rate.achieved_per_s),
            num(rate.target_per_s),
            if s.stage_levels().is_some() {
                "mean target"
            } else {
                "target"
            }
        )?;
    }
    write_latencies(o, s)?;
    write_traffic(o, s)
}

/// Latency (and service time, and the coordinated-omission estimate), time to first byte.
fn write_latencies(o: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(o, "  {:<12}{}", "latency", stats_line(&s.latency_ms))?;
    if let Some(service) = &s.service_time_ms {
        writeln!(o, "  {:<12}{}", "service", stats_line(service))?;
    }
    if let Some(lag) = s.schedule.as_ref().filter(|l| l.lag_ms.count > 0) {
        writeln!(
            o,
            "  {:<12}{} (loadcell's own: scheduled start → send)",
            "sched lag",
            stats_line(&lag.lag_ms)
        )?;
    }
    if let Some(held) = s.schedule.as_ref().and_then(held_line) {
        writeln!(o, "  {:<12}{held}", "held")?;
    }
    if let Some(est) = s
        .latency_co_estimate_ms
        .as_ref()
        .filter(|e| e.count > s.latency_ms.count)
    {
        writeln!(
            o,
            "  {:<12}{} (coordinated-omission estimate)",
            "latency≈",
            stats_line(est)
        )?;
    }
    if s.sending_ms.count > 0 {
        writeln!(o, "  {:<12}{}", "sending", stats_line(&s.sending_ms))?;
    }
    writeln!(o, "  {:<12}{}", "ttfb", stats_line(&s.ttfb_ms))?;
    if s.receiving_ms.count > 0 {
        writeln!(o, "  {:<12}{}", "receiving", stats_line(&s.receiving_ms))?;
    }
    if s.blocked_ms.count > 0 {
        writeln!(
            o,
            "  {:<12}blocked p95 {}, tcp connecting p95 {}, tls p95 {} (per request; 0 on a reused connection)",
            "before send",
            ms(s.blocked_ms.p95),
            ms(s.connecting_ms.p95),
            ms(s.tls_handshaking_ms.p95)
        )?;
    }
    // In quick mode an iteration is one request: the line would repeat the latency.
    if !s.journeys.is_empty() && s.iteration_duration_ms.count > 0 {
        writeln!(o, "  {:<12}{}", "iteration", stats_line(&s.iteration_duration_ms))?;
    }
    Ok(())
}

/// Connections, data volume, status codes and errors.
fn write_traffic(o: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(
        o,
        "  {:<12}{} opened, p50 {} max {}",
        "connect",
        s.connections_opened,
        ms(s.connect_ms.p50),
        ms(s.connect_ms.max)
    )?;
    let secs = s.duration_s.max(f64::MIN_POSITIVE);
    writeln!(
        o,
        "  {:<12}received {} ({}/s), sent {} ({}/s)",
        "data",
        bytes(s.data.received_bytes),
        bytes((s.data.received_bytes as f64 / secs) as u64),
        bytes(s.data.sent_bytes),
        bytes((s.data.sent_bytes as f64 / secs) as u64)
    )?;
    if s.data.decoded_body_bytes > 0 {
        // Only scenario steps read (and decode) bodies; the wire figure above stays the truth.
        writeln!(
            o,
            "  {:<12}response bodies {} once decoded (Content-Encoding undone)",
            "",
            bytes(s.data.decoded_body_bytes)
        )?;
    }
    let codes: Vec<String> = s.status_codes.iter().map(|(c, n)| format!("{c}: {n}")).collect();
    writeln!(
        o,
        "  {:<12}{}",
        "status",
        if codes.is_empty() {
            "none".into()
        } else {
            codes.join("  ")
        }
    )?;
    if !s.errors.is_empty() {
        let errs: Vec<String> = s.errors.iter().map(|(k, n)| format!("{k}: {n}")).collect();
        writeln!(o, "  {:<12}{}", "errors", errs.join("  "))?;
    }
    Ok(())
}

/// One row per endpoint.
fn write_endpoints(o: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(o)?;
    let width = s
        .endpoints
        .iter()
        .map(|e| e.name.chars().count())
        .max()
        .unwrap_or(8)
        .clamp(8, 48);
    writeln!(
        o,
        "  {:<width$}  {:>9} {:>10} {:>7} {:>9} {:>9} {:>9} {:>9}",
        "endpoint", "requests", "req/s", "fail", "p50", "p95", "p99", "max"
    )?;
    for e in &s.endpoints {
        writeln!(
            o,
            "  {:<width$}  {:>9} {:>10} {:>7} {:>9} {:>9} {:>9} {:>9}",
            truncate(&e.name, width),
            e.requests,
            num(e.rate_per_s),
            pct(e.failed, e.requests),
            ms(e.latency_ms.p50),
            ms(e.latency_ms.p95),
            ms(e.latency_ms.p99),
            ms(e.latency_ms.max)
        )?;
    }
    Ok(())
}

/// One row per journey (scenario runs).
fn write_journeys(o: &mut String, s: &Summary) -> std::fmt::Result {
    if !s.journeys.is_empty() {
        writeln!(o)?;
        let width = s
            .journeys
            .iter()
            .map(|j| j.name.chars().count())
            .max()
            .unwrap_or(8)
            .clamp(8, 40);
        writeln!(
            o,
            "  {:<width$}  {:>10} {:>8} {:>10} {:>10} {:>10} {:>9}",
            "journey", "iterations", "it/s", "failed", "dur p50", "dur p95", "requests"
        )?;
        for j in &s.journeys {
            writeln!(
                o,
                "  {:<width$}  {:>10} {:>8} {:>10} {:>10} {:>10} {:>9}",
                truncate(&j.name, width),
                j.iterations,
                num(j.rate_per_s),
                pct(j.failed, j.iterations),
                ms(j.duration_ms.p50),
                ms(j.duration_ms.p95),
                j.requests
            )?;
        }
    }
    Ok(())
}

/// The checks' pass rates (scenario runs).
fn write_checks(o: &mut String, s: &Summary) -> std::fmt::Result {
    if !s.checks.is_empty() {
        writeln!(o)?;
        let passed: u64 = s.checks.iter().map(|c| c.passed).sum();
        let runs: u64 = s.checks.iter().map(|c| c.passed + c.failed).sum();
        writeln!(o, "  checks      {} of {runs} passed ({})", passed, pct(passed, runs))?;
        for c in &s.checks {
            let mark = if c.failed == 0 { "✓" } else { "✗" };
            writeln!(
                o,
                "    {mark} {:>7}  {} › {} › {}  ({} failed)",
                pct(c.passed, c.passed + c.failed),
                c.journey,
                c.step,
                c.name,
                c.failed
            )?;
        }
    }
    Ok(())
}

/// The scenario's own metrics (`metrics:`), one line each with what its kind measures.
fn write_custom(o: &mut String, s: &Summary) -> std::fmt::Result {
    if s.custom_metrics.is_empty() {
        return Ok(());
    }
    writeln!(o)?;
    writeln!(o, "  metrics     the scenario's own")?;
    let width = s
        .custom_metrics
        .iter()
        .map(|c| c.name.chars().count())
        .max()
        .unwrap_or(0)
        .min(32);
    for c in &s.custom_metrics {
        let text = super::custom::describe(c);
        let invalid = super::custom::invalid(c).map_or_else(String::new, |t| format!("  ✗ {t}"));
        writeln!(
            o,
            "    {:<width$}  {:<7}  {text}{invalid}",
            truncate(&c.name, 32),
            c.kind.as_str()
        )?;
    }
    Ok(())
}

/// One row per stage, with the thresholds on the stage's own results (staged runs).
fn write_stages(o: &mut String, s: &Summary) -> std::fmt::Result {
    if !s.phases.is_empty() {
        writeln!(o)?;
        let width = s
            .phases
            .iter()
            .map(|p| p.name.chars().count())
            .max()
            .unwrap_or(6)
            .clamp(6, 32);
        writeln!(
            o,
            "  {:<width$}  {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8}  thresholds",
            "stage", "level", "req/s", "p50", "p95", "p99", "errors", "dropped"
        )?;
        for p in &s.phases {
            let verdict = match p.thresholds_passed {
                Some(true) => "held".to_string(),
                Some(false) => format!("FAILED: {}", p.failed_thresholds.join(", ")),
                None => String::new(),
            };
            writeln!(
                o,
                "  {:<width$}  {:>9} {:>9} {:>9} {:>9} {:>9} {:>7.2}% {:>8}  {verdict}",
                truncate(&p.name, width),
                num(p.level),
                num(p.rate_per_s),
                ms(p.latency_ms.p50),
                ms(p.latency_ms.p95),
                ms(p.latency_ms.p99),
                p.error_rate * 100.0,
                p.dropped_iterations
            )?;
        }
    }
    Ok(())
}

/// Every threshold's verdict.
fn write_thresholds(o: &mut String, s: &Summary) -> std::fmt::Result {
    if !s.thresholds.is_empty() {
        writeln!(o)?;
        writeln!(o, "  thresholds")?;
        let width = s
            .thresholds
            .iter()
            .map(|t| t.expr.chars().count())
            .max()
            .unwrap_or(0)
            .min(60);
        for t in &s.thresholds {
            let mark = if t.passed { "✓ pass" } else { "✗ FAIL" };
            writeln!(
                o,
                "  {mark}  {:<width$}  actual {}  (limit {})",
                t.expr, t.actual_text, t.limit
            )?;
        }
    }
    Ok(())
}

/// loadcell's own cost and the warnings.
fn write_generator(o: &mut String, s: &Summary) -> std::fmt::Result {
    writeln!(o)?;
    let g = &s.generator;
    if g.usage_unknown {
        writeln!(
            o,
            "  generator: {} thread(s), CPU and memory unknown (the run did not finish)",
            g.threads
        )?;
    } else {
        writeln!(
            o,
            "  generator: {} thread(s), {:.0}% CPU, {}, max RSS {:.1} MiB",
            g.threads,
            g.cpu_percent,
            crate::text::cpu_per_request(&format!("{:.2}", g.cpu_us_per_request), s.requests.total),
            g.max_rss_mib
        )?;
    }
    for w in &g.warnings {
        writeln!(o, "  warning: {w}")?;
    }
    Ok(())
}

/// How the target broke, as the sentence `broke …` reads.
fn behaviour_phrase(word: Behaviour) -> &'static str {
    match word {
        Behaviour::Graceful => "gracefully",
        Behaviour::FellOver => "hard (fell over)",
        Behaviour::Degraded => "degraded",
    }
}

/// The breaking point (stress steps or a breakpoint ramp), the spike recovery and the
/// soak trend, each a headline and its detail lines.
fn write_stability(o: &mut String, s: &Summary) -> std::fmt::Result {
    if let Some(b) = &s.breaking_point {
        if s.phases.is_empty() {
            // A breakpoint ramp is one stage: no table above, so leave a gap.
            writeln!(o)?;
        }
        let after = b
            .last_good
            .as_ref()
            .map(|g| format!(" (last stage that held: {g})"))
            .unwrap_or_default();
        writeln!(
            o,
            "  breaking point: {} at level {}{after}: {}",
            b.name,
            num(b.level),
            b.how.join(", ")
        )?;
        for d in &b.detail {
            writeln!(o, "    {d}")?;
        }
        if let (Some(word), Some(detail)) = (&b.behaviour, &b.behaviour_detail) {
            writeln!(o, "    broke {}: {detail}", behaviour_phrase(*word))?;
        }
    }
    if let Some(r) = &s.spike_recovery {
        writeln!(o, "  spike recovery: {}", r.verdict)?;
        writeln!(
            o,
            "    recovered means the rolling {:.0} s p95 ≤ {} and errors ≤ {:.2}% (baseline p95 {}, errors {:.2}%)",
            r.window_s,
            ms(r.p95_limit_ms),
            r.error_rate_limit * 100.0,
            ms(r.baseline_p95_ms),
            r.baseline_error_rate * 100.0
        )?;
        writeln!(
            o,
            "    {}: p95 {}, p99 {}, errors {:.2}%; worst rolling p95 {}",
            r.spike_phase,
            ms(r.spike_p95_ms),
            ms(r.spike_p99_ms),
            r.spike_error_rate * 100.0,
            ms(r.worst_p95_ms)
        )?;
    }
    if let Some(t) = &s.soak_trend {
        writeln!(o, "  soak trend ({}, {} seconds fitted):", t.phase, t.points)?;
        for (trend, unit, scale) in [(&t.p95_ms, "ms", 1.0), (&t.error_rate, "pp", 100.0)] {
            writeln!(
                o,
                "    {}; 95% CI {} … {} {unit}/h",
                trend.verdict,
                signed(trend.slope_ci95[0] * scale),
                signed(trend.slope_ci95[1] * scale)
            )?;
        }
    }
    Ok(())
}

/// The times the machine held loadcell's worker threads off their CPU (open model), or
/// `None` when it never did for a millisecond or more.
fn held_line(s: &Schedule) -> Option<String> {
    let spells = |n: u64, one: &str, many: &str, total: f64, longest: f64| {
        let what = if n == 1 { one } else { many };
        format!("{n} {what} ({total:.1} ms in all, longest {longest:.1} ms)")
    };
    let mut kinds = Vec::new();
    if s.cpu_waits > 0 {
        let (total, longest) = (s.cpu_waited_ms, s.longest_cpu_wait_ms);
        kinds.push(spells(s.cpu_waits, "wait for a CPU", "waits for a CPU", total, longest));
    }
    if s.pauses > 0 {
        kinds.push(spells(s.pauses, "pause", "pauses", s.paused_ms, s.longest_pause_ms));
    }
    if kinds.is_empty() {
        return None;
    }
    let mut line = format!("{}: the machine's, counted in sched lag", kinds.join(", "));
    if s.late_starts > 0 {
        line.push_str(&format!(
            "; {} of the {} starts over 1 ms late were due then or in the catch-up after",
            s.late_starts_held, s.late_starts
        ));
    }
    Some(line)
}

fn stats_line(l: &LatencyStats) -> String {
    if l.count == 0 {
        return "no successful responses".to_string();
    }
    format!(
        "min {}  mean {}  p50 {}  p90 {}  p95 {}  p99 {}  p99.9 {}  max {}",
        ms(l.min),
        ms(l.mean),
        ms(l.p50),
        ms(l.p90),
        ms(l.p95),
        ms(l.p99),
        ms(l.p999),
        ms(l.max)
    )
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_machine_s_holds_are_shown_only_when_there_were_any() {
        assert_eq!(held_line(&Schedule::default()), None);
        let held = Schedule {
            cpu_waits: 9,
            cpu_waited_ms: 22.74,
            longest_cpu_wait_ms: 3.89,
            pauses: 1,
            paused_ms: 1.2,
            longest_pause_ms: 1.2,
            ..Schedule::default()
        };
        assert_eq!(
            held_line(&held).as_deref(),
            Some(
                "9 waits for a CPU (22.7 ms in all, longest 3.9 ms), 1 pause (1.2 ms in all, longest 1.2 ms): the machine's, counted in sched lag"
            )
        );
        let counted = Schedule {
            late_starts: 2354,
            late_starts_held: 1882,
            ..held
        };
        assert!(
            held_line(&counted).is_some_and(
                |l| l.ends_with("; 1882 of the 2354 starts over 1 ms late were due then or in the catch-up after")
            ),
            "{:?}",
            held_line(&counted)
        );
    }

    #[test]
    fn long_names_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
