//! What every loadcell error message that quotes user input needs: "did you mean"
//! suggestions by edit distance (Levenshtein with adjacent transpositions, so `gte` is one
//! edit from `get`) and clipping user text so a message stays on one line.

/// The candidate closest to `input` (case-insensitive), if it is close enough to be a
/// plausible typo.
pub fn closest<'c>(input: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    if input.is_empty() || input.chars().count() > 64 {
        return None;
    }
    let input: Vec<char> = input.to_lowercase().chars().collect();
    let (best, distance) = candidates
        .into_iter()
        .map(|c| (c, distance(&input, &c.to_lowercase())))
        .min_by_key(|(_, d)| *d)?;
    let allowed = match input.len() {
        0..=3 => 1,
        4..=9 => 2,
        _ => 3,
    };
    (distance <= allowed && distance < input.len()).then_some(best)
}

/// `; did you mean 'x'?` when one candidate is close, else `; expected one of: a, b, c`:
/// the tail of a message about an unknown key or name.
pub fn hint(input: &str, candidates: &[&str]) -> String {
    match closest(input, candidates.iter().copied()) {
        Some(s) => format!("; did you mean '{s}'?"),
        None => format!("; expected one of: {}", candidates.join(", ")),
    }
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// adjacent characters each cost 1.
fn distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev[j] + usize::from(ca != cb);
            let mut best = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && *ca == b[j - 1] && a[i - 1] == *cb {
                best = best.min(before[j - 1] + 1);
            }
            cur[j + 1] = best;
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Makes user text safe to quote in a one-line message: control characters are escaped and
/// text longer than `max` characters is shortened with `…`.
pub fn clip(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let keys = ["name", "weight", "think", "pacing", "loop", "steps"];
        assert_eq!(closest("wieght", keys), Some("weight"));
        assert_eq!(closest("step", keys), Some("steps"));
        assert_eq!(closest("gte", ["get", "post", "put"]), Some("get"));
        assert_eq!(closest("pots", ["get", "post", "put"]), Some("post"));
        assert_eq!(distance(&['a', 'b'], "ba"), 1);
        assert_eq!(distance(&['a', 'b', 'c'], "abc"), 0);
        assert_eq!(distance(&['k', 'i', 't', 't', 'e', 'n'], "sitting"), 3);
        assert_eq!(closest("STEPS", keys), Some("steps"));
        assert_eq!(closest("banana", keys), None);
        assert_eq!(closest("", keys), None);
        assert_eq!(clip("a\nb", 10), "a\\nb");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(closest("x", keys), None);
    }
}
