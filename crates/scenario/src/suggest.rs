//! "Did you mean" hints for near-miss keys, functions and names in scenario files.

pub(crate) use loadcell_diagnostics::closest;

/// `; did you mean 'x'?` or `; expected one of: a, b, c`.
pub(crate) fn hint(input: &str, candidates: &[&str]) -> String {
    match closest(input, candidates.iter().copied()) {
        Some(s) => format!("; did you mean '{s}'?"),
        None => format!("; expected one of: {}", candidates.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_name_the_near_miss_or_the_choices() {
        let keys = ["name", "weight", "steps"];
        assert_eq!(hint("wieght", &keys), "; did you mean 'weight'?");
        assert_eq!(hint("zzz", &["a", "b"]), "; expected one of: a, b");
    }
}
