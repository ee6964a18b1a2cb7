//! End-to-end tests of the routes, sessions, `/_stats` and `/_reset` against a
//! server spawned on 127.0.0.1 port 0.
#![cfg(test)]

mod common;

use bytes::Bytes;
use common::Client;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use loadcell_target::{Config, TargetError, TargetHandle, users_csv};

fn spawn() -> TargetHandle {
    TargetHandle::spawn(Config::default()).unwrap()
}

#[tokio::test]
async fn root_says_hello() {
    let server = spawn();
    assert!(server.addr.ip().is_loopback() && server.addr.port() != 0);
    let mut c = Client::connect(server.addr).await;
    let r = c.get("/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body, "hello, world\n");
    assert!(r.header("content-type").unwrap().starts_with("text/plain"));
    let stats = server.stats();
    assert_eq!(stats.requests_total, 1);
    assert_eq!(stats.by_route.get("GET /"), Some(&1));
    assert_eq!(stats.by_status.get("200"), Some(&1));
    assert_eq!(stats.connections_total, 1);
    server.shutdown();
}

enum Auth {
    Bearer,
    Cookie,
}

async fn shop_flow(auth: Auth) {
    let server = spawn();
    let mut c = Client::connect(server.addr).await;
    let login = c
        .post("/api/auth/login", &[], r#"{"user":"user42","password":"pass42"}"#)
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    let token = login.json()["token"].as_str().unwrap().to_string();
    let cookie = login.header("set-cookie").unwrap().to_string();
    assert_eq!(cookie, format!("session={token}; Path=/"));
    let value = match auth {
        Auth::Bearer => format!("Bearer {token}"),
        Auth::Cookie => format!("session={token}"),
    };
    let name = match auth {
        Auth::Bearer => "Authorization",
        Auth::Cookie => "Cookie",
    };
    let h = [(name, value.as_str())];

    let profile = c.get_with("/api/user/profile", &h).await;
    assert_eq!(profile.status, 200);
    assert_eq!(profile.json()["user"], "user42");
    assert_eq!(profile.json()["email"], "user42@example.com");

    let products = c.get("/api/products").await.json();
    let items = products["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert_eq!(items[0]["id"], 1);
    let page = c.get("/api/products?page=2&limit=10").await.json();
    assert_eq!(page["items"][0]["id"], 11);

    let product = c.get("/api/products/7").await;
    assert_eq!(product.status, 200);
    let price = product.json()["price"].as_f64().unwrap();
    assert_eq!(product.json()["id"], 7);

    let reviews = c.get("/api/products/7/reviews").await;
    assert_eq!(reviews.status, 200);
    assert!(!reviews.json()["items"].as_array().unwrap().is_empty());

    let cart = c.post("/api/cart/add", &h, r#"{"product_id":7,"qty":2}"#).await;
    assert_eq!(cart.status, 200, "{}", cart.body);
    assert_eq!(cart.json()["items"][0]["qty"], 2);
    let cart = c.get_with("/api/cart", &h).await.json();
    assert_eq!(cart["items"].as_array().unwrap().len(), 1);
    assert!((cart["total"].as_f64().unwrap() - 2.0 * price).abs() < 0.001);

    let checkout = c.post("/api/checkout", &h, "").await;
    assert_eq!(checkout.status, 200, "{}", checkout.body);
    let order_id = checkout.json()["order_id"].as_u64().unwrap();
    assert!((checkout.json()["total"].as_f64().unwrap() - 2.0 * price).abs() < 0.001);
    assert_eq!(c.post("/api/checkout", &h, "").await.status, 400, "cart is now empty");

    let order = c.get_with(&format!("/api/orders/{order_id}"), &h).await;
    assert_eq!(order.status, 200);
    assert_eq!(order.json()["order_id"], order_id);
    assert_eq!(order.json()["items"][0]["product_id"], 7);

    let stats = server.stats();
    assert_eq!(stats.requests_total, 11);
    assert_eq!(stats.orders, 1);
    assert_eq!(stats.correlation_failures, Default::default());
    assert_eq!(stats.by_status.get("400"), Some(&1));
    server.shutdown();
}

#[tokio::test]
async fn shop_flow_with_bearer_token() {
    shop_flow(Auth::Bearer).await;
}

#[tokio::test]
async fn shop_flow_with_session_cookie() {
    shop_flow(Auth::Cookie).await;
}

#[tokio::test]
async fn correlation_failures_are_counted() {
    let server = spawn();
    let mut c = Client::connect(server.addr).await;
    let wrong = c
        .get_with("/api/user/profile", &[("Authorization", "Bearer nope")])
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(server.stats().correlation_failures.auth, 1);
    assert_eq!(c.get("/api/cart").await.status, 401);
    let bad_login = c
        .post("/api/auth/login", &[], r#"{"user":"user1","password":"pass2"}"#)
        .await;
    assert_eq!(bad_login.status, 401);
    assert_eq!(c.post("/api/auth/login", &[], "not json").await.status, 400);
    assert_eq!(c.get("/api/products/51").await.status, 404);
    assert_eq!(c.get("/api/products/abc/reviews").await.status, 404);

    let token = |body: serde_json::Value| format!("Bearer {}", body["token"].as_str().unwrap());
    let alice = token(
        c.post("/api/auth/login", &[], r#"{"user":"user1","password":"pass1"}"#)
            .await
            .json(),
    );
    let bob = token(
        c.post("/api/auth/login", &[], r#"{"user":"user2","password":"pass2"}"#)
            .await
            .json(),
    );
    let add = c
        .post("/api/cart/add", &[("Authorization", &alice)], r#"{"product_id":999}"#)
        .await;
    assert_eq!(add.status, 404);
    c.post("/api/cart/add", &[("Authorization", &alice)], r#"{"product_id":1}"#)
        .await;
    let order_id = c.post("/api/checkout", &[("Authorization", &alice)], "").await.json()["order_id"]
        .as_u64()
        .unwrap();
    let theirs = c
        .get_with(&format!("/api/orders/{order_id}"), &[("Authorization", &bob)])
        .await;
    assert_eq!(theirs.status, 403);
    assert_eq!(
        c.get_with("/api/orders/999999", &[("Authorization", &alice)])
            .await
            .status,
        404
    );

    let failures = server.stats().correlation_failures;
    assert_eq!(failures.auth, 3);
    assert_eq!(failures.unknown_product, 3);
    assert_eq!(failures.unknown_order, 2);
    server.shutdown();
}

#[tokio::test]
async fn unmatched_routes() {
    let server = spawn();
    let mut c = Client::connect(server.addr).await;
    assert_eq!(c.get("/nope").await.status, 404);
    assert_eq!(c.get("/api/auth/login").await.status, 405);
    assert_eq!(c.post("/", &[], "").await.status, 405);
    assert_eq!(c.get("/_reset").await.status, 405);
    let stats = server.stats();
    assert_eq!(stats.requests_total, 3, "/_reset is never counted");
    assert_eq!(stats.by_route.get("unmatched"), Some(&3));
    server.shutdown();
}

#[tokio::test]
async fn requests_total_is_exact_over_keep_alive() {
    let server = spawn();
    let mut a = Client::connect(server.addr).await;
    let mut b = Client::connect(server.addr).await;
    for i in 0..500 {
        let (client, path) = match i % 3 {
            0 => (&mut a, "/"),
            1 => (&mut b, "/api/products/3"),
            _ => (&mut a, "/api/products"),
        };
        assert_eq!(client.get(path).await.status, 200);
    }
    let stats = a.get("/_stats").await.json();
    assert_eq!(stats["requests_total"], 500);
    assert_eq!(stats["by_route"]["GET /"], 167);
    assert_eq!(stats["by_route"]["GET /api/products/{id}"], 167);
    assert_eq!(stats["by_route"]["GET /api/products"], 166);
    assert_eq!(stats["by_status"]["200"], 500);
    assert_eq!(stats["connections_total"], 2);
    assert!(stats["uptime_s"].as_f64().unwrap() > 0.0);
    for key in [
        "correlation_failures",
        "connections_closed_by_server",
        "orders",
        "leaked_bytes",
    ] {
        assert!(stats.get(key).is_some(), "missing {key}");
    }
    // /_stats itself is not counted.
    assert_eq!(server.stats().requests_total, 500);
    server.shutdown();
}

#[tokio::test]
async fn reset_zeroes_counters_but_keeps_the_store() {
    let server = spawn();
    let mut c = Client::connect(server.addr).await;
    let login = c
        .post("/api/auth/login", &[], r#"{"user":"user5","password":"pass5"}"#)
        .await;
    let auth = format!("Bearer {}", login.json()["token"].as_str().unwrap());
    let h = [("Authorization", auth.as_str())];
    c.post("/api/cart/add", &h, r#"{"product_id":2,"qty":1}"#).await;
    let order_id = c.post("/api/checkout", &h, "").await.json()["order_id"]
        .as_u64()
        .unwrap();
    c.get("/nope").await;
    let reset = c.post("/_reset", &[], "").await;
    assert_eq!(reset.status, 200);
    let stats = server.stats();
    assert_eq!(stats.requests_total, 0);
    assert!(stats.by_route.is_empty() && stats.by_status.is_empty());
    assert_eq!(stats.orders, 0);
    assert_eq!(c.get_with(&format!("/api/orders/{order_id}"), &h).await.status, 200);
    assert_eq!(server.stats().requests_total, 1);
    server.shutdown();
}

#[tokio::test]
async fn serves_h2c_with_prior_knowledge() {
    let server = spawn();
    let stream = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    let (mut sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
        .handshake(TokioIo::new(stream))
        .await
        .unwrap();
    let conn = tokio::spawn(conn);
    for _ in 0..3 {
        let req = hyper::Request::get(format!("http://{}/", server.addr))
            .body(Empty::<Bytes>::new())
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.version(), hyper::Version::HTTP_2);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"hello, world\n");
    }
    assert_eq!(server.stats().requests_total, 3);
    // Close the client side first: a blocked h2 client would hold up the graceful shutdown.
    drop(sender);
    conn.await.unwrap().unwrap();
    server.shutdown();
}

#[test]
fn busy_port_is_a_bind_error() {
    let first = spawn();
    let second = TargetHandle::spawn(Config {
        port: first.addr.port(),
        ..Config::default()
    });
    match second {
        Err(e @ TargetError::Bind { .. }) => {
            assert!(e.to_string().contains(&first.addr.port().to_string()), "{e}");
            assert!(!e.is_usage());
        }
        other => panic!("expected a bind error, got {other:?}"),
    }
    first.shutdown();
}

#[test]
fn invalid_config_is_rejected() {
    let err = TargetHandle::spawn(Config {
        close_rate: 2.0,
        ..Config::default()
    })
    .unwrap_err();
    assert!(err.is_usage());
    assert!(err.to_string().contains("--close-rate"), "{err}");
}

#[test]
fn users_csv_matches_logins() {
    let csv = users_csv();
    assert!(csv.starts_with("name,password\nuser1,pass1\n"));
    assert_eq!(csv.lines().count(), 1001);
}
