//! What `loadcell capacity` and `loadcell scale` share beyond running steps: many engine
//! runs combined into one truthful `summary.json` (`combine`), and the results folder
//! that holds it and the reports, rewritten after every step (`folder`).

pub mod combine;
pub mod folder;

/// How a summary names a scenario (its name and file, as `loadcell run` does) and the
/// file's text for the metadata (secrets are redacted by `metadata::collect`).
pub fn scenario_label(scenario: &loadcell_scenario::Scenario) -> (String, Option<String>) {
    let label = match &scenario.source_path {
        Some(p) => format!("{} ({})", scenario.name, p.display()),
        None => scenario.name.clone(),
    };
    let text = scenario
        .source_path
        .as_ref()
        .and_then(|p| std::fs::read_to_string(p).ok());
    (label, text)
}

/// A rate or level for names and labels: `80`, `41.25`, `0.5` (no trailing zeros).
pub fn level_text(v: f64) -> String {
    let text = format!("{v:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_lose_trailing_zeros() {
        assert_eq!(level_text(80.0), "80");
        assert_eq!(level_text(41.25), "41.25");
        assert_eq!(level_text(152.5), "152.5");
        assert_eq!(level_text(0.5), "0.5");
    }
}
