//! `pg_stat_activity` and `pg_locks` sampled once per interval, tallied ([`ActivityTally`],
//! pure) into the summary's connections, lock waits and wait events.

use std::collections::BTreeMap;

use loadcell_schema::{ActivitySummary, WaitEventCount};

/// One client connection as one sample saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Backend {
    /// `active`, `idle`, `idle in transaction`, …
    pub state: Option<String>,
    pub wait_event_type: Option<String>,
    pub wait_event: Option<String>,
}

/// The samples so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActivityTally {
    samples: u64,
    max_connections_used: u64,
    max_active: u64,
    lock_waits_sum: u64,
    max_lock_waits: u64,
    events: BTreeMap<String, u64>,
}

impl ActivityTally {
    /// Adds one sample: the client connections and the ungranted lock count.
    pub fn add(&mut self, backends: &[Backend], lock_waits: u64) {
        self.samples += 1;
        self.max_connections_used = self.max_connections_used.max(backends.len() as u64);
        let active: Vec<&Backend> = backends
            .iter()
            .filter(|b| b.state.as_deref() == Some("active"))
            .collect();
        self.max_active = self.max_active.max(active.len() as u64);
        for backend in active {
            let event = match (&backend.wait_event_type, &backend.wait_event) {
                (Some(kind), Some(event)) => format!("{kind}:{event}"),
                (Some(kind), None) => kind.clone(),
                _ => "CPU".to_string(),
            };
            *self.events.entry(event).or_default() += 1;
        }
        self.lock_waits_sum += lock_waits;
        self.max_lock_waits = self.max_lock_waits.max(lock_waits);
    }

    /// The summary section (`max_connections` from the server).
    pub fn summary(&self, max_connections: Option<u64>) -> ActivitySummary {
        let mut wait_events: Vec<WaitEventCount> = self
            .events
            .iter()
            .map(|(event, count)| WaitEventCount {
                event: event.clone(),
                count: *count,
            })
            .collect();
        wait_events.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.event.cmp(&b.event)));
        ActivitySummary {
            samples: self.samples,
            max_connections,
            max_connections_used: self.max_connections_used,
            max_active: self.max_active,
            mean_lock_waits: if self.samples > 0 {
                self.lock_waits_sum as f64 / self.samples as f64
            } else {
                0.0
            },
            max_lock_waits: self.max_lock_waits,
            wait_events,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend(state: &str, kind: Option<&str>, event: Option<&str>) -> Backend {
        Backend {
            state: Some(state.to_string()),
            wait_event_type: kind.map(str::to_string),
            wait_event: event.map(str::to_string),
        }
    }

    #[test]
    fn samples_tally_connections_waits_and_events() {
        let mut tally = ActivityTally::default();
        tally.add(
            &[
                backend("active", Some("Lock"), Some("transactionid")),
                backend("active", None, None),
                backend("idle", Some("Client"), Some("ClientRead")),
            ],
            1,
        );
        tally.add(&[backend("active", Some("Lock"), Some("transactionid"))], 3);
        let summary = tally.summary(Some(100));
        assert_eq!(
            (summary.samples, summary.max_connections_used, summary.max_active),
            (2, 3, 2)
        );
        assert_eq!((summary.mean_lock_waits, summary.max_lock_waits), (2.0, 3));
        assert_eq!(summary.wait_events[0].event, "Lock:transactionid");
        assert_eq!(summary.wait_events[0].count, 2);
        assert_eq!(summary.wait_events[1].event, "CPU");
        assert_eq!(summary.max_connections, Some(100));
    }
}
