//! `loadcell compare` on real runs, as issue #15's acceptance asks: the real binary loads
//! targets that add 10 ms and 11 ms into results folders, and `loadcell compare` must tell
//! 10% slower from the same.
//!
//! This is the short version of `bench/compare-acceptance.sh` (10 pairs of 10 s runs,
//! figures in BENCHMARKS.md): 3 pairs of 3 s runs per case, interleaved. What earlier long
//! and short experiments measured on this project's busy 2-core machine sets the expectations
//! (the latest 10 s figures, with their conditions, are in BENCHMARKS.md):
//! 10 → 11 ms was `regressed` in 8/10 pairs of 10 s and 10/10 pairs of 3 s; 10 → 10 ms was
//! never `regressed` in 3 s pairs (0/10) and in 2/10 of 10 s pairs — but `improved` in 4/10
//! of the 3 s pairs, when a stall of the machine hit the base run's tail. So the test asks for
//! at least 2 of 3 slower pairs regressed, and at least 2 of 3 same pairs not regressed (exit
//! code 0); a failed round is retried once with 3 new pairs, and the 6 pairs must then give
//! at least 4.

use std::path::Path;

use crate::support::{Temp, loadcell, one_at_a_time, run_into, target};

/// `loadcell compare BASE NEW --json`: the exit code and the document's verdict, which must
/// agree (1 exactly when regressed).
fn compare(base: &Path, new: &Path) -> (String, serde_json::Value) {
    let ran = loadcell(&["compare".as_ref(), base.as_os_str(), new.as_os_str(), "--json".as_ref()]);
    let doc = ran.json();
    let verdict = doc["verdict"].as_str().unwrap().to_string();
    assert_eq!(ran.code, i32::from(verdict == "regressed"), "{verdict}: {}", ran.stderr);
    (verdict, doc)
}

/// Verdicts of `pairs` interleaved pairs: (10 → 11 ms, 10 → 10 ms).
fn round(dir: &Path, tag: &str, pairs: usize, urls: &[String; 3]) -> (Vec<String>, Vec<String>) {
    let (mut slow, mut same) = (Vec::new(), Vec::new());
    for i in 0..pairs {
        let p = |name: &str| dir.join(format!("{tag}-{i}-{name}"));
        for (url, name) in [
            (&urls[0], "slow-base"),
            (&urls[1], "slow-new"),
            (&urls[0], "same-base"),
            (&urls[2], "same-new"),
        ] {
            let ran = run_into(url, &p(name), 3, &[]);
            assert_eq!(ran.code, 0, "{}", ran.stderr);
        }
        for (out, base, new) in [
            (&mut slow, "slow-base", "slow-new"),
            (&mut same, "same-base", "same-new"),
        ] {
            let (verdict, doc) = compare(&p(base), &p(new));
            assert_eq!(doc["rows"][0]["method"], "block_bootstrap");
            eprintln!("{tag} pair {i} {base}→{new}: {verdict}");
            out.push(verdict);
        }
    }
    (slow, same)
}

#[test]
fn ten_percent_slower_is_regressed_and_the_same_target_is_not() {
    let _turn = one_at_a_time();
    let (t0, u0) = target(10);
    let (t1, u1) = target(11);
    let (t2, u2) = target(10);
    let urls = [u0, u1, u2];
    let dir = Temp::new("compare-power");
    let regressed = |v: &[String]| v.iter().filter(|x| *x == "regressed").count();
    let (mut slow, mut same) = round(&dir.0, "a", 3, &urls);
    let ok =
        |slow: &[String], same: &[String], need: usize| regressed(slow) >= need && same.len() - regressed(same) >= need;
    if !ok(&slow, &same, 2) {
        eprintln!("first round: {slow:?} / {same:?}; one more round");
        let (s2, m2) = round(&dir.0, "b", 3, &urls);
        slow.extend(s2);
        same.extend(m2);
        assert!(ok(&slow, &same, 4), "10→11 ms: {slow:?}; 10→10 ms: {same:?}");
    }
    drop((t0, t1, t2));

    // The same runs' bare summary.json files compare by the reduced method, and say so.
    let a = dir.0.join("a-0-slow-base/summary.json");
    let b = dir.0.join("a-0-slow-new/summary.json");
    let (_, doc) = compare(&a, &b);
    assert_eq!(doc["rows"][0]["method"], "seconds_summary");
    let notes = doc["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n.as_str().unwrap().contains("reduced method")),
        "{notes:?}"
    );
    let p50 = &doc["rows"][0]["metrics"][0];
    assert_eq!(p50["metric"], "p50");
    assert!(p50["change"].as_f64().unwrap() > 0.0, "11 ms is slower at p50: {p50}");
}
