//! The verdict of one change: `regressed` (or `improved`) only when the change is
//! significant — its confidence interval excludes no change, on the worse (better) side —
//! *and* the change itself is beyond the noise threshold in that direction. Anything else is
//! `unchanged`.
//!
//! [`Rule::Strict`] is criterion.rs's rule (`compare_to_threshold` in its `src/report.rs`):
//! the whole interval must lie beyond the noise threshold, i.e. the data must rule out any
//! change within the noise. It is more conservative in the grey zone just above the
//! threshold; [`Rule::Significant`] (the default) calls a +6% change with an interval of
//! [+4%, +8%] regressed, criterion's rule calls it unchanged.

use loadcell_schema::{Interval, Verdict};

/// How a change is held against the noise threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rule {
    /// Significant, and the point change beyond the threshold.
    #[default]
    Significant,
    /// The whole interval beyond the threshold (criterion).
    Strict,
}

/// The judgement of one change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// The interval excludes no change.
    pub significant: bool,
    pub verdict: Verdict,
}

/// Judges `change` (a relative change, or a difference for absolute metrics) with its
/// `interval` against `noise` by `rule`. `higher_is_worse` tells the direction of a
/// regression. Without an interval (reduced data) the point change alone is held against the
/// noise threshold and the change is never called significant.
pub fn judge(
    change: Option<f64>,
    interval: Option<Interval>,
    noise: f64,
    higher_is_worse: bool,
    rule: Rule,
) -> Judgement {
    let Some(point) = change else {
        return Judgement {
            significant: false,
            verdict: Verdict::Unchanged,
        };
    };
    // `up`: the change is established above +noise; `down`: below −noise.
    let (significant, up, down) = match (interval, rule) {
        (Some(i), Rule::Significant) => (
            i.low > 0.0 || i.high < 0.0,
            i.low > 0.0 && point > noise,
            i.high < 0.0 && point < -noise,
        ),
        (Some(i), Rule::Strict) => (i.low > 0.0 || i.high < 0.0, i.low > noise, i.high < -noise),
        (None, _) => (false, point > noise, point < -noise),
    };
    let verdict = match (up, down, higher_is_worse) {
        (true, _, true) | (_, true, false) => Verdict::Regressed,
        (true, _, false) | (_, true, true) => Verdict::Improved,
        _ => Verdict::Unchanged,
    };
    Judgement { significant, verdict }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iv(low: f64, high: f64) -> Option<Interval> {
        Some(Interval { low, high })
    }

    const S: Rule = Rule::Significant;

    #[test]
    fn significant_and_beyond_the_noise() {
        let j = judge(Some(0.10), iv(0.08, 0.12), 0.05, true, S);
        assert_eq!((j.significant, j.verdict), (true, Verdict::Regressed));
        let j = judge(Some(0.07), iv(0.03, 0.11), 0.05, true, S);
        assert_eq!((j.significant, j.verdict), (true, Verdict::Regressed));
        let j = judge(Some(0.03), iv(0.01, 0.05), 0.05, true, S);
        assert_eq!(
            (j.significant, j.verdict),
            (true, Verdict::Unchanged),
            "significant but within noise"
        );
        let j = judge(Some(0.10), iv(-0.01, 0.21), 0.05, true, S);
        assert_eq!(
            (j.significant, j.verdict),
            (false, Verdict::Unchanged),
            "large but not significant"
        );
        assert_eq!(
            judge(Some(-0.10), iv(-0.12, -0.08), 0.05, true, S).verdict,
            Verdict::Improved
        );
    }

    #[test]
    fn strict_needs_the_whole_interval_beyond_the_noise() {
        let strict = |c, lo, hi| judge(Some(c), iv(lo, hi), 0.05, true, Rule::Strict).verdict;
        assert_eq!(strict(0.10, 0.08, 0.12), Verdict::Regressed);
        assert_eq!(strict(0.07, 0.03, 0.11), Verdict::Unchanged);
        assert_eq!(strict(-0.10, -0.12, -0.08), Verdict::Improved);
    }

    #[test]
    fn throughput_falls_to_regress() {
        assert_eq!(
            judge(Some(-0.1), iv(-0.12, -0.08), 0.05, false, S).verdict,
            Verdict::Regressed
        );
        assert_eq!(
            judge(Some(0.1), iv(0.08, 0.12), 0.05, false, S).verdict,
            Verdict::Improved
        );
    }

    #[test]
    fn without_an_interval_only_the_point_counts() {
        let j = judge(Some(0.2), None, 0.05, true, S);
        assert_eq!((j.significant, j.verdict), (false, Verdict::Regressed));
        assert_eq!(judge(Some(0.02), None, 0.05, true, S).verdict, Verdict::Unchanged);
        assert_eq!(judge(None, None, 0.05, true, S).verdict, Verdict::Unchanged);
    }
}
