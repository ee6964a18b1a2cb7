//! A tiny per-thread xorshift64* PRNG for knob decisions (error/close rolls,
//! latency samples) and session tokens. Not cryptographic; never blocks or locks.

use std::cell::Cell;
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

thread_local! {
    static STATE: Cell<u64> = Cell::new(seed());
}

fn seed() -> u64 {
    // RandomState is keyed from OS randomness; hashing nothing yields a random word.
    let seed = RandomState::new().build_hasher().finish();
    if seed == 0 { 0x9E37_79B9_7F4A_7C15 } else { seed }
}

/// The next pseudo-random 64-bit word of this thread's stream.
pub(crate) fn next_u64() -> u64 {
    STATE.with(|state| {
        let mut x = state.get();
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    })
}

/// Uniform in `[0, 1)`.
pub(crate) fn next_f64() -> f64 {
    (next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// True with probability `rate` (0 never, 1 always).
pub(crate) fn chance(rate: f64) -> bool {
    rate > 0.0 && next_f64() < rate
}

/// A standard normal sample (Box-Muller).
pub(crate) fn standard_normal() -> f64 {
    let u1 = 1.0 - next_f64(); // (0, 1], keeps ln finite
    let u2 = next_f64();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_are_in_unit_interval_and_vary() {
        let draws: Vec<f64> = (0..1000).map(|_| next_f64()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((0.4..0.6).contains(&mean), "mean {mean}");
    }

    #[test]
    fn chance_extremes() {
        assert!(!(0..1000).any(|_| chance(0.0)));
        assert!((0..1000).all(|_| chance(1.0)));
    }
}
