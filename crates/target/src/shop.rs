//! The routes: matching method + path to a [`Route`], and the shop API handlers
//! (login, profile, products, reviews, cart, checkout, orders) producing a [`Reply`].

use bytes::Bytes;
use hyper::header::{AUTHORIZATION, COOKIE, HeaderMap};
use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::catalog::{self, MAX_PAGE_LIMIT, PRODUCT_COUNT};
use crate::stats::{Failure, Route, Stats};
use crate::store::{Identity, Line, ShopError, Store};

/// The plain-text body of `GET /`.
pub(crate) const HELLO: &str = "hello, world\n";

/// What a request is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// `/_stats` (any method; GET expected).
    Stats,
    /// `/_reset` (POST expected).
    Reset,
    /// Everything else: counted and subject to knobs.
    Shop(Route),
}

/// A response before it becomes a hyper response.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) content_type: &'static str,
    pub(crate) body: Bytes,
    pub(crate) set_cookie: Option<String>,
}

impl Reply {
    pub(crate) fn text(status: StatusCode, body: &'static str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: Bytes::from_static(body.as_bytes()),
            set_cookie: None,
        }
    }

    pub(crate) fn json(status: StatusCode, body: impl Into<Bytes>) -> Reply {
        Reply {
            status,
            content_type: "application/json",
            body: body.into(),
            set_cookie: None,
        }
    }

    pub(crate) fn value(status: StatusCode, value: &serde_json::Value) -> Reply {
        Reply::json(status, value.to_string())
    }

    pub(crate) fn error(status: StatusCode, message: &str) -> Reply {
        Reply::value(status, &json!({ "error": message }))
    }
}

/// Matches a request line to its target.
pub(crate) fn classify(method: &Method, path: &str) -> Target {
    match path {
        "/_stats" => return Target::Stats,
        "/_reset" => return Target::Reset,
        _ => {}
    }
    let get = method == Method::GET;
    let post = method == Method::POST;
    let mut parts = path.split('/').skip(1);
    let segments = (parts.next(), parts.next(), parts.next(), parts.next(), parts.next());
    let route = match segments {
        (Some(""), None, ..) if get => Route::Root,
        (Some("api"), Some("auth"), Some("login"), None, _) if post => Route::Login,
        (Some("api"), Some("user"), Some("profile"), None, _) if get => Route::Profile,
        (Some("api"), Some("products"), None, ..) if get => Route::Products,
        (Some("api"), Some("products"), Some(_), None, _) if get => Route::Product,
        (Some("api"), Some("products"), Some(_), Some("reviews"), None) if get => Route::Reviews,
        (Some("api"), Some("cart"), Some("add"), None, _) if post => Route::CartAdd,
        (Some("api"), Some("cart"), None, ..) if get => Route::Cart,
        (Some("api"), Some("checkout"), None, ..) if post => Route::Checkout,
        (Some("api"), Some("orders"), Some(_), None, _) if get => Route::Order,
        (Some("api"), Some("db"), Some("search"), None, _) if get => Route::DbSearch,
        (Some("api"), Some("db"), Some("products"), Some(_), None) if get => Route::DbProduct,
        _ => Route::Unmatched,
    };
    Target::Shop(route)
}

/// True when some route serves this path with another method (405 rather than 404).
fn known_path(path: &str) -> bool {
    [Method::GET, Method::POST]
        .iter()
        .any(|m| classify(m, path) != Target::Shop(Route::Unmatched))
}

/// The `{id}` segment of `/api/products/{id}[/reviews]` and `/api/orders/{id}`.
fn path_id(path: &str) -> Option<u64> {
    path.split('/').nth(3)?.parse().ok()
}

/// The request data handlers look at.
pub(crate) struct Request<'a> {
    pub(crate) path: &'a str,
    pub(crate) query: Option<&'a str>,
    pub(crate) headers: &'a HeaderMap,
    pub(crate) body: &'a [u8],
}

/// Runs the handler for `route`.
pub(crate) fn handle(store: &Store, stats: &Stats, route: Route, req: &Request<'_>) -> Reply {
    let shop = Shop { store, stats };
    let result = match route {
        Route::Root => Ok(Reply::text(StatusCode::OK, HELLO)),
        Route::Login => shop.login(req),
        Route::Profile => shop.profile(req),
        Route::Products => shop.products(req),
        Route::Product => shop.product(req, false),
        Route::Reviews => shop.product(req, true),
        Route::CartAdd => shop.cart_add(req),
        Route::Cart => shop.cart(req),
        Route::Checkout => shop.checkout(req),
        Route::Order => shop.order(req),
        // Served by `crate::db` when the target has `--postgres`; here only without it.
        Route::DbSearch | Route::DbProduct => Ok(Reply::error(
            StatusCode::NOT_FOUND,
            "the /api/db routes need the target started with --postgres URL",
        )),
        Route::Unmatched if known_path(req.path) => {
            Ok(Reply::error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"))
        }
        Route::Unmatched => Ok(Reply::error(StatusCode::NOT_FOUND, "not found")),
    };
    result.unwrap_or_else(|reply| reply)
}

#[derive(Deserialize)]
struct LoginBody {
    #[serde(alias = "username")]
    user: String,
    password: String,
}

#[derive(Deserialize)]
struct CartAddBody {
    product_id: u64,
    #[serde(default = "one")]
    qty: u32,
}

fn one() -> u32 {
    1
}

struct Shop<'a> {
    store: &'a Store,
    stats: &'a Stats,
}

type Handled = Result<Reply, Reply>;

impl Shop<'_> {
    fn fail(&self, failure: Failure, status: StatusCode, message: &str) -> Reply {
        self.stats.failure(failure);
        Reply::error(status, message)
    }

    fn unauthorized(&self) -> Reply {
        self.fail(Failure::Auth, StatusCode::UNAUTHORIZED, "unauthorized")
    }

    /// The session named by the bearer token or the `session` cookie; 401 otherwise.
    fn identify(&self, headers: &HeaderMap) -> Result<Identity, Reply> {
        tokens(headers)
            .find_map(|token| self.store.identify(token))
            .ok_or_else(|| self.unauthorized())
    }

    fn shop_error(&self, error: ShopError) -> Reply {
        match error {
            ShopError::UnknownSession => self.unauthorized(),
            ShopError::UnknownProduct => self.fail(Failure::UnknownProduct, StatusCode::NOT_FOUND, "unknown product"),
            ShopError::BadQuantity => Reply::error(StatusCode::BAD_REQUEST, "qty must be between 1 and 1000"),
            ShopError::EmptyCart => Reply::error(StatusCode::BAD_REQUEST, "cart is empty"),
        }
    }

    fn login(&self, req: &Request<'_>) -> Handled {
        let body: LoginBody = parse_body(req.body)?;
        let Some(user) = catalog::check_login(&body.user, &body.password) else {
            return Err(self.fail(Failure::Auth, StatusCode::UNAUTHORIZED, "invalid user or password"));
        };
        let token = self.store.login(user);
        let mut reply = Reply::value(StatusCode::OK, &json!({"token": token, "user": body.user}));
        reply.set_cookie = Some(format!("session={token}; Path=/"));
        Ok(reply)
    }

    fn profile(&self, req: &Request<'_>) -> Handled {
        let who = self.identify(req.headers)?;
        Ok(Reply::value(
            StatusCode::OK,
            &json!({"id": who.user, "user": catalog::user_name(who.user), "email": catalog::user_email(who.user)}),
        ))
    }

    fn products(&self, req: &Request<'_>) -> Handled {
        let mut page = 1;
        let mut limit = PRODUCT_COUNT;
        for pair in req.query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let slot = match key {
                "page" => &mut page,
                "limit" => &mut limit,
                _ => continue,
            };
            *slot = value
                .parse()
                .map_err(|_| Reply::error(StatusCode::BAD_REQUEST, &format!("invalid {key}")))?;
        }
        if page == 0 || page > 1_000_000 {
            return Err(Reply::error(
                StatusCode::BAD_REQUEST,
                "page must be between 1 and 1000000",
            ));
        }
        if limit == 0 || limit > MAX_PAGE_LIMIT {
            return Err(Reply::error(StatusCode::BAD_REQUEST, "limit must be between 1 and 100"));
        }
        Ok(Reply::json(StatusCode::OK, self.store.catalog.list_json(page, limit)))
    }

    fn product(&self, req: &Request<'_>, reviews: bool) -> Handled {
        let catalog = &self.store.catalog;
        let body = path_id(req.path).and_then(|id| {
            if reviews {
                catalog.reviews_json(id)
            } else {
                catalog.product_json(id)
            }
        });
        body.map(|body| Reply::json(StatusCode::OK, body))
            .ok_or_else(|| self.shop_error(ShopError::UnknownProduct))
    }

    fn cart_add(&self, req: &Request<'_>) -> Handled {
        let who = self.identify(req.headers)?;
        let body: CartAddBody = parse_body(req.body)?;
        let lines = self
            .store
            .add_to_cart(who, body.product_id, body.qty)
            .map_err(|e| self.shop_error(e))?;
        Ok(Reply::value(StatusCode::OK, &self.cart_value(&lines)))
    }

    fn cart(&self, req: &Request<'_>) -> Handled {
        let who = self.identify(req.headers)?;
        let lines = self.store.cart(who).map_err(|e| self.shop_error(e))?;
        Ok(Reply::value(StatusCode::OK, &self.cart_value(&lines)))
    }

    fn checkout(&self, req: &Request<'_>) -> Handled {
        let who = self.identify(req.headers)?;
        let (order_id, total) = self.store.checkout(who).map_err(|e| self.shop_error(e))?;
        self.stats.order_created();
        Ok(Reply::value(
            StatusCode::OK,
            &json!({"order_id": order_id, "total": catalog::price(total)}),
        ))
    }

    fn order(&self, req: &Request<'_>) -> Handled {
        let who = self.identify(req.headers)?;
        let Some(order) = path_id(req.path).and_then(|id| self.store.order(id)) else {
            return Err(self.fail(Failure::UnknownOrder, StatusCode::NOT_FOUND, "unknown order"));
        };
        if order.session != who.session {
            return Err(self.fail(
                Failure::UnknownOrder,
                StatusCode::FORBIDDEN,
                "order belongs to another session",
            ));
        }
        let mut value = self.cart_value(&order.lines);
        value["order_id"] = json!(path_id(req.path));
        value["user"] = json!(catalog::user_name(order.user));
        value["total"] = json!(catalog::price(order.total_cents));
        value["status"] = json!("placed");
        Ok(Reply::value(StatusCode::OK, &value))
    }

    fn cart_value(&self, lines: &[Line]) -> serde_json::Value {
        let items: Vec<serde_json::Value> = lines
            .iter()
            .filter_map(|line| {
                let product = self.store.catalog.product(line.product_id)?;
                Some(json!({
                    "product_id": product.id,
                    "name": product.name,
                    "qty": line.qty,
                    "price": catalog::price(product.price_cents),
                }))
            })
            .collect();
        json!({"items": items, "total": catalog::price(self.store.total_cents(lines))})
    }
}

fn parse_body<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| Reply::error(StatusCode::BAD_REQUEST, &format!("invalid JSON body: {e}")))
}

/// Candidate session tokens: the bearer token first, then any `session` cookie.
fn tokens(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    let bearer = headers
        .get_all(AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| {
            let v = v.trim();
            let scheme = v.get(..7)?;
            scheme.eq_ignore_ascii_case("bearer ").then(|| v.get(7..)).flatten()
        })
        .map(str::trim);
    let cookies = headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| {
            let (name, value) = pair.trim().split_once('=')?;
            (name == "session").then_some(value.trim_matches('"'))
        });
    bearer.chain(cookies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    #[test]
    fn routes() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(classify(&get, "/"), Target::Shop(Route::Root));
        assert_eq!(classify(&get, "/_stats"), Target::Stats);
        assert_eq!(classify(&post, "/_reset"), Target::Reset);
        assert_eq!(classify(&post, "/api/auth/login"), Target::Shop(Route::Login));
        assert_eq!(classify(&get, "/api/products"), Target::Shop(Route::Products));
        assert_eq!(classify(&get, "/api/products/7"), Target::Shop(Route::Product));
        assert_eq!(classify(&get, "/api/products/7/reviews"), Target::Shop(Route::Reviews));
        assert_eq!(classify(&get, "/api/orders/3"), Target::Shop(Route::Order));
        assert_eq!(classify(&post, "/"), Target::Shop(Route::Unmatched));
        assert_eq!(
            classify(&get, "/api/products/7/reviews/x"),
            Target::Shop(Route::Unmatched)
        );
        assert_eq!(classify(&get, "/nope"), Target::Shop(Route::Unmatched));
        assert!(known_path("/api/auth/login"));
        assert!(!known_path("/nope"));
        assert_eq!(path_id("/api/products/42/reviews"), Some(42));
        assert_eq!(path_id("/api/products/x"), None);
    }

    #[test]
    fn token_sources() {
        let mut headers = HeaderMap::new();
        assert_eq!(tokens(&headers).count(), 0);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        headers.insert(COOKIE, HeaderValue::from_static("a=b; session=def; c=d"));
        assert_eq!(tokens(&headers).collect::<Vec<_>>(), ["abc", "def"]);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Basic xyz"));
        assert_eq!(tokens(&headers).collect::<Vec<_>>(), ["def"]);
        headers.insert(AUTHORIZATION, HeaderValue::from_static("Bear"));
        assert_eq!(tokens(&headers).collect::<Vec<_>>(), ["def"]);
    }
}
