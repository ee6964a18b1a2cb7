//! "Did you mean" suggestions for metric names, tag keys and short forms.

/// The candidate closest to `input`, if it is close enough to be a plausible typo.
pub(crate) fn closest(input: &str, candidates: &[&'static str]) -> Option<&'static str> {
    loadcell_diagnostics::closest(input, candidates.iter().copied())
}
