//! The verdict of one change, as criterion.rs decides it (`compare_to_threshold` in its
//! `src/report.rs`): a change is `regressed` (or `improved`) only when its whole confidence
//! interval lies beyond the noise threshold in that direction — which also makes it
//! significant, since the interval then excludes zero. Anything else is `unchanged`.

use loadcell_schema::{Interval, Verdict};

/// The judgement of one change.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Judgement {
    /// The interval excludes no change.
    pub significant: bool,
    pub verdict: Verdict,
}

/// Judges `change` (a relative change, or a difference for absolute metrics) with its
/// `interval` against `noise`. `higher_is_worse` tells the direction of a regression.
/// Without an interval (reduced data) the point change alone is held against the noise
/// threshold and the change is never called significant.
pub fn judge(change: Option<f64>, interval: Option<Interval>, noise: f64, higher_is_worse: bool) -> Judgement {
    let (low, high, significant) = match (interval, change) {
        (Some(i), _) => (i.low, i.high, i.low > 0.0 || i.high < 0.0),
        (None, Some(c)) => (c, c, false),
        (None, None) => {
            return Judgement {
                significant: false,
                verdict: Verdict::Unchanged,
            };
        }
    };
    let worse_up = low > noise;
    let better_down = high < -noise;
    let verdict = match (worse_up, better_down, higher_is_worse) {
        (true, _, true) => Verdict::Regressed,
        (true, _, false) => Verdict::Improved,
        (_, true, true) => Verdict::Improved,
        (_, true, false) => Verdict::Regressed,
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

    #[test]
    fn the_whole_interval_must_clear_the_noise() {
        let j = judge(Some(0.10), iv(0.08, 0.12), 0.05, true);
        assert_eq!((j.significant, j.verdict), (true, Verdict::Regressed));
        let j = judge(Some(0.07), iv(0.03, 0.11), 0.05, true);
        assert_eq!(
            (j.significant, j.verdict),
            (true, Verdict::Unchanged),
            "significant but within noise"
        );
        let j = judge(Some(0.10), iv(-0.01, 0.21), 0.05, true);
        assert_eq!((j.significant, j.verdict), (false, Verdict::Unchanged));
        let j = judge(Some(-0.10), iv(-0.12, -0.08), 0.05, true);
        assert_eq!(j.verdict, Verdict::Improved);
    }

    #[test]
    fn throughput_falls_to_regress() {
        assert_eq!(
            judge(Some(-0.1), iv(-0.12, -0.08), 0.05, false).verdict,
            Verdict::Regressed
        );
        assert_eq!(judge(Some(0.1), iv(0.08, 0.12), 0.05, false).verdict, Verdict::Improved);
    }

    #[test]
    fn without_an_interval_only_the_point_counts() {
        let j = judge(Some(0.2), None, 0.05, true);
        assert_eq!((j.significant, j.verdict), (false, Verdict::Regressed));
        assert_eq!(judge(Some(0.02), None, 0.05, true).verdict, Verdict::Unchanged);
        assert_eq!(judge(None, None, 0.05, true).verdict, Verdict::Unchanged);
    }
}
