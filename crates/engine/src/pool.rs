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
//! Connections are opened no faster than they complete, TCP slow-start style: connects may
//! be pending up to a window that starts at [`MIN_CONNECTING`], grows by one for every new
//! connection that carried a response (so it doubles per round trip while the target
//! answers) and halves when a connect fails; and, whatever the window, one per
//! [`OPEN_PER_CONNECTING`] connections established. The window is what keeps a target that
//! closes every connection (`Connection: close`, so few are ever established at once) from
//! being held to [`MIN_CONNECTING`] connects per connect time — 160 requests/s at a 50 ms
//! handshake — while a listener that never answers still gets only a handful. A VU that
//! finds no idle connection and no free connect slot waits in line; a released connection or
//! a finished connect goes to the first in line. The wait counts in the VU's schedule lag
//! and in latency (measured from the scheduled start).
//!
//! Single-thread only, like everything a worker owns. No allocation once the queues have
//! grown to their peak.

use crate::signal::LocalSignal;
use loadcell_http::Connection;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

/// Connects that may be pending before any connection has carried a response, and the
/// least the window shrinks to after failures.
const MIN_CONNECTING: u64 = 8;
/// Whatever the window, one pending connect per this many established connections.
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
}

/// One worker's open-model connections.
pub struct ConnPool {
    idle: RefCell<Vec<Connection>>,
    /// Connections established and not yet dropped (idle or in use).
    open: Cell<u64>,
    /// Connects under way.
    connecting: Cell<u64>,
    /// Connects that may be under way at once (slow start: see the module's comment).
    window: Cell<u64>,
    waiters: RefCell<VecDeque<Rc<Waiter>>>,
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
            window: Cell::new(MIN_CONNECTING),
            waiters: RefCell::default(),
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

    /// Connects under way right now.
    pub fn connecting(&self) -> u64 {
        self.connecting.get()
    }

    /// VUs in line for a connection right now.
    pub fn waiting(&self) -> u64 {
        self.waiters.borrow().len() as u64
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
        self.waiters.borrow_mut().push_back(me.clone());
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
        let first = self.waiters.borrow_mut().pop_front();
        match first {
            Some(waiter) => {
                waiter.grant.set(Some(Grant::Idle(conn)));
                waiter.signal.notify();
            }
            None => self.idle.borrow_mut().push(conn),
        }
    }

    /// A connect granted by [`acquire`](Self::acquire) finished (`ok`: it is now open). A
    /// failed one halves the window: the target is not taking connections as fast.
    pub fn connected(&self, ok: bool) {
        self.connecting.set(self.connecting.get().saturating_sub(1));
        if ok {
            self.open.set(self.open.get() + 1);
        } else {
            self.window.set((self.window.get() / 2).max(MIN_CONNECTING));
        }
        self.grant_connects();
    }

    /// A connection opened through the pool carried its first response: one more connect
    /// may be pending (up to the limit).
    pub fn proven(&self) {
        self.window
            .set((self.window.get() + 1).min(self.limit.get().max(MIN_CONNECTING)));
        self.grant_connects();
    }

    /// Connects that may be pending at once right now.
    pub fn connect_slots(&self) -> u64 {
        (self.open.get() / OPEN_PER_CONNECTING).max(self.window.get())
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

    /// Slow start: pending connects within [`connect_slots`](Self::connect_slots), and
    /// never beyond the limit.
    ///
    /// And not while the event loop is behind on its own work: VUs then wait for a busy
    /// connection because loadcell has not read its response yet, not because the target is
    /// slow; more connections would only add to loadcell's load (a spiral: at 50,000
    /// arrivals/s a loaded machine went from 50 connections to 12,000 and from 49,000
    /// requests/s to 26,000).
    fn may_connect(&self) -> bool {
        let (open, connecting) = (self.open.get(), self.connecting.get());
        connecting < self.connect_slots()
            && open + connecting < self.limit.get()
            && (open == 0 || !crate::open::loop_behind())
    }

    /// Lets VUs in line connect if they may now (the event loop caught up).
    pub fn retry_connects(&self) {
        if !self.waiters.borrow().is_empty() {
            self.grant_connects();
        }
    }

    /// Lets VUs in line connect while slots are free.
    fn grant_connects(&self) {
        while self.may_connect() {
            let Some(waiter) = self.waiters.borrow_mut().pop_front() else {
                return;
            };
            self.connecting.set(self.connecting.get() + 1);
            waiter.grant.set(Some(Grant::Connect));
            waiter.signal.notify();
        }
    }
}

/// Takes a waiter out of line if its wait is abandoned (the runtime shutting down), giving
/// back anything granted to it meanwhile.
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
        self.pool.waiters.borrow_mut().retain(|w| !Rc::ptr_eq(w, self.me));
        match self.me.grant.take() {
            Some(Grant::Idle(conn)) => self.pool.idle.borrow_mut().push(conn),
            Some(Grant::Connect) => self.pool.connecting.set(self.pool.connecting.get().saturating_sub(1)),
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes connect grants until the pool says no; how many it gave.
    fn grant_all(pool: &ConnPool) -> u64 {
        let mut granted = 0;
        while pool.may_connect() {
            pool.connecting.set(pool.connecting.get() + 1);
            granted += 1;
        }
        granted
    }

    #[test]
    fn before_any_response_only_a_few_connects_may_be_pending() {
        let pool = ConnPool::default();
        assert_eq!(grant_all(&pool), MIN_CONNECTING);
        // Connects that complete without a response (a listener that never answers) do
        // not widen the window: only the established half rule lets more in.
        for _ in 0..MIN_CONNECTING {
            pool.connected(true);
        }
        assert_eq!(pool.connect_slots(), MIN_CONNECTING);
    }

    #[test]
    fn connections_that_answer_widen_the_window_even_when_each_closes() {
        let pool = ConnPool::default();
        // A target that closes every connection after its response: nothing stays
        // established, yet every connection proved the target takes them.
        for _ in 0..1000 {
            assert!(pool.may_connect());
            pool.connecting.set(pool.connecting.get() + 1);
            pool.connected(true);
            pool.proven();
            pool.closed();
        }
        assert_eq!(pool.connect_slots(), MIN_CONNECTING + 1000);
        assert_eq!(grant_all(&pool), MIN_CONNECTING + 1000);
    }

    #[test]
    fn failed_connects_halve_the_window_down_to_the_minimum() {
        let pool = ConnPool::default();
        for _ in 0..56 {
            pool.proven();
        }
        assert_eq!(pool.connect_slots(), 64);
        pool.connecting.set(1);
        pool.connected(false);
        assert_eq!(pool.connect_slots(), 32);
        for _ in 0..10 {
            pool.connecting.set(1);
            pool.connected(false);
        }
        assert_eq!(pool.connect_slots(), MIN_CONNECTING);
    }

    #[test]
    fn the_window_never_passes_the_descriptor_limit() {
        let pool = ConnPool::default();
        pool.set_limit(20);
        for _ in 0..100 {
            pool.proven();
        }
        assert_eq!(pool.connect_slots(), 20);
        assert_eq!(grant_all(&pool), 20);
    }
}
