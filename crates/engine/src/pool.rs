//! Open model: the connections of one worker thread, shared by its VUs.
//!
//! In the closed model each VU owns its connection, because a VU loops without a pause.
//! In the open model VUs come and go with the arrivals, and tying a connection to each VU
//! made every new VU open one: at 50,000 arrivals/s the first second spawned thousands of
//! VUs that all connected at once, the connects starved the event loop, which made more
//! arrivals find no free VU, and so on (20,000 connections, most arrivals dropped). Here a
//! VU takes a connection from its worker's pool when it first sends and gives it back at
//! the end of its iteration, so connections are only as many as requests in flight, idle
//! ones stay open (warm) for the next VU, and a new VU reuses one where it can.
//!
//! Connections are opened no faster than they complete: at most one connect may be pending
//! per [`OPEN_PER_CONNECTING`] connections already established (at least [`MIN_CONNECTING`]),
//! TCP slow-start style, so the pool grows by half per connect round trip at most. A VU that finds no idle connection and no free connect slot waits in
//! line; a released connection or a finished connect goes to the first in line. The wait
//! counts in the VU's schedule lag and in latency (measured from the scheduled start).
//!
//! Single-thread only, like everything a worker owns. No allocation once the queues have
//! grown to their peak.

use crate::signal::LocalSignal;
use loadcell_http::{Connection, HttpError};
use loadcell_schema::ErrorKind;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Connects that may be pending before any connection is established.
const MIN_CONNECTING: u64 = 8;
/// Beyond that, one pending connect per this many established connections.
const OPEN_PER_CONNECTING: u64 = 2;

/// What a VU gets from the pool.
pub enum Grant {
    /// An open connection, used before (it may have been closed by the server meanwhile).
    Idle(Connection),
    /// Permission to open a connection; report the result with [`ConnPool::connected`].
    Connect,
}

/// A VU's place in the pool's waiting line, allocated once per VU.
#[derive(Default)]
pub struct Waiter {
    signal: LocalSignal,
    grant: Cell<Option<Grant>>,
    /// Which of this VU's waits is current: a line entry with an older ticket was abandoned
    /// and is skipped when it comes up.
    ticket: Cell<u64>,
}

/// One worker's open-model connections.
pub struct ConnPool {
    idle: RefCell<Vec<Connection>>,
    /// Connections established and not yet dropped (idle or in use).
    open: Cell<u64>,
    /// Connects under way.
    connecting: Cell<u64>,
    /// The waiting line, with each entry's ticket. An abandoned wait stays in line until it
    /// comes up and is skipped: taking it out at once cost a scan of the line, and a worker
    /// torn down with tens of thousands in line spent seconds in those scans.
    waiters: RefCell<VecDeque<(Rc<Waiter>, u64)>>,
    /// Entries in line that are not abandoned.
    waiting: Cell<u64>,
    /// Most connections this worker may hold (its share of the descriptor budget).
    limit: Cell<u64>,
    /// Times a VU had to wait because `limit` was reached.
    rationed: Cell<u64>,
}

impl Default for ConnPool {
    fn default() -> Self {
        ConnPool {
            idle: RefCell::default(),
            open: Cell::new(0),
            connecting: Cell::new(0),
            waiters: RefCell::default(),
            waiting: Cell::new(0),
            limit: Cell::new(u64::MAX),
            rationed: Cell::new(0),
        }
    }
}

impl ConnPool {
    /// Caps the connections this worker may hold at once (its share of the descriptor
    /// budget).
    pub fn set_limit(&self, limit: u64) {
        self.limit.set(limit.max(1));
    }

    /// The cap on this worker's connections.
    pub fn limit(&self) -> u64 {
        self.limit.get()
    }

    /// How many times a VU had to wait in line because the cap was reached.
    pub fn rationed(&self) -> u64 {
        self.rationed.get()
    }

    /// A connect failed because loadcell's machine refused a descriptor or a port: the
    /// pool holds what it has from now on (VUs wait for those connections instead of
    /// failing one after another), trying a new one only when it has none.
    pub fn out_of_descriptors(&self) {
        self.connecting.set(self.connecting.get().saturating_sub(1));
        self.limit.set(self.open.get().max(1));
        self.grant_connects();
    }

    /// A connect begun before the first arrival (`warm.rs`); report it with
    /// [`connect_ended`](Self::connect_ended) like a granted one.
    pub fn connect_ahead(&self) {
        self.connecting.set(self.connecting.get() + 1);
    }

    /// Connects under way right now.
    pub fn connecting(&self) -> u64 {
        self.connecting.get()
    }

    /// VUs in line for a connection right now.
    pub fn waiting(&self) -> u64 {
        self.waiting.get()
    }

    /// An idle connection, or permission to open one, waiting in line if neither is free.
    pub async fn acquire(&self, me: &Rc<Waiter>) -> Grant {
        if let Some(conn) = self.idle.borrow_mut().pop() {
            return Grant::Idle(conn);
        }
        if self.may_connect() {
            self.connecting.set(self.connecting.get() + 1);
            return Grant::Connect;
        }
        if self.open.get() + self.connecting.get() >= self.limit.get() {
            self.rationed.set(self.rationed.get() + 1);
        }
        let ticket = me.ticket.get() + 1;
        me.ticket.set(ticket);
        self.waiters.borrow_mut().push_back((me.clone(), ticket));
        self.waiting.set(self.waiting.get() + 1);
        let mut queued = Queued {
            pool: self,
            me,
            done: false,
        };
        loop {
            me.signal.wait().await;
            if let Some(grant) = me.grant.take() {
                queued.done = true;
                return grant;
            }
        }
    }

    /// Gives a reusable connection back: to the first VU in line, or to the idle stack.
    pub fn release(&self, conn: Connection) {
        let first = self.next_in_line();
        match first {
            Some(waiter) => {
                waiter.grant.set(Some(Grant::Idle(conn)));
                waiter.signal.notify();
            }
            None => self.idle.borrow_mut().push(conn),
        }
    }

    /// A connect granted by [`acquire`](Self::acquire) (or begun ahead) ended with `result`:
    /// open, failed, or failed for want of a descriptor.
    pub fn connect_ended<T>(&self, result: &Result<T, HttpError>) {
        match result {
            Err(e) if e.kind == ErrorKind::LocalLimit => self.out_of_descriptors(),
            _ => self.connected(result.is_ok()),
        }
    }

    /// A connect granted by [`acquire`](Self::acquire) finished (`ok`: it is now open).
    pub fn connected(&self, ok: bool) {
        self.connecting.set(self.connecting.get().saturating_sub(1));
        if ok {
            self.open.set(self.open.get() + 1);
        }
        self.grant_connects();
    }

    /// A connection taken from this pool (or opened through it) was closed.
    pub fn closed(&self) {
        self.open.set(self.open.get().saturating_sub(1));
        self.grant_connects();
    }

    /// Like [`closed`](Self::closed), without waking anyone: for VUs being torn down.
    pub fn forget(&self) {
        self.open.set(self.open.get().saturating_sub(1));
    }

    /// Slow start: pending connects at most half the established connections (at least
    /// `MIN_CONNECTING`), and never beyond the limit.
    ///
    /// And not while the event loop is behind on its own work: VUs then wait for a busy
    /// connection because loadcell has not read its response yet, not because the target is
    /// slow; more connections would only add to loadcell's load (a spiral: at 50,000
    /// arrivals/s a loaded machine went from 50 connections to 12,000 and from 49,000
    /// requests/s to 26,000).
    fn may_connect(&self) -> bool {
        let (open, connecting) = (self.open.get(), self.connecting.get());
        connecting < (open / OPEN_PER_CONNECTING).max(MIN_CONNECTING)
            && open + connecting < self.limit.get()
            && (open == 0 || !crate::open::loop_behind())
    }

    /// Lets VUs in line connect if they may now (the event loop caught up).
    pub fn retry_connects(&self) {
        if self.waiting.get() > 0 {
            self.grant_connects();
        }
    }

    /// The first VU in line whose wait is not abandoned, out of the line.
    fn next_in_line(&self) -> Option<Rc<Waiter>> {
        let mut line = self.waiters.borrow_mut();
        while let Some((waiter, ticket)) = line.pop_front() {
            if waiter.ticket.get() == ticket {
                self.waiting.set(self.waiting.get().saturating_sub(1));
                return Some(waiter);
            }
        }
        None
    }

    /// Lets VUs in line connect while slots are free.
    fn grant_connects(&self) {
        while self.may_connect() {
            let Some(waiter) = self.next_in_line() else {
                return;
            };
            self.connecting.set(self.connecting.get() + 1);
            waiter.grant.set(Some(Grant::Connect));
            waiter.signal.notify();
        }
    }
}

/// Marks a waiter's entry abandoned if its wait is (the runtime shutting down), giving back
/// anything granted to it meanwhile.
struct Queued<'a> {
    pool: &'a ConnPool,
    me: &'a Rc<Waiter>,
    done: bool,
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        match self.me.grant.take() {
            Some(Grant::Idle(conn)) => self.pool.idle.borrow_mut().push(conn),
            Some(Grant::Connect) => self.pool.connecting.set(self.pool.connecting.get().saturating_sub(1)),
            None => {
                // Still in line: its entry is skipped when it comes up.
                self.me.ticket.set(self.me.ticket.get() + 1);
                self.pool.waiting.set(self.pool.waiting.get().saturating_sub(1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A VU that waits in line for a connection slot, in its own task.
    fn wait_in_line(pool: &Rc<ConnPool>) -> (Rc<Waiter>, tokio::task::JoinHandle<bool>) {
        let me = Rc::new(Waiter::default());
        let task = {
            let (pool, me) = (pool.clone(), me.clone());
            tokio::task::spawn_local(async move { matches!(pool.acquire(&me).await, Grant::Connect) })
        };
        (me, task)
    }

    #[test]
    fn an_abandoned_wait_is_skipped_and_the_line_keeps_its_order() {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_time().build() else {
            return;
        };
        tokio::task::LocalSet::new().block_on(&rt, async {
            let pool = Rc::new(ConnPool::default());
            pool.set_limit(1);
            let first = Rc::new(Waiter::default());
            assert!(matches!(pool.acquire(&first).await, Grant::Connect));
            let (_b, b) = wait_in_line(&pool);
            let (_c, c) = wait_in_line(&pool);
            let (_d, d) = wait_in_line(&pool);
            tokio::task::yield_now().await;
            assert_eq!(pool.waiting(), 3);
            // C's VU goes away while in line (its task dropped, as at the end of a run).
            c.abort();
            assert!(c.await.is_err());
            assert_eq!(pool.waiting(), 2);
            // Each failed connect frees the slot for the next in line: B, then D — C's
            // abandoned entry is passed over, not granted.
            pool.connected(false);
            assert_eq!(b.await.ok(), Some(true));
            assert_eq!(pool.waiting(), 1);
            pool.connected(false);
            // (Bounded: had C's entry been granted, D would wait forever.)
            let d = tokio::time::timeout(std::time::Duration::from_secs(5), d).await;
            assert_eq!(d.ok().and_then(Result::ok), Some(true));
            assert_eq!(pool.waiting(), 0);
            assert_eq!(pool.connecting(), 1);
        });
    }
}
