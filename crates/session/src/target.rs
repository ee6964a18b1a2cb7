//! What a command sends and where: a URL with the request flags, or a scenario file (with
//! `--base-url`), checked and prepared once before any request ([`Target::prepare`]), and
//! run as an engine workload as many times as the command needs ([`Target::with`]).

use crate::error::{SessionError, invalid};
use loadcell_engine::{CheckName, EndpointName, SingleRequest, Transport, Workload};
use loadcell_http::{ClientConfig, Origin, Request, Resolve, Scheme, TlsOptions, tls_config};
use loadcell_journey::JourneyWorkload;
use loadcell_scenario::{Scenario, ScenarioError, Step};
use loadcell_threshold::Threshold;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Per-request timeout when neither the flag nor the scenario sets one.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// How many redirects a scenario step follows by default, as k6 and browsers do.
pub const DEFAULT_MAX_REDIRECTS: u32 = 10;

/// The request flags, shared by `run`, `capacity` and `scale`.
#[derive(Debug, Clone, Default)]
pub struct RequestSpec {
    pub method: String,
    /// `Name: value`, as typed.
    pub headers: Vec<String>,
    pub body: Option<String>,
    pub body_file: Option<PathBuf>,
    /// `None`: the scenario's, or [`DEFAULT_TIMEOUT`].
    pub timeout: Option<Duration>,
    pub connect_timeout: Duration,
    pub http2: bool,
    pub insecure: bool,
    /// `--max-redirects`: the most redirects a scenario step follows unless it says
    /// otherwise; `None`: [`DEFAULT_MAX_REDIRECTS`]. Quick mode never follows (as wrk and
    /// oha), so its request path stays as it is.
    pub max_redirects: Option<u32>,
    /// `--resolve host:port:address`, as typed (repeatable); they win over a scenario's.
    pub resolve: Vec<String>,
    /// `--cacert FILE`: PEM CA bundle replacing the system roots.
    pub cacert: Option<PathBuf>,
    /// `--cert FILE`, `--key FILE`: PEM client certificate and key (mutual TLS).
    pub cert: Option<PathBuf>,
    pub key: Option<PathBuf>,
}

impl RequestSpec {
    /// Any flag that describes the request of a URL (which a scenario sets per step).
    fn describes_a_request(&self) -> bool {
        !self.headers.is_empty() || self.body.is_some() || self.body_file.is_some() || self.method != "GET"
    }
}

/// What each run sends.
#[derive(Debug, Clone)]
pub enum Work {
    /// Quick mode: one request, encoded once.
    Url { request: Request },
    /// The scenario's journeys; steps follow up to `max_redirects` redirects by default.
    Scenario {
        scenario: Box<Scenario>,
        max_redirects: u32,
    },
}

/// A target checked and ready: what to send, where, over which connections, and how
/// results name it.
#[derive(Debug, Clone)]
pub struct Target {
    pub work: Work,
    pub origin: Origin,
    pub transport: Transport,
    /// The URL or scenario file as the user named it (the results folder's `target`).
    pub name: String,
    /// How the summary names the target: the URL, or the scenario's name and file.
    pub label: String,
    /// The scenario file's text, for the run's metadata (secrets are redacted there).
    pub scenario_text: Option<String>,
}

/// Something that runs with the target's workload, whichever kind it is.
pub trait Job {
    type Output;
    fn run<W: Workload>(self, workload: W) -> Self::Output;
}

impl Target {
    /// Checks `target` (a URL or a scenario file) with `--base-url` and the request flags,
    /// and prepares what every run sends.
    pub fn prepare(target: &str, base_url: Option<&str>, request: &RequestSpec) -> Result<Target, SessionError> {
        if target.contains("://") {
            if base_url.is_some() {
                return Err(invalid(
                    "--base-url applies to scenario files; the URL already names the target",
                ));
            }
            if request.max_redirects.is_some() {
                return Err(invalid(
                    "--max-redirects applies to scenario files: a URL target does not follow redirects (as wrk and oha); load-test the final URL, or write a one-step scenario",
                ));
            }
            let origin = Origin::parse(target)?;
            let work = Work::Url {
                request: build_request(request, &origin)?,
            };
            let timeout = request.timeout.unwrap_or(DEFAULT_TIMEOUT);
            let transport = transport(&origin, request, timeout, None)?;
            return Ok(Target {
                work,
                origin,
                transport,
                name: target.to_string(),
                label: target.to_string(),
                scenario_text: None,
            });
        }
        Target::of_scenario(load_file(Path::new(target))?, base_url, request)
    }

    /// A loaded scenario with `--base-url` and the connection flags.
    pub fn of_scenario(
        scenario: Scenario,
        base_url: Option<&str>,
        request: &RequestSpec,
    ) -> Result<Target, SessionError> {
        if request.describes_a_request() {
            return Err(invalid(
                "-m, -H, -b and --body-file describe a quick-mode request; a scenario sets them per step",
            ));
        }
        let base = base_url
            .map(str::to_string)
            .or_else(|| scenario.target.clone())
            .ok_or_else(|| {
                invalid(format!(
                    "scenario '{}' has no 'target:'; give one with --base-url URL",
                    scenario.name
                ))
            })?;
        let origin = Origin::parse(&base)?;
        let timeout = request.timeout.or(scenario.defaults.timeout).unwrap_or(DEFAULT_TIMEOUT);
        let transport = transport(&origin, request, timeout, Some(&scenario))?;
        let (name, label) = match &scenario.source_path {
            Some(p) => (p.display().to_string(), format!("{} ({})", scenario.name, p.display())),
            None => (scenario.name.clone(), scenario.name.clone()),
        };
        let scenario_text = scenario
            .source_path
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok());
        Ok(Target {
            work: Work::Scenario {
                scenario: Box::new(scenario),
                max_redirects: request.max_redirects.unwrap_or(DEFAULT_MAX_REDIRECTS),
            },
            origin,
            transport,
            name,
            label,
            scenario_text,
        })
    }

    /// The scenario, for scenario targets.
    pub fn scenario(&self) -> Option<&Scenario> {
        match &self.work {
            Work::Scenario { scenario, .. } => Some(scenario),
            Work::Url { .. } => None,
        }
    }

    /// The run's thresholds: the scenario file's, then `--threshold`s (`extra`). A filter
    /// that names nothing the run has (a journey, a step, an endpoint) is refused.
    pub fn thresholds(&self, extra: &[String]) -> Result<Vec<Threshold>, SessionError> {
        // A scenario's own metrics (`metrics:`) may be named by `--threshold` too.
        let customs = self.scenario().map(|s| s.custom_metrics()).unwrap_or_default();
        let extra = extra
            .iter()
            .map(|e| loadcell_threshold::parse_with(e, &customs))
            .collect::<Result<Vec<_>, _>>()?;
        self.check_scenario_filters()?;
        self.check_filters(&extra)?;
        let mut all = self.scenario().map(|s| s.thresholds.clone()).unwrap_or_default();
        all.extend(extra);
        Ok(all)
    }

    /// [`Target::check_filters`] on the scenario file's own thresholds, each problem at the
    /// `file:line:col` where the threshold was written (`loadcell validate` checks this too).
    pub fn check_scenario_filters(&self) -> Result<(), SessionError> {
        let Some(scenario) = self.scenario() else {
            return Ok(());
        };
        if scenario.thresholds.iter().all(|t| t.filter.is_empty()) {
            return Ok(());
        }
        self.with_names(|names| {
            for (i, threshold) in scenario.thresholds.iter().enumerate() {
                if let Err(e) = loadcell_analysis::check_filters(std::slice::from_ref(threshold), names) {
                    let at = scenario.threshold_at.get(i).copied().unwrap_or_default();
                    return Err(SessionError::Scenario(ScenarioError {
                        file: self.name.clone(),
                        line: at.line,
                        col: at.col,
                        message: e.to_string(),
                    }));
                }
            }
            Ok(())
        })
    }

    /// Refuses, before any request, a threshold whose filter could never match this target's
    /// requests, with a did-you-mean from its endpoints, steps, journeys and checks.
    pub fn check_filters(&self, thresholds: &[Threshold]) -> Result<(), SessionError> {
        if thresholds.iter().all(|t| t.filter.is_empty()) {
            return Ok(());
        }
        self.with_names(|names| Ok(loadcell_analysis::check_filters(thresholds, names)?))
    }

    /// Runs `check` with the names this target's results are split by (the workload is
    /// built once for them: for a scenario that means copying it and its data).
    fn with_names<T>(&self, check: impl FnOnce(&loadcell_analysis::RunNames<'_>) -> T) -> T {
        let (endpoints, journeys, checks, custom_sites) = self.with(Names);
        check(&loadcell_analysis::RunNames {
            endpoints: &endpoints,
            journeys: &journeys,
            checks: &checks,
            custom_sites: &custom_sites,
            scenario: self.scenario().map(|s| s.name.as_str()),
        })
    }

    /// Whether any request step checks its response (a smoke test then also requires
    /// every check to pass).
    pub fn has_checks(&self) -> bool {
        self.scenario().is_some_and(|s| {
            s.journeys
                .iter()
                .flat_map(|j| &j.steps)
                .flat_map(Step::requests)
                .any(|r| !r.checks.is_empty())
        })
    }

    /// Runs `job` with a fresh workload (a sweep runs many).
    pub fn with<J: Job>(&self, job: J) -> J::Output {
        match &self.work {
            Work::Url { request } => job.run(SingleRequest::new(request.clone(), &self.origin)),
            Work::Scenario {
                scenario,
                max_redirects,
            } => job.run(JourneyWorkload::new(
                (**scenario).clone(),
                self.origin.clone(),
                self.transport.client.http2,
                *max_redirects,
            )),
        }
    }

    /// Runs `job` with the workload, once.
    pub fn into_job<J: Job>(self, job: J) -> J::Output {
        match self.work {
            Work::Url { request } => job.run(SingleRequest::new(request, &self.origin)),
            Work::Scenario {
                scenario,
                max_redirects,
            } => job.run(JourneyWorkload::new(
                *scenario,
                self.origin,
                self.transport.client.http2,
                max_redirects,
            )),
        }
    }
}

/// The names a workload's results are split by.
struct Names;

impl Job for Names {
    type Output = (Vec<EndpointName>, Vec<String>, Vec<CheckName>, Vec<CheckName>);
    fn run<W: Workload>(self, workload: W) -> Self::Output {
        (
            workload.endpoints(),
            workload.journeys(),
            workload.checks(),
            workload.custom_sites(),
        )
    }
}

/// Reads and validates a scenario file; every problem is one line naming file:line:col.
pub fn load_file(path: &Path) -> Result<Scenario, SessionError> {
    if !path.exists() {
        return Err(invalid(format!(
            "no such file '{}' (to load-test a URL, give it with http:// or https://)",
            path.display()
        )));
    }
    Ok(loadcell_scenario::load(path)?)
}

/// The request of quick mode, from the request flags.
fn build_request(spec: &RequestSpec, origin: &Origin) -> Result<Request, SessionError> {
    let mut headers = Vec::with_capacity(spec.headers.len());
    for h in &spec.headers {
        let (name, value) = h
            .split_once(':')
            .ok_or_else(|| invalid(format!("invalid header '{h}': expected 'Name: value'")))?;
        headers.push((name.trim().to_string(), value.trim().to_string()));
    }
    let body = match (&spec.body, &spec.body_file) {
        (Some(b), _) => bytes::Bytes::from(b.clone().into_bytes()),
        (None, Some(path)) => std::fs::read(path)
            .map(bytes::Bytes::from)
            .map_err(|source| SessionError::ReadFlag {
                flag: "--body-file",
                path: path.clone(),
                source,
            })?,
        (None, None) => bytes::Bytes::new(),
    };
    Ok(Request::new(&spec.method, &origin.path_and_query, headers, body)?)
}

/// Connection settings for `origin`: the flags, then what the scenario file says.
fn transport(
    origin: &Origin,
    spec: &RequestSpec,
    timeout: Duration,
    scenario: Option<&Scenario>,
) -> Result<Transport, SessionError> {
    if timeout.is_zero() || spec.connect_timeout.is_zero() {
        return Err(invalid("--timeout and --connect-timeout must be above 0"));
    }
    // The first entry that matches a host and port is used: flags come first.
    let mut resolve = spec
        .resolve
        .iter()
        .map(|r| Resolve::parse(r))
        .collect::<Result<Vec<_>, _>>()?;
    resolve.extend(scenario.map(|s| s.resolve.clone()).unwrap_or_default());
    // A scenario's redirect may lead from an http:// target to an https:// origin, so its
    // runs get TLS settings whatever the target's scheme (built once, before the run); a URL
    // run follows no redirects and needs them only for https://.
    let tls = match (origin.scheme, scenario) {
        (Scheme::Https, _) | (Scheme::Http, Some(_)) => Some(tls_config(&tls_options(spec, scenario)?)?),
        (Scheme::Http, None) => None,
    };
    Ok(Transport {
        origin: origin.clone(),
        client: ClientConfig {
            connect_timeout: spec.connect_timeout,
            http2: spec.http2,
            tls,
            resolve,
            stamp_arrivals: false,
        },
        timeout,
    })
}

/// TLS settings: `--cacert`, `--cert`/`--key` over the scenario's `tls:`.
fn tls_options(spec: &RequestSpec, scenario: Option<&Scenario>) -> Result<TlsOptions, SessionError> {
    let file = scenario.map(|s| s.tls.clone()).unwrap_or_default();
    let client_cert = match (&spec.cert, &spec.key) {
        (Some(c), Some(k)) => Some((c.clone(), k.clone())),
        (None, None) => file.client_cert,
        _ => return Err(invalid("--cert and --key go together: give both for mutual TLS")),
    };
    Ok(TlsOptions {
        insecure: spec.insecure,
        http2: spec.http2,
        cacert: spec.cacert.clone().or(file.cacert),
        client_cert,
    })
}
