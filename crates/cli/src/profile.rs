//! Test-type profiles (`--profile smoke|load|stress|spike|soak|breakpoint`, or `profile:` in a
//! scenario's `load:`): pure expansion of a profile and a target level into load stages, each
//! with a phase name for the summary. The patterns and defaults are documented in
//! `docs/profiles.md`.

use crate::error::CliError;
use loadcell_engine::units::Stage;
use std::time::Duration;

/// The profile names, as typed.
pub const NAMES: [&str; 6] = ["smoke", "load", "stress", "spike", "soak", "breakpoint"];

/// Percentages of the target held by the steps of `stress`.
pub const STRESS_STEPS: [u32; 5] = [50, 100, 150, 200, 300];
/// `breakpoint` ramps from this fraction of the target ...
pub const BREAKPOINT_FROM: f64 = 0.1;
/// ... up to this multiple of it.
pub const BREAKPOINT_TO: f64 = 10.0;
/// Default level of `smoke` without a target: 2 VUs.
pub const SMOKE_VUS: u64 = 2;
/// How long the jump to and the drop from a spike take.
const SPIKE_EDGE: Duration = Duration::from_secs(1);

/// Phase names the analyses look for: the spike profile's steady stage before the spike,
/// its stage back at that level after it, the spike itself and the jump to it (both
/// followed by the factor, e.g. `spike ×5`), and the soak profile's hold.
pub const BASELINE: &str = "baseline";
pub const RECOVERY: &str = "recovery";
pub const SPIKE: &str = "spike ×";
pub const JUMP: &str = "jump to ×";
pub const HOLD: &str = "hold 100%";

/// A test-type profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Smoke,
    Load,
    Stress,
    Spike,
    Soak,
    Breakpoint,
}

impl Kind {
    /// Parses a profile name; the error is one line with a suggestion.
    pub fn parse(name: &str) -> Result<Kind, CliError> {
        Ok(match name {
            "smoke" => Kind::Smoke,
            "load" => Kind::Load,
            "stress" => Kind::Stress,
            "spike" => Kind::Spike,
            "soak" => Kind::Soak,
            "breakpoint" => Kind::Breakpoint,
            _ => {
                let hint = loadcell_diagnostics::closest(name, NAMES.iter().copied())
                    .map(|near| format!("; did you mean '{near}'?"))
                    .unwrap_or_default();
                return Err(usage(format!(
                    "unknown profile '{}': expected one of {}{hint}",
                    loadcell_diagnostics::clip(name, 40),
                    NAMES.join(", ")
                )));
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Smoke => "smoke",
            Kind::Load => "load",
            Kind::Stress => "stress",
            Kind::Spike => "spike",
            Kind::Soak => "soak",
            Kind::Breakpoint => "breakpoint",
        }
    }

    /// Default ramp length (ramp up and down; between steps for `stress`; the whole ramp for
    /// `breakpoint`). `smoke` has no ramp.
    pub fn default_ramp(self) -> Duration {
        match self {
            Kind::Smoke => Duration::ZERO,
            Kind::Stress => Duration::from_secs(10),
            Kind::Breakpoint => Duration::from_secs(600),
            Kind::Load | Kind::Spike | Kind::Soak => Duration::from_secs(30),
        }
    }

    /// Default hold: the whole run for `smoke`, per step for `stress`, the baseline and the
    /// recovery for `spike`. `breakpoint` has no hold.
    pub fn default_hold(self) -> Duration {
        match self {
            Kind::Smoke => Duration::from_secs(30),
            Kind::Load | Kind::Stress | Kind::Spike => Duration::from_secs(120),
            Kind::Soak => Duration::from_secs(3600),
            Kind::Breakpoint => Duration::ZERO,
        }
    }
}

/// The level the profile is built around.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// Open model: iterations per second.
    Rate(f64),
    /// Closed model: virtual users.
    Vus(u64),
}

/// Everything that shapes a profile; `None` takes the default.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Params {
    pub target: Option<Target>,
    pub ramp: Option<Duration>,
    pub hold: Option<Duration>,
    pub spike_factor: Option<f64>,
    pub spike_hold: Option<Duration>,
    /// `spike`: the rolling window the recovery is judged on (whole seconds).
    pub recovery_window: Option<Duration>,
}

/// A profile expanded: the curve starts at `start` and ramps through `stages`; `names[i]`
/// names stage `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub start: f64,
    pub stages: Vec<Stage>,
    pub names: Vec<String>,
    /// Open model (levels are iterations per second), else VUs.
    pub open: bool,
}

impl Expansion {
    fn push(&mut self, duration: Duration, target: f64, name: impl Into<String>) {
        if duration > Duration::ZERO {
            self.stages.push(Stage { duration, target });
            self.names.push(name.into());
        }
    }
}

fn usage(m: impl Into<String>) -> CliError {
    CliError::Usage(m.into())
}

/// Expands `kind` with `p` into stages, checking every combination.
pub fn expand(kind: Kind, p: &Params) -> Result<Expansion, CliError> {
    let name = kind.name();
    let target = match (p.target, kind) {
        (None, Kind::Smoke) => Target::Vus(SMOKE_VUS),
        (None, _) => {
            return Err(usage(format!(
                "--profile {name} needs a target level: add --target-rate N (open model) or --target-vus N (closed model)"
            )));
        }
        (Some(Target::Vus(_)), Kind::Breakpoint) => {
            return Err(usage(
                "--profile breakpoint ramps an arrival rate: use --target-rate N, not --target-vus",
            ));
        }
        (Some(t), _) => t,
    };
    let (level, open) = match target {
        Target::Rate(r) if r.is_finite() && r > 0.0 => (r, true),
        Target::Vus(v) if v >= 1 => (v as f64, false),
        Target::Rate(_) => return Err(usage("--target-rate must be above 0")),
        Target::Vus(_) => return Err(usage("--target-vus must be at least 1")),
    };
    if kind != Kind::Spike && (p.spike_factor.is_some() || p.spike_hold.is_some()) {
        return Err(usage(format!(
            "--spike-factor and --spike-hold apply to --profile spike, not {name}"
        )));
    }
    if let Some(w) = p.recovery_window {
        if kind != Kind::Spike {
            return Err(usage(format!(
                "--recovery-window applies to --profile spike, not {name}"
            )));
        }
        // Windows are made of the run's one-second intervals.
        if w < Duration::from_secs(1) || w.subsec_nanos() != 0 {
            return Err(usage(
                "--recovery-window must be a whole number of seconds, at least 1s",
            ));
        }
    }
    if kind == Kind::Smoke && p.ramp.is_some() {
        return Err(usage("--profile smoke does not ramp; set its length with --hold"));
    }
    if kind == Kind::Breakpoint && p.hold.is_some() {
        return Err(usage(
            "--profile breakpoint does not hold; set the length of its ramp with --ramp",
        ));
    }
    let ramp = p.ramp.unwrap_or_else(|| kind.default_ramp());
    let hold = p.hold.unwrap_or_else(|| kind.default_hold());
    let factor = p.spike_factor.unwrap_or(5.0);
    if !(factor.is_finite() && factor > 1.0) {
        return Err(usage("--spike-factor must be above 1"));
    }
    let spike_hold = p.spike_hold.unwrap_or(Duration::from_secs(30));
    let needs_hold = !matches!(kind, Kind::Breakpoint);
    if needs_hold && hold.is_zero() {
        return Err(usage(format!("--hold must be above 0 for --profile {name}")));
    }
    if kind == Kind::Breakpoint && ramp.is_zero() {
        return Err(usage("--ramp must be above 0 for --profile breakpoint"));
    }
    if kind == Kind::Spike && spike_hold.is_zero() {
        return Err(usage("--spike-hold must be above 0"));
    }

    let mut e = Expansion {
        start: 0.0,
        stages: Vec::new(),
        names: Vec::new(),
        open,
    };
    match kind {
        Kind::Smoke => {
            e.start = level;
            e.push(hold, level, "smoke");
        }
        Kind::Load | Kind::Soak => {
            e.push(ramp, level, "ramp up");
            e.push(hold, level, HOLD);
            e.push(ramp, 0.0, "ramp down");
        }
        Kind::Stress => {
            for pct in STRESS_STEPS {
                let at = level * f64::from(pct) / 100.0;
                e.push(ramp, at, format!("ramp to {pct}%"));
                e.push(hold, at, format!("step {pct}%"));
            }
            e.push(ramp, 0.0, "ramp down");
        }
        Kind::Spike => {
            let peak = level * factor;
            let f = fmt_factor(factor);
            e.push(ramp, level, "ramp up");
            e.push(hold, level, BASELINE);
            e.push(SPIKE_EDGE, peak, format!("{JUMP}{f}"));
            e.push(spike_hold, peak, format!("{SPIKE}{f}"));
            e.push(SPIKE_EDGE, level, "drop to baseline");
            e.push(hold, level, RECOVERY);
            e.push(ramp, 0.0, "ramp down");
        }
        Kind::Breakpoint => {
            e.start = level * BREAKPOINT_FROM;
            e.push(
                ramp,
                level * BREAKPOINT_TO,
                format!("ramp to ×{}", fmt_factor(BREAKPOINT_TO)),
            );
        }
    }
    if !open {
        // VU counts are whole.
        e.start = e.start.round();
        for s in &mut e.stages {
            s.target = s.target.round();
        }
    }
    Ok(e)
}

fn fmt_factor(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

/// The thresholds a smoke test gets when the user gave none: any failed request or check fails it.
pub const SMOKE_THRESHOLDS: [&str; 2] = ["http_req_failed: rate==0", "checks: rate==1"];

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn ok(kind: Kind, p: &Params) -> Expansion {
        expand(kind, p).unwrap_or_else(|e| panic!("{e}"))
    }

    fn rate(r: f64) -> Params {
        Params {
            target: Some(Target::Rate(r)),
            ..Params::default()
        }
    }

    impl Expansion {
        fn len(&self) -> Duration {
            self.stages.iter().map(|s| s.duration).sum()
        }

        fn peak(&self) -> f64 {
            self.stages.iter().fold(self.start, |m, s| m.max(s.target))
        }
    }

    fn levels(e: &Expansion) -> Vec<f64> {
        e.stages.iter().map(|s| s.target).collect()
    }

    #[test]
    fn names_parse_with_suggestions() {
        for n in NAMES {
            assert_eq!(Kind::parse(n).map(Kind::name).ok(), Some(n));
        }
        let err = Kind::parse("strss")
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert!(err.contains("did you mean 'stress'?"), "{err}");
    }

    #[test]
    fn smoke_defaults_to_two_vus_for_thirty_seconds() {
        let e = ok(Kind::Smoke, &Params::default());
        assert!(!e.open);
        assert_eq!((e.start, levels(&e)), (2.0, vec![2.0]));
        assert_eq!(e.len(), s(30));
        assert_eq!(e.names, ["smoke"]);
        let e = ok(
            Kind::Smoke,
            &Params {
                hold: Some(s(5)),
                ..rate(1.0)
            },
        );
        assert!(e.open);
        assert_eq!((e.start, e.len()), (1.0, s(5)));
    }

    #[test]
    fn load_ramps_holds_and_ramps_down() {
        let e = ok(Kind::Load, &rate(100.0));
        assert_eq!(levels(&e), [100.0, 100.0, 0.0]);
        assert_eq!(e.names, ["ramp up", "hold 100%", "ramp down"]);
        assert_eq!(e.len(), s(30 + 120 + 30));
        let e = ok(
            Kind::Load,
            &Params {
                ramp: Some(s(1)),
                hold: Some(s(2)),
                target: Some(Target::Vus(7)),
                ..Params::default()
            },
        );
        assert!(!e.open);
        assert_eq!(e.len(), s(4));
        assert_eq!(e.peak(), 7.0);
    }

    #[test]
    fn stress_steps_beyond_the_target() {
        let e = ok(Kind::Stress, &rate(100.0));
        let holds: Vec<f64> = e
            .stages
            .iter()
            .zip(&e.names)
            .filter(|(_, n)| n.starts_with("step"))
            .map(|(st, _)| st.target)
            .collect();
        assert_eq!(holds, [50.0, 100.0, 150.0, 200.0, 300.0]);
        assert_eq!(e.names[3], "step 100%");
        assert_eq!(e.stages.len(), 11);
        assert_eq!(e.len(), s(5 * (10 + 120) + 10));
        let e = ok(
            Kind::Stress,
            &Params {
                hold: Some(s(60)),
                ..rate(100.0)
            },
        );
        assert_eq!(e.len(), s(5 * (10 + 60) + 10));
        // Whole VUs.
        let e = ok(
            Kind::Stress,
            &Params {
                target: Some(Target::Vus(5)),
                ..Params::default()
            },
        );
        assert_eq!(e.stages[0].target, 3.0);
    }

    #[test]
    fn spike_jumps_and_recovers() {
        let e = ok(Kind::Spike, &rate(100.0));
        assert_eq!(levels(&e), [100.0, 100.0, 500.0, 500.0, 100.0, 100.0, 0.0]);
        assert_eq!(
            e.names,
            [
                "ramp up",
                "baseline",
                "jump to ×5",
                "spike ×5",
                "drop to baseline",
                "recovery",
                "ramp down"
            ]
        );
        assert_eq!(e.len(), s(30 + 120 + 1 + 30 + 1 + 120 + 30));
        let e = ok(
            Kind::Spike,
            &Params {
                spike_factor: Some(3.0),
                spike_hold: Some(s(10)),
                ..rate(100.0)
            },
        );
        assert_eq!(e.peak(), 300.0);
        assert_eq!(e.stages[3].duration, s(10));
        assert_eq!(e.names[3], "spike ×3");
    }

    #[test]
    fn soak_holds_an_hour() {
        let e = ok(
            Kind::Soak,
            &Params {
                target: Some(Target::Vus(50)),
                ..Params::default()
            },
        );
        assert_eq!(e.stages[1].duration, s(3600));
        assert_eq!(e.len(), s(3660));
    }

    #[test]
    fn breakpoint_ramps_the_rate_to_ten_times() {
        let e = ok(Kind::Breakpoint, &rate(100.0));
        assert!(e.open);
        assert_eq!((e.start, levels(&e)), (10.0, vec![1000.0]));
        assert_eq!(e.len(), s(600));
        assert_eq!(e.names, ["ramp to ×10"]);
    }

    #[test]
    fn bad_combinations_are_one_line_usage_errors() {
        let vus = |v| Params {
            target: Some(Target::Vus(v)),
            ..Params::default()
        };
        let bad = [
            (Kind::Load, Params::default()),
            (Kind::Breakpoint, vus(10)),
            (
                Kind::Load,
                Params {
                    spike_factor: Some(2.0),
                    ..rate(1.0)
                },
            ),
            (
                Kind::Spike,
                Params {
                    spike_factor: Some(0.5),
                    ..rate(1.0)
                },
            ),
            (
                Kind::Smoke,
                Params {
                    ramp: Some(s(1)),
                    ..Params::default()
                },
            ),
            (
                Kind::Breakpoint,
                Params {
                    hold: Some(s(1)),
                    ..rate(1.0)
                },
            ),
            (Kind::Load, rate(0.0)),
            (Kind::Load, vus(0)),
            (
                Kind::Load,
                Params {
                    recovery_window: Some(s(5)),
                    ..rate(1.0)
                },
            ),
            (
                Kind::Spike,
                Params {
                    recovery_window: Some(Duration::from_millis(2500)),
                    ..rate(1.0)
                },
            ),
            (
                Kind::Spike,
                Params {
                    recovery_window: Some(Duration::ZERO),
                    ..rate(1.0)
                },
            ),
            (
                Kind::Load,
                Params {
                    hold: Some(Duration::ZERO),
                    ..rate(1.0)
                },
            ),
        ];
        for (kind, p) in bad {
            match expand(kind, &p) {
                Err(CliError::Usage(m)) => assert!(!m.contains('\n'), "{m}"),
                other => panic!("{kind:?} {p:?}: {other:?}"),
            }
        }
    }
}
