//! The entry point the `threshold` fuzz target (`fuzz/`) and the corpus replay test
//! (`tests/fuzz_corpus.rs`) share, so the invariants checked while fuzzing on nightly are
//! the ones CI checks on stable with every committed corpus file.
//!
//! Not part of the crate's API: hidden from the docs, and panicking (on purpose, to report
//! a broken invariant) is its job.

use crate::{parse, parse_condition};

/// Parses `data` (as text) in both syntaxes and panics if an invariant breaks: every error
/// is one line; an accepted threshold has a finite limit and parses again, from the text
/// it keeps, to the same threshold; the map form (`KEY: CONDITION`) agrees with the
/// one-line form on what it accepts.
pub fn threshold(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match parse(&text) {
        Ok(t) => {
            assert!(t.limit.is_finite(), "{text:?}: limit {}", t.limit);
            assert_eq!(parse(&t.expr).as_ref(), Ok(&t), "{text:?} does not round-trip");
        }
        Err(e) => assert_one_line(&text, &e.to_string()),
    }
    if let Some((key, condition)) = text.split_once(':') {
        match parse_condition(key, condition) {
            Ok(t) => {
                assert!(t.limit.is_finite(), "{text:?}: limit {}", t.limit);
                assert_eq!(
                    parse(&t.expr).as_ref(),
                    Ok(&t),
                    "{text:?}: map form does not round-trip"
                );
            }
            Err(e) => assert_one_line(&text, &e.to_string()),
        }
    }
}

fn assert_one_line(input: &str, message: &str) {
    assert!(!message.contains(['\n', '\r']), "{input:?} -> {message:?}");
}
