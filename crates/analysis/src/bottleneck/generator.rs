//! `generator`: loadcell itself was the limit. Either its CPU over the run was at or above
//! [`SATURATED`] percent of its worker threads, or (open model) it sent requests late: the
//! latency measured from the scheduled start exceeded the target's service time (and the
//! connect time) by at least [`LATE_MS`] and [`LATE_RATIO`] times that service time — the
//! target answered quickly, loadcell was behind. The second sign holds on a machine where
//! other processes take the CPU loadcell would have used, which its own CPU share cannot
//! show. Or (open model) arrivals were dropped for want of a free VU while, by Little's law
//! (achieved rate × mean service time), fewer than [`IDLE_VUS`] of the VUs were busy on average:
//! the target was not holding them, loadcell dispatched in late bursts. Dropped arrivals or a
//! rate not kept at the same time make it certain.
//!
//! The two open-model signs count only successful exchanges: a VU held by a connect that
//! failed (refused, or timed out against a full listen queue) is busy without any service
//! time. When connects failed in a number that matters ([`super::connections`]), lateness
//! and idle-looking VUs are the target's doing, and only loadcell's CPU can blame loadcell.

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, Summary};

use super::Pressure;

/// loadcell's CPU, as a percentage of its worker threads, at which it is saturated (the
/// same bar as the generator warning).
pub const SATURATED: f64 = 90.0;
/// Open model: mean lateness of the sends (ms) that blames loadcell …
pub const LATE_MS: f64 = 5.0;
/// … when it is also this many times the target's mean service time.
pub const LATE_RATIO: f64 = 2.0;

/// Open model: drops with fewer than this share of `vus.limit` busy on average blame loadcell.
pub const IDLE_VUS: f64 = 0.5;

/// Open model: the mean VUs in flight (Little's law) when iterations were dropped while most
/// VUs were idle on average.
fn drops_with_idle_vus(summary: &Summary) -> Option<f64> {
    let limit = summary.vus.limit as f64;
    // A VU is held from its dispatch to the response: the service time, not the latency
    // from the scheduled start (which includes loadcell's own lateness).
    let held_ms = summary
        .service_time_ms
        .as_ref()
        .map_or(summary.latency_ms.mean, |s| s.mean);
    let in_flight = summary.requests.rate_per_s * held_ms / 1000.0;
    (summary.model == loadcell_schema::Model::Open
        && summary.dropped_iterations > 0
        && limit > 0.0
        && in_flight < IDLE_VUS * limit)
        .then_some(in_flight)
}

/// Open model: how late requests went out on average (ms), when that blames loadcell.
fn late_sends(summary: &Summary) -> Option<(f64, f64)> {
    let service = summary.service_time_ms.as_ref()?.mean;
    let requests = summary.requests.total.max(1) as f64;
    let connect = summary.connect_ms.mean * summary.connections_opened as f64 / requests;
    let late = summary.latency_ms.mean - service - connect;
    (late >= LATE_MS && late >= LATE_RATIO * service).then_some((late, service))
}

pub fn verdict(summary: &Summary, pressure: &Pressure) -> Option<Bottleneck> {
    let generator = &summary.generator;
    let connects_failed = super::connections::failed_connects(summary).is_some();
    let late = late_sends(summary).filter(|_| !connects_failed);
    let idle = drops_with_idle_vus(summary).filter(|_| !connects_failed);
    if generator.cpu_percent < SATURATED && late.is_none() && idle.is_none() {
        return None;
    }
    let short = pressure.rate_short.is_some() || pressure.dropped > 0;
    let mut evidence = vec![format!(
        "loadcell used {:.0}% of its {} worker thread(s) ({:.1} µs of CPU per request)",
        generator.cpu_percent, generator.threads, generator.cpu_us_per_request
    )];
    let mut numbers = std::collections::BTreeMap::from([
        ("generator_cpu_percent".to_string(), generator.cpu_percent),
        ("generator_threads".to_string(), generator.threads as f64),
    ]);
    if let Some((late, service)) = late {
        evidence.push(format!(
            "requests went out {late:.1} ms after their scheduled time on average, while the target answered in {service:.2} ms"
        ));
        numbers.insert("late_send_ms_mean".to_string(), late);
    }
    if let Some(in_flight) = idle {
        evidence.push(format!(
            "arrivals were dropped while only {in_flight:.0} of {} VUs were busy on average (rate × service time): loadcell dispatched late, in bursts",
            summary.vus.limit
        ));
        numbers.insert("vus_in_flight_mean".to_string(), in_flight);
    }
    if let Some((target, achieved)) = pressure.rate_short {
        evidence.push(format!("{achieved:.0}/s achieved of {target:.0}/s asked"));
        numbers.insert("achieved_per_s".to_string(), achieved);
        numbers.insert("target_per_s".to_string(), target);
    }
    if pressure.dropped > 0 {
        evidence.push(format!("{} scheduled iterations dropped", pressure.dropped));
        numbers.insert("dropped_iterations".to_string(), pressure.dropped as f64);
    }
    Some(Bottleneck {
        kind: BottleneckKind::Generator,
        confidence: if short { Confidence::High } else { Confidence::Medium },
        verdict: "loadcell itself was the limit: the numbers above describe loadcell, not your service".to_string(),
        evidence,
        numbers,
        recommendations: vec![
            "use more threads (--threads), a bigger machine, or a distributed run".to_string(),
            "check that nothing else competes for the generator's CPU (the target on the same machine counts)"
                .to_string(),
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::super::{decide, testing};
    use loadcell_schema::{BottleneckKind, Confidence};

    #[test]
    fn a_saturated_generator_that_missed_its_rate_is_the_bottleneck() {
        let mut s = testing::open(2000.0, 1300.0);
        s.generator.cpu_percent = 99.0;
        s.generator.threads = 1;
        let found = decide(&s);
        assert_eq!(found[0].kind, BottleneckKind::Generator);
        assert_eq!(found[0].confidence, Confidence::High);
        assert!(found[0].verdict.contains("describe loadcell"), "{}", found[0].verdict);
        assert_eq!(found[0].numbers["achieved_per_s"], 1300.0);
    }

    #[test]
    fn late_sends_to_a_quick_target_blame_loadcell_even_when_its_cpu_share_is_low() {
        let mut s = testing::open(20_000.0, 9_000.0);
        s.dropped_iterations = 5_000;
        s.generator.cpu_percent = 45.0;
        s.latency_ms.mean = 30.0;
        s.service_time_ms = Some(loadcell_schema::LatencyStats {
            mean: 0.4,
            ..Default::default()
        });
        let found = decide(&s);
        assert_eq!(
            (found[0].kind, found[0].confidence),
            (BottleneckKind::Generator, Confidence::High)
        );
        assert!(found[0].evidence[1].contains("went out 29"), "{:?}", found[0].evidence);
        // A slow target: the time is the target's service time, not lateness.
        s.service_time_ms = Some(loadcell_schema::LatencyStats {
            mean: 28.0,
            ..Default::default()
        });
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Generator));
    }

    #[test]
    fn drops_while_most_vus_were_idle_blame_loadcell() {
        let mut s = testing::open(200_000.0, 24_000.0);
        s.requests.rate_per_s = 24_000.0;
        s.latency_ms.mean = 2.9;
        s.vus.limit = 300;
        s.dropped_iterations = 350_000;
        s.generator.cpu_percent = 71.0;
        let found = decide(&s);
        assert_eq!(
            (found[0].kind, found[0].confidence),
            (BottleneckKind::Generator, Confidence::High)
        );
        assert!(
            (found[0].numbers["vus_in_flight_mean"] - 69.6).abs() < 1e-9,
            "{:?}",
            found[0].numbers
        );
        // Every VU held by a slow target: its drops are the target's.
        s.latency_ms.mean = 20.0;
        s.requests.rate_per_s = 3_000.0;
        s.vus.limit = 50;
        assert!(
            decide(&s).iter().all(|b| b.kind != BottleneckKind::Generator),
            "{:?}",
            decide(&s)
        );
    }

    #[test]
    fn drops_while_vus_wait_on_failed_connects_are_the_targets() {
        // Measured: `--backlog 1` under a connection storm; VUs sat in connects that timed
        // out, so rate × service time showed 1 of 100 busy.
        let mut s = testing::open(600.0, 72.0);
        s.requests.rate_per_s = 72.0;
        s.requests.total = 289;
        s.requests.failed = 160;
        s.errors.insert("connect_timeout".into(), 160);
        s.latency_ms.mean = 1625.0;
        s.service_time_ms = Some(loadcell_schema::LatencyStats {
            mean: 10.3,
            ..Default::default()
        });
        s.vus.limit = 100;
        s.dropped_iterations = 2111;
        s.generator.cpu_percent = 10.0;
        let kinds: Vec<_> = decide(&s).iter().map(|b| b.kind).collect();
        assert_eq!(kinds[0], BottleneckKind::Connections, "{kinds:?}");
        assert!(!kinds.contains(&BottleneckKind::Generator), "{kinds:?}");
    }

    #[test]
    fn a_busy_generator_below_the_bar_is_not_blamed() {
        let mut s = testing::open(100.0, 100.0);
        s.generator.cpu_percent = 60.0;
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Generator));
    }
}
