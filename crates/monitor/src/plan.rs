//! Checking the `--monitor` sources before the run and preparing their samplers: a process
//! id that does not exist, a name that matches nothing, a missing cgroup, an endpoint that
//! does not answer are usage errors before any request is sent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::MonitorError;
use crate::procfs::{cgroup, process, tree};
use crate::series::{SeriesSelector, default_selectors};
use crate::source::Sampler;
use crate::source::cgroup::CgroupSampler;
use crate::source::host::HostSampler;
use crate::source::process::{ProcessSampler, Target};
use crate::source::prometheus::{MAX_SERIES, PrometheusSampler, select};
use crate::source::scrape::Scraper;
use crate::spec::SourceSpec;

/// The sources of a run, checked and ready to sample.
pub struct MonitorPlan {
    pub(crate) sources: Vec<PlannedSource>,
    /// Things worth a line before the run (a `--monitor-series` that matches nothing yet).
    pub warnings: Vec<String>,
}

pub(crate) struct PlannedSource {
    pub spec: SourceSpec,
    pub sampler: Box<dyn Sampler>,
    /// The processes it counts at the start (pid and process sources), for `--flamegraph`.
    pub pids: Vec<u32>,
}

impl MonitorPlan {
    /// Checks each source and prepares its sampler. `series` are the `--monitor-series`
    /// selectors (all of them applied to every `prometheus:` source); without any, the
    /// documented default set is used.
    pub fn resolve(specs: &[SourceSpec], series: &[SeriesSelector]) -> Result<MonitorPlan, MonitorError> {
        MonitorPlan::resolve_in(Path::new("/proc"), specs, series)
    }

    pub(crate) fn resolve_in(
        proc_root: &Path,
        specs: &[SourceSpec],
        series: &[SeriesSelector],
    ) -> Result<MonitorPlan, MonitorError> {
        if !series.is_empty() && !specs.iter().any(|s| matches!(s, SourceSpec::Prometheus(_))) {
            return Err(MonitorError::SeriesWithoutPrometheus);
        }
        let mut seen = BTreeSet::new();
        let mut plan = MonitorPlan {
            sources: Vec::new(),
            warnings: Vec::new(),
        };
        for spec in specs {
            let label = spec.to_string();
            if !seen.insert(label.clone()) {
                return Err(MonitorError::bad_spec(&label, "given twice"));
            }
            let source = match spec {
                SourceSpec::Pid(pid) => pid_source(proc_root, spec, *pid)?,
                SourceSpec::Process(name) => name_source(proc_root, spec, name)?,
                SourceSpec::Cgroup(path) => PlannedSource {
                    spec: spec.clone(),
                    sampler: Box::new(CgroupSampler::new(cgroup_dir(&label, path)?)),
                    pids: Vec::new(),
                },
                SourceSpec::Host => PlannedSource {
                    spec: spec.clone(),
                    sampler: Box::new(HostSampler::new(proc_root.to_path_buf())),
                    pids: Vec::new(),
                },
                SourceSpec::Prometheus(url) => prometheus_source(spec, url, series, &mut plan.warnings)?,
            };
            plan.sources.push(source);
        }
        Ok(plan)
    }

    /// The sources' names, in order (`pid:4242`, `host`, …).
    pub fn labels(&self) -> Vec<String> {
        self.sources.iter().map(|s| s.spec.to_string()).collect()
    }

    /// `--flamegraph`: the processes of the one `pid:`/`process:` source.
    pub fn flamegraph_pids(&self) -> Result<Vec<u32>, MonitorError> {
        let procs: Vec<&PlannedSource> = self
            .sources
            .iter()
            .filter(|s| matches!(s.spec, SourceSpec::Pid(_) | SourceSpec::Process(_)))
            .collect();
        match procs[..] {
            [one] => Ok(one.pids.clone()),
            _ => Err(MonitorError::FlameGraphSources(procs.len())),
        }
    }
}

fn pid_source(proc_root: &Path, spec: &SourceSpec, pid: u32) -> Result<PlannedSource, MonitorError> {
    let stat = std::fs::read_to_string(proc_root.join(pid.to_string()).join("stat")).ok();
    let Some(stat) = stat.as_deref().and_then(process::parse_stat) else {
        return Err(MonitorError::unavailable(
            &spec.to_string(),
            format!("no process {pid} is running"),
        ));
    };
    let target = Target::Pid {
        pid,
        start_ticks: stat.start_ticks,
    };
    Ok(PlannedSource {
        spec: spec.clone(),
        sampler: Box::new(ProcessSampler::new(proc_root.to_path_buf(), target)),
        pids: vec![pid],
    })
}

fn name_source(proc_root: &Path, spec: &SourceSpec, name: &str) -> Result<PlannedSource, MonitorError> {
    let exclude = tree::self_and_ancestors(proc_root, std::process::id());
    let roots = tree::find_matching(proc_root, name, &exclude);
    if roots.is_empty() {
        return Err(MonitorError::unavailable(
            &spec.to_string(),
            format!("no running process is called '{name}' or has it in its command line"),
        ));
    }
    let pids = tree::with_descendants(proc_root, &roots).into_iter().collect();
    let target = Target::Name {
        name: name.to_string(),
        exclude,
        roots,
    };
    Ok(PlannedSource {
        spec: spec.clone(),
        sampler: Box::new(ProcessSampler::new(proc_root.to_path_buf(), target)),
        pids,
    })
}

/// `PATH` inside the cgroup2 mount (`/system.slice/x.service`), or already a path under it.
fn cgroup_dir(label: &str, path: &str) -> Result<PathBuf, MonitorError> {
    let Some(mount) = cgroup::cgroup2_mount() else {
        return Err(MonitorError::unavailable(
            label,
            "this machine has no cgroup v2 hierarchy mounted",
        ));
    };
    let given = Path::new(path);
    let dir = if given.starts_with(&mount) {
        given.to_path_buf()
    } else {
        mount.join(path.trim_start_matches('/'))
    };
    if !dir.join("cgroup.procs").is_file() {
        return Err(MonitorError::unavailable(
            label,
            format!("{} is not a cgroup v2 directory (no cgroup.procs)", dir.display()),
        ));
    }
    Ok(dir)
}

fn prometheus_source(
    spec: &SourceSpec,
    url: &str,
    series: &[SeriesSelector],
    warnings: &mut Vec<String>,
) -> Result<PlannedSource, MonitorError> {
    let label = spec.to_string();
    let samples = Scraper::new(url)
        .scrape()
        .map_err(|e| MonitorError::unavailable(&label, format!("could not scrape it: {e}")))?;
    let selectors = if series.is_empty() {
        default_selectors()
    } else {
        series.to_vec()
    };
    let (kept, dropped) = select(&samples, &selectors);
    for sel in series {
        if !samples.iter().any(|s| sel.matches(&s.name, &s.labels)) {
            let names: Vec<&str> = samples.iter().map(|s| s.name.as_str()).collect();
            let hint = loadcell_diagnostics::closest(&sel.name, names)
                .map(|n| format!("; did you mean '{n}'?"))
                .unwrap_or_default();
            warnings.push(format!(
                "--monitor-series '{}' matches no series of {label} yet{hint}",
                sel.name
            ));
        }
    }
    if kept.is_empty() && series.is_empty() {
        warnings.push(format!(
            "{label} has none of the default series; name the ones to keep with --monitor-series"
        ));
    }
    if dropped > 0 {
        warnings.push(format!(
            "{label}: {dropped} series beyond the first {MAX_SERIES} are not kept; narrow --monitor-series"
        ));
    }
    Ok(PlannedSource {
        spec: spec.clone(),
        sampler: Box::new(PrometheusSampler::new(url, selectors)),
        pids: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(specs: &[&str]) -> String {
        let specs: Vec<SourceSpec> = specs.iter().map(|s| SourceSpec::parse(s).unwrap()).collect();
        match MonitorPlan::resolve(&specs, &[]) {
            Ok(_) => panic!("{specs:?} resolved"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn missing_sources_are_usage_errors() {
        assert_eq!(
            err(&["pid:4294967295"]),
            "--monitor pid:4294967295: no process 4294967295 is running"
        );
        let name = format!("no-such-process-{}", std::process::id());
        assert_eq!(
            err(&[&format!("process:{name}")]),
            format!("--monitor process:{name}: no running process is called '{name}' or has it in its command line"),
        );
        assert!(err(&["cgroup:/no/such/loadcell/cgroup"]).contains("no/such/loadcell/cgroup"));
        assert!(err(&["prometheus:http://127.0.0.1:1/metrics"]).contains("could not scrape it"));
        assert!(err(&["host", "host"]).contains("given twice"));
        let series = SeriesSelector::parse_list("x").unwrap();
        assert_eq!(
            MonitorPlan::resolve(&[SourceSpec::Host], &series).err(),
            Some(MonitorError::SeriesWithoutPrometheus)
        );
    }

    #[test]
    fn this_process_and_the_host_resolve() {
        let me = SourceSpec::Pid(std::process::id());
        let plan = MonitorPlan::resolve(&[me.clone(), SourceSpec::Host], &[]).unwrap();
        assert_eq!(plan.labels(), [me.to_string(), "host".to_string()]);
        assert_eq!(plan.flamegraph_pids().unwrap(), [std::process::id()]);
        let host_only = MonitorPlan::resolve(&[SourceSpec::Host], &[]).unwrap();
        assert_eq!(host_only.flamegraph_pids(), Err(MonitorError::FlameGraphSources(0)));
    }
}
