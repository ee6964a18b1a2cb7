//! Outliers among a command's run times, by the modified z-score of Iglewicz and Hoaglin
//! (1993) — `(x − median) / MAD`, with 1.4826 · MAD as the σ estimate — and the same
//! threshold as hyperfine (`src/outlier_detection.rs`: 10 σ). Each flagged run says why it
//! probably happened: a slow *first* run means caches (file system, page cache, CPU) were
//! filled by it; other outliers mean something else on the machine interfered.

use loadcell_schema::Outlier;

/// Runs further than this many σ from the median are outliers (hyperfine's threshold).
pub const THRESHOLD_SIGMAS: f64 = 10.0;

/// The modified z-score of each value, in σ units (0 for fewer than three values).
pub fn modified_z_scores(xs: &[f64]) -> Vec<f64> {
    if xs.len() < 3 {
        return vec![0.0; xs.len()];
    }
    let median = median(xs);
    let deviations: Vec<f64> = xs.iter().map(|x| (x - median).abs()).collect();
    let mad = median_of(deviations);
    let sigma = 1.4826 * if mad > 0.0 { mad } else { f64::EPSILON };
    xs.iter().map(|x| (x - median) / sigma).collect()
}

/// The outliers of `times`, with reasons. `warmed_up`: whether warm-up runs came first
/// (the advice differs).
pub fn outliers(times: &[f64], warmed_up: bool) -> Vec<Outlier> {
    modified_z_scores(times)
        .into_iter()
        .enumerate()
        .filter(|(_, z)| z.abs() > THRESHOLD_SIGMAS)
        .map(|(index, score)| Outlier {
            index,
            score,
            reason: reason(index, score, warmed_up),
        })
        .collect()
}

fn reason(index: usize, score: f64, warmed_up: bool) -> String {
    match (index, score > 0.0, warmed_up) {
        (0, true, false) => "the first run was much slower than the rest: caches (files, page cache, CPU) were \
                             probably filled by it; use warm-up runs (--warmup N)"
            .to_string(),
        (0, true, true) => "the first run was much slower than the rest even after warm-up: add warm-up runs or \
                            clear caches before every run with --prepare"
            .to_string(),
        (_, true, _) => {
            "much slower than the rest: another program probably interfered; rerun on a quiet machine".to_string()
        }
        (_, false, _) => {
            "much faster than the rest: the command may have skipped work (a cache or an early exit)".to_string()
        }
    }
}

fn median(xs: &[f64]) -> f64 {
    median_of(xs.to_vec())
}

fn median_of(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    loadcell_schema::median_of_sorted(&xs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(xs: &[f64]) -> usize {
        outliers(xs, false).len()
    }

    #[test]
    fn hyperfines_cases() {
        // The cases of hyperfine's own test of num_outliers.
        assert_eq!(count(&[]), 0);
        assert_eq!(count(&[50.0]), 0);
        assert_eq!(count(&[1000.0, 0.0]), 0);
        assert_eq!(count(&[-0.2, 0.0, 0.2]), 0);
        assert_eq!(count(&[-0.2, 0.0, 0.2, 4.0]), 1);
        assert_eq!(count(&[0.5, 0.30, 0.29, 0.31, 0.30]), 1);
        let normal = [
            2.33269488,
            1.42195907,
            -0.57527698,
            -0.31293437,
            2.2948158,
            0.75813273,
            -1.0712388,
            -0.96394741,
            -1.15897446,
            1.10976285,
        ];
        assert_eq!(count(&normal), 0);
        let mut two = normal.to_vec();
        two.extend([20.0, -500.0]);
        assert_eq!(count(&two), 2);
        assert_eq!(count(&[10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, 100.0]), 1);
    }

    #[test]
    fn a_slow_first_run_is_blamed_on_caches() {
        let o = outliers(&[0.5, 0.30, 0.29, 0.31, 0.30], false);
        assert_eq!(o[0].index, 0);
        assert!(
            o[0].reason.contains("caches") && o[0].reason.contains("--warmup"),
            "{}",
            o[0].reason
        );
        let o = outliers(&[0.30, 0.29, 0.31, 0.30, 0.9], true);
        assert!(o[0].reason.contains("interfered"), "{}", o[0].reason);
    }
}
