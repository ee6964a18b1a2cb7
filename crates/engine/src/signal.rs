//! Waking one task of the same worker thread without a lock: the open model's mailbox
//! for handing an arrival to an idle VU, and for handing a connection to a waiting one.
//!
//! `tokio::sync::Notify` would do the job but takes a mutex on every `notify_one`, once
//! per arrival; here the waker sits in a `Cell` and waking it from the same thread pushes
//! the task onto the `LocalSet`'s own queue, which is lock-free. Single-thread only (the
//! type is `!Sync` through its `Cell`s).

use std::cell::Cell;
use std::future::poll_fn;
use std::task::{Poll, Waker};

/// A one-waiter, level-triggered wake-up flag.
#[derive(Default)]
pub struct LocalSignal {
    raised: Cell<bool>,
    waker: Cell<Option<Waker>>,
}

impl LocalSignal {
    /// Raises the flag and wakes the waiting task, if any.
    pub fn notify(&self) {
        self.raised.set(true);
        if let Some(waker) = self.waker.take() {
            waker.wake();
        }
    }

    /// Lowers the flag without waiting (a raise meant for an earlier moment).
    pub fn lower(&self) {
        self.raised.set(false);
    }

    /// Waits until the flag is raised, then lowers it. Returns at once if it already is.
    pub async fn wait(&self) {
        poll_fn(|cx| {
            if self.raised.replace(false) {
                return Poll::Ready(());
            }
            // Keep the stored waker when it already wakes this task: no clone per wait.
            let waker = match self.waker.take() {
                Some(w) if w.will_wake(cx.waker()) => w,
                _ => cx.waker().clone(),
            };
            self.waker.set(Some(waker));
            Poll::Pending
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn a_raised_flag_is_seen_once_and_a_waiter_is_woken() {
        let rt = tokio::runtime::Builder::new_current_thread().build();
        let Ok(rt) = rt else { return };
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async {
            let signal = Rc::new(LocalSignal::default());
            signal.notify();
            signal.wait().await; // already raised: returns at once
            let waiter = {
                let signal = signal.clone();
                tokio::task::spawn_local(async move {
                    signal.wait().await;
                    7
                })
            };
            tokio::task::yield_now().await;
            signal.notify();
            assert_eq!(waiter.await.ok(), Some(7));
        });
    }
}
