//! Request accounting: lock-free atomic counters for every route, status and
//! correlation failure, and the [`StatsSnapshot`] served at `/_stats`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Instant;

use serde::{Deserialize, Serialize};

/// The routes counted in `by_route`, keyed by their label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Route {
    Root,
    Login,
    Profile,
    Products,
    Product,
    Reviews,
    CartAdd,
    Cart,
    Checkout,
    Order,
    /// `GET /api/db/search` (`--postgres`).
    DbSearch,
    /// `GET /api/db/products/{id}` (`--postgres`).
    DbProduct,
    /// Any request no route matched (404/405).
    Unmatched,
}

impl Route {
    const COUNT: usize = 13;
    const ALL: [Route; Route::COUNT] = [
        Route::Root,
        Route::Login,
        Route::Profile,
        Route::Products,
        Route::Product,
        Route::Reviews,
        Route::CartAdd,
        Route::Cart,
        Route::Checkout,
        Route::Order,
        Route::DbSearch,
        Route::DbProduct,
        Route::Unmatched,
    ];

    /// The key used in `by_route`.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Route::Root => "GET /",
            Route::Login => "POST /api/auth/login",
            Route::Profile => "GET /api/user/profile",
            Route::Products => "GET /api/products",
            Route::Product => "GET /api/products/{id}",
            Route::Reviews => "GET /api/products/{id}/reviews",
            Route::CartAdd => "POST /api/cart/add",
            Route::Cart => "GET /api/cart",
            Route::Checkout => "POST /api/checkout",
            Route::Order => "GET /api/orders/{id}",
            Route::DbSearch => "GET /api/db/search",
            Route::DbProduct => "GET /api/db/products/{id}",
            Route::Unmatched => "unmatched",
        }
    }
}

/// Counts of requests whose session or ids did not line up (what a load test with
/// broken correlation produces).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrelationFailures {
    /// 401s: bad login, missing/unknown bearer token or session cookie.
    pub auth: u64,
    /// 404s for product ids that do not exist (product, reviews, cart add).
    pub unknown_product: u64,
    /// 404s for unknown order ids and 403s for another session's order.
    pub unknown_order: u64,
}

/// Everything `/_stats` reports. Maps only list non-zero entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsSnapshot {
    /// Every request received except `/_stats` and `/_reset`, counted on arrival
    /// (before any knob delay), so it matches the client's count exactly.
    pub requests_total: u64,
    /// Requests per route label, e.g. `"GET /api/products/{id}"`; `"unmatched"` for 404/405 paths.
    pub by_route: BTreeMap<String, u64>,
    /// Responses per status code, counted when the response is produced.
    pub by_status: BTreeMap<String, u64>,
    /// Correlation failures by kind.
    pub correlation_failures: CorrelationFailures,
    /// Accepted TCP connections.
    pub connections_total: u64,
    /// Connections the server closed because of `--close-rate`.
    pub connections_closed_by_server: u64,
    /// Orders created by `/api/checkout`.
    pub orders: u64,
    /// Bytes currently held by `--leak`.
    pub leaked_bytes: u64,
    /// Seconds since the server started (not affected by `/_reset`).
    pub uptime_s: f64,
}

const STATUS_SLOTS: usize = 600;

/// The live counters. All updates are relaxed atomic increments.
pub(crate) struct Stats {
    started: Instant,
    requests_total: AtomicU64,
    by_route: [AtomicU64; Route::COUNT],
    by_status: Box<[AtomicU64]>,
    auth: AtomicU64,
    unknown_product: AtomicU64,
    unknown_order: AtomicU64,
    connections_total: AtomicU64,
    connections_closed: AtomicU64,
    orders: AtomicU64,
    leaked_bytes: AtomicU64,
}

/// A correlation failure kind, for [`Stats::failure`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    Auth,
    UnknownProduct,
    UnknownOrder,
}

impl Stats {
    pub(crate) fn new(started: Instant) -> Stats {
        Stats {
            started,
            requests_total: AtomicU64::new(0),
            by_route: std::array::from_fn(|_| AtomicU64::new(0)),
            by_status: (0..STATUS_SLOTS).map(|_| AtomicU64::new(0)).collect(),
            auth: AtomicU64::new(0),
            unknown_product: AtomicU64::new(0),
            unknown_order: AtomicU64::new(0),
            connections_total: AtomicU64::new(0),
            connections_closed: AtomicU64::new(0),
            orders: AtomicU64::new(0),
            leaked_bytes: AtomicU64::new(0),
        }
    }

    pub(crate) fn started(&self) -> Instant {
        self.started
    }

    pub(crate) fn request(&self, route: Route) {
        self.requests_total.fetch_add(1, Relaxed);
        self.by_route[route as usize].fetch_add(1, Relaxed);
    }

    pub(crate) fn status(&self, status: u16) {
        if let Some(slot) = self.by_status.get(usize::from(status)) {
            slot.fetch_add(1, Relaxed);
        }
    }

    pub(crate) fn failure(&self, failure: Failure) {
        let counter = match failure {
            Failure::Auth => &self.auth,
            Failure::UnknownProduct => &self.unknown_product,
            Failure::UnknownOrder => &self.unknown_order,
        };
        counter.fetch_add(1, Relaxed);
    }

    pub(crate) fn connection_opened(&self) {
        self.connections_total.fetch_add(1, Relaxed);
    }

    pub(crate) fn connection_closed_by_server(&self) {
        self.connections_closed.fetch_add(1, Relaxed);
    }

    pub(crate) fn order_created(&self) {
        self.orders.fetch_add(1, Relaxed);
    }

    pub(crate) fn leaked(&self, bytes: u64) {
        self.leaked_bytes.fetch_add(bytes, Relaxed);
    }

    /// Zeroes every counter (uptime keeps running). `leaked_bytes` is zeroed by the
    /// caller together with releasing the leaked memory.
    pub(crate) fn reset(&self) {
        let counters = [
            &self.requests_total,
            &self.auth,
            &self.unknown_product,
            &self.unknown_order,
            &self.connections_total,
            &self.connections_closed,
            &self.orders,
        ];
        for counter in counters.into_iter().chain(&self.by_route).chain(self.by_status.iter()) {
            counter.store(0, Relaxed);
        }
    }

    pub(crate) fn clear_leaked(&self) {
        self.leaked_bytes.store(0, Relaxed);
    }

    pub(crate) fn snapshot(&self) -> StatsSnapshot {
        let mut by_route = BTreeMap::new();
        for route in Route::ALL {
            let n = self.by_route[route as usize].load(Relaxed);
            if n > 0 {
                *by_route.entry(route.label().to_string()).or_insert(0) += n;
            }
        }
        let by_status = self
            .by_status
            .iter()
            .enumerate()
            .filter_map(|(code, n)| {
                let n = n.load(Relaxed);
                (n > 0).then(|| (code.to_string(), n))
            })
            .collect();
        StatsSnapshot {
            requests_total: self.requests_total.load(Relaxed),
            by_route,
            by_status,
            correlation_failures: CorrelationFailures {
                auth: self.auth.load(Relaxed),
                unknown_product: self.unknown_product.load(Relaxed),
                unknown_order: self.unknown_order.load(Relaxed),
            },
            connections_total: self.connections_total.load(Relaxed),
            connections_closed_by_server: self.connections_closed.load(Relaxed),
            orders: self.orders.load(Relaxed),
            leaked_bytes: self.leaked_bytes.load(Relaxed),
            uptime_s: self.started.elapsed().as_secs_f64(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_resets() {
        let stats = Stats::new(Instant::now());
        stats.request(Route::Root);
        stats.request(Route::Root);
        stats.request(Route::Order);
        stats.status(200);
        stats.status(404);
        stats.status(999);
        stats.failure(Failure::UnknownOrder);
        let snap = stats.snapshot();
        assert_eq!(snap.requests_total, 3);
        assert_eq!(snap.by_route.get("GET /"), Some(&2));
        assert_eq!(snap.by_route.get("GET /api/orders/{id}"), Some(&1));
        assert_eq!(snap.by_status.get("404"), Some(&1));
        assert_eq!(snap.correlation_failures.unknown_order, 1);
        stats.reset();
        let snap = stats.snapshot();
        assert_eq!(snap.requests_total, 0);
        assert!(snap.by_route.is_empty() && snap.by_status.is_empty());
        assert_eq!(snap.correlation_failures, CorrelationFailures::default());
    }
}
