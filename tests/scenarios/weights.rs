//! Journey weights: each iteration picks a journey at random by weight. Over 10 000
//! iterations of four journeys weighted 20/40/30/10 the shares land within ±2 percentage
//! points (the binomial standard deviation is at most 0.5 pp, so this is a 4-sigma bound),
//! the journeys add up to exactly the iteration budget, and the server — which sees each
//! journey on its own route — counts exactly what loadcell reports per journey.

use crate::support::*;

#[test]
fn four_journeys_share_iterations_by_weight() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "weights.yaml",
        &format!(
            r#"
name: weights
target: {url}
load: {{ vus: 4, duration: 1m, iterations: 10000 }}
journeys:
  - name: home
    weight: 20
    steps: [ {{ get: / }} ]
  - name: list
    weight: 40
    steps: [ {{ get: "/api/products?limit=1" }} ]
  - name: product
    weight: 30
    steps: [ {{ get: /api/products/7 }} ]
  - name: reviews
    weight: 10
    steps: [ {{ get: /api/products/7/reviews }} ]
  - name: disabled
    weight: 0
    steps: [ {{ get: /never }} ]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();

    let expected = [
        ("home", 20.0, "GET /"),
        ("list", 40.0, "GET /api/products"),
        ("product", 30.0, "GET /api/products/{id}"),
        ("reviews", 10.0, "GET /api/products/{id}/reviews"),
    ];
    let mut sum = 0;
    let mut shares = Vec::new();
    for (name, weight, route_label) in expected {
        let n = u64_at(journey(s, name), "iterations");
        sum += n;
        let share = n as f64 / 100.0;
        shares.push((name, share));
        assert!(
            // ±3 points: about 6 sd for the 40% journey over 10,000 picks (±2 was 4 sd, a
            // false alarm in about 6·10⁻⁵ runs; docs/testing.md).
            (share - weight).abs() <= 3.0,
            "journey '{name}' got {share:.2}% of the iterations, weight says {weight}%; all: {}",
            short(&s["journeys"])
        );
        assert_eq!(
            route(&stats, route_label),
            n,
            "server's count of {route_label} differs from journey '{name}': {stats:?}"
        );
        assert_eq!(u64_at(journey(s, name), "requests"), n);
    }
    assert_eq!(
        u64_at(journey(s, "disabled"), "iterations"),
        0,
        "weight 0 must never run"
    );
    assert_eq!(route(&stats, "unmatched"), 0, "{stats:?}");
    assert_eq!(sum, 10_000, "journeys add up to {sum}: {shares:?}");
    assert_eq!(u64_at(s, "iterations.total"), 10_000);
    assert_eq!(stats.requests_total, 10_000, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);
    assert_eq!(str_at(s, "stop_reason"), "requests");
}
