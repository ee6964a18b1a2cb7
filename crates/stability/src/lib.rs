//! How a staged run's target behaved over time, as pure functions over per-second series:
//! the recovery after a spike (`recovery`), the trend of a long hold with its significance
//! (`trend`, `soak`; also the leak verdicts of `loadcell-monitor`), and the Student-t distribution they need (`student`).
//!
//! Nothing here measures, reads files or knows about the engine: the CLI hands in the
//! series (from the live run or a results folder) and gets `summary.json` sections back.

mod error;
pub mod recovery;
pub mod soak;
pub mod student;
pub mod trend;

pub use error::StabilityError;
pub use recovery::{Recovery, RecoveryInput, WindowPoint};
pub use soak::{p_text, per_hour, soak_trend};
pub use trend::{LineFit, fit};
