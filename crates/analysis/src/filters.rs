//! What a threshold's tag filter selects in a run: the request slots and checks it matches
//! (shared by the verdicts, so that what is checked before the run is what is judged after
//! it), and the check before the first request that every value names something the run
//! can produce — an endpoint, a step, a journey, a check — with a did-you-mean otherwise.
//!
//! `name` is k6's request name: a step's `name:`; for a request without one (a URL run)
//! it is `METHOD /path`, as k6 names an unnamed request by its URL.

use loadcell_engine::{CheckName, EndpointName};
use loadcell_metrics::CustomValues;
use loadcell_schema::ErrorKind;
use loadcell_threshold::{Metric, TagFilter, TagKey, Threshold, ThresholdError};

/// The names a run's results are split by, known before its first request.
#[derive(Debug, Clone, Copy)]
pub struct RunNames<'a> {
    pub endpoints: &'a [EndpointName],
    pub journeys: &'a [String],
    pub checks: &'a [CheckName],
    /// Where a scenario's own metrics are added to (`label`: the metric's name).
    pub custom_sites: &'a [CheckName],
    /// The scenario's name; `None` for a URL run.
    pub scenario: Option<&'a str>,
}

/// Whether the request slot `name` has tag `key` = `value`. `status`, `expected_response`
/// and `error` are not a slot's tags (the caller splits by them), and without `scenarios:`
/// the run's one scenario was checked before the run: they match.
pub(crate) fn endpoint_matches(name: &EndpointName, key: TagKey, value: &str) -> bool {
    match key {
        TagKey::Endpoint => name.display() == value,
        TagKey::Name => name.step.as_deref().map_or(name.display() == value, |s| s == value),
        TagKey::Method => name.method.eq_ignore_ascii_case(value),
        TagKey::Url => name.path == value || name.tag("url") == Some(value),
        TagKey::Journey => name.journey.as_deref() == Some(value),
        TagKey::Group => name.journey.as_deref() == Some(group_name(value)),
        TagKey::Step => name.step.as_deref() == Some(value),
        TagKey::Scenario => in_scenario(&name.tags, value),
        TagKey::Status | TagKey::ExpectedResponse | TagKey::Error => true,
        TagKey::Check => false,
    }
}

/// Whether check `name` has tag `key` = `value` (`name` is the check's label, as in k6).
pub(crate) fn check_matches(name: &CheckName, key: TagKey, value: &str) -> bool {
    match key {
        TagKey::Check | TagKey::Name => name.label == value,
        TagKey::Journey => name.journey == value,
        TagKey::Group => name.journey == group_name(value),
        TagKey::Step => name.step == value,
        TagKey::Scenario => in_scenario(&name.tags, value),
        _ => false,
    }
}

/// The values added to custom metric `name` at the sites (`label`: the metric) the filter
/// selects, merged; `None` when no site of that metric matches.
pub(crate) fn custom_values(
    sites: &[CheckName],
    slots: &[CustomValues],
    name: &str,
    filter: &TagFilter,
) -> Option<CustomValues> {
    let mut merged: Option<CustomValues> = None;
    for (site, values) in sites.iter().zip(slots) {
        let selected = site.label == name
            && filter.tags.iter().all(|(key, value)| check_matches(site, *key, value))
            && custom_match(&site.tags, filter);
        if selected {
            merged.get_or_insert_with(CustomValues::default).merge(values);
        }
    }
    merged
}

/// Whether a slot with `tags` belongs to scenario `value`: its `scenario` tag, or the run's
/// one scenario (checked before the run) when it has none — except the requests of `setup:`
/// and `teardown:` (group `::setup`), which belong to no scenario, as in k6.
fn in_scenario(tags: &[(String, String)], value: &str) -> bool {
    match loadcell_engine::tag_of(tags, "scenario") {
        Some(s) => s == value,
        None => loadcell_engine::tag_of(tags, "group").is_none(),
    }
}

/// Whether a slot with `tags` has every one of the filter's own (scenario file) tags.
pub(crate) fn custom_match(tags: &[(String, String)], filter: &TagFilter) -> bool {
    filter
        .custom
        .iter()
        .all(|(k, v)| loadcell_engine::tag_of(tags, k) == Some(v.as_str()))
}

/// k6 names a group `::name`; loadcell's groups are journeys.
fn group_name(value: &str) -> &str {
    value.strip_prefix("::").unwrap_or(value)
}

/// The scenarios of a run with `scenarios:` (empty without), as its slots carry them.
fn scenarios_of(run: &RunNames<'_>) -> Vec<String> {
    let mut names: Vec<String> = run
        .endpoints
        .iter()
        .filter_map(|e| e.tag("scenario"))
        .chain(run.checks.iter().filter_map(|c| c.tag("scenario")))
        .map(str::to_string)
        .collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// Refuses, before any request, a threshold whose filter could match nothing in this run:
/// a value no endpoint, step, journey or check of the run has, or a combination of tags no
/// single request (or check) has. Parsing already refused tags a metric is not split by.
pub fn check_filters(thresholds: &[Threshold], run: &RunNames<'_>) -> Result<(), ThresholdError> {
    for t in thresholds {
        for (key, value) in &t.filter.tags {
            check_value(t, run, *key, value)?;
        }
        for (key, value) in &t.filter.custom {
            check_custom(t, run, key, value)?;
        }
        check_combination(t, run)?;
    }
    Ok(())
}

/// A tag of the scenario file's own: some request (or check) of the run must carry it with
/// this value.
fn check_custom(t: &Threshold, run: &RunNames<'_>, key: &str, value: &str) -> Result<(), ThresholdError> {
    let all_tags = || {
        run.endpoints
            .iter()
            .flat_map(|e| &e.tags)
            .chain(run.checks.iter().flat_map(|c| &c.tags))
            .chain(run.custom_sites.iter().flat_map(|c| &c.tags))
            .filter(|(k, _)| k != "url" && k != "scenario")
    };
    let keys: Vec<String> = all_tags().map(|(k, _)| k.clone()).collect();
    if !keys.iter().any(|k| k == key) {
        let reason = match keys.is_empty() {
            true => {
                format!("no step, journey or scenario of this run has tags ('{key}' is none of loadcell's tags either)")
            }
            false => format!("no step, journey or scenario of this run has a tag '{key}'"),
        };
        let near = loadcell_diagnostics::closest(key, keys.iter().map(String::as_str)).map(str::to_string);
        return Err(refuse(t, reason, near, &keys));
    }
    let values: Vec<String> = all_tags().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect();
    if values.iter().any(|v| v == value) {
        return Ok(());
    }
    let near = loadcell_diagnostics::closest(value, values.iter().map(String::as_str)).map(str::to_string);
    Err(refuse(t, format!("this run has no tag {key} '{value}'"), near, &values))
}

fn check_value(t: &Threshold, run: &RunNames<'_>, key: TagKey, value: &str) -> Result<(), ThresholdError> {
    let on_checks = t.metric == Metric::Checks;
    let custom = match t.metric {
        Metric::Custom(c) => Some(c.name),
        _ => None,
    };
    let scenarios = scenarios_of(run);
    let known: Vec<String> = match key {
        TagKey::Status | TagKey::ExpectedResponse => return Ok(()),
        TagKey::Error => ErrorKind::ALL.iter().map(|k| k.as_str().to_string()).collect(),
        TagKey::Scenario if !scenarios.is_empty() => {
            if !t.metric.takes_custom_tags() {
                return Err(refuse(
                    t,
                    format!("{} is measured for the whole run, not per scenario", t.metric),
                    None,
                    &[],
                ));
            }
            scenarios
        }
        TagKey::Group if t.metric == Metric::Iterations => run.journeys.to_vec(),
        TagKey::Scenario => match run.scenario {
            Some(name) => vec![name.to_string()],
            None => {
                return Err(refuse(
                    t,
                    "a URL run has no scenario name to filter by".into(),
                    None,
                    &[],
                ));
            }
        },
        TagKey::Journey if t.metric == Metric::Iterations => run.journeys.to_vec(),
        _ if on_checks => run.checks.iter().filter_map(|c| check_value_of(c, key)).collect(),
        _ if custom.is_some() => sites_of(run, custom).filter_map(|c| check_value_of(c, key)).collect(),
        _ => run.endpoints.iter().filter_map(|e| endpoint_value_of(e, key)).collect(),
    };
    let found = match key {
        TagKey::Method => known.iter().any(|k| k.eq_ignore_ascii_case(value)),
        TagKey::Group => known.iter().any(|k| k == group_name(value)),
        TagKey::Url => known.iter().any(|k| k == value) || run.endpoints.iter().any(|e| e.tag("url") == Some(value)),
        _ => known.iter().any(|k| k == value),
    };
    let near = loadcell_diagnostics::closest(value, known.iter().map(String::as_str)).map(str::to_string);
    let hop = !on_checks && custom.is_none() && may_be_hop(run, key, value);
    if found || (hop && near.as_deref().is_none_or(|n| same_but_numbers(n, value))) {
        return Ok(());
    }
    let what = if on_checks && key == TagKey::Name {
        "check"
    } else {
        key.as_str()
    };
    let reason = match (known.is_empty(), hop) {
        (true, _) => format!("this run has no {what} to filter by ('{value}' matches nothing)"),
        (false, false) => format!("this run has no {what} '{value}'"),
        (false, true) => format!(
            "this run has no {what} '{value}' before it runs (a redirect hop's is known only once it happens, so one is taken as written unless it is this close to a step's and differs in more than digits)"
        ),
    };
    Err(refuse(t, reason, near, &known))
}

/// Whether `value` of an `endpoint` or `url` filter may name a redirect hop's own endpoint,
/// which is known only once the hop happens: the run has steps that follow redirects and
/// the value has the shape (`METHOD /path` or `METHOD https://host/path`; `/path` or a URL).
/// Such a filter cannot be checked before the run, so it is taken as written — unless it is
/// a near miss of a step's (a did-you-mean) that differs in more than digits, which is far
/// likelier a typo — and a threshold whose filter then matched no request fails with "no
/// request matched".
fn may_be_hop(run: &RunNames<'_>, key: TagKey, value: &str) -> bool {
    let pathlike = |p: &str| p.starts_with('/') || p.starts_with("http://") || p.starts_with("https://");
    let shaped = match key {
        TagKey::Endpoint => value.split_once(' ').is_some_and(|(method, path)| {
            !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase()) && pathlike(path)
        }),
        TagKey::Url => pathlike(value),
        _ => false,
    };
    shaped && run.endpoints.iter().any(EndpointName::counts_redirects)
}

/// Whether `a` and `b` differ only in their digits (`GET /page/1`, `GET /page/3`): hops of a
/// chain often are, and a typo seldom.
fn same_but_numbers(a: &str, b: &str) -> bool {
    let shape = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect::<String>()
    };
    shape(a) == shape(b)
}

/// The value of `key` for request slot `e`, as a filter would have to spell it.
fn endpoint_value_of(e: &EndpointName, key: TagKey) -> Option<String> {
    match key {
        TagKey::Endpoint => Some(e.display()),
        TagKey::Name => Some(e.step.clone().unwrap_or_else(|| e.display())),
        TagKey::Method => Some(e.method.clone()),
        TagKey::Url => Some(e.path.clone()),
        TagKey::Journey | TagKey::Group => e.journey.clone(),
        TagKey::Step => e.step.clone(),
        TagKey::Status | TagKey::Scenario | TagKey::Check | TagKey::ExpectedResponse | TagKey::Error => None,
    }
}

fn check_value_of(c: &CheckName, key: TagKey) -> Option<String> {
    match key {
        TagKey::Check | TagKey::Name => Some(c.label.clone()),
        TagKey::Journey | TagKey::Group => Some(c.journey.clone()),
        TagKey::Step => Some(c.step.clone()),
        _ => None,
    }
}

/// Each value exists, but together (`{journey:a,step:x}` where `x` is a step of `b`) they
/// must still select something.
fn check_combination(t: &Threshold, run: &RunNames<'_>) -> Result<(), ThresholdError> {
    let tags = &t.filter.tags;
    if tags.len() + t.filter.custom.len() < 2 || t.metric == Metric::Iterations {
        return Ok(());
    }
    let any = match t.metric {
        Metric::Checks => run
            .checks
            .iter()
            .any(|c| tags.iter().all(|(k, v)| check_matches(c, *k, v)) && custom_match(&c.tags, &t.filter)),
        Metric::Custom(c) => sites_of(run, Some(c.name))
            .any(|s| tags.iter().all(|(k, v)| check_matches(s, *k, v)) && custom_match(&s.tags, &t.filter)),
        _ => run
            .endpoints
            .iter()
            .any(|e| tags.iter().all(|(k, v)| endpoint_matches(e, *k, v)) && custom_match(&e.tags, &t.filter)),
    };
    match any {
        true => Ok(()),
        false => Err(refuse(
            t,
            format!("no request of this run has all of {}", t.filter),
            None,
            &[],
        )),
    }
}

/// The places that add to custom metric `name`.
fn sites_of<'r>(run: &'r RunNames<'_>, name: Option<&'r str>) -> impl Iterator<Item = &'r CheckName> + 'r {
    run.custom_sites.iter().filter(move |s| Some(s.label.as_str()) == name)
}

fn refuse(t: &Threshold, reason: String, near: Option<String>, known: &[String]) -> ThresholdError {
    let mut hint = match near {
        Some(near) => format!("; did you mean '{near}'?"),
        None => String::new(),
    };
    let mut distinct: Vec<&str> = known.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if hint.is_empty() && !distinct.is_empty() {
        const SHOWN: usize = 8;
        let more = distinct.len().saturating_sub(SHOWN);
        distinct.truncate(SHOWN);
        let tail = if more > 0 {
            format!(", … {more} more")
        } else {
            String::new()
        };
        hint = format!(" (it has: {}{tail})", distinct.join(", "));
    }
    ThresholdError::NoMatch {
        expr: t.expr.clone(),
        reason: format!("{reason}{hint}"),
    }
}

/// What a threshold whose filter matched nothing says instead of a value.
pub(crate) fn nothing_matched(filter: &TagFilter, metric: Metric) -> String {
    match (filter.is_empty(), metric) {
        (true, Metric::Custom(c)) => format!("no value was added to {}", c.name),
        (false, Metric::Custom(c)) => format!("no value was added to {}{filter}", c.name),
        (true, _) => "no data".to_string(),
        (false, Metric::Checks) => format!("no check matched {filter}"),
        (false, Metric::Iterations) => format!("no iteration matched {filter}"),
        (false, _) => format!("no request matched {filter}"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::measured::{Measured, evaluate};
    use loadcell_metrics::{Outcome, Recorder, Sample, Shape};

    fn endpoint(method: &str, path: &str, journey: &str, step: &str) -> EndpointName {
        EndpointName {
            method: method.into(),
            path: path.into(),
            journey: Some(journey.into()),
            step: Some(step.into()),
            tags: Vec::new(),
        }
    }

    fn names() -> (Vec<EndpointName>, Vec<String>, Vec<CheckName>) {
        let endpoints = vec![
            endpoint("POST", "/login", "shop", "login"),
            endpoint("GET", "/cart", "shop", "cart"),
            endpoint("GET", "/cart", "browse", "peek"),
        ];
        let check = CheckName {
            journey: "shop".into(),
            step: "login".into(),
            label: "status is 200".into(),
            tags: Vec::new(),
        };
        (endpoints, vec!["shop".into(), "browse".into()], vec![check])
    }

    fn refused(expr: &str) -> String {
        let (endpoints, journeys, checks) = names();
        let run = RunNames {
            endpoints: &endpoints,
            journeys: &journeys,
            checks: &checks,
            custom_sites: &[],
            scenario: Some("demo"),
        };
        let t = loadcell_threshold::parse(expr).unwrap();
        match check_filters(&[t], &run) {
            Ok(()) => "accepted".into(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_hop_shaped_endpoint_or_url_is_taken_as_written_when_steps_follow_redirects() {
        let (mut endpoints, journeys, checks) = names();
        let with = |endpoints: &[EndpointName], expr: &str| {
            let run = RunNames {
                endpoints,
                journeys: &journeys,
                checks: &checks,
                custom_sites: &[],
                scenario: Some("demo"),
            };
            check_filters(&[loadcell_threshold::parse(expr).unwrap()], &run).map_err(|e| e.to_string())
        };
        let hop = "http_reqs{endpoint:GET /welcome}: count>0";
        assert!(
            with(&endpoints, hop)
                .unwrap_err()
                .contains("no endpoint 'GET /welcome'")
        );
        endpoints.push(endpoint(
            "POST",
            &format!("/login{}", loadcell_engine::REDIRECTS_SUFFIX),
            "shop",
            "login",
        ));
        for ok in [
            hop,
            "http_reqs{endpoint:GET https://sso.example.test/ok}: count>0",
            "http_reqs{endpoint:GET /page/1}: count>0",
            "http_reqs{url:/welcome}: count>0",
        ] {
            assert_eq!(with(&endpoints, ok), Ok(()), "{ok}");
        }
        // A near miss of a step's endpoint is taken for a typo, and says why.
        let typo = with(&endpoints, "http_reqs{endpoint:GET /crt}: count>0").unwrap_err();
        assert!(typo.contains("known only once it happens"), "{typo}");
        assert!(typo.ends_with("did you mean 'GET /cart'?"), "{typo}");
        // Not the shape of an endpoint: refused as before.
        assert!(with(&endpoints, "http_reqs{endpoint:get /crt}: count>0").is_err());
        assert!(
            with(&endpoints, "http_reqs{name:logn}: count>0")
                .unwrap_err()
                .contains("did you mean 'login'")
        );
    }

    #[test]
    fn values_must_name_something_the_run_has() {
        for ok in [
            "http_req_duration{name:login}: p(95)<200",
            "http_req_duration{endpoint:GET /cart}: p(95)<200",
            "http_req_duration{method:get,journey:browse}: p(95)<200",
            "http_reqs{url:/login,status:5xx}: count<1",
            "iterations{journey:browse}: count>1",
            "checks{name:status is 200}: rate>0.9",
            "checks{step:login}: rate>0.9",
            "vus{scenario:demo}: value<9",
        ] {
            assert_eq!(refused(ok), "accepted", "{ok}");
        }
        assert_eq!(
            refused("http_req_duration{endpoint:GET /nope}: p(95)<200"),
            "bad threshold 'http_req_duration{endpoint:GET /nope}: p(95)<200': this run has no endpoint 'GET /nope' (it has: GET /cart, POST /login)"
        );
        assert!(refused("http_req_duration{endpoint:GET /crt}: p(95)<200").ends_with("did you mean 'GET /cart'?"));
        assert!(refused("http_req_duration{name:logn}: p(95)<200").contains("no name 'logn'; did you mean 'login'?"));
        assert!(refused("http_req_duration{step:chekout}: p(95)<200").contains("no step 'chekout'"));
        assert_eq!(
            refused("http_req_duration{journey:zzz}: p(95)<200"),
            "bad threshold 'http_req_duration{journey:zzz}: p(95)<200': this run has no journey 'zzz' (it has: browse, shop)"
        );
        assert!(refused("checks{check:status is 201}: rate>0.9").contains("did you mean 'status is 200'"));
        assert!(refused("vus{scenario:other}: value<9").contains("no scenario 'other' (it has: demo)"));
        assert!(
            refused("http_req_duration{journey:browse,step:login}: p(95)<200")
                .contains("no request of this run has all of {journey:browse,step:login}")
        );
    }

    #[test]
    fn a_url_run_names_its_request_by_method_and_path() {
        let endpoints = vec![EndpointName {
            method: "GET".into(),
            path: "/".into(),
            journey: None,
            step: None,
            tags: Vec::new(),
        }];
        let run = RunNames {
            endpoints: &endpoints,
            journeys: &[],
            checks: &[],
            custom_sites: &[],
            scenario: None,
        };
        let parse = |e| loadcell_threshold::parse(e).unwrap();
        assert!(check_filters(&[parse("http_req_duration{name:GET /}: p(95)<200")], &run).is_ok());
        let e = check_filters(&[parse("http_reqs{scenario:x}: count>1")], &run).unwrap_err();
        assert!(e.to_string().contains("a URL run has no scenario name"), "{e}");
        let e = check_filters(&[parse("http_req_duration{journey:x}: p(95)<1")], &run).unwrap_err();
        assert!(e.to_string().contains("this run has no journey to filter by"), "{e}");
    }

    /// The verdicts: what each filter selects, and what one that matched nothing says.
    #[test]
    fn filters_select_what_they_name_and_say_when_nothing_matched() {
        let (endpoints, journeys, checks) = names();
        let mut total = Recorder::with_shape(Shape {
            endpoints: 3,
            journeys: 2,
            checks: 1,
            custom: 0,
        });
        let sample = |endpoint, ms: u64, status| Sample {
            endpoint,
            latency_us: ms * 1000,
            service_us: None,
            ttfb_us: None,
            sending_us: None,
            outcome: Outcome::Status(status),
            sent_bytes: 10,
            received_bytes: 100,
            expected_interval_us: None,
        };
        total.record(&sample(0, 10, 200));
        total.record(&sample(0, 30, 503));
        total.record(&sample(1, 500, 200));
        total.journeys[1].iterations = 4;
        let source = Measured {
            total: &total,
            endpoints: &endpoints,
            journeys: &journeys,
            checks: &checks,
            custom_sites: &[],
            seconds: 1.0,
            vus_limit: 1,
        };
        let judge = |expr: &str| {
            let t = loadcell_threshold::parse(expr).unwrap();
            let r = evaluate(&[t], &source).remove(0);
            (r.passed, r.actual_text)
        };
        let (passed, max) = judge("http_req_duration{name:login}: max<31");
        assert!(
            passed && max.starts_with("30"),
            "{max}: login's two requests, not cart's"
        );
        assert_eq!(judge("http_reqs{name:login,status:5xx}: count<2"), (true, "1".into()));
        assert_eq!(judge("http_reqs{status:2xx}: count==2"), (true, "2".into()));
        assert_eq!(judge("data_received{step:cart}: count==100"), (true, "100 B".into()));
        assert_eq!(judge("iterations{journey:browse}: count==4"), (true, "4".into()));
        assert_eq!(judge("vus{scenario:demo}: value==0"), (true, "0".into()));
        // `peek` exists but sent nothing: a count of nothing is 0, a duration fails.
        assert_eq!(judge("http_reqs{step:peek}: count<1"), (true, "0".into()));
        assert_eq!(
            judge("http_req_duration{step:peek}: p(95)<200"),
            (false, "no request matched {step:peek}".into())
        );
        assert_eq!(
            judge("checks{step:login}: rate>0.5"),
            (false, "no check matched {step:login}".into())
        );
        assert!(!judge("p95<1ms").0);
    }
}
