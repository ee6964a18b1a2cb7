//! Cross-reference validation: which names a template may use at a given point (data sources
//! and their columns, variables extracted by earlier steps, built-ins) and which names an
//! extraction or data source may take.

pub(crate) mod names;
pub(crate) mod scope;
