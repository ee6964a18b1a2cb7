//! A step's `add:` — what it adds to the scenario's own metrics once its response, checks and
//! extraction are done. A template renders into the VU's reused scratch buffer and is read as
//! a number; one that does not render to a number is counted as the metric's `invalid` (and
//! fails the iteration) rather than skipped or guessed.

use crate::vu::{Parts, VuState};
use loadcell_engine::VuContext;
use loadcell_scenario::{AddValue, RequestStep, Scenario};
use loadcell_schema::CustomKind;

/// How the step went, as a rate's `ok` and `checks` read it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Went {
    /// The request succeeded (a response below 400).
    pub(crate) ok: bool,
    /// Every check of the step passed (without checks: the request succeeded).
    pub(crate) checks: bool,
}

/// Adds the step's values, its `i`-th to slot `first_slot + i`; the first metric whose add
/// had no number, if any.
pub(crate) fn add(
    rs: &RequestStep,
    first_slot: usize,
    scenario: &Scenario,
    went: Went,
    vu: &mut VuState,
    ctx: &VuContext,
) -> Option<usize> {
    let mut first_invalid = None;
    for (i, a) in rs.add.iter().enumerate() {
        let value = match &a.value {
            AddValue::Number(n) => Some(*n),
            AddValue::Flag(b) => Some(f64::from(u8::from(*b))),
            AddValue::Ok => Some(f64::from(u8::from(went.ok))),
            AddValue::Checks => Some(f64::from(u8::from(went.checks))),
            AddValue::Template(t) => {
                let Parts { mut view, io, .. } = vu.parts(&scenario.data);
                let scratch = &mut io.scratch;
                scratch.clear();
                t.render(&mut view, scratch)
                    .ok()
                    .and_then(|()| scratch.trim().parse::<f64>().ok())
                    .filter(|v| v.is_finite())
            }
        };
        let trend = a.kind == CustomKind::Trend;
        // A rate's number counts as true when it is not zero, as k6's `Rate.add`.
        let value = match (a.kind, value) {
            (CustomKind::Rate, Some(v)) => Some(f64::from(u8::from(v != 0.0))),
            (_, v) => v,
        };
        // A negative trend value is refused by the recorder too; it is an invalid add.
        if value.is_none_or(|v| trend && v < 0.0) {
            first_invalid = first_invalid.or(Some(a.metric));
        }
        ctx.record_custom(first_slot + i, value, trend);
    }
    first_invalid
}
