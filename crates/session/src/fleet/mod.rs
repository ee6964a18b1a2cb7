//! One test run as a fleet of processes, judged live as one: `run --collect URL` sends each
//! part's results folder, piece by piece, to `loadcell collect` ([`send`]), which merges the
//! parts' intervals as they arrive, judges the thresholds on the whole and tells every part
//! to stop when one fails under `--abort-on-fail` ([`collector`]). The messages are the
//! results folder's own `meta.json`, interval lines and `end.json` ([`wire`], over the
//! minimal HTTP/1.1 of [`http`]); merging is `loadcell-results`' (the same code as
//! `loadcell merge`). docs/collect.md is the user's guide.

pub mod collector;
mod http;
pub mod send;
mod server;
mod wire;

pub use collector::{CollectSpec, Collected, FleetView, Progress, collect};
pub use send::{CollectUrl, Collecting};
