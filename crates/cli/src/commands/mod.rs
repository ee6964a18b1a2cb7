//! One module per subcommand: each turns its flags into the session's specs, runs them,
//! and shows the results. `sweep` is what `capacity` and `scale` share; `suite` runs the
//! others in-process for each test of a plan; `init` writes a starter plan; `collect` is the
//! fleet's live collector.

pub mod baseline;
pub mod bench;
pub mod capacity;
pub mod collect;
pub mod compare;
pub mod demo;
mod demo_database;
pub mod init;
pub mod k8s;
pub mod merge;
pub mod report;
pub mod run;
pub mod scale;
pub mod scenario;
pub mod suite;
mod sweep;
