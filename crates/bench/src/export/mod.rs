//! Command results exported the way hyperfine exports them, so tools that read hyperfine's
//! files read these: JSON with hyperfine's field names ([`json`]) and its Markdown table
//! ([`markdown`]).

pub mod json;
pub mod markdown;
