//! Unit tests of the fit: exact recovery, robustness to noise, the linear case, bad input.

use super::*;

const LEVELS: [f64; 7] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0];

fn synthetic(lambda: f64, sigma: f64, kappa: f64) -> Vec<Point> {
    LEVELS
        .iter()
        .map(|&n| Point {
            n,
            throughput: model(lambda, sigma, kappa, n),
        })
        .collect()
}

/// A deterministic uniform generator in [-1, 1) (xorshift), so the tests never flake.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-12)
}

#[test]
fn recovers_noiseless_parameters_exactly() {
    for (lambda, sigma, kappa) in [
        (100.0, 0.05, 0.001),
        (1995.0, 0.02, 0.0003),
        (50.0, 0.3, 0.0),
        (10.0, 0.0, 0.002),
        (250.0, 0.0, 0.0),
    ] {
        let f = fit(&synthetic(lambda, sigma, kappa)).unwrap();
        assert!(close(f.lambda, lambda, 1e-6), "{f:?} vs λ={lambda}");
        assert!((f.sigma - sigma).abs() < 1e-7, "{f:?} vs σ={sigma}");
        assert!((f.kappa - kappa).abs() < 1e-9, "{f:?} vs κ={kappa}");
        assert!(f.r_squared > 0.999_999, "{f:?}");
    }
}

#[test]
fn robust_with_five_percent_noise() {
    let (lambda, sigma, kappa) = (100.0, 0.05, 0.001);
    for seed in 1..=20u64 {
        let mut noise = Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let points: Vec<Point> = synthetic(lambda, sigma, kappa)
            .into_iter()
            .map(|p| Point {
                n: p.n,
                throughput: p.throughput * (1.0 + 0.05 * noise.next()),
            })
            .collect();
        let f = fit(&points).unwrap();
        assert!(close(f.lambda, lambda, 0.1), "seed {seed}: {f:?}");
        assert!((f.sigma - sigma).abs() < 0.025, "seed {seed}: {f:?}");
        assert!((f.kappa - kappa).abs() < 0.0004, "seed {seed}: {f:?}");
        assert!(f.r_squared > 0.95, "seed {seed}: {f:?}");
        let peak = f.peak_concurrency().unwrap();
        assert!((peak - 30.8).abs() < 8.0, "seed {seed}: N*={peak}");
    }
}

#[test]
fn linear_data_gives_no_contention_or_coherency() {
    let points: Vec<Point> = LEVELS
        .iter()
        .map(|&n| Point {
            n,
            throughput: 40.0 * n,
        })
        .collect();
    let f = fit(&points).unwrap();
    assert!(close(f.lambda, 40.0, 1e-9), "{f:?}");
    assert!(f.sigma < 1e-9 && f.kappa < 1e-12, "{f:?}");
    assert!(f.r_squared > 0.999_999);
    assert_eq!(f.peak_concurrency(), None);
    assert_eq!(f.ceiling(), None);
    let table = efficiency_table(&points, &f);
    assert!(table.iter().all(|e| close(e.efficiency, 1.0, 1e-12)));
}

#[test]
fn superlinear_noise_is_clamped_at_zero() {
    // Slightly better than linear: the unconstrained optimum has σ < 0; the bounds hold.
    let points: Vec<Point> = LEVELS
        .iter()
        .map(|&n| Point {
            n,
            throughput: 40.0 * n * (1.0 + 0.002 * n),
        })
        .collect();
    let f = fit(&points).unwrap();
    assert!(f.sigma == 0.0 && f.kappa == 0.0, "{f:?}");
    assert!(f.r_squared > 0.99, "{f:?}");
}

#[test]
fn peak_and_efficiency() {
    let f = Fit {
        lambda: 100.0,
        sigma: 0.1,
        kappa: 0.001,
        r_squared: 1.0,
        rmse: 0.0,
    };
    let peak = f.peak_concurrency().unwrap();
    assert!(close(peak, 30.0, 1e-12));
    let x = f.peak_throughput().unwrap();
    assert!(x > f.throughput(29.0) && x > f.throughput(31.0));
    assert!(close(f.efficiency(1.0), 1.0, 1e-12));
    let amdahl = Fit { kappa: 0.0, ..f };
    assert_eq!(amdahl.peak_concurrency(), None);
    assert!(close(amdahl.ceiling().unwrap(), 1000.0, 1e-12));
    let points = [
        Point {
            n: 1.0,
            throughput: 100.0,
        },
        Point {
            n: 2.0,
            throughput: 150.0,
        },
        Point {
            n: 4.0,
            throughput: 200.0,
        },
    ];
    let table = efficiency_table(&points, &f);
    let eff: Vec<f64> = table.iter().map(|e| e.efficiency).collect();
    assert_eq!(eff, vec![1.0, 0.75, 0.5]);
}

#[test]
fn bad_input_is_rejected() {
    let p = |n: f64, throughput: f64| Point { n, throughput };
    assert_eq!(fit(&[p(1.0, 1.0), p(2.0, 2.0)]), Err(UslError::TooFewLevels(2)));
    assert_eq!(
        fit(&[p(1.0, 1.0), p(1.0, 1.1), p(2.0, 2.0)]),
        Err(UslError::TooFewLevels(2))
    );
    assert!(matches!(
        fit(&[p(0.0, 1.0), p(2.0, 2.0), p(3.0, 3.0)]),
        Err(UslError::BadConcurrency(_))
    ));
    assert!(matches!(
        fit(&[p(1.0, f64::NAN), p(2.0, 2.0), p(3.0, 3.0)]),
        Err(UslError::BadThroughput { .. })
    ));
    assert_eq!(
        fit(&[p(1.0, 0.0), p(2.0, 0.0), p(3.0, 0.0)]),
        Err(UslError::NoThroughput)
    );
}

/// Points measured from a target with 20 ms of service and 1 ms of contention per request
/// in flight: the fit must find σ ≈ 0.04 (a release build once returned σ = 0 here).
#[test]
fn measured_contention_is_not_lost() {
    let points: Vec<Point> = [(1.0, 43.0), (2.0, 80.5), (4.0, 152.0), (8.0, 264.5), (16.0, 422.5)]
        .iter()
        .map(|&(n, throughput)| Point { n, throughput })
        .collect();
    let f = fit(&points).unwrap_or_else(|e| panic!("{e}"));
    assert!((0.035..0.045).contains(&f.sigma), "{f:?}");
    assert!(f.kappa < 1e-4, "{f:?}");
    assert!(f.r_squared > 0.9999, "{f:?}");
}
