//! Text helpers shared by every format: escaping for each target syntax, and human number
//! formatting (thousands separators, milliseconds with sensible precision, bytes, percent),
//! which is `loadcell-units`' so that the terminal summary writes numbers the same way.

pub mod escape;
pub use loadcell_units::format as number;
