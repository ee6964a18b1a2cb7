//! "Did you mean" suggestions by edit distance.

/// The candidate closest to `input` (case-insensitive Levenshtein distance),
/// if it is close enough to be a plausible typo.
pub(crate) fn closest(input: &str, candidates: &[&'static str]) -> Option<&'static str> {
    if input.is_empty() || input.chars().count() > 64 {
        return None;
    }
    let input: Vec<char> = input.to_lowercase().chars().collect();
    let (best, distance) = candidates
        .iter()
        .map(|c| (*c, distance(&input, c)))
        .min_by_key(|(_, d)| *d)?;
    let allowed = if input.len() >= 10 { 3 } else { 2 };
    (distance <= allowed && distance < input.len()).then_some(best)
}

fn distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let names = ["http_req_duration", "http_reqs", "vus"];
        assert_eq!(closest("http_req_duraton", &names), Some("http_req_duration"));
        assert_eq!(closest("HTTP_REQS", &names), Some("http_reqs"));
        assert_eq!(closest("vu", &names), Some("vus"));
        assert_eq!(closest("banana", &names), None);
        assert_eq!(closest("", &names), None);
        assert_eq!(closest("x", &names), None);
    }
}
