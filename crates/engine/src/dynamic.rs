//! Endpoint slots registered while a run goes: a scenario step's redirect hops, each
//! recorded under its own endpoint (`GET /relative-redirect/1`), whose paths are known only
//! from a response's `Location`.
//!
//! The run's fixed slots come first; dynamic ones follow, at most [`DYNAMIC_ENDPOINTS`], in
//! the order they were first seen. A workload keeps a per-worker cache from its own key to
//! the slot, so the registry's mutex is taken only the first time a worker meets an
//! endpoint (bounded by the cap per worker), never per request; once the registry is full
//! a flag says so without the lock, and the workload records into its overflow slot. The
//! coordinator reads the names once per interval (an atomic length first) and the
//! observers learn new endpoints from [`crate::IntervalEvent::endpoints`]. A worker's
//! recorder grows to a dynamic slot on its first request there (`Recorder::room`).

use crate::workload::EndpointName;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

/// How many endpoints a run may register while it goes; hops beyond land in their step's
/// `METHOD /path (redirects)` slot.
pub const DYNAMIC_ENDPOINTS: usize = 64;

/// The registry of a run's dynamic endpoint slots, shared by its workers and coordinator.
#[derive(Debug)]
pub struct DynamicEndpoints {
    /// Index of the first dynamic slot: the number of fixed ones.
    first: usize,
    cap: usize,
    len: AtomicUsize,
    full: AtomicBool,
    /// Each slot's key (the workload's own: what makes two requests the same endpoint) and
    /// its name.
    names: Mutex<Vec<(String, EndpointName)>>,
}

impl DynamicEndpoints {
    /// A registry for slots after `first` fixed ones, at most `cap` of them.
    pub fn new(first: usize, cap: usize) -> DynamicEndpoints {
        DynamicEndpoints {
            first,
            cap,
            len: AtomicUsize::new(0),
            full: AtomicBool::new(cap == 0),
            names: Mutex::new(Vec::new()),
        }
    }

    /// The slot of the endpoint with workload key `key`: the one already registered under it
    /// (by another worker, say), or a new one named `make()`. `None` when the registry is
    /// full. Workloads call it on a miss of their own per-worker cache only.
    pub fn register(&self, key: &str, make: impl FnOnce() -> EndpointName) -> Option<usize> {
        let mut names = self.lock();
        if let Some(i) = names.iter().position(|(k, _)| k == key) {
            return Some(self.first + i);
        }
        if self.full.load(Ordering::Acquire) {
            return None;
        }
        names.push((key.to_string(), make()));
        let n = names.len();
        self.len.store(n, Ordering::Release);
        if n >= self.cap {
            self.full.store(true, Ordering::Release);
        }
        Some(self.first + n - 1)
    }

    /// Every registered key and its slot, for a worker's cache once the registry is full
    /// (it never changes after that, so a cache miss then is an overflow, without a lock).
    pub fn keys(&self) -> Vec<(String, usize)> {
        self.lock()
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), self.first + i))
            .collect()
    }

    /// Whether no new endpoint can be registered any more (lock-free).
    pub fn is_full(&self) -> bool {
        self.full.load(Ordering::Acquire)
    }

    /// How many endpoints are registered (lock-free).
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most slots there can be: fixed and dynamic.
    pub fn room(&self) -> usize {
        self.first + self.cap
    }

    /// Appends to `known` (the fixed names, then the dynamic ones learned so far) the
    /// names registered since.
    pub fn learn(&self, known: &mut Vec<EndpointName>) {
        let have = known.len().saturating_sub(self.first);
        if self.len() > have {
            known.extend(self.lock().iter().skip(have).map(|(_, n)| n.clone()));
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<(String, EndpointName)>> {
        // A worker that panicked while holding it left the names whole (a push is the only
        // write): go on with them.
        self.names.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(path: &str) -> EndpointName {
        EndpointName {
            method: "GET".into(),
            path: path.into(),
            ..EndpointName::default()
        }
    }

    #[test]
    fn registers_once_per_name_up_to_the_cap() {
        let d = DynamicEndpoints::new(3, 2);
        assert_eq!(d.register("a", || name("/a")), Some(3));
        assert_eq!(d.register("b", || name("/b")), Some(4));
        assert_eq!(d.register("a", || unreachable!()), Some(3));
        assert!(d.is_full());
        assert_eq!(d.register("c", || name("/c")), None);
        assert_eq!(d.register("b", || name("/b")), Some(4));
        assert_eq!(d.keys(), vec![("a".to_string(), 3), ("b".to_string(), 4)]);
        let mut known = vec![name("/0"), name("/1"), name("/2")];
        d.learn(&mut known);
        assert_eq!(known.len(), 5);
        assert_eq!(known[4].path, "/b");
        d.learn(&mut known);
        assert_eq!(known.len(), 5);
        assert_eq!(d.room(), 5);
    }
}
