//! A scenario's own metrics (`metrics:` and a step's `add:`, k6's Counter, Trend, Rate and
//! Gauge) against the shop target: the counter equals the orders the target created, the
//! trend's values are the checkout's `total` (one product at a known price, so every value is
//! the same), the rate is true for exactly half of its samples, the gauge holds the last cart
//! total; thresholds on each kind hold or fail with the right words, bad declarations are one
//! `file:line:col` line and exit 2, and a killed run's folder rebuilds them.

use crate::support::*;
use std::path::PathBuf;
use std::time::Duration;

const N: u64 = 12;
/// Product 1's price in the shop's catalog: 499 + 1373 cents.
const PRICE: f64 = 18.72;

fn file(dir: &TempDir, load: &str, thresholds: &str) -> PathBuf {
    let path = dir.path().join("custom.yaml");
    let text = format!(
        r#"name: custom
load: {load}
metrics:
  orders_placed: counter
  order_total: trend
  checkout_ok: rate
  found: rate
  cart_total: {{ type: gauge }}
  not_a_number: trend
  never_added: counter
journeys:
  - name: buy
    steps:
      - name: login
        post: /api/auth/login
        json: {{ user: "user1", password: "pass1" }}
        extract: {{ token: {{ json: "$.token" }}, who: {{ json: "$.user" }} }}
        add: {{ not_a_number: "{{{{ who }}}}" }}
      - name: product
        get: /api/products/1
        add: {{ found: ok }}
      - name: missing
        get: /api/products/999999
        add: {{ found: ok }}
      - name: add
        post: /api/cart/add
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        json: {{ product_id: 1, qty: 1 }}
        extract: {{ cart: {{ json: "$.total" }} }}
        add: {{ cart_total: "{{{{ cart }}}}" }}
      - name: checkout
        post: /api/checkout
        headers: {{ authorization: "Bearer {{{{ token }}}}" }}
        check: {{ status: 200 }}
        extract: {{ total: {{ json: "$.total" }} }}
        add:
          orders_placed: 1
          order_total: "{{{{ total }}}}"
          checkout_ok: checks
thresholds:
{thresholds}
"#
    );
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("cannot write the scenario: {e}"));
    path
}

fn metric<'a>(s: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    s["custom_metrics"]
        .as_array()
        .and_then(|all| all.iter().find(|m| m["name"] == name))
        .unwrap_or_else(|| panic!("no custom metric '{name}': {}", short(&s["custom_metrics"])))
}

/// Every value of the trend is the product's price: to HDR's 3 significant digits for the
/// percentiles, exactly for min, max and the mean.
fn assert_every_order_total_is_the_price(s: &serde_json::Value, orders: u64) {
    let total = metric(s, "order_total");
    assert_eq!(u64_at(total, "samples"), orders, "{}", short(total));
    for exact in ["min", "max", "avg"] {
        assert!((f64_at(total, exact) - PRICE).abs() < 1e-9, "{exact}: {}", short(total));
    }
    for approx in ["med", "p90", "p95", "p99"] {
        assert!(
            within(f64_at(total, approx), PRICE, 0.001),
            "{approx}: {}",
            short(total)
        );
    }
}

#[test]
fn all_four_kinds_count_what_the_target_served() {
    let server = shop();
    let dir = TempDir::new();
    let holding = r#"  orders_placed: ["count==12", "rate>0"]
  order_total: ["p(95)<18.8", "avg>18.7", "max<=18.72", "min>=18.72", "med>18.7"]
  checkout_ok: ["rate==1"]
  found: ["rate==0.5"]
  "found{step:product}": ["rate==1"]
  "found{step:missing}": ["rate==0"]
  "orders_placed{journey:buy}": ["count==12"]
  "order_total{scenario:custom,step:checkout}": ["max<=18.72"]
  cart_total: ["value==18.72"]"#;
    let scenario = file(&dir, &format!("{{ vus: 2, iterations: {N} }}"), holding);
    let run = run_file(&scenario, &["--base-url", &server.url()]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    // The counter is the orders the target created; every checkout passed its check.
    assert_eq!(stats.orders, N, "{stats:?}");
    let orders = metric(s, "orders_placed");
    assert_eq!(f64_at(orders, "count"), stats.orders as f64, "{}", short(orders));
    assert_eq!(u64_at(orders, "samples"), N);
    assert_eq!(u64_at(metric(s, "checkout_ok"), "passes"), N);
    assert_eq!(u64_at(metric(s, "checkout_ok"), "fails"), 0);
    assert_every_order_total_is_the_price(s, N);
    // One 200 and one 404 per iteration, as the target answered them.
    let found = metric(s, "found");
    assert_eq!(route(&stats, "GET /api/products/{id}"), 2 * N, "{stats:?}");
    assert_eq!(
        (u64_at(found, "passes"), u64_at(found, "fails")),
        (N, N),
        "{}",
        short(found)
    );
    assert_eq!(f64_at(found, "rate"), 0.5);
    let cart = metric(s, "cart_total");
    assert_eq!(
        (f64_at(cart, "value"), f64_at(cart, "min"), f64_at(cart, "max")),
        (PRICE, PRICE, PRICE)
    );
    // A user name is no number: each add is counted as invalid, none as a value.
    let bad = metric(s, "not_a_number");
    assert_eq!(
        (u64_at(bad, "samples"), u64_at(bad, "invalid")),
        (0, N),
        "{}",
        short(bad)
    );
    assert_eq!(u64_at(metric(s, "never_added"), "samples"), 0);
    for t in s["thresholds"].as_array().into_iter().flatten() {
        assert_eq!(t["passed"], true, "{}", short(t));
    }
    assert_eq!(s["thresholds"].as_array().map_or(0, Vec::len), 14);
}

#[test]
fn thresholds_that_fail_name_the_value_or_that_nothing_was_added() {
    let server = shop();
    let dir = TempDir::new();
    let failing = r#"  orders_placed: ["count>100"]
  order_total: ["p(95)<10"]
  checkout_ok: ["rate<0.5"]
  cart_total: ["value<1"]
  never_added: ["count<1"]"#;
    let scenario = file(&dir, "{ vus: 1, iterations: 3 }", failing);
    let export = dir.path().join("k6.json");
    let export_arg = export.to_string_lossy().into_owned();
    let run = run_file(
        &scenario,
        &["--base-url", &server.url(), "--summary-export", &export_arg],
    );
    run.assert_exit(1);
    let s = run.summary();
    let text = |expr: &str| {
        let t = threshold(s, expr);
        assert_eq!(t["passed"], false, "{}", short(t));
        str_at(t, "actual_text").to_string()
    };
    assert_eq!(text("orders_placed: count>100"), "3");
    assert!(text("order_total: p(95)<10").starts_with("18.7"));
    assert_eq!(text("checkout_ok: rate<0.5"), "100%");
    assert_eq!(text("cart_total: value<1"), "18.72");
    assert_eq!(text("never_added: count<1"), "no value was added to never_added");
    assert!(run.stdout.contains("orders_placed  counter  count 3"), "{}", run.stdout);
    // k6's --summary-export shape for each kind.
    let k6 = read_summary(&export).unwrap_or_else(|| panic!("no export\n{}", run.output()));
    let m = &k6["metrics"];
    assert_eq!(m["orders_placed"]["count"], 3.0, "{}", short(m));
    assert_eq!(m["orders_placed"]["thresholds"]["count>100"], true, "{}", short(m));
    assert_eq!(
        (m["checkout_ok"]["passes"].as_u64(), m["checkout_ok"]["fails"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(m["cart_total"]["value"], PRICE);
    assert_eq!(m["order_total"]["max"], PRICE);
}

/// `loadcell run` of a file with `text` exits 2 with one line naming `at` and `words`.
fn refused(dir: &TempDir, url: &str, text: &str, at: &str, words: &str) {
    let path = dir.path().join("custom.yaml");
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    let run = loadcell(&["run", &path.to_string_lossy(), "--base-url", url, "-n", "1"]);
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    assert!(
        lines[0].contains(at) && lines[0].contains(words),
        "{text}: {}",
        run.output()
    );
}

#[test]
fn bad_declarations_and_uses_are_one_line_with_their_place() {
    let server = shop();
    let dir = TempDir::new();
    let cases = [
        ("orders: countr", "custom.yaml:3:11", "did you mean 'counter'?"),
        ("http_reqs: counter", "custom.yaml:3:3", "is a built-in metric"),
        ("9lives: counter", "custom.yaml:3:3", "is not valid"),
        (
            "total: { type: counter, unit: ms }",
            "custom.yaml:3:33",
            "only a trend or a gauge has a unit",
        ),
    ];
    for (declaration, at, words) in cases {
        let text =
            format!("name: custom\nmetrics:\n  {declaration}\njourneys:\n  - name: j\n    steps:\n      - get: /\n");
        refused(&dir, &server.url(), &text, at, words);
    }
    let uses = [
        (
            "add: { order_totl: 1 }",
            "",
            "custom.yaml:8:26",
            "did you mean 'order_total'?",
        ),
        (
            "add: { ok_rate: maybe }",
            "",
            "custom.yaml:8:35",
            "takes checks, ok, true, false",
        ),
        (
            "",
            "thresholds: { \"order_total{name:j}\": [\"p(95)<1\"] }",
            "custom.yaml:9:39",
            "it takes journey, step, scenario or group",
        ),
        (
            "add: { order_total: 1 }",
            "thresholds: { \"order_total{step:nope}\": [\"p(95)<1\"] }",
            "custom.yaml:9:15",
            "this run has no step 'nope'",
        ),
        (
            "",
            "thresholds: { order_total: [\"value>1\"] }",
            "custom.yaml:9:29",
            "p(N), avg, min, max or med",
        ),
        (
            "",
            "thresholds: { orders: [\"count>1\"] }",
            "custom.yaml:9:15",
            "the scenario's own metrics: order_total, ok_rate; built-in: http_req_duration",
        ),
        (
            "",
            "thresholds: { order_totl: [\"p(95)<1\"] }",
            "custom.yaml:9:15",
            "did you mean 'order_total'?",
        ),
    ];
    for (add, thresholds, at, words) in uses {
        let text = format!(
            "name: custom\nmetrics:\n  order_total: trend\n  ok_rate: rate\njourneys:\n  - name: j\n    steps:\n      - {{ get: /, {add} }}\n{thresholds}\n"
        );
        refused(&dir, &server.url(), &text.replace(", }", " }"), at, words);
    }
    assert_eq!(server.stats().requests_total, 0, "nothing was sent");
}

#[test]
fn a_killed_runs_folder_rebuilds_them() {
    let server = shop();
    let dir = TempDir::new();
    let scenario = file(&dir, "{ vus: 2, duration: 60s }", r#"  orders_placed: ["count>0"]"#);
    let out = dir.path().join("out");
    let out_arg = out.to_string_lossy().into_owned();
    let running = loadcell_testkit::process::spawn(&[
        "run",
        &scenario.to_string_lossy(),
        "--base-url",
        &server.url(),
        "-q",
        "--out",
        &out_arg,
    ]);
    let intervals = out.join("intervals.ndjson");
    let flushed = || std::fs::read_to_string(&intervals).is_ok_and(|t| t.contains("\"custom\""));
    assert!(
        loadcell_testkit::wait_until(Duration::from_secs(30), flushed),
        "no interval with custom metrics within 30 s"
    );
    running.signal(libc::SIGKILL);
    let _ = running.wait();
    let orders = server.stats().orders;
    let rebuilt = loadcell(&["report", &out_arg]);
    rebuilt.assert_no_panic();
    let s = read_summary(&out.join("summary.json")).unwrap_or_else(|| panic!("{}", rebuilt.output()));
    let placed = metric(&s, "orders_placed");
    let count = f64_at(placed, "count");
    // The last second is lost with the kill; what was flushed is at most what the target did.
    assert!(
        count >= 1.0 && count <= orders as f64,
        "{count} of {orders}: {}",
        short(placed)
    );
    assert_eq!(u64_at(placed, "samples") as f64, count);
    assert_every_order_total_is_the_price(&s, count as u64);
    assert_eq!(threshold(&s, "orders_placed: count>0")["passed"], true);
}
