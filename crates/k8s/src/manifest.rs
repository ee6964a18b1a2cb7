//! The objects: a ConfigMap with the scenario's files (scenario targets only), the Indexed
//! Job of parts, the collector's Deployment and Service — and the comment block that says
//! how to apply them, follow the test, fetch the merged results and clean up.

use crate::files::{Bundle, Content, MOUNT};
use crate::names::{Name, Resources};
use crate::yaml::{self, Yaml};

/// The port the collector listens on, in its pod and on its Service.
pub const COLLECTOR_PORT: u16 = 7070;

/// Where the parts and the collector write their results folders (an `emptyDir`).
const RESULTS: &str = "/results";

/// The collector's `--lost-after`: pods start seconds apart (scheduling, image pulls), and
/// a collector that waited the default 5 s for the last part to join could end first. A
/// killed part is still seen at once (its connection closes).
const LOST_AFTER: &str = "1m";

/// The collector's CPU and memory: it merges one interval per part per second — far less
/// work than sending the load.
const COLLECTOR_REQUESTS: (&str, &str) = ("250m", "256Mi");
const COLLECTOR_LIMITS: (&str, &str) = ("1", "1Gi");

/// A part's shell: JOB_COMPLETION_INDEX (0-based, set by the Job controller) becomes the
/// 1-based `--segment`; the rest of the command line is the container's `args`, passed as
/// "$@" so no user flag is ever parsed by the shell. `exec`: loadcell is the pod's process
/// and gets its SIGTERM.
const PART_SCRIPT: &str = r#": "${JOB_COMPLETION_INDEX:?is not set: this command runs as a pod of an Indexed Job}"; exec loadcell run "$@" --segment "$((JOB_COMPLETION_INDEX + 1))/__N__""#;

/// The collector's shell: when the collection ends the container stays up (a Deployment
/// would restart an exited container, and a second collector would start over), so that
/// `kubectl cp` can fetch /results; SIGTERM ends the wait (and the sleep) at once.
const COLLECTOR_SCRIPT: &str = r#"loadcell collect "$@"; code=$?
echo "loadcell collect exited with $code; the merged results stay in /results until this pod is deleted (kubectl cp POD:/results ./results)"
sleep infinity & sleeper=$!
trap 'kill "$sleeper"; exit 0' TERM INT
wait "$sleeper""#;

/// What the test runs against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A URL: nothing to ship, so no ConfigMap.
    Url(String),
    /// A scenario file and the files it reads, shipped in a ConfigMap.
    Scenario(Bundle),
}

/// Everything the manifests say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fleet {
    pub name: Name,
    /// `None`: kubectl's current namespace.
    pub namespace: Option<Name>,
    pub image: String,
    pub parallelism: u32,
    /// Each part's requests and limits (equal: a load generator is measured best on CPU it
    /// is sure to have).
    pub part: Resources,
    pub target: Target,
    /// The user's `run` flags exactly as typed, without the target.
    pub run_flags: Vec<String>,
    /// What the collector adds to its command line: `--abort-on-fail`, `--abort-delay D`.
    pub collector_flags: Vec<String>,
    /// The `--start-at` instant (absolute), when given.
    pub start_at: Option<String>,
    /// The command line that made the manifests, for the comment.
    pub command_line: String,
    /// loadcell's version, for the comment.
    pub version: String,
}

impl Fleet {
    fn object(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.name.as_str())
    }

    /// The URL the parts send to: the collector's Service, by its name in the namespace.
    pub fn collect_url(&self) -> String {
        format!("http://{}:{COLLECTOR_PORT}", self.object("collector"))
    }

    fn metadata(&self, suffix: &str, component: &str) -> Yaml {
        let mut entries = vec![("name".to_string(), Yaml::str(self.object(suffix)))];
        if let Some(ns) = &self.namespace {
            entries.push(("namespace".into(), Yaml::str(ns.as_str())));
        }
        entries.push(("labels".into(), self.labels(component)));
        Yaml::Map(entries)
    }

    fn labels(&self, component: &str) -> Yaml {
        Yaml::map([
            ("app.kubernetes.io/name", Yaml::str("loadcell")),
            ("app.kubernetes.io/instance", Yaml::str(self.name.as_str())),
            ("app.kubernetes.io/component", Yaml::str(component)),
        ])
    }

    /// A pod template: the component's labels and the pod's spec.
    fn template(&self, component: &str, pod: Yaml) -> Yaml {
        Yaml::map([
            ("metadata", Yaml::map([("labels", self.labels(component))])),
            ("spec", pod),
        ])
    }

    fn selector(&self, component: &str) -> Yaml {
        Yaml::map([
            ("app.kubernetes.io/instance", Yaml::str(self.name.as_str())),
            ("app.kubernetes.io/component", Yaml::str(component)),
        ])
    }
}

/// The manifests: a comment block, then the ConfigMap (scenario targets), the Job, the
/// Deployment and the Service as one multi-document YAML for `kubectl apply -f -`.
pub fn manifests(fleet: &Fleet) -> String {
    let mut docs = Vec::new();
    if let Target::Scenario(bundle) = &fleet.target {
        docs.push(config_map(fleet, bundle));
    }
    docs.push(job(fleet));
    docs.push(deployment(fleet));
    docs.push(service(fleet));
    let body: Vec<String> = docs.iter().map(yaml::document).collect();
    format!("{}---\n{}", comment(fleet), body.join("---\n"))
}

fn config_map(fleet: &Fleet, bundle: &Bundle) -> Yaml {
    let mut text = Vec::new();
    let mut binary = Vec::new();
    for file in &bundle.files {
        match &file.content {
            Content::Text(t) => text.push((file.key.clone(), Yaml::str(t))),
            Content::Base64(b) => binary.push((file.key.clone(), Yaml::str(b))),
        }
    }
    let mut entries = vec![
        ("apiVersion".to_string(), Yaml::str("v1")),
        ("kind".into(), Yaml::str("ConfigMap")),
        ("metadata".into(), fleet.metadata("scenario", "scenario")),
    ];
    if !text.is_empty() {
        entries.push(("data".into(), Yaml::Map(text)));
    }
    if !binary.is_empty() {
        entries.push(("binaryData".into(), Yaml::Map(binary)));
    }
    Yaml::Map(entries)
}

/// An object: its API version, kind, metadata and spec.
fn object(api_version: &str, kind: &str, metadata: Yaml, spec: Yaml) -> Yaml {
    Yaml::map([
        ("apiVersion", Yaml::str(api_version)),
        ("kind", Yaml::str(kind)),
        ("metadata", metadata),
        ("spec", spec),
    ])
}

/// The `emptyDir` both pods write their results folders to, and where it is mounted.
fn results_volume() -> Yaml {
    Yaml::map([("name", Yaml::str("results")), ("emptyDir", Yaml::Map(Vec::new()))])
}

fn results_mount() -> Yaml {
    Yaml::map([("name", Yaml::str("results")), ("mountPath", Yaml::str(RESULTS))])
}

fn resources(requests: (&str, &str), limits: (&str, &str)) -> Yaml {
    let pair = |(cpu, memory): (&str, &str)| Yaml::map([("cpu", Yaml::str(cpu)), ("memory", Yaml::str(memory))]);
    Yaml::map([("requests", pair(requests)), ("limits", pair(limits))])
}

fn job(fleet: &Fleet) -> Yaml {
    let n = fleet.parallelism;
    let target = match &fleet.target {
        Target::Url(url) => url.clone(),
        Target::Scenario(bundle) => format!("{MOUNT}/{}", bundle.entry),
    };
    let mut args = vec![target];
    args.extend(fleet.run_flags.iter().cloned());
    args.extend([
        "--collect".to_string(),
        fleet.collect_url(),
        "--out".into(),
        format!("{RESULTS}/part"),
    ]);
    let part = (fleet.part.cpu.as_str(), fleet.part.memory.as_str());
    let mut mounts = vec![results_mount()];
    let mut volumes = vec![results_volume()];
    if let Target::Scenario(bundle) = &fleet.target {
        mounts.insert(
            0,
            Yaml::map([
                ("name", Yaml::str("scenario")),
                ("mountPath", Yaml::str(MOUNT)),
                ("readOnly", Yaml::Bool(true)),
            ]),
        );
        let items = bundle
            .files
            .iter()
            .map(|f| Yaml::map([("key", Yaml::str(&f.key)), ("path", Yaml::str(&f.path))]))
            .collect();
        volumes.insert(
            0,
            Yaml::map([
                ("name", Yaml::str("scenario")),
                (
                    "configMap",
                    Yaml::map([
                        ("name", Yaml::str(fleet.object("scenario"))),
                        ("items", Yaml::Seq(items)),
                    ]),
                ),
            ]),
        );
    }
    let container = Yaml::map([
        ("name", Yaml::str("part")),
        ("image", Yaml::str(&fleet.image)),
        (
            "command",
            Yaml::strs(&[
                "sh",
                "-c",
                &PART_SCRIPT.replace("__N__", &n.to_string()),
                "loadcell-part",
            ]),
        ),
        ("args", Yaml::strs(&args)),
        ("resources", resources(part, part)),
        ("volumeMounts", Yaml::Seq(mounts)),
    ]);
    let pod = Yaml::map([
        ("restartPolicy", Yaml::str("Never")),
        ("containers", Yaml::Seq(vec![container])),
        ("volumes", Yaml::Seq(volumes)),
    ]);
    object(
        "batch/v1",
        "Job",
        fleet.metadata("parts", "part"),
        Yaml::map([
            ("completionMode", Yaml::str("Indexed")),
            ("completions", Yaml::Int(i64::from(n))),
            ("parallelism", Yaml::Int(i64::from(n))),
            // No index is ever retried (a retried part would run its segment twice), and
            // one failed index does not stop the others (`backoffLimit: 0` would).
            ("backoffLimitPerIndex", Yaml::Int(0)),
            ("template", fleet.template("part", pod)),
        ]),
    )
}

fn deployment(fleet: &Fleet) -> Yaml {
    let mut args: Vec<String> = [
        "--listen",
        &format!("0.0.0.0:{COLLECTOR_PORT}"),
        "--expect",
        &fleet.parallelism.to_string(),
        "--out",
        RESULTS,
        "--lost-after",
        LOST_AFTER,
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(fleet.collector_flags.iter().cloned());
    let container = Yaml::map([
        ("name", Yaml::str("collector")),
        ("image", Yaml::str(&fleet.image)),
        (
            "command",
            Yaml::strs(&["sh", "-c", COLLECTOR_SCRIPT, "loadcell-collector"]),
        ),
        ("args", Yaml::strs(&args)),
        (
            "ports",
            Yaml::Seq(vec![Yaml::map([
                ("name", Yaml::str("collect")),
                ("containerPort", Yaml::Int(i64::from(COLLECTOR_PORT))),
                ("protocol", Yaml::str("TCP")),
            ])]),
        ),
        ("resources", resources(COLLECTOR_REQUESTS, COLLECTOR_LIMITS)),
        ("volumeMounts", Yaml::Seq(vec![results_mount()])),
    ]);
    let pod = Yaml::map([
        ("containers", Yaml::Seq(vec![container])),
        ("volumes", Yaml::Seq(vec![results_volume()])),
    ]);
    object(
        "apps/v1",
        "Deployment",
        fleet.metadata("collector", "collector"),
        Yaml::map([
            ("replicas", Yaml::Int(1)),
            // Never two collectors at once: each part sends to one.
            ("strategy", Yaml::map([("type", Yaml::str("Recreate"))])),
            ("selector", Yaml::map([("matchLabels", fleet.selector("collector"))])),
            ("template", fleet.template("collector", pod)),
        ]),
    )
}

fn service(fleet: &Fleet) -> Yaml {
    let port = Yaml::map([
        ("name", Yaml::str("collect")),
        ("port", Yaml::Int(i64::from(COLLECTOR_PORT))),
        ("targetPort", Yaml::str("collect")),
        ("protocol", Yaml::str("TCP")),
    ]);
    object(
        "v1",
        "Service",
        fleet.metadata("collector", "collector"),
        Yaml::map([
            ("type", Yaml::str("ClusterIP")),
            ("selector", fleet.selector("collector")),
            ("ports", Yaml::Seq(vec![port])),
        ]),
    )
}

/// The comment block: what this is, how to apply it, follow it, get the results, clean up.
fn comment(fleet: &Fleet) -> String {
    let n = fleet.parallelism;
    let (kubectl, cp_ns) = match &fleet.namespace {
        Some(ns) => (format!("kubectl -n {}", ns.as_str()), format!("{}/", ns.as_str())),
        None => ("kubectl".to_string(), String::new()),
    };
    let name = fleet.name.as_str();
    let what = match &fleet.target {
        Target::Url(url) => format!("{url} (a URL: no ConfigMap, nothing to ship)"),
        Target::Scenario(b) => format!(
            "{MOUNT}/{} — ConfigMap {name}-scenario holds it and the {} file(s) it reads, at the same relative places",
            b.entry,
            b.files.len().saturating_sub(1)
        ),
    };
    let start = match &fleet.start_at {
        Some(at) => format!(
            "Start: every part starts its load at {at} (--start-at); apply well before then, or the parts refuse to start."
        ),
        None => "Start: each part starts its load when its pod starts — seconds apart (scheduling, image pulls) — unless --start-at gives an absolute RFC 3339 time.".to_string(),
    };
    let lines = [
        format!("Generated by loadcell {} k8s: {}", fleet.version, fleet.command_line),
        String::new(),
        format!("A test of {what},"),
        format!("split into {n} parts (k6's execution segments): Indexed Job {name}-parts runs pod I (0-based"),
        format!("JOB_COMPLETION_INDEX) as `loadcell run … --segment I+1/{n} --collect {}`.", fleet.collect_url()),
        format!("Deployment and Service {name}-collector run `loadcell collect --expect {n}`: the parts' intervals"),
        "are merged live and the thresholds judged on the whole fleet (--abort-on-fail stops every part).".into(),
        String::new(),
        "Apply:    loadcell k8s … > loadcell.yaml && kubectl apply -f loadcell.yaml   (or: | kubectl apply -f -)".into(),
        format!("Follow:   {kubectl} logs -f deploy/{name}-collector"),
        format!("          {kubectl} get job {name}-parts; {kubectl} get pods -l app.kubernetes.io/instance={name}"),
        "Results:  when the collector's log says `loadcell collect exited`, copy its folder and rebuild the reports:".into(),
        format!("          POD=$({kubectl} get pods -l app.kubernetes.io/instance={name},app.kubernetes.io/component=collector -o name | cut -d/ -f2)"),
        format!("          kubectl cp {cp_ns}$POD:/results ./results && loadcell report ./results"),
        "Clean up: kubectl delete -f loadcell.yaml".into(),
        String::new(),
        start,
        "The merged intervals are on the wall clock either way (parts started apart span from the first start to the last end).".into(),
        "No part is ever retried (backoffLimitPerIndex: 0): a retried part would run its segment twice. A failed".into(),
        "part fails only its own index; the others go on and the collector reports it (backoffLimitPerIndex needs".into(),
        "Kubernetes 1.29 or later). The collector's container stays up after the collection so that kubectl cp can".into(),
        "fetch /results (a Deployment restarts an exited container, and a new collector would start over).".into(),
    ];
    lines
        .iter()
        .map(|l| match l.is_empty() {
            true => "#\n".to_string(),
            false => format!("# {}\n", one_line(l)),
        })
        .collect()
}

/// A comment line stays one line: a line break or control character in what the user typed
/// is shown escaped, never ends the comment.
fn one_line(text: &str) -> String {
    text.chars()
        .map(
            |c| match c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{FEFF}') {
                true => c.escape_default().to_string(),
                false => c.to_string(),
            },
        )
        .collect()
}
