//! Counts by HTTP status code, as a tiny linear map: a run sees a handful of codes, so a
//! scan beats hashing and the map never grows beyond the codes actually seen.

/// Response counts keyed by status code.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatusCounts {
    counts: Vec<(u16, u64)>,
}

impl StatusCounts {
    /// Adds `n` responses with `status`.
    #[inline]
    pub fn add(&mut self, status: u16, n: u64) {
        match self.counts.iter_mut().find(|(s, _)| *s == status) {
            Some((_, c)) => *c += n,
            None => self.counts.push((status, n)),
        }
    }

    /// Adds every count of `other`.
    pub fn merge(&mut self, other: &StatusCounts) {
        for &(s, n) in &other.counts {
            self.add(s, n);
        }
    }

    /// (status, count) pairs in ascending status order.
    pub fn sorted(&self) -> Vec<(u16, u64)> {
        let mut v = self.counts.clone();
        v.sort_unstable();
        v
    }

    /// Count for one status (0 when never seen).
    pub fn get(&self, status: u16) -> u64 {
        self.counts.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n)
    }

    /// Sum of all counts.
    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_merges_and_sorts() {
        let mut a = StatusCounts::default();
        a.add(500, 1);
        a.add(200, 2);
        a.add(200, 3);
        let mut b = StatusCounts::default();
        b.add(404, 1);
        b.add(500, 1);
        a.merge(&b);
        assert_eq!(a.sorted(), vec![(200, 5), (404, 1), (500, 2)]);
        assert_eq!(a.total(), 8);
        assert_eq!(a.get(404), 1);
        assert_eq!(a.get(201), 0);
    }
}
