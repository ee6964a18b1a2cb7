//! The load flags of `loadcell run`, as plain values ([`LoadFlags`]), and their meaning
//! without a scenario file ([`from_flags`]): a test-type profile expanded into stages, or
//! the closed or open model as given.

use crate::error::{PlanError, invalid};
use crate::inputs::LoadInputs;
use crate::profile::{self, Params, Target};
use loadcell_schema::Profile;
use loadcell_units::parse_stages;
use std::time::Duration;

/// The load flags as typed (units already parsed); `None` where not given.
#[derive(Debug, Clone, Default)]
pub struct LoadFlags {
    pub concurrency: Option<u64>,
    pub rate: Option<f64>,
    pub duration: Option<Duration>,
    pub requests: Option<u64>,
    /// `--stages`, still text: whether its targets are rates depends on `--rate`.
    pub stages: Option<String>,
    pub warmup: Option<Duration>,
    pub max_vus: Option<u64>,
    /// `--pre-vus`: open model, VUs allocated before the first arrival.
    pub pre_vus: Option<u64>,
    pub threads: Option<usize>,
    pub profile: ProfileFlags,
}

/// `--profile` and the flags that shape it.
#[derive(Debug, Clone, Default)]
pub struct ProfileFlags {
    /// The profile's name, as typed.
    pub name: Option<String>,
    pub target_rate: Option<f64>,
    pub target_vus: Option<u64>,
    pub ramp: Option<Duration>,
    pub hold: Option<Duration>,
    pub spike_factor: Option<f64>,
    pub spike_hold: Option<Duration>,
    pub recovery_window: Option<Duration>,
}

impl LoadFlags {
    /// `-c`, `-r` or `--stages`: the command line gives a model of its own.
    pub fn has_model(&self) -> bool {
        self.concurrency.is_some() || self.rate.is_some() || self.stages.is_some()
    }
}

impl ProfileFlags {
    /// Any of the flags that only mean something with a profile.
    fn any_shaping(&self) -> bool {
        self.target_rate.is_some()
            || self.target_vus.is_some()
            || self.ramp.is_some()
            || self.hold.is_some()
            || self.spike_factor.is_some()
            || self.spike_hold.is_some()
            || self.recovery_window.is_some()
    }
}

/// A scenario file's `load: { profile: …, target_rate | target_vus: … }`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FileProfile {
    pub kind: Profile,
    pub target: Option<Target>,
}

/// The load of a run without a scenario file.
pub fn from_flags(flags: &LoadFlags) -> Result<LoadInputs, PlanError> {
    with_file_profile(flags, None)
}

/// The load flags; `file` is a scenario's own profile, which applies (with the profile flags
/// as overrides) when the command line gives no model.
pub(crate) fn with_file_profile(flags: &LoadFlags, file: Option<FileProfile>) -> Result<LoadInputs, PlanError> {
    let kind = match (&flags.profile.name, file) {
        (Some(name), _) => Some(profile::parse_profile(name)?),
        (None, Some(f)) if !flags.has_model() => Some(f.kind),
        (None, _) => None,
    };
    if let Some(kind) = kind {
        return profiled(flags, kind, file.and_then(|f| f.target));
    }
    if flags.profile.any_shaping() {
        return Err(invalid(
            "--target-rate, --target-vus, --ramp, --hold, --spike-factor, --spike-hold and --recovery-window apply with --profile",
        ));
    }
    let open = flags.rate.is_some();
    let stages = match &flags.stages {
        Some(text) => Some(parse_stages(text, open)?),
        None => None,
    };
    Ok(LoadInputs {
        concurrency: flags.concurrency,
        rate: flags.rate,
        duration: flags.duration,
        requests: flags.requests,
        stages,
        open,
        warmup: flags.warmup.unwrap_or_default(),
        max_vus: flags.max_vus,
        pre_vus: flags.pre_vus,
        threads: flags.threads,
        cut: None,
        profile: None,
        labels: Vec::new(),
    })
}

/// A profile's stages around the flags' target level, or the file's when they give none.
fn profiled(flags: &LoadFlags, kind: Profile, file_target: Option<Target>) -> Result<LoadInputs, PlanError> {
    if flags.has_model() || flags.duration.is_some() {
        return Err(invalid(format!(
            "profile '{}' sets the load and its length: drop -c, -r, --stages and -d (use --target-vus or --target-rate, --ramp, --hold)",
            kind.name()
        )));
    }
    let p = &flags.profile;
    let target = match (p.target_rate, p.target_vus) {
        (Some(r), _) => Some(Target::Rate(r)),
        (None, Some(v)) => Some(Target::Vus(v)),
        (None, None) => file_target,
    };
    let e = profile::expand(
        kind,
        &Params {
            target,
            ramp: p.ramp,
            hold: p.hold,
            spike_factor: p.spike_factor,
            spike_hold: p.spike_hold,
            recovery_window: p.recovery_window,
        },
    )?;
    let start = (e.start > 0.0).then_some(e.start);
    Ok(LoadInputs {
        concurrency: if e.open { None } else { start.map(|v| v as u64) },
        rate: if e.open { start } else { None },
        duration: None,
        requests: flags.requests,
        stages: Some(e.stages),
        open: e.open,
        warmup: flags.warmup.unwrap_or_default(),
        max_vus: flags.max_vus,
        pre_vus: flags.pre_vus,
        threads: flags.threads,
        cut: None,
        profile: Some(kind),
        labels: e.labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inputs::plan;
    use loadcell_engine::Model;
    use loadcell_schema::StageRole;

    fn secs(s: u64) -> Option<Duration> {
        Some(Duration::from_secs(s))
    }

    fn profile(name: &str, shape: ProfileFlags) -> LoadFlags {
        LoadFlags {
            profile: ProfileFlags {
                name: Some(name.to_string()),
                ..shape
            },
            ..LoadFlags::default()
        }
    }

    #[test]
    fn a_profile_becomes_the_stages_of_the_model() {
        let flags = profile(
            "stress",
            ProfileFlags {
                target_rate: Some(100.0),
                hold: secs(20),
                ..ProfileFlags::default()
            },
        );
        let i = from_flags(&flags).unwrap_or_else(|e| panic!("{e}"));
        assert!(i.open);
        assert_eq!(i.profile, Some(Profile::Stress));
        let p = plan(&i).unwrap_or_else(|e| panic!("{e}"));
        let Model::Open { rate, .. } = &p.model else {
            panic!("not open: {:?}", p.model)
        };
        assert_eq!(rate.segments().len(), p.labels.len());
        assert_eq!(rate.peak(), 300.0);
        assert_eq!(p.run_for, Some(Duration::from_secs(5 * (10 + 20) + 10)));
        assert_eq!(p.labels[1].name, "step 50%");
        assert_eq!(p.labels[1].role, StageRole::Step);

        let i = from_flags(&profile("smoke", ProfileFlags::default())).unwrap_or_else(|e| panic!("{e}"));
        let p = plan(&i).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(p.model, Model::Closed { ref vus } if vus.peak() == 2.0));
        assert_eq!(p.run_for, Some(Duration::from_secs(30)));
    }

    #[test]
    fn profile_flag_contradictions_are_usage_errors() {
        let vus = |v| ProfileFlags {
            target_vus: Some(v),
            ..ProfileFlags::default()
        };
        let rate = |r| ProfileFlags {
            target_rate: Some(r),
            ..ProfileFlags::default()
        };
        let bad = [
            LoadFlags {
                concurrency: Some(5),
                ..profile("load", vus(5))
            },
            LoadFlags {
                rate: Some(5.0),
                ..profile("load", rate(5.0))
            },
            LoadFlags {
                stages: Some("1s:1".into()),
                ..profile("load", vus(5))
            },
            LoadFlags {
                duration: secs(60),
                ..profile("load", vus(5))
            },
            profile("load", ProfileFlags::default()),
            profile("breakpoint", vus(5)),
            LoadFlags {
                concurrency: Some(3),
                profile: rate(5.0),
                ..LoadFlags::default()
            },
        ];
        for flags in bad {
            let err = from_flags(&flags).err().map(|e| e.to_string());
            let err = err.unwrap_or_else(|| panic!("{flags:?} was accepted"));
            assert!(!err.contains('\n'), "{err}");
        }
        let err = from_flags(&profile("lod", ProfileFlags::default()))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("did you mean 'load'?"), "{err}");
    }
}
