//! The vocabulary of test-type profiles, shared by scenario files, the load planner, the
//! results folder and the analyses: which profile a run used, and what each stage of its
//! load curve is for. How a profile expands into stages lives in `loadcell-plan`.

use serde::{Deserialize, Serialize};

/// A test-type profile (`--profile`, or `profile:` in a scenario's `load:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Smoke,
    Load,
    Stress,
    Spike,
    Soak,
    Breakpoint,
}

impl Profile {
    /// Every profile, in the order the documentation lists them.
    pub const ALL: [Profile; 6] = [
        Profile::Smoke,
        Profile::Load,
        Profile::Stress,
        Profile::Spike,
        Profile::Soak,
        Profile::Breakpoint,
    ];

    /// The names as typed, in the order of [`Profile::ALL`].
    pub const NAMES: [&'static str; 6] = ["smoke", "load", "stress", "spike", "soak", "breakpoint"];

    /// The name as typed (and as `meta.json` stores it).
    pub fn name(self) -> &'static str {
        match self {
            Profile::Smoke => "smoke",
            Profile::Load => "load",
            Profile::Stress => "stress",
            Profile::Spike => "spike",
            Profile::Soak => "soak",
            Profile::Breakpoint => "breakpoint",
        }
    }

    /// The profile named `name` exactly; suggestions for near-misses are the caller's.
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// What a stage of a profile's load curve is for. The analyses find the stages they judge
/// by role (the spike recovery needs the baseline, the jump, the spike and the recovery; the
/// soak trend its hold); the stage's display name (`spike ×5`, `step 150%`) is for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StageRole {
    /// `smoke`: the whole run at one level.
    Smoke,
    /// Up to the target level (`load`, `soak`, `spike`).
    RampUp,
    /// The target level held (`load`, `soak`).
    Hold,
    /// `stress`: the ramp to the next step.
    RampToStep,
    /// `stress`: one step held.
    Step,
    /// `spike`: the steady level before the spike.
    Baseline,
    /// `spike`: the jump to the spike level.
    Jump,
    /// `spike`: the spike level held.
    Spike,
    /// `spike`: the drop back to the baseline level.
    Drop,
    /// `spike`: the baseline level again, after the spike.
    Recovery,
    /// `breakpoint`: the one long ramp.
    Ramp,
    /// Back down to 0 at the end.
    RampDown,
}

/// A stage of a profile's load curve: its name for people and its role for the analyses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageLabel {
    /// `ramp up`, `hold 100%`, `step 150%`, `spike ×5`, `recovery`, …
    pub name: String,
    pub role: StageRole,
}
