//! Benchmarks in loadcell: timing whole commands as hyperfine does ([`runner`]), and the
//! project's own benchmarks — criterion, libtest `#[bench]`, Go `testing.B`,
//! pytest-benchmark — found in a directory and run ([`detect`]), or read from files made
//! elsewhere ([`ingest`]: criterion, Go, pytest-benchmark, hyperfine, google-benchmark,
//! libtest). Everything becomes one [`loadcell_schema::BenchResults`], which
//! `loadcell-compare` and `loadcell-baselines` handle like a load run.

pub mod command;
pub mod detect;
mod error;
pub mod export;
pub mod ingest;
pub mod normalize;
pub mod outliers;
pub mod relative;
pub mod runner;
pub mod text;
mod timing;

pub use command::CommandSpec;
pub use detect::{DetectOptions, Framework, detect, run_detected};
pub use error::BenchError;
pub use ingest::{Format, ingest};
pub use normalize::from_commands;
pub use relative::{Relative, relative_to_fastest};
pub use runner::{CommandResult, Options, Overhead, Progress, run_benchmarks};
