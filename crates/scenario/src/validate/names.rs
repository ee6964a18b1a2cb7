//! The rules for names users choose: extracted variables and data sources must be identifiers
//! and must not hide a built-in or each other.

/// Template built-ins that take arguments.
pub(crate) const BUILTIN_FUNCTIONS: [&str; 2] = ["random_int", "random_string"];
/// Every built-in name, for suggestions.
pub(crate) const ALL_BUILTINS: [&str; 6] = ["uuid", "now_ms", "vu", "iteration", "random_int", "random_string"];

/// Why `name` cannot name a variable or data source, if it cannot.
pub(crate) fn check_name(name: &str, what: &str) -> Option<String> {
    if !crate::parse::is_identifier(name) {
        return Some(format!(
            "{what} name '{}' must start with a letter or '_' and hold only letters, digits and '_'",
            crate::error::clip(name, 60)
        ));
    }
    if ALL_BUILTINS.contains(&name) || name == "env" {
        return Some(format!(
            "{what} name '{name}' is taken by a template built-in; choose another"
        ));
    }
    None
}
