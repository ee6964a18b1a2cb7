//! Mutable in-memory state: sessions (token → user + cart) and orders, in 16
//! `RwLock` shards keyed by sequential ids. Only the most recent [`KEEP`] sessions
//! and orders are kept, so memory stays bounded under long login-heavy runs.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{PoisonError, RwLock};

use crate::catalog::Catalog;
use crate::rng;

const SHARDS: usize = 16;

/// How many of the most recent sessions (and orders) are kept.
pub const KEEP: u64 = 1 << 18;

/// Largest quantity per cart line.
pub(crate) const MAX_QTY: u32 = 1000;

/// One cart or order line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub(crate) product_id: u64,
    pub(crate) qty: u32,
}

#[derive(Debug)]
struct Session {
    user: u32,
    secret: u64,
    cart: Vec<Line>,
}

/// A placed order.
#[derive(Debug, Clone)]
pub(crate) struct Order {
    pub(crate) session: u64,
    pub(crate) user: u32,
    pub(crate) lines: Vec<Line>,
    pub(crate) total_cents: u64,
}

/// Who a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Identity {
    pub(crate) session: u64,
    pub(crate) user: u32,
}

/// Why a cart change or checkout failed (beyond authentication).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ShopError {
    UnknownSession,
    UnknownProduct,
    BadQuantity,
    EmptyCart,
}

/// Sessions and orders.
pub(crate) struct Store {
    pub(crate) catalog: Catalog,
    sessions: Sharded<Session>,
    orders: Sharded<Order>,
}

impl Store {
    pub(crate) fn new() -> Store {
        Store {
            catalog: Catalog::new(),
            sessions: Sharded::new(),
            orders: Sharded::new(),
        }
    }

    /// Opens a new session for `user` and returns its token.
    pub(crate) fn login(&self, user: u32) -> String {
        let secret = rng::next_u64();
        let id = self.sessions.insert(Session {
            user,
            secret,
            cart: Vec::new(),
        });
        format!("{id:x}-{secret:016x}")
    }

    /// The session a token names, if it is current.
    pub(crate) fn identify(&self, token: &str) -> Option<Identity> {
        let (id, secret) = parse_token(token)?;
        self.sessions.read(id, |s| {
            (s.secret == secret).then_some(Identity {
                session: id,
                user: s.user,
            })
        })?
    }

    /// Adds `qty` of a product to the session's cart and returns the cart.
    pub(crate) fn add_to_cart(&self, who: Identity, product_id: u64, qty: u32) -> Result<Vec<Line>, ShopError> {
        if self.catalog.product(product_id).is_none() {
            return Err(ShopError::UnknownProduct);
        }
        if qty == 0 || qty > MAX_QTY {
            return Err(ShopError::BadQuantity);
        }
        self.sessions
            .write(who.session, |s| {
                match s.cart.iter_mut().find(|l| l.product_id == product_id) {
                    Some(line) => line.qty = line.qty.saturating_add(qty).min(MAX_QTY),
                    None => s.cart.push(Line { product_id, qty }),
                }
                s.cart.clone()
            })
            .ok_or(ShopError::UnknownSession)
    }

    /// The session's cart.
    pub(crate) fn cart(&self, who: Identity) -> Result<Vec<Line>, ShopError> {
        self.sessions
            .read(who.session, |s| s.cart.clone())
            .ok_or(ShopError::UnknownSession)
    }

    /// Total price of some lines, in cents.
    pub(crate) fn total_cents(&self, lines: &[Line]) -> u64 {
        lines
            .iter()
            .filter_map(|l| Some(self.catalog.product(l.product_id)?.price_cents * u64::from(l.qty)))
            .sum()
    }

    /// Turns the session's cart into an order (emptying the cart): `(order id, total cents)`.
    pub(crate) fn checkout(&self, who: Identity) -> Result<(u64, u64), ShopError> {
        let lines = self
            .sessions
            .write(who.session, |s| std::mem::take(&mut s.cart))
            .ok_or(ShopError::UnknownSession)?;
        if lines.is_empty() {
            return Err(ShopError::EmptyCart);
        }
        let total_cents = self.total_cents(&lines);
        let id = self.orders.insert(Order {
            session: who.session,
            user: who.user,
            lines,
            total_cents,
        });
        Ok((id, total_cents))
    }

    /// An order by id.
    pub(crate) fn order(&self, id: u64) -> Option<Order> {
        self.orders.read(id, Order::clone)
    }
}

fn parse_token(token: &str) -> Option<(u64, u64)> {
    let (id, secret) = token.split_once('-')?;
    Some((u64::from_str_radix(id, 16).ok()?, u64::from_str_radix(secret, 16).ok()?))
}

/// Values under sequential ids (from 1) in `SHARDS` locks; inserting id `n`
/// drops id `n - KEEP`, so at most `KEEP` values live at once.
struct Sharded<V> {
    next: AtomicU64,
    shards: [RwLock<HashMap<u64, V>>; SHARDS],
}

impl<V> Sharded<V> {
    fn new() -> Self {
        Sharded {
            next: AtomicU64::new(1),
            shards: std::array::from_fn(|_| RwLock::new(HashMap::new())),
        }
    }

    fn shard(&self, id: u64) -> &RwLock<HashMap<u64, V>> {
        &self.shards[(id % SHARDS as u64) as usize]
    }

    fn insert(&self, value: V) -> u64 {
        let id = self.next.fetch_add(1, Relaxed);
        // KEEP is a multiple of SHARDS, so the evicted id lives in the same shard.
        let mut shard = self.shard(id).write().unwrap_or_else(PoisonError::into_inner);
        if id > KEEP {
            shard.remove(&(id - KEEP));
        }
        shard.insert(id, value);
        id
    }

    fn read<R>(&self, id: u64, f: impl FnOnce(&V) -> R) -> Option<R> {
        let shard = self.shard(id).read().unwrap_or_else(PoisonError::into_inner);
        shard.get(&id).map(f)
    }

    fn write<R>(&self, id: u64, f: impl FnOnce(&mut V) -> R) -> Option<R> {
        let mut shard = self.shard(id).write().unwrap_or_else(PoisonError::into_inner);
        shard.get_mut(&id).map(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_cart_order() {
        let store = Store::new();
        let token = store.login(7);
        let who = store.identify(&token).unwrap();
        assert_eq!(who.user, 7);
        let (id, secret) = token.split_once('-').unwrap();
        let forged = format!("{id}-{:016x}", u64::from_str_radix(secret, 16).unwrap() ^ 1);
        assert!(store.identify(&forged).is_none());
        assert!(store.identify("nonsense").is_none());
        assert_eq!(store.checkout(who), Err(ShopError::EmptyCart));
        assert_eq!(store.add_to_cart(who, 99, 1), Err(ShopError::UnknownProduct));
        assert_eq!(store.add_to_cart(who, 1, 0), Err(ShopError::BadQuantity));
        store.add_to_cart(who, 1, 2).unwrap();
        let cart = store.add_to_cart(who, 1, 1).unwrap();
        assert_eq!(cart, vec![Line { product_id: 1, qty: 3 }]);
        let (order_id, total) = store.checkout(who).unwrap();
        assert_eq!(total, store.catalog.product(1).unwrap().price_cents * 3);
        assert!(store.cart(who).unwrap().is_empty());
        let order = store.order(order_id).unwrap();
        assert_eq!(order.session, who.session);
        assert!(store.order(order_id + 1).is_none());
    }

    #[test]
    fn eviction_keeps_recent() {
        let sharded: Sharded<u32> = Sharded::new();
        sharded.next.store(KEEP, Relaxed);
        let first = sharded.insert(1);
        for _ in 0..SHARDS * 2 {
            sharded.insert(2);
        }
        assert!(sharded.read(first, |v| *v).is_some());
        sharded.next.store(first + KEEP, Relaxed);
        sharded.insert(3);
        assert!(sharded.read(first, |v| *v).is_none());
    }
}
