//! Endpoint grouping: results are grouped by `METHOD` plus the URL as written, templates
//! not filled in and query string left out, so that many product ids make one endpoint.
//! Thresholds can filter on a journey and on such a templated endpoint.

use crate::support::*;
use std::collections::BTreeSet;

fn scenario(url: &str, thresholds: &str) -> String {
    format!(
        r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 200 }}
journeys:
  - name: browse
    steps:
      - name: list
        get: /api/products
        query: {{ page: 1 }}
        extract: {{ product_id: {{ json: "$.items[*].id", pick: random }} }}
      - name: product
        get: /api/products/{{{{ product_id }}}}
        check: {{ status: 200 }}
      - name: reviews
        get: /api/products/{{{{ product_id }}}}/reviews
{thresholds}"#
    )
}

#[test]
fn templated_paths_are_one_endpoint_and_thresholds_filter_on_it() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "group.yaml",
        &scenario(
            &server.url(),
            r#"thresholds:
  "http_req_duration{journey:browse}": ["p(95)<5000"]
  "http_req_duration{endpoint:GET /api/products/{{ product_id }}}": ["p(95)<0.001"]
  "http_req_failed{endpoint:GET /api/products/{{ product_id }}/reviews}": ["rate==0"]
"#,
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(1);
    let s = run.summary();
    let stats = server.stats();

    assert_eq!(
        endpoint_names(s),
        vec![
            "GET /api/products",
            "GET /api/products/{{ product_id }}",
            "GET /api/products/{{ product_id }}/reviews",
        ],
        "one endpoint per templated URL"
    );
    let product = endpoint(s, "GET /api/products/{{ product_id }}");
    assert_eq!(str_at(product, "method"), "GET");
    assert_eq!(u64_at(product, "requests"), 200, "one request per iteration");
    assert_eq!(u64_at(product, "status_codes.200"), 200);
    assert_eq!(
        u64_at(endpoint(s, "GET /api/products/{{ product_id }}/reviews"), "requests"),
        200
    );
    assert_eq!(u64_at(journey(s, "browse"), "iterations"), 200);
    assert_eq!(route(&stats, "GET /api/products/{id}"), 200, "{stats:?}");
    assert_eq!(stats.correlation_failures.unknown_product, 0, "{stats:?}");
    assert_eq!(u64_at(s, "requests.total"), stats.requests_total);

    let thresholds = at(s, "thresholds").as_array().unwrap();
    assert_eq!(thresholds.len(), 3, "{}", short(&s["thresholds"]));
    let by_text = |needle: &str| {
        thresholds
            .iter()
            .find(|t| str_at(t, "expr").contains(needle))
            .unwrap_or_else(|| panic!("no threshold with '{needle}': {}", short(&s["thresholds"])))
    };
    let journey_t = by_text("journey:browse");
    assert!(journey_t["passed"].as_bool().unwrap(), "{}", short(journey_t));
    let endpoint_t = by_text("p(95)<0.001");
    assert!(!endpoint_t["passed"].as_bool().unwrap(), "{}", short(endpoint_t));
    assert!(f64_at(endpoint_t, "actual") > 0.001, "{}", short(endpoint_t));
    let reviews_t = by_text("/reviews}");
    assert!(reviews_t["passed"].as_bool().unwrap(), "{}", short(reviews_t));
}

#[test]
fn many_different_ids_were_really_sent() {
    let rec = Recorder::start();
    let dir = TempDir::new();
    let file = dir.write("ids.yaml", &scenario(&rec.url(), ""));
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let seen = rec.seen();
    let ids: BTreeSet<u64> = seen
        .iter()
        .filter_map(|r| r.path.strip_prefix("/api/products/"))
        .filter(|rest| !rest.contains('/') && !rest.contains('?'))
        .map(|id| id.parse().unwrap())
        .collect();
    assert!(
        ids.len() >= 30,
        "200 random picks of 50 ids gave only {} ids",
        ids.len()
    );
    assert!(ids.iter().all(|id| (1..=50).contains(id)), "{ids:?}");
    assert!(seen.iter().any(|r| r.path == "/api/products?page=1"));
    assert_eq!(
        u64_at(endpoint(s, "GET /api/products/{{ product_id }}"), "requests"),
        200
    );
    assert_eq!(u64_at(s, "requests.total"), seen.len() as u64);
}

#[test]
fn journey_filter_must_name_a_journey() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "bad-journey.yaml",
        &scenario(
            &server.url(),
            "thresholds:\n  \"http_req_duration{journey:browze}\": [\"p(95)<5000\"]\n",
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(2);
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{}", run.output());
    assert!(lines[0].contains("bad-journey.yaml:"), "{}", run.output());
    assert!(lines[0].contains("browse"), "suggests the journey: {}", run.output());
    assert_eq!(server.stats().requests_total, 0);
}

#[test]
fn the_same_templated_url_in_two_journeys_is_one_endpoint() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "merge.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 100 }}
journeys:
  - name: a
    steps: [ {{ get: "/api/products/{{{{ random_int(1, 50) }}}}" }} ]
  - name: b
    steps:
      - name: other label and a query string
        get: "/api/products/{{{{ random_int(1, 50) }}}}?from=b"
      - post: "/api/products/{{{{ random_int(1, 50) }}}}"
thresholds:
  "http_req_duration{{endpoint:GET /api/products/{{{{ random_int(1, 50) }}}}}}": ["p(95)<5000"]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let stats = server.stats();
    let b = u64_at(journey(s, "b"), "iterations");
    assert_eq!(
        endpoint_names(s),
        [
            "GET /api/products/{{ random_int(1, 50) }}",
            "POST /api/products/{{ random_int(1, 50) }}"
        ]
    );
    let get = endpoint(s, "GET /api/products/{{ random_int(1, 50) }}");
    assert_eq!(
        u64_at(get, "requests"),
        100,
        "one GET per iteration of either journey; the query string is not part of the endpoint"
    );
    assert_eq!(route(&stats, "GET /api/products/{id}"), 100, "{stats:?}");
    // POST on a product is 405 at the server (counted as unmatched).
    let post = endpoint(s, "POST /api/products/{{ random_int(1, 50) }}");
    assert_eq!(u64_at(post, "requests"), b);
    assert_eq!(u64_at(post, "status_codes.405"), b);
    assert_eq!(route(&stats, "unmatched"), b, "{stats:?}");
    assert!(
        at(s, "thresholds.0.passed").as_bool().unwrap(),
        "{}",
        short(&s["thresholds"])
    );
    // `actual` is null when a filter matches nothing.
    let p95 = f64_at(at(s, "thresholds.0"), "actual");
    assert!(
        p95 > 0.0,
        "the filter matched the endpoint: {}",
        short(&s["thresholds"])
    );
}

#[test]
fn thresholds_filter_checks_and_requests_by_journey_step_and_check() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "filters.yaml",
        &format!(
            r#"
target: {url}
load: {{ vus: 2, duration: 30s, iterations: 100 }}
journeys:
  - name: j1
    steps:
      - name: good
        get: /
        check: {{ status: 200 }}
      - name: bad
        get: /api/products/999
        check: {{ status: 200 }}
  - name: j2
    steps:
      - name: fine
        get: /api/products/1
        check: {{ status: 200 }}
thresholds:
  "checks{{journey:j2}}": ["rate==1"]
  "checks{{journey:j1}}": ["rate==0.5"]
  "checks{{step:bad}}": ["rate==0"]
  "http_req_failed{{journey:j1}}": ["rate==0.5"]
  "http_req_duration{{step:good}}": ["p(95)<5000"]
  iterations: ["count==100"]
  "checks{{check:status is 200}}": ["rate<100%", "rate>0"]
"#,
            url = server.url()
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let j1 = u64_at(journey(s, "j1"), "iterations");
    let j2 = u64_at(journey(s, "j2"), "iterations");
    assert_eq!(j1 + j2, 100);
    let thresholds = at(s, "thresholds").as_array().unwrap();
    assert_eq!(thresholds.len(), 8, "{}", short(&s["thresholds"]));
    for t in thresholds {
        assert!(t["passed"].as_bool().unwrap(), "{}", short(t));
    }
    assert_eq!(f64_at(threshold(s, "checks{journey:j1}: rate==0.5"), "actual"), 0.5);
    assert_eq!(f64_at(threshold(s, "iterations: count==100"), "actual"), 100.0);
    let stats = server.stats();
    assert_eq!(stats.correlation_failures.unknown_product, j1, "{stats:?}");
}

#[test]
fn a_k6_name_tag_finds_the_step_and_a_typo_is_refused_before_any_request() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "names.yaml",
        &scenario(
            &server.url(),
            "thresholds:\n  \"http_req_duration{name:product}\": [\"p(95)<5000\"]\n  \"http_reqs{name:reviews,status:2xx}\": [\"count==200\"]\n",
        ),
    );
    let run = run_file(&file, &[]);
    run.assert_exit(0);
    let s = run.summary();
    let name = threshold(s, "http_req_duration{name:product}: p(95)<5000");
    assert!(f64_at(name, "actual") > 0.0, "{}", short(name));
    let reviews = threshold(s, "http_reqs{name:reviews,status:2xx}: count==200");
    assert_eq!(f64_at(reviews, "actual"), 200.0, "{}", short(reviews));
    let sent = server.stats().requests_total;

    for (flag, hint) in [
        (
            "http_req_duration{endpoint:GET /api/productz}: p(95)<1s",
            "did you mean 'GET /api/products'?",
        ),
        ("http_req_duration{name:reviewz}: p(95)<1s", "did you mean 'reviews'?"),
        ("http_req_duration{status:200}: p(95)<1s", "http_reqs{status:…}"),
        ("error_rate<1", "1%"),
    ] {
        let run = run_file(&file, &["--threshold", flag]);
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{}", run.output());
        assert!(lines[0].contains(hint), "{flag}: {}", run.output());
    }
    assert_eq!(server.stats().requests_total, sent, "refused before any request");
}

/// A filter in the file that names nothing is refused where it was written, by `run` and
/// by `validate` alike (it used to be named only by its expression, and `validate` passed it).
#[test]
fn a_filter_in_the_file_that_names_nothing_is_refused_at_its_line_and_column() {
    let server = shop();
    let dir = TempDir::new();
    let file = dir.write(
        "typo.yaml",
        &scenario(
            &server.url(),
            "thresholds:\n  \"http_req_duration{name:product}\": [\"p(95)<5000\"]\n  \"http_reqs{name:reviewz}\": [\"count>0\"]\n",
        ),
    );
    let path = file.to_string_lossy().into_owned();
    let want = format!("{path}:18:3: bad threshold 'http_reqs{{name:reviewz}}: count>0'");
    for run in [run_file(&file, &[]), Loadcell::new(&["validate", &path]).run()] {
        run.assert_exit(2);
        let lines = run.stderr_lines();
        assert_eq!(lines.len(), 1, "{}", run.output());
        assert!(lines[0].contains(&want), "want {want}\n{}", run.output());
        assert!(lines[0].contains("did you mean 'reviews'?"), "{}", run.output());
    }
    assert_eq!(server.stats().requests_total, 0, "refused before any request");
}
