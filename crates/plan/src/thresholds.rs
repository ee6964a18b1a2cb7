//! What a profile adds to the thresholds, or demands of them.

use crate::error::{PlanError, invalid};
use loadcell_schema::Profile;
use loadcell_threshold::Threshold;

/// The thresholds a smoke test gets when the user gave none: any failed request or check fails it.
pub const SMOKE_THRESHOLDS: [&str; 2] = ["http_req_failed: rate==0", "checks: rate==1"];

/// A smoke test without thresholds of its own gets `http_req_failed: rate==0` (and
/// `checks: rate==1` when the workload has checks); a breakpoint test (which implies
/// `--abort-on-fail`) needs at least one threshold to stop on.
pub fn profile_thresholds(
    kind: Option<Profile>,
    thresholds: &mut Vec<Threshold>,
    has_checks: bool,
) -> Result<(), PlanError> {
    match kind {
        Some(Profile::Smoke) if thresholds.is_empty() => {
            let exprs = if has_checks {
                &SMOKE_THRESHOLDS[..]
            } else {
                &SMOKE_THRESHOLDS[..1]
            };
            for e in exprs {
                thresholds.push(loadcell_threshold::parse(e)?);
            }
            Ok(())
        }
        Some(Profile::Breakpoint) if thresholds.is_empty() => Err(invalid(
            "--profile breakpoint stops when a threshold fails: give at least one, e.g. --threshold 'p95<500ms'",
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(exprs: &[&str]) -> Vec<Threshold> {
        exprs
            .iter()
            .map(|e| loadcell_threshold::parse(e).unwrap_or_else(|err| panic!("{err}")))
            .collect()
    }

    #[test]
    fn smoke_adds_fail_fast_thresholds_and_breakpoint_needs_one() {
        let mut t = Vec::new();
        profile_thresholds(Some(Profile::Smoke), &mut t, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 2);
        let mut t = Vec::new();
        profile_thresholds(Some(Profile::Smoke), &mut t, false).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 1);
        let mut t = parsed(&["p95<1s"]);
        profile_thresholds(Some(Profile::Smoke), &mut t, true).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(t.len(), 1);
        assert!(profile_thresholds(Some(Profile::Breakpoint), &mut Vec::new(), false).is_err());
        let mut t = parsed(&["p95<1s"]);
        assert!(profile_thresholds(Some(Profile::Breakpoint), &mut t, false).is_ok());
    }
}
