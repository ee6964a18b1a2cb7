//! Split and merge (Otava's `split`, `merge` and `ChangePointDetector`): weak change points
//! from E-divisive candidates in sliding windows, then the weakest dropped until every one
//! left is significant and large enough.

use crate::energy::Distances;
use crate::ttest::{Side, p_value};

/// Detection settings, with Otava's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Points per sliding window of the split step (Otava: 50).
    pub window_len: usize,
    /// Significance level a change point must reach (Otava: 0.001).
    pub max_pvalue: f64,
    /// Smallest relative change kept (Otava: 0, i.e. significance alone decides).
    pub min_magnitude: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            window_len: 50,
            max_pvalue: 0.001,
            min_magnitude: 0.0,
        }
    }
}

/// A detected shift: the series differs from index `index` on.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePoint {
    /// The first point after the shift.
    pub index: usize,
    /// The t-test p-value between the segments on either side.
    pub pvalue: f64,
    pub mean_before: f64,
    pub mean_after: f64,
    pub stddev_before: f64,
    pub stddev_after: f64,
}

impl ChangePoint {
    /// `mean_after / mean_before − 1` (0 when the mean before is 0).
    pub fn forward_change(&self) -> f64 {
        if self.mean_before == 0.0 {
            0.0
        } else {
            self.mean_after / self.mean_before - 1.0
        }
    }

    /// The larger of the forward and backward relative change (Otava's `change_magnitude`).
    pub fn magnitude(&self) -> f64 {
        let back = if self.mean_after == 0.0 {
            0.0
        } else {
            self.mean_before / self.mean_after - 1.0
        };
        self.forward_change().abs().max(back.abs())
    }
}

/// The change points of `series`, in index order.
pub fn change_points(series: &[f64], options: &Options) -> Vec<ChangePoint> {
    if series.len() < 3 || series.iter().any(|x| !x.is_finite()) {
        return Vec::new();
    }
    let p = options.max_pvalue;
    // Otava's first-pass level: 10× below 0.05, 2× below 0.5.
    let first_pass = if p < 0.05 {
        p * 10.0
    } else if p < 0.5 {
        p * 2.0
    } else {
        p
    };
    let weak = split(series, options.window_len.max(2), first_pass);
    merge(weak, series, p, options.min_magnitude)
}

/// The change point at `index` tested between the segments that border it.
fn test_at(series: &[f64], index: usize, left: (usize, usize), right: (usize, usize)) -> ChangePoint {
    let (l, r) = (Side::of(&series[left.0..left.1]), Side::of(&series[right.0..right.1]));
    ChangePoint {
        index,
        pvalue: p_value(l, r),
        mean_before: l.mean,
        mean_after: r.mean,
        stddev_before: l.std,
        stddev_after: r.std,
    }
}

/// The segments `[0, c1), [c1, c2), …, [ck, end)` between sorted change-point indexes.
fn segments(cuts: &[usize], start: usize, end: usize) -> Vec<(usize, usize)> {
    let mut bounds = vec![start];
    bounds.extend(cuts.iter().copied());
    bounds.push(end);
    bounds
        .windows(2)
        .map(|w| (w[0], w[1]))
        .filter(|(a, b)| a != b)
        .collect()
}

/// Each change point re-tested between its current neighbours.
fn retest(series: &[f64], cuts: &[usize]) -> Vec<ChangePoint> {
    let segs = segments(cuts, 0, series.len());
    cuts.iter()
        .enumerate()
        .map(|(i, &c)| test_at(series, c, segs[i], segs[i + 1]))
        .collect()
}

/// E-divisive within `series[start..end]`: keep splitting the segment with the best
/// candidate while the split is significant at `max_pvalue`. Returns absolute indexes.
fn detect_window(d: &Distances, series: &[f64], start: usize, end: usize, max_pvalue: f64) -> Vec<usize> {
    let mut cuts: Vec<usize> = Vec::new();
    loop {
        let segs = segments(&cuts, start, end);
        let best = segs
            .iter()
            .filter(|(a, b)| b - a > 1)
            .filter_map(|&(a, b)| d.best_split(a, b).map(|(t, q)| (t, q, (a, b))))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        let Some((t, _, (a, b))) = best else { break };
        if test_at(series, t, (a, t), (t, b)).pvalue > max_pvalue {
            break;
        }
        cuts.push(t);
        cuts.sort_unstable();
    }
    cuts
}

/// The split step: weak change points from windows of `window_len`, half a window apart
/// (a window restarts at the last point it found when that is further on).
fn split(series: &[f64], window_len: usize, max_pvalue: f64) -> Vec<usize> {
    let n = series.len();
    let step = (window_len / 2).max(1);
    let mut cuts: Vec<usize> = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + window_len).min(n);
        let window = &series[start..end];
        let d = Distances::new(window);
        let found: Vec<usize> = detect_window(&d, window, 0, window.len(), max_pvalue)
            .into_iter()
            .map(|c| c + start)
            .collect();
        let last = found.last().copied().unwrap_or(0);
        for c in found {
            if !cuts.contains(&c) {
                cuts.push(c);
            }
        }
        start = last.max(start + step);
    }
    cuts.sort_unstable();
    cuts
}

/// The merge step: drop the weakest change point (highest p-value; once all pass, the
/// smallest magnitude) while it fails, re-testing its neighbours each time.
fn merge(mut cuts: Vec<usize>, series: &[f64], max_pvalue: f64, min_magnitude: f64) -> Vec<ChangePoint> {
    loop {
        let points = retest(series, &cuts);
        let Some((weakest, p)) = points
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.pvalue.total_cmp(&b.1.pvalue))
            .map(|(i, c)| (i, c.pvalue))
        else {
            return points;
        };
        let drop = if p < max_pvalue {
            let (i, smallest) = points
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.magnitude().total_cmp(&b.1.magnitude()))
                .map(|(i, c)| (i, c.magnitude()))
                .unwrap_or((weakest, f64::INFINITY));
            if smallest > min_magnitude {
                return points;
            }
            i
        } else {
            weakest
        };
        cuts.remove(drop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_cover_the_range() {
        assert_eq!(segments(&[3, 7], 0, 10), [(0, 3), (3, 7), (7, 10)]);
        assert_eq!(segments(&[], 0, 4), [(0, 4)]);
    }

    #[test]
    fn a_clean_step_is_found_exactly() {
        let mut s = vec![10.0; 20];
        s.extend(vec![12.0; 20]);
        // Constant segments: a tiny wobble so the t-test has a variance.
        for (i, x) in s.iter_mut().enumerate() {
            *x += if i % 2 == 0 { 0.01 } else { -0.01 };
        }
        let cps = change_points(&s, &Options::default());
        assert_eq!(cps.len(), 1, "{cps:?}");
        assert_eq!(cps[0].index, 20);
        assert!((cps[0].forward_change() - 0.2).abs() < 1e-3);
    }

    #[test]
    fn short_or_broken_series_have_none() {
        assert!(change_points(&[1.0, 2.0], &Options::default()).is_empty());
        assert!(change_points(&[1.0, f64::NAN, 2.0, 3.0], &Options::default()).is_empty());
    }
}
