//! Test-type profiles (`--profile smoke|load|stress|spike|soak|breakpoint`, or `profile:` in a
//! scenario's `load:`): pure expansion of a profile and a target level into load stages, each
//! with a phase name for the summary. The patterns and defaults are documented in
//! `docs/profiles.md`.

use crate::error::{PlanError, invalid};
use loadcell_schema::{Profile, StageLabel, StageRole};
use loadcell_units::Stage;
use std::time::Duration;

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

/// Parses a profile name; the error names the profiles and suggests the nearest.
pub fn parse_profile(name: &str) -> Result<Profile, PlanError> {
    Profile::from_name(name).ok_or_else(|| PlanError::UnknownProfile {
        name: loadcell_diagnostics::clip(name, 40),
        expected: Profile::NAMES.join(", "),
        hint: loadcell_diagnostics::closest(name, Profile::NAMES.iter().copied())
            .map(|near| format!("; did you mean '{near}'?"))
            .unwrap_or_default(),
    })
}

/// Default ramp length (ramp up and down; between steps for `stress`; the whole ramp for
/// `breakpoint`). `smoke` has no ramp.
fn default_ramp(kind: Profile) -> Duration {
    match kind {
        Profile::Smoke => Duration::ZERO,
        Profile::Stress => Duration::from_secs(10),
        Profile::Breakpoint => Duration::from_secs(600),
        Profile::Load | Profile::Spike | Profile::Soak => Duration::from_secs(30),
    }
}

/// Default hold: the whole run for `smoke`, per step for `stress`, the baseline and the
/// recovery for `spike`. `breakpoint` has no hold.
fn default_hold(kind: Profile) -> Duration {
    match kind {
        Profile::Smoke => Duration::from_secs(30),
        Profile::Load | Profile::Stress | Profile::Spike => Duration::from_secs(120),
        Profile::Soak => Duration::from_secs(3600),
        Profile::Breakpoint => Duration::ZERO,
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

/// A profile expanded: the curve starts at `start` and ramps through `stages`; `labels[i]`
/// names stage `i` and says what it is for.
#[derive(Debug, Clone, PartialEq)]
pub struct Expansion {
    pub start: f64,
    pub stages: Vec<Stage>,
    pub labels: Vec<StageLabel>,
    /// Open model (levels are iterations per second), else VUs.
    pub open: bool,
}

impl Expansion {
    /// Adds a stage unless it has no length.
    fn push(&mut self, duration: Duration, target: f64, role: StageRole, name: impl Into<String>) {
        if duration > Duration::ZERO {
            self.stages.push(Stage { duration, target });
            self.labels.push(StageLabel {
                name: name.into(),
                role,
            });
        }
    }
}

/// The shape of a profile once its flags are checked, defaults applied.
struct Shape {
    level: f64,
    open: bool,
    ramp: Duration,
    hold: Duration,
    factor: f64,
    spike_hold: Duration,
}

/// Expands `kind` with `p` into stages, checking every combination.
pub fn expand(kind: Profile, p: &Params) -> Result<Expansion, PlanError> {
    let shape = check(kind, p)?;
    let mut e = Expansion {
        start: 0.0,
        stages: Vec::new(),
        labels: Vec::new(),
        open: shape.open,
    };
    stages(kind, &shape, &mut e);
    if !shape.open {
        // VU counts are whole.
        e.start = e.start.round();
        for s in &mut e.stages {
            s.target = s.target.round();
        }
    }
    Ok(e)
}

/// Checks the profile flags against each other and the profile; applies the defaults.
fn check(kind: Profile, p: &Params) -> Result<Shape, PlanError> {
    let name = kind.name();
    let target = match (p.target, kind) {
        (None, Profile::Smoke) => Target::Vus(SMOKE_VUS),
        (None, _) => {
            return Err(invalid(format!(
                "--profile {name} needs a target level: add --target-rate N (open model) or --target-vus N (closed model)"
            )));
        }
        (Some(Target::Vus(_)), Profile::Breakpoint) => {
            return Err(invalid(
                "--profile breakpoint ramps an arrival rate: use --target-rate N, not --target-vus",
            ));
        }
        (Some(t), _) => t,
    };
    let (level, open) = match target {
        Target::Rate(r) if r.is_finite() && r > 0.0 => (r, true),
        Target::Vus(v) if v >= 1 => (v as f64, false),
        Target::Rate(_) => return Err(invalid("--target-rate must be above 0")),
        Target::Vus(_) => return Err(invalid("--target-vus must be at least 1")),
    };
    if kind != Profile::Spike && (p.spike_factor.is_some() || p.spike_hold.is_some()) {
        return Err(invalid(format!(
            "--spike-factor and --spike-hold apply to --profile spike, not {name}"
        )));
    }
    if let Some(w) = p.recovery_window {
        if kind != Profile::Spike {
            return Err(invalid(format!(
                "--recovery-window applies to --profile spike, not {name}"
            )));
        }
        // Windows are made of the run's one-second intervals.
        if w < Duration::from_secs(1) || w.subsec_nanos() != 0 {
            return Err(invalid(
                "--recovery-window must be a whole number of seconds, at least 1s",
            ));
        }
    }
    if kind == Profile::Smoke && p.ramp.is_some() {
        return Err(invalid("--profile smoke does not ramp; set its length with --hold"));
    }
    if kind == Profile::Breakpoint && p.hold.is_some() {
        return Err(invalid(
            "--profile breakpoint does not hold; set the length of its ramp with --ramp",
        ));
    }
    let ramp = p.ramp.unwrap_or_else(|| default_ramp(kind));
    let hold = p.hold.unwrap_or_else(|| default_hold(kind));
    let factor = p.spike_factor.unwrap_or(5.0);
    if !(factor.is_finite() && factor > 1.0) {
        return Err(invalid("--spike-factor must be above 1"));
    }
    let spike_hold = p.spike_hold.unwrap_or(Duration::from_secs(30));
    let needs_hold = !matches!(kind, Profile::Breakpoint);
    if needs_hold && hold.is_zero() {
        return Err(invalid(format!("--hold must be above 0 for --profile {name}")));
    }
    if kind == Profile::Breakpoint && ramp.is_zero() {
        return Err(invalid("--ramp must be above 0 for --profile breakpoint"));
    }
    if kind == Profile::Spike && spike_hold.is_zero() {
        return Err(invalid("--spike-hold must be above 0"));
    }

    Ok(Shape {
        level,
        open,
        ramp,
        hold,
        factor,
        spike_hold,
    })
}

/// The stages of `kind` at `shape`, in order.
fn stages(kind: Profile, shape: &Shape, e: &mut Expansion) {
    let Shape {
        level,
        ramp,
        hold,
        factor,
        spike_hold,
        ..
    } = *shape;
    match kind {
        Profile::Smoke => {
            e.start = level;
            e.push(hold, level, StageRole::Smoke, "smoke");
        }
        Profile::Load | Profile::Soak => {
            e.push(ramp, level, StageRole::RampUp, "ramp up");
            e.push(hold, level, StageRole::Hold, "hold 100%");
            e.push(ramp, 0.0, StageRole::RampDown, "ramp down");
        }
        Profile::Stress => {
            for pct in STRESS_STEPS {
                let at = level * f64::from(pct) / 100.0;
                e.push(ramp, at, StageRole::RampToStep, format!("ramp to {pct}%"));
                e.push(hold, at, StageRole::Step, format!("step {pct}%"));
            }
            e.push(ramp, 0.0, StageRole::RampDown, "ramp down");
        }
        Profile::Spike => {
            let peak = level * factor;
            let f = fmt_factor(factor);
            e.push(ramp, level, StageRole::RampUp, "ramp up");
            e.push(hold, level, StageRole::Baseline, "baseline");
            e.push(SPIKE_EDGE, peak, StageRole::Jump, format!("jump to ×{f}"));
            e.push(spike_hold, peak, StageRole::Spike, format!("spike ×{f}"));
            e.push(SPIKE_EDGE, level, StageRole::Drop, "drop to baseline");
            e.push(hold, level, StageRole::Recovery, "recovery");
            e.push(ramp, 0.0, StageRole::RampDown, "ramp down");
        }
        Profile::Breakpoint => {
            e.start = level * BREAKPOINT_FROM;
            let to = format!("ramp to ×{}", fmt_factor(BREAKPOINT_TO));
            e.push(ramp, level * BREAKPOINT_TO, StageRole::Ramp, to);
        }
    }
}

fn fmt_factor(f: f64) -> String {
    if f.fract() == 0.0 {
        format!("{f:.0}")
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: u64) -> Duration {
        Duration::from_secs(secs)
    }

    fn ok(kind: Profile, p: &Params) -> Expansion {
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

    fn names(e: &Expansion) -> Vec<&str> {
        e.labels.iter().map(|l| l.name.as_str()).collect()
    }

    fn levels(e: &Expansion) -> Vec<f64> {
        e.stages.iter().map(|s| s.target).collect()
    }

    #[test]
    fn names_parse_with_suggestions() {
        for n in Profile::NAMES {
            assert_eq!(parse_profile(n).map(Profile::name).ok(), Some(n));
        }
        let err = parse_profile("strss")
            .map_err(|e| e.to_string())
            .err()
            .unwrap_or_default();
        assert!(err.contains("did you mean 'stress'?"), "{err}");
    }

    #[test]
    fn smoke_defaults_to_two_vus_for_thirty_seconds() {
        let e = ok(Profile::Smoke, &Params::default());
        assert!(!e.open);
        assert_eq!((e.start, levels(&e)), (2.0, vec![2.0]));
        assert_eq!(e.len(), s(30));
        assert_eq!(names(&e), ["smoke"]);
        let e = ok(
            Profile::Smoke,
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
        let e = ok(Profile::Load, &rate(100.0));
        assert_eq!(levels(&e), [100.0, 100.0, 0.0]);
        assert_eq!(names(&e), ["ramp up", "hold 100%", "ramp down"]);
        assert_eq!(e.len(), s(30 + 120 + 30));
        let e = ok(
            Profile::Load,
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
        let e = ok(Profile::Stress, &rate(100.0));
        let holds: Vec<f64> = e
            .stages
            .iter()
            .zip(&e.labels)
            .filter(|(_, l)| l.role == StageRole::Step)
            .map(|(st, _)| st.target)
            .collect();
        assert_eq!(holds, [50.0, 100.0, 150.0, 200.0, 300.0]);
        assert_eq!(e.labels[3].name, "step 100%");
        assert_eq!(e.stages.len(), 11);
        assert_eq!(e.len(), s(5 * (10 + 120) + 10));
        let e = ok(
            Profile::Stress,
            &Params {
                hold: Some(s(60)),
                ..rate(100.0)
            },
        );
        assert_eq!(e.len(), s(5 * (10 + 60) + 10));
        // Whole VUs.
        let e = ok(
            Profile::Stress,
            &Params {
                target: Some(Target::Vus(5)),
                ..Params::default()
            },
        );
        assert_eq!(e.stages[0].target, 3.0);
    }

    #[test]
    fn spike_jumps_and_recovers() {
        let e = ok(Profile::Spike, &rate(100.0));
        assert_eq!(levels(&e), [100.0, 100.0, 500.0, 500.0, 100.0, 100.0, 0.0]);
        assert_eq!(
            names(&e),
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
            Profile::Spike,
            &Params {
                spike_factor: Some(3.0),
                spike_hold: Some(s(10)),
                ..rate(100.0)
            },
        );
        assert_eq!(e.peak(), 300.0);
        assert_eq!(e.stages[3].duration, s(10));
        assert_eq!(e.labels[3].name, "spike ×3");
        assert_eq!(e.labels[3].role, StageRole::Spike);
    }

    #[test]
    fn soak_holds_an_hour() {
        let e = ok(
            Profile::Soak,
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
        let e = ok(Profile::Breakpoint, &rate(100.0));
        assert!(e.open);
        assert_eq!((e.start, levels(&e)), (10.0, vec![1000.0]));
        assert_eq!(e.len(), s(600));
        assert_eq!(names(&e), ["ramp to ×10"]);
    }

    #[test]
    fn bad_combinations_are_one_line_usage_errors() {
        let vus = |v| Params {
            target: Some(Target::Vus(v)),
            ..Params::default()
        };
        let bad = [
            (Profile::Load, Params::default()),
            (Profile::Breakpoint, vus(10)),
            (
                Profile::Load,
                Params {
                    spike_factor: Some(2.0),
                    ..rate(1.0)
                },
            ),
            (
                Profile::Spike,
                Params {
                    spike_factor: Some(0.5),
                    ..rate(1.0)
                },
            ),
            (
                Profile::Smoke,
                Params {
                    ramp: Some(s(1)),
                    ..Params::default()
                },
            ),
            (
                Profile::Breakpoint,
                Params {
                    hold: Some(s(1)),
                    ..rate(1.0)
                },
            ),
            (Profile::Load, rate(0.0)),
            (Profile::Load, vus(0)),
            (
                Profile::Load,
                Params {
                    recovery_window: Some(s(5)),
                    ..rate(1.0)
                },
            ),
            (
                Profile::Spike,
                Params {
                    recovery_window: Some(Duration::from_millis(2500)),
                    ..rate(1.0)
                },
            ),
            (
                Profile::Spike,
                Params {
                    recovery_window: Some(Duration::ZERO),
                    ..rate(1.0)
                },
            ),
            (
                Profile::Load,
                Params {
                    hold: Some(Duration::ZERO),
                    ..rate(1.0)
                },
            ),
        ];
        for (kind, p) in bad {
            match expand(kind, &p) {
                Err(PlanError::Invalid(m)) => assert!(!m.contains('\n'), "{m}"),
                other => panic!("{kind:?} {p:?}: {other:?}"),
            }
        }
    }
}
