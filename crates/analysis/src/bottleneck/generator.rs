//! `generator`: loadcell itself was the limit. Its CPU over the run at or above
//! [`SATURATED`] percent of its worker threads means the numbers describe loadcell, not the
//! target; dropped arrivals or a rate not kept at the same time make it certain.

use loadcell_schema::{Bottleneck, BottleneckKind, Confidence, Summary};

use super::Pressure;

/// loadcell's CPU, as a percentage of its worker threads, at which it is saturated (the
/// same bar as the generator warning).
pub const SATURATED: f64 = 90.0;

pub fn verdict(summary: &Summary, pressure: &Pressure) -> Option<Bottleneck> {
    let generator = &summary.generator;
    if generator.cpu_percent < SATURATED {
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
    fn a_busy_generator_below_the_bar_is_not_blamed() {
        let mut s = testing::open(100.0, 100.0);
        s.generator.cpu_percent = 60.0;
        assert!(decide(&s).iter().all(|b| b.kind != BottleneckKind::Generator));
    }
}
