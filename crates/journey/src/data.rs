//! Test data for iterations: which row of each data file an iteration gets.
//!
//! Rows are loaded once (by `loadcell-scenario`) and shared read-only. `sequential` and
//! `unique` hand out rows in file order without any cross-thread traffic: worker `w` of `n`
//! owns rows `w, w+n, w+2n, …`, so every row is used by exactly one worker and the union
//! over workers is the file in order. `random` draws from all rows with the VU's generator.

use crate::rng::Rng;
use loadcell_scenario::{DataSource, Exhausted, Pick};
use std::cell::Cell;

/// One worker's cursor into one data source.
struct Cursor {
    /// Row indices this worker owns, in file order.
    rows: Vec<usize>,
    next: Cell<usize>,
    pick: Pick,
    exhausted: Exhausted,
    all_rows: usize,
}

/// This worker's share of every data source.
pub struct WorkerData {
    cursors: Vec<Cursor>,
}

impl WorkerData {
    pub fn new(sources: &[DataSource], worker: usize, workers: usize) -> WorkerData {
        let cursors = sources
            .iter()
            .map(|s| Cursor {
                rows: (worker..s.rows.len()).step_by(workers.max(1)).collect(),
                next: Cell::new(0),
                pick: s.pick,
                exhausted: s.on_exhausted,
                all_rows: s.rows.len(),
            })
            .collect();
        WorkerData { cursors }
    }

    /// The row of `source` for the next iteration, or `None` when this worker's rows are
    /// used up and the source says `stop`.
    pub fn next_row(&self, source: usize, rng: &mut Rng) -> Option<usize> {
        let c = self.cursors.get(source)?;
        if c.pick == Pick::Random {
            return (c.all_rows > 0).then(|| rng.below(c.all_rows as u64) as usize);
        }
        if c.rows.is_empty() && c.exhausted == Exhausted::Recycle {
            // Fewer rows than worker threads: this worker owns none, so it cycles through
            // the whole file rather than leaving its VUs without data.
            let i = c.next.get();
            c.next.set(i + 1);
            return (c.all_rows > 0).then_some(i % c.all_rows.max(1));
        }
        let i = c.next.get();
        if i >= c.rows.len() {
            match c.exhausted {
                Exhausted::Stop => return None,
                Exhausted::Recycle if c.rows.is_empty() => return None,
                Exhausted::Recycle => {
                    c.next.set(1);
                    return c.rows.first().copied();
                }
            }
        }
        c.next.set(i + 1);
        c.rows.get(i).copied()
    }
}
