//! Execution segments (`--segment I/N`, a scenario's `segment:`): the I-th of N parts of a
//! test, so that the N parts together are exactly the whole, as k6's execution segments are.
//!
//! Everything a test counts — VUs, arrivals of the open model, `-n` iterations, rows of a
//! `unique` data file — is numbered from 0 across the whole test, and part I takes the
//! numbers `I−1, I−1+N, I−1+2N, …` (striping). Striping, not rounding each part's share:
//! 10 VUs over 3 parts are 4 + 3 + 3 and the union of the parts is the whole, whatever the
//! numbers. The engine applies it; this module only knows the arithmetic and the spelling.

use crate::UnitError;
use std::fmt;

/// Part `index` (from 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Segment {
    index: u64,
    count: u64,
}

impl Segment {
    /// The whole test: part 1 of 1.
    pub const WHOLE: Segment = Segment { index: 1, count: 1 };

    /// Part `index` (from 1) of `count`, if `1 ≤ index ≤ count`.
    pub fn new(index: u64, count: u64) -> Option<Segment> {
        (index >= 1 && index <= count).then_some(Segment { index, count })
    }

    /// Parses `I/N` (`2/3`): `1 ≤ I ≤ N`.
    pub fn parse(text: &str) -> Result<Segment, UnitError> {
        let err = |why: &str| UnitError::Segment(text.to_string(), why.to_string());
        let (i, n) = text
            .trim()
            .split_once('/')
            .ok_or_else(|| err("expected I/N, e.g. 1/3"))?;
        let number = |s: &str| {
            s.trim()
                .parse::<u64>()
                .map_err(|_| err("expected whole numbers I/N, e.g. 1/3"))
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 {
            return Err(err("N must be at least 1"));
        }
        if index == 0 || index > count {
            return Err(err(&format!("I must be 1 to {count} (parts are numbered from 1)")));
        }
        Ok(Segment { index, count })
    }

    /// Which part this is, from 1.
    pub fn index(&self) -> u64 {
        self.index
    }

    /// How many parts the test has.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Whether this is the whole test (1/1).
    pub fn is_whole(&self) -> bool {
        self.count == 1
    }

    /// How many of the things numbered `0..total` belong to this part.
    pub fn share(&self, total: u64) -> u64 {
        let offset = self.index - 1;
        if total > offset {
            (total - offset).div_ceil(self.count)
        } else {
            0
        }
    }

    /// The whole test's number of this part's `k`-th thing (both from 0).
    pub fn global(&self, k: u64) -> u64 {
        k.saturating_mul(self.count).saturating_add(self.index - 1)
    }
}

impl Default for Segment {
    fn default() -> Self {
        Segment::WHOLE
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_stripe_and_add_up_to_the_whole() {
        let parts: Vec<Segment> = (1..=3).filter_map(|i| Segment::new(i, 3)).collect();
        assert_eq!(parts.iter().map(|s| s.share(10)).collect::<Vec<_>>(), [4, 3, 3]);
        assert_eq!(parts.iter().map(|s| s.share(100)).collect::<Vec<_>>(), [34, 33, 33]);
        assert_eq!(parts.iter().map(|s| s.share(2)).collect::<Vec<_>>(), [1, 1, 0]);
        for total in 0..50 {
            assert_eq!(parts.iter().map(|s| s.share(total)).sum::<u64>(), total);
        }
        // Part 2's things are 1, 4, 7, … of the whole.
        assert_eq!((0..3).map(|k| parts[1].global(k)).collect::<Vec<_>>(), [1, 4, 7]);
    }

    #[test]
    fn spelling_is_checked() {
        assert_eq!(Segment::parse("2/3").map(|s| s.to_string()), Ok("2/3".to_string()));
        for bad in ["0/3", "4/3", "a/b", "1/0", "3", "-1/3", ""] {
            assert!(Segment::parse(bad).is_err(), "{bad}");
        }
        let e = Segment::parse("4/3").map_err(|e| e.to_string());
        assert_eq!(
            e,
            Err("invalid segment '4/3': I must be 1 to 3 (parts are numbered from 1)".into())
        );
    }
}
