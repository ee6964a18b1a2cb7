//! `loadcell k8s URL|FILE --parallelism N [run flags]`: the run flags checked as `loadcell
//! run` checks them, picked out of the command line as typed (every word that is not
//! `k8s`'s own flag or the target), then `loadcell-k8s` builds the manifests and they are
//! printed (or written to `--output`). Nothing is sent.

use crate::args::{CLUSTER_IDS, Cli, K8sArgs};
use crate::error::CliError;
use clap::CommandFactory;
use loadcell_k8s::{Bundle, Fleet, Name, Resources, Target};
use loadcell_schema::exit;
use std::ffi::OsString;
use std::path::Path;

/// `loadcell k8s`; `argv` is the whole command line, as clap parsed it.
pub fn run(args: &K8sArgs, argv: &[OsString]) -> Result<i32, CliError> {
    let run = &args.run;
    if let Some(why) = refused(args) {
        return Err(CliError::Usage(why.to_string()));
    }
    let given = present(argv)?;
    if let Some(at) = &run.load.start_at
        && at.trim_start().starts_with('+')
    {
        return Err(CliError::Usage(format!(
            "--start-at {at} counts from each pod's own start, so the parts would not start together: give an absolute RFC 3339 time (e.g. 2026-12-04T13:00:00Z)"
        )));
    }
    super::run::check(run)?;
    let c = &args.cluster;
    // The requests go where --base-url, the URL or the scenario's `target:` says.
    let (target, aimed_at) = match run.target.contains("://") {
        true => (Target::Url(run.target.clone()), Some(run.target.clone())),
        false => {
            let path = Path::new(&run.target);
            let scenario = loadcell_scenario::load(path).map_err(|e| CliError::Usage(e.to_string()))?;
            let bundle = Bundle::of(path, &scenario.files).map_err(usage)?;
            (Target::Scenario(bundle), scenario.target)
        }
    };
    let aimed_at = run.request.base_url.clone().or(aimed_at);
    let fleet = Fleet {
        name: Name::test(&c.name).map_err(usage)?,
        namespace: c.namespace.as_deref().map(Name::namespace).transpose().map_err(usage)?,
        image: loadcell_k8s::image(&c.image).map_err(usage)?,
        parallelism: c.parallelism,
        part: Resources::new(&c.cpu, &c.memory).map_err(usage)?,
        target,
        run_flags: given
            .iter()
            .filter(|g| !g.own)
            .flat_map(|g| g.words.iter().cloned())
            .collect(),
        collector_flags: collector_flags(args),
        start_at: run.load.start_at.clone(),
        command_line: format!("loadcell {}", loadcell_k8s::shell_words(&words(argv)?[1..])),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    if let Some(url) = aimed_at.filter(|u| loadcell_k8s::is_loopback(u)) {
        eprintln!(
            "warning: the target {url} is this machine's loopback, which in a pod is the pod itself: give its address in the cluster (e.g. --base-url http://shop.default.svc:8080)"
        );
    }
    let text = loadcell_k8s::manifests(&fleet);
    match &c.output {
        Some(file) => std::fs::write(file, text)
            .map_err(|e| CliError::Usage(format!("--output {}: cannot write: {e}", file.display())))?,
        None => print!("{text}"),
    }
    Ok(exit::OK)
}

/// Flags the manifests set themselves, or that name files the pods would not have.
fn refused(args: &K8sArgs) -> Option<&'static str> {
    let run = &args.run;
    let request = &run.request;
    [
        (run.load.segment.is_some(), "--segment is set by the manifests: pod I runs part I of --parallelism"),
        (run.collect.is_some(), "--collect is set by the manifests: the parts send to the collector's Service"),
        (run.folder.out.is_some(), "--out is set by the manifests: the merged results are the collector's /results"),
        (run.folder.no_out, "--no-out cannot be used: each part keeps its folder while it sends it to the collector"),
        (
            request.body_file.is_some(),
            "--body-file names a file the pods do not have: use a scenario file's body_file:, which is shipped with it",
        ),
        (
            request.cacert.is_some() || request.cert.is_some(),
            "--cacert, --cert and --key name files the pods do not have: use a scenario file's tls:, whose files are shipped with it",
        ),
        (
            run.baseline.baseline.is_some(),
            "--baseline names a folder the pods do not have: compare the merged results afterwards (loadcell compare)",
        ),
    ]
    .into_iter()
    .find_map(|(given, why)| given.then_some(why))
}

fn usage(e: loadcell_k8s::K8sError) -> CliError {
    CliError::Usage(e.to_string())
}

/// The fleet-wide verdict's flags for the collector: the parts' thresholds travel in their
/// `meta.json` and the collector judges them on the merged data (given again here they
/// would be judged twice); `--abort-on-fail` must be the collector's to stop the fleet.
fn collector_flags(args: &K8sArgs) -> Vec<String> {
    let verdict = &args.run.verdict;
    match verdict.abort_on_fail {
        true => vec![
            "--abort-on-fail".into(),
            "--abort-delay".into(),
            format!("{}ms", verdict.abort_delay.as_millis()),
        ],
        false => Vec::new(),
    }
}

/// One flag (or a cluster of shorts) as it stood on the command line: clap's ids, whether
/// it is `k8s`'s own, and its words (the flag and, when separate, its value).
#[derive(Debug, PartialEq, Eq)]
struct Given {
    ids: Vec<String>,
    own: bool,
    words: Vec<String>,
}

fn words(argv: &[OsString]) -> Result<Vec<String>, CliError> {
    argv.iter()
        .map(|a| {
            a.to_str().map(str::to_string).ok_or_else(|| {
                CliError::Usage(format!(
                    "{}: not UTF-8 text, which a manifest cannot hold",
                    a.to_string_lossy()
                ))
            })
        })
        .collect()
}

/// Every flag after `k8s` on the command line, classified by clap's own definitions of the
/// subcommand (long names, aliases, shorts, which take a value), in order. The target is
/// left out. The line already parsed, so each flag is known.
fn present(argv: &[OsString]) -> Result<Vec<Given>, CliError> {
    let all = words(argv)?;
    let mut cli = Cli::command();
    cli.build();
    let sub = cli
        .find_subcommand("k8s")
        .ok_or_else(|| CliError::Usage("no k8s command".into()))?;
    let start = all.iter().skip(1).position(|w| w == "k8s").map_or(all.len(), |p| p + 2);
    let rest = &all[start..];
    let takes = |a: &clap::Arg| a.get_num_args().is_some_and(|n| n.takes_values());
    let mut out = Vec::new();
    let mut i = 0;
    let mut only_positionals = false;
    while i < rest.len() {
        let word = &rest[i];
        if word == "--" && !only_positionals {
            only_positionals = true;
            i += 1;
            continue;
        }
        let (found, n): (Vec<&clap::Arg>, usize) = if only_positionals || word == "-" || !word.starts_with('-') {
            (Vec::new(), 1)
        } else if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, _)) => (name, true),
                None => (long, false),
            };
            let arg = sub
                .get_arguments()
                .find(|a| a.get_long() == Some(name) || a.get_all_aliases().is_some_and(|al| al.contains(&name)));
            let n = match arg {
                Some(a) if takes(a) && !inline => 2,
                _ => 1,
            };
            (arg.into_iter().collect(), n)
        } else {
            // A cluster of shorts (`-qc10`, `-c 10`): the first that takes a value takes the
            // rest of the word, or the next word when nothing is left.
            let shorts: Vec<char> = word.chars().skip(1).collect();
            let mut found = Vec::new();
            let mut n = 1;
            for (at, c) in shorts.iter().enumerate() {
                let arg = sub
                    .get_arguments()
                    .find(|a| a.get_short() == Some(*c) || a.get_all_short_aliases().is_some_and(|al| al.contains(c)));
                found.extend(arg);
                if arg.is_some_and(takes) {
                    if at + 1 == shorts.len() {
                        n = 2;
                    }
                    break;
                }
            }
            (found, n)
        };
        let end = (i + n).min(rest.len());
        // The one positional is the target (no flag found): the pods get their own path.
        if !found.is_empty() {
            out.push(Given {
                ids: found.iter().map(|a| a.get_id().to_string()).collect(),
                own: found.iter().any(|a| CLUSTER_IDS.contains(&a.get_id().as_str())),
                words: rest[i..end].to_vec(),
            });
        }
        i = end;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(line: &str) -> Vec<(String, bool, String)> {
        let argv: Vec<OsString> = line.split(' ').map(OsString::from).collect();
        present(&argv)
            .unwrap_or_default()
            .into_iter()
            .map(|g| (g.ids.join("+"), g.own, g.words.join(" ")))
            .collect()
    }

    #[test]
    fn the_collector_gets_abort_on_fail_and_its_delay_in_a_form_collect_parses() {
        use crate::args::Command;
        use clap::Parser;
        let parsed = Cli::try_parse_from([
            "loadcell",
            "k8s",
            "http://h/",
            "--parallelism",
            "2",
            "--abort-on-fail",
            "--abort-delay",
            "1.5s",
        ]);
        let Ok(Cli {
            command: Command::K8s(args),
        }) = parsed
        else {
            panic!("{parsed:?}");
        };
        let flags = collector_flags(&args);
        let mut line = vec![
            "loadcell".to_string(),
            "collect".into(),
            "--listen".into(),
            "127.0.0.1:0".into(),
        ];
        line.extend(["--expect".into(), "2".into()]);
        line.extend(flags);
        match Cli::try_parse_from(&line) {
            Ok(Cli {
                command: Command::Collect(c),
            }) => {
                assert!(c.abort_on_fail);
                assert_eq!(c.abort_delay, std::time::Duration::from_millis(1500));
            }
            other => panic!("{line:?}: {other:?}"),
        }
    }

    #[test]
    fn run_flags_are_picked_out_as_typed_and_the_clusters_left_out() {
        let got = given(
            "loadcell k8s -c 10 shop.yaml --parallelism 3 -d=5s --threshold p95<200ms --name=t -qn100 --stage 1s:2 --image x -- shop.yaml",
        );
        let expect = [
            ("concurrency", false, "-c 10"),
            ("parallelism", true, "--parallelism 3"),
            ("duration", false, "-d=5s"),
            ("thresholds", false, "--threshold p95<200ms"),
            ("name", true, "--name=t"),
            ("quiet+requests", false, "-qn100"),
            ("stage", false, "--stage 1s:2"),
            ("image", true, "--image x"),
        ];
        let expect: Vec<(String, bool, String)> = expect
            .iter()
            .map(|(i, o, w)| (i.to_string(), *o, w.to_string()))
            .collect();
        assert_eq!(got, expect);
        // A value that looks like a flag is the flag's value; aliases are known.
        let got = given("loadcell k8s http://h/ -r -5 --vus 2 -u 3 --iterations 9");
        let ids: Vec<&str> = got.iter().map(|g| g.0.as_str()).collect();
        assert_eq!(ids, ["rate", "concurrency", "concurrency", "requests"]);
        assert_eq!(got[0].2, "-r -5");
    }
}
