//! The first few distinct messages of each error kind, so a summary can say *why* requests
//! failed ("certificate expired", "Connection reset by peer") beside how many did.
//!
//! Bounded by construction: at most [`MESSAGES_PER_KIND`] messages of at most
//! [`MESSAGE_CHARS`] characters per kind. Noting a message allocates only when it is new
//! and there is room; a known message costs a few string comparisons, and the success path
//! never comes here.

use loadcell_schema::ErrorKind;
use std::collections::BTreeMap;

/// Distinct messages kept per error kind.
pub const MESSAGES_PER_KIND: usize = 3;
/// Longer messages are cut to this many characters.
pub const MESSAGE_CHARS: usize = 300;

/// Distinct error messages by kind, in the order they were first seen.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ErrorMessages {
    by_kind: [Vec<String>; ErrorKind::COUNT],
}

impl ErrorMessages {
    /// Keeps `message` for `kind` if it is new and the kind has room.
    #[inline]
    pub fn note(&mut self, kind: ErrorKind, message: &str) {
        let kept = &mut self.by_kind[kind.as_index()];
        if kept.len() >= MESSAGES_PER_KIND {
            return;
        }
        let message = cut(message);
        if !kept.iter().any(|m| m == message) {
            kept.push(message.to_owned());
        }
    }

    /// The messages kept for `kind`.
    pub fn of(&self, kind: ErrorKind) -> &[String] {
        &self.by_kind[kind.as_index()]
    }

    /// Adds `other`'s messages after this one's (first seen stays first).
    pub fn merge(&mut self, other: &ErrorMessages) {
        for kind in ErrorKind::ALL {
            for message in other.of(kind) {
                self.note(kind, message);
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_kind.iter().all(Vec::is_empty)
    }

    /// Kinds with messages, by kind name, as the summary shows them.
    pub fn to_map(&self) -> BTreeMap<String, Vec<String>> {
        ErrorKind::ALL
            .into_iter()
            .filter(|k| !self.of(*k).is_empty())
            .map(|k| (k.as_str().to_string(), self.of(k).to_vec()))
            .collect()
    }
}

/// `message` cut to [`MESSAGE_CHARS`] characters, without allocating.
fn cut(message: &str) -> &str {
    match message.char_indices().nth(MESSAGE_CHARS) {
        Some((end, _)) => &message[..end],
        None => message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_distinct_messages_per_kind() {
        let mut m = ErrorMessages::default();
        for text in ["a", "b", "a", "c", "d", "b"] {
            m.note(ErrorKind::Reset, text);
        }
        m.note(ErrorKind::Tls, "bad certificate");
        assert_eq!(m.of(ErrorKind::Reset), ["a", "b", "c"]);
        assert_eq!(m.of(ErrorKind::Tls), ["bad certificate"]);
        assert!(m.of(ErrorKind::Dns).is_empty());
        let map = m.to_map();
        assert_eq!(map.keys().collect::<Vec<_>>(), ["reset", "tls"]);
    }

    #[test]
    fn long_messages_are_cut_and_still_deduplicated() {
        let mut m = ErrorMessages::default();
        let long = "é".repeat(MESSAGE_CHARS + 50);
        m.note(ErrorKind::Other, &long);
        m.note(ErrorKind::Other, &format!("{long}more"));
        assert_eq!(m.of(ErrorKind::Other).len(), 1);
        assert_eq!(m.of(ErrorKind::Other)[0].chars().count(), MESSAGE_CHARS);
    }

    #[test]
    fn merging_keeps_first_seen_order_and_the_bound() {
        let mut a = ErrorMessages::default();
        a.note(ErrorKind::Reset, "x");
        let mut b = ErrorMessages::default();
        for text in ["y", "x", "z", "w"] {
            b.note(ErrorKind::Reset, text);
        }
        a.merge(&b);
        assert_eq!(a.of(ErrorKind::Reset), ["x", "y", "z"]);
        assert!(!a.is_empty() && ErrorMessages::default().is_empty());
    }
}
