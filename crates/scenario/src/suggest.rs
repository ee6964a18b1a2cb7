//! "Did you mean" hints for near-miss keys, functions and names in scenario files.

pub(crate) use loadcell_diagnostics::{closest, hint};

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
