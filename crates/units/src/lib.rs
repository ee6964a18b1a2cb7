//! The quantities loadcell users type and read, in one place: the grammar that parses
//! durations, rates, counts, sizes, fractions and stage lists (`parse`), execution segments
//! (`segment`), wall-clock instants (`instant`), and the rules that write numbers for
//! people (`format`) — the terminal summary and every report use the same.
//!
//! Knows nothing of the engine, files or the terminal; what a quantity is for (and so its
//! allowed range) is decided where it is used.

pub mod format;
mod instant;
mod parse;
mod segment;

pub use instant::parse_instant;
pub use parse::{Stage, UnitError, parse_count, parse_duration, parse_fraction, parse_rate, parse_size, parse_stages};
pub use segment::Segment;
