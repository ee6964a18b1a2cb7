//! Text helpers shared by every format: escaping for each target syntax and human number
//! formatting (thousands separators, milliseconds with sensible precision, bytes, percent).

pub mod escape;
pub mod number;
