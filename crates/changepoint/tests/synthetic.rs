//! Change points on synthetic histories: a known shift is found where it is, and
//! noise-only histories rarely produce one. The rates printed here are the ones
//! docs/baselines.md states.
#![allow(clippy::unwrap_used)]

use loadcell_changepoint::{Options, change_points};
use loadcell_stats::Rng;

/// `n` points of N(mean, sd), a shift of `shift` (relative) from `at` on.
fn history(rng: &mut Rng, n: usize, at: usize, shift: f64, sd: f64) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let level = if i >= at { 100.0 * (1.0 + shift) } else { 100.0 };
            level + sd * rng.normal()
        })
        .collect()
}

#[test]
fn a_ten_percent_shift_among_five_percent_noise_is_found_at_its_place() {
    let mut rng = Rng::new(1);
    let (mut found, mut exact) = (0, 0);
    let trials = 200;
    for _ in 0..trials {
        let s = history(&mut rng, 40, 25, 0.10, 5.0);
        let cps = change_points(&s, &Options::default());
        if let Some(cp) = cps.iter().min_by_key(|c| c.index.abs_diff(25)) {
            found += 1;
            if cp.index.abs_diff(25) <= 1 {
                exact += 1;
            }
        }
    }
    eprintln!("shift of 2 sd at 25 of 40: found in {found}/{trials}, within one run in {exact}/{trials}");
    // Measured with this seed: found in 197/200, within one run of 25 in 157/200 (a 2σ step
    // is not always sharp: a noisy point next to it can pull the split by one).
    assert!(found >= trials * 9 / 10, "{found}/{trials}");
    assert!(exact >= trials * 7 / 10, "{exact}/{trials}");
}

#[test]
fn two_shifts_are_both_found() {
    let mut rng = Rng::new(2);
    let mut s = history(&mut rng, 30, 30, 0.0, 2.0);
    s.extend(history(&mut rng, 30, 0, 0.15, 2.0));
    s.extend(history(&mut rng, 30, 0, -0.05, 2.0));
    let cps = change_points(&s, &Options::default());
    let at: Vec<usize> = cps.iter().map(|c| c.index).collect();
    assert_eq!(at.len(), 2, "{cps:?}");
    assert!(at[0].abs_diff(30) <= 1 && at[1].abs_diff(60) <= 1, "{at:?}");
    assert!((cps[0].forward_change() - 0.15).abs() < 0.02);
    assert!(cps[0].pvalue < 0.001);
}

#[test]
fn noise_only_histories_rarely_report_a_change() {
    let mut rng = Rng::new(3);
    let trials = 500;
    let mut alarms = 0;
    for _ in 0..trials {
        let s = history(&mut rng, 50, 50, 0.0, 5.0);
        if !change_points(&s, &Options::default()).is_empty() {
            alarms += 1;
        }
    }
    let rate = f64::from(alarms) / f64::from(trials);
    eprintln!("noise only, 50 points: {alarms}/{trials} histories with a change point ({rate:.3})");
    // Measured with this seed: 7/500 (1.4%) at max_pvalue 0.001. Picking the best of ~50
    // splits before testing makes the rate higher than the nominal 0.1% per test.
    assert!(rate <= 0.03, "false-alarm rate {rate}");
}

#[test]
fn min_magnitude_drops_small_but_significant_shifts() {
    let mut rng = Rng::new(4);
    let s = history(&mut rng, 60, 30, 0.03, 0.5);
    assert_eq!(change_points(&s, &Options::default()).len(), 1, "3% shift, tiny noise");
    let coarse = Options {
        min_magnitude: 0.05,
        ..Options::default()
    };
    assert!(change_points(&s, &coarse).is_empty());
}
