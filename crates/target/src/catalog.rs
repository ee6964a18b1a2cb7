//! Read-only seed data: the 1000 users (`user1`/`pass1` ..) and the 50 products
//! with their reviews. Product and review JSON is rendered once at start-up so
//! reads take no lock and allocate nothing but the response.

use bytes::Bytes;
use serde_json::json;

/// Seeded users: `user1`..`user1000`, passwords `pass1`..`pass1000`.
pub const USER_COUNT: u32 = 1000;

/// Seeded products: ids `1..=50`.
pub const PRODUCT_COUNT: u64 = 50;

/// Largest `?limit=` accepted by `GET /api/products`.
pub(crate) const MAX_PAGE_LIMIT: u64 = 100;

/// The seeded users as CSV with a `name,password` header, one user per line.
pub fn users_csv() -> String {
    let mut csv = String::with_capacity(20 * USER_COUNT as usize);
    csv.push_str("name,password\n");
    for n in 1..=USER_COUNT {
        csv.push_str(&format!("user{n},pass{n}\n"));
    }
    csv
}

/// The user number for a correct name/password pair.
pub(crate) fn check_login(user: &str, password: &str) -> Option<u32> {
    let digits = user.strip_prefix("user")?;
    if digits.starts_with('0') {
        return None;
    }
    let n: u32 = digits.parse().ok()?;
    let ok = (1..=USER_COUNT).contains(&n) && password.strip_prefix("pass") == Some(digits);
    ok.then_some(n)
}

pub(crate) fn user_name(n: u32) -> String {
    format!("user{n}")
}

pub(crate) fn user_email(n: u32) -> String {
    format!("user{n}@example.com")
}

/// One product.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) price_cents: u64,
}

/// Renders cents as a JSON number with two decimals' worth of precision.
pub(crate) fn price(cents: u64) -> f64 {
    cents as f64 / 100.0
}

const ADJECTIVES: [&str; 10] = [
    "Sturdy", "Shiny", "Compact", "Classic", "Smart", "Cozy", "Rugged", "Sleek", "Handy", "Vintage",
];
const NOUNS: [&str; 10] = [
    "Lamp",
    "Backpack",
    "Kettle",
    "Headphones",
    "Notebook",
    "Mug",
    "Chair",
    "Watch",
    "Blanket",
    "Speaker",
];
const REVIEW_TEXTS: [&str; 5] = [
    "Does what it says.",
    "Great value for the price.",
    "Arrived quickly, works fine.",
    "Not bad, could be better.",
    "Would buy again!",
];

/// The product catalogue with pre-rendered JSON bodies.
pub(crate) struct Catalog {
    products: Vec<Product>,
    product_json: Vec<Bytes>,
    reviews_json: Vec<Bytes>,
    list_json: Bytes,
}

impl Catalog {
    pub(crate) fn new() -> Catalog {
        let products: Vec<Product> = (1..=PRODUCT_COUNT)
            .map(|id| {
                let i = (id - 1) as usize;
                Product {
                    id,
                    name: format!("{} {}", ADJECTIVES[i % 10], NOUNS[(i / 10 + i * 3) % 10]),
                    price_cents: 499 + (id * 1373) % 9500,
                }
            })
            .collect();
        let product_json = products
            .iter()
            .map(|p| Bytes::from(product_value(p).to_string()))
            .collect();
        let reviews_json = products
            .iter()
            .map(|p| Bytes::from(reviews_value(p.id).to_string()))
            .collect();
        let mut catalog = Catalog {
            products,
            product_json,
            reviews_json,
            list_json: Bytes::new(),
        };
        catalog.list_json = catalog.render_list(1, PRODUCT_COUNT);
        catalog
    }

    pub(crate) fn product(&self, id: u64) -> Option<&Product> {
        self.products.get(index(id)?)
    }

    pub(crate) fn product_json(&self, id: u64) -> Option<Bytes> {
        self.product_json.get(index(id)?).cloned()
    }

    pub(crate) fn reviews_json(&self, id: u64) -> Option<Bytes> {
        self.reviews_json.get(index(id)?).cloned()
    }

    /// A page of the product list (`page` from 1, `limit` 1..=[`MAX_PAGE_LIMIT`]).
    pub(crate) fn list_json(&self, page: u64, limit: u64) -> Bytes {
        if page == 1 && limit == PRODUCT_COUNT {
            self.list_json.clone()
        } else {
            self.render_list(page, limit)
        }
    }

    fn render_list(&self, page: u64, limit: u64) -> Bytes {
        let start = page.saturating_sub(1).saturating_mul(limit);
        let items: Vec<serde_json::Value> = self
            .products
            .iter()
            .skip(usize::try_from(start).unwrap_or(usize::MAX))
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(product_value)
            .collect();
        let body = json!({"items": items, "page": page, "limit": limit, "total": PRODUCT_COUNT});
        Bytes::from(body.to_string())
    }
}

fn index(id: u64) -> Option<usize> {
    if (1..=PRODUCT_COUNT).contains(&id) {
        usize::try_from(id - 1).ok()
    } else {
        None
    }
}

fn product_value(p: &Product) -> serde_json::Value {
    json!({"id": p.id, "name": p.name, "price": price(p.price_cents)})
}

fn reviews_value(id: u64) -> serde_json::Value {
    let items: Vec<serde_json::Value> = (0..(id % 4 + 1))
        .map(|k| {
            let seed = id * 7 + k * 13;
            json!({
                "id": k + 1,
                "user": user_name((seed % u64::from(USER_COUNT)) as u32 + 1),
                "rating": seed % 5 + 1,
                "text": REVIEW_TEXTS[(seed % 5) as usize],
            })
        })
        .collect();
    json!({"product_id": id, "items": items})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_lists_every_user() {
        let csv = users_csv();
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1001);
        assert_eq!(lines[0], "name,password");
        assert_eq!(lines[1], "user1,pass1");
        assert_eq!(lines[1000], "user1000,pass1000");
    }

    #[test]
    fn logins() {
        assert_eq!(check_login("user1", "pass1"), Some(1));
        assert_eq!(check_login("user1000", "pass1000"), Some(1000));
        for (u, p) in [
            ("user1", "pass2"),
            ("user0", "pass0"),
            ("user1001", "pass1001"),
            ("user01", "pass01"),
            ("bob", "pass1"),
            ("user", "pass"),
            ("user-1", "pass-1"),
        ] {
            assert_eq!(check_login(u, p), None, "{u}/{p}");
        }
    }

    #[test]
    fn products_and_pages() {
        let c = Catalog::new();
        assert!(c.product(0).is_none() && c.product(51).is_none());
        assert_eq!(c.product(50).map(|p| p.id), Some(50));
        let v: serde_json::Value = serde_json::from_slice(&c.list_json(1, 50)).unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 50);
        let v: serde_json::Value = serde_json::from_slice(&c.list_json(3, 20)).unwrap();
        let items = v["items"].as_array().unwrap();
        assert_eq!(items.len(), 10);
        assert_eq!(items[0]["id"], 41);
        let v: serde_json::Value = serde_json::from_slice(&c.list_json(99, 20)).unwrap();
        assert!(v["items"].as_array().unwrap().is_empty());
        let r: serde_json::Value = serde_json::from_slice(&c.reviews_json(3).unwrap()).unwrap();
        assert_eq!(r["items"].as_array().unwrap().len(), 4);
    }
}
