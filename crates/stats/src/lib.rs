//! The statistics loadcell's comparisons share: a seeded generator whose stream never
//! changes between versions ([`rng`]), the circular block bootstrap and its block length
//! rule ([`block`]), percentile and Welch intervals ([`interval`]), and the verdict of a
//! change against a noise threshold ([`judge`]).
//!
//! Nothing here reads files or knows what a run is: `loadcell-compare`, `loadcell-bench` and
//! `loadcell-baselines` hand in numbers and get intervals and verdicts back.

pub mod block;
pub mod interval;
pub mod judge;
pub mod rng;

pub use block::{BlockSampler, block_length};
pub use interval::{Estimate, median, median_ratio_interval, percentile_interval, welch_log_ratio};
pub use judge::{Judgement, Rule, judge};
pub use rng::Rng;
