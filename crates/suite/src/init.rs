//! `loadcell init`: the text of a commented starter plan — with placeholders, from what a
//! few probe requests to a URL measured, or with a `bench` test per benchmark framework
//! found in a folder. The CLI probes and detects; this only writes, so the rules that turn
//! measurements into levels and SLOs are pure functions with their own tests.

use std::fmt::Write;

/// What `loadcell init` learned about the system under test.
#[derive(Debug, Clone, PartialEq)]
pub enum Starter {
    /// Nothing given: a plan with placeholders.
    Placeholder,
    /// A URL probed with a few sequential requests.
    Url(Probe),
    /// A project folder (as the plan names it) and the benchmark frameworks found there.
    Dir { path: String, frameworks: Vec<String> },
}

/// What the probe requests measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub url: String,
    pub requests: u64,
    /// Requests that failed (an error status or a transport error).
    pub failed: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    /// `200 ×20`-style tallies of the statuses and errors seen, for the comment.
    pub seen: String,
}

/// The p95 SLO for a probed p95: four times it — room for the load a single sequential
/// client does not make — rounded up to the next 1-2-5 step, at least 10 ms.
pub fn p95_slo_ms(probed_p95_ms: f64) -> f64 {
    nice_up((4.0 * probed_p95_ms).max(10.0))
}

/// The load test's starting rate: about four requests in flight at the probed p95 (Little's
/// law: rate = in flight / latency), rounded down to a 1-2-5 step, between 1/s and 50/s — a
/// cautious start to raise to the expected traffic.
pub fn load_rate(probed_p95_ms: f64) -> f64 {
    let rate = 4.0 * 1000.0 / probed_p95_ms.max(0.001);
    nice_down(rate).clamp(1.0, 50.0)
}

/// The smallest 1-2-5 step (…, 10, 20, 50, 100, …) at or above `v` (v > 0).
fn nice_up(v: f64) -> f64 {
    let decade = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * decade)
        .find(|step| *step >= v * (1.0 - 1e-9))
        .unwrap_or(10.0 * decade)
}

/// The largest 1-2-5 step at or below `v` (v > 0).
fn nice_down(v: f64) -> f64 {
    let decade = 10f64.powf(v.log10().floor());
    [5.0, 2.0, 1.0]
        .iter()
        .map(|m| m * decade)
        .find(|step| *step <= v * (1.0 + 1e-9))
        .unwrap_or(decade)
}

/// A duration in ms as the units grammar reads it: `200ms`, `2s`.
fn ms_text(ms: f64) -> String {
    if ms >= 1000.0 && (ms / 1000.0).fract() == 0.0 {
        format!("{}s", ms / 1000.0)
    } else {
        format!("{ms}ms")
    }
}

/// The starter plan's text.
pub fn starter_plan(starter: &Starter) -> String {
    let mut out = String::from(
        "# A starter performance test plan for `loadcell suite` (written by `loadcell init`).\n\
         # Check it with `loadcell validate plan.yaml`, run it with `loadcell suite plan.yaml`.\n\
         # A test's options are the flags of the command it runs as (`--target-rate` is\n\
         # `target_rate`); see docs/suite.md for every test type and key.\n",
    );
    match starter {
        Starter::Placeholder => placeholder(&mut out),
        Starter::Url(probe) => probed(&mut out, probe),
        Starter::Dir { path, frameworks } => benches(&mut out, path, frameworks),
    }
    out
}

fn placeholder(out: &mut String) {
    out.push_str(
        "\n# PLACEHOLDER: the service under test (or `scenario: shop.yaml`, a scenario file).\n\
         target: http://127.0.0.1:8080/\n\
         # PLACEHOLDER: your SLOs; every test is judged by them.\n\
         slo: [\"p95<500ms\", \"error_rate<1%\"]\n\
         tests:\n\
         \x20 - smoke: { target_vus: 1, hold: 10s }\n\
         \x20 # PLACEHOLDER: the traffic you expect.\n\
         \x20 - load: { target_rate: 10, ramp: 10s, hold: 1m }\n",
    );
    later_tests(out, 10.0);
}

fn probed(out: &mut String, p: &Probe) {
    let slo = p95_slo_ms(p.p95_ms);
    let rate = load_rate(p.p95_ms);
    let _ = write!(
        out,
        "\n# Probed {url} with {n} sequential requests: {seen}; p50 {p50}, p95 {p95}.\n\
         # The p95 SLO is 4 × the probed p95 rounded up to a 1-2-5 step (at least 10ms): one\n\
         # sequential client makes no load, so leave room — then set it to what users need.\n\
         # The load test's rate keeps about 4 requests in flight at the probed p95 (rate =\n\
         # 4 / p95, Little's law), rounded down, 1/s to 50/s: a cautious start, raise it to\n\
         # the traffic you expect.\n",
        url = p.url,
        n = p.requests,
        seen = p.seen,
        p50 = loadcell_units::format::ms(p.p50_ms),
        p95 = loadcell_units::format::ms(p.p95_ms),
    );
    if p.failed > 0 {
        let _ = writeln!(
            out,
            "# NOTE: {} of the {} probe requests failed: the error-rate SLO will fail until that is fixed.",
            p.failed, p.requests
        );
    }
    let _ = write!(
        out,
        "target: {url}\n\
         slo: [\"p95<{slo}\", \"error_rate<1%\"]\n\
         tests:\n\
         \x20 - smoke: {{ target_vus: 1, hold: 10s }}\n\
         \x20 - load: {{ target_rate: {rate}, ramp: 10s, hold: 1m }}\n",
        url = p.url,
        slo = ms_text(slo),
    );
    later_tests(out, rate);
}

/// The other test types, commented out, for the reader to switch on; their rates follow
/// the load test's (`rate`), so a switched-on stress or spike test starts from the same
/// level as the load test above it.
fn later_tests(out: &mut String, rate: f64) {
    let _ = write!(
        out,
        "  # - stress: {{ target_rate: {double}, hold: 1m }}          # steps at 50% … 300% of the rate\n\
         \x20 # - spike: {{ target_rate: {rate}, spike_factor: 5 }}\n\
         \x20 # - soak: {{ target_rate: {rate}, hold: 1h }}\n\
         \x20 # - breakpoint: {{ target_rate: {double}, ramp: 10m }}    # fails only if it breaks below this\n\
         \x20 # - capacity: {{ step_duration: 10s, max_time: 5m }}\n\
         \x20 # - scale: {{ vus: [1, 2, 4, 8, 16], step_duration: 10s }}\n\
         \x20 # - bench: {{ commands: [\"loadcell validate plan.yaml\"], runs: 10 }}\n",
        double = rate * 2.0,
    );
}

fn benches(out: &mut String, path: &str, frameworks: &[String]) {
    let _ = write!(
        out,
        "\n# Benchmarks found in {path}: {found}. Each `bench` test runs them as\n\
         # `loadcell bench --detect {path} --framework NAME` does; with a `baseline:` (a previous\n\
         # suite's folder or a performance-baselines.json) a slower benchmark fails its test.\n\
         # PLACEHOLDER: the service under test, for load tests you add (bench tests do not use it).\n\
         target: http://127.0.0.1:8080/\n\
         tests:\n",
        found = frameworks.join(", "),
    );
    let yaml_path = serde_json::to_string(path).unwrap_or_else(|_| format!("\"{path}\""));
    for framework in frameworks {
        let name = match frameworks.len() {
            1 => String::new(),
            _ => format!("name: bench-{framework}, "),
        };
        let _ = writeln!(
            out,
            "  - bench: {{ {name}detect: {yaml_path}, framework: {framework} }}"
        );
    }
    out.push_str("  # - smoke: { target_vus: 1, hold: 10s }            # once `target` is your service\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slos_are_a_round_number_a_few_times_the_probe() {
        assert_eq!(p95_slo_ms(1.2), 10.0);
        assert_eq!(p95_slo_ms(3.0), 20.0);
        assert_eq!(p95_slo_ms(12.0), 50.0);
        assert_eq!(p95_slo_ms(25.0), 100.0);
        assert_eq!(p95_slo_ms(50.0), 200.0);
        assert_eq!(p95_slo_ms(130.0), 1000.0);
        assert_eq!(ms_text(1000.0), "1s");
        assert_eq!(ms_text(200.0), "200ms");
    }

    #[test]
    fn the_load_rate_keeps_a_few_requests_in_flight_within_bounds() {
        assert_eq!(load_rate(1.0), 50.0);
        assert_eq!(load_rate(100.0), 20.0);
        assert_eq!(load_rate(500.0), 5.0);
        assert_eq!(load_rate(10_000.0), 1.0);
    }

    #[test]
    fn each_form_names_what_it_saw() {
        let probe = Probe {
            url: "http://127.0.0.1:9/api".into(),
            requests: 20,
            failed: 0,
            p50_ms: 50.4,
            p95_ms: 52.0,
            seen: "200 ×20".into(),
        };
        let text = starter_plan(&Starter::Url(probe));
        assert!(text.contains("target: http://127.0.0.1:9/api\n"), "{text}");
        assert!(text.contains("slo: [\"p95<500ms\", \"error_rate<1%\"]"), "{text}");
        assert!(
            text.contains("- load: { target_rate: 50, ramp: 10s, hold: 1m }"),
            "{text}"
        );
        assert!(text.contains("200 ×20; p50 50.4 ms"), "{text}");
        assert!(text.contains("# - stress: { target_rate: 100, hold: 1m }"), "{text}");
        assert!(
            text.contains("# - spike: { target_rate: 50, spike_factor: 5 }"),
            "{text}"
        );
        let text = starter_plan(&Starter::Dir {
            path: "proj".into(),
            frameworks: vec!["go".into(), "criterion".into()],
        });
        assert!(
            text.contains("- bench: { name: bench-go, detect: \"proj\", framework: go }"),
            "{text}"
        );
        assert!(starter_plan(&Starter::Placeholder).contains("PLACEHOLDER"));
    }
}
