//! `loadcell demo`'s database act, the real binary with its own throw-away cluster: the
//! unindexed search's `database` verdict names the search statement with its sequential
//! scans and recommends the index, the indexed run costs less database time per request,
//! no connection string (so no password) is printed, and nothing is left behind — no
//! server, no folder — at the end or after a Ctrl-C in the middle.

use std::time::Duration;

use loadcell_testkit::{Loadcell, postgres, wait_until};

/// The normalised search as pg_stat_statements shows it.
const SEARCH: &str = "FROM loadcell_products WHERE category = $1 ORDER BY price LIMIT $2";

/// The prefix of the cluster folders process `pid` makes (`loadcell_postgres::cluster`).
fn cluster_prefix(pid: u32) -> String {
    format!("loadcell-postgres-{pid}-")
}

/// The cluster folders and server processes of loadcell process `pid` still there.
fn left_behind(pid: u32) -> Vec<String> {
    let prefix = cluster_prefix(pid);
    let mut left: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .map(|d| {
            d.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().filter_map(Result::ok) {
        let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if cmdline.contains(&prefix) {
            left.push(format!("process {}: {cmdline}", entry.file_name().to_string_lossy()));
        }
    }
    left
}

/// The `→` numbers of the act's last line: (without the index, with it), in ms.
fn db_time_per_request(output: &str) -> (f64, f64) {
    let line = output
        .lines()
        .find(|l| l.contains("with the index (--postgres-index): database time per request"))
        .unwrap_or_else(|| panic!("no difference line:\n{output}"));
    let numbers = line.split("per request ").nth(1).expect("numbers");
    let mut parts = numbers.split(" → ");
    let before = parts.next().and_then(|p| p.trim_end_matches(" ms").parse().ok());
    let after = parts
        .next()
        .and_then(|p| p.split(" ms").next())
        .and_then(|p| p.parse().ok());
    match (before, after) {
        (Some(b), Some(a)) => (b, a),
        _ => panic!("cannot read the numbers of: {line}"),
    }
}

#[test]
fn the_demos_database_act_recommends_the_index_and_the_index_cuts_database_time() {
    if !postgres::installed() {
        return;
    }
    let running = Loadcell::new(&["demo", "--only", "database", "--quiet"])
        .alone()
        .spawn();
    let pid = running.child.id();
    let done = running.wait();
    done.assert_exit(0);
    let output = done.output();
    let verdict = output
        .lines()
        .find(|l| l.contains("▸ database ("))
        .unwrap_or_else(|| panic!("no database verdict:\n{output}"));
    assert!(verdict.contains(SEARCH), "{verdict}");
    assert!(
        output.contains("· top statement by time (") && output.contains("% of database time): SELECT"),
        "{output}"
    );
    assert!(
        output.contains("· sequential scans of public.loadcell_products"),
        "{output}"
    );
    assert!(
        output.contains("→ add an index on public.loadcell_products"),
        "{output}"
    );
    let (without, with) = db_time_per_request(&output);
    assert!(
        with < without,
        "database time per request {without} ms → {with} ms\n{output}"
    );
    assert!(
        !output.contains("postgres://"),
        "a connection string was printed:\n{output}"
    );
    let left = left_behind(pid);
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Starts `loadcell demo --only database` and waits until its cluster's server is up (its
/// pid file is written in the cluster's data folder).
fn demo_with_its_cluster_up() -> loadcell_testkit::Running {
    let running = Loadcell::new(&["demo", "--only", "database", "--quiet"]).spawn();
    let prefix = cluster_prefix(running.child.id());
    let started = wait_until(Duration::from_secs(60), || {
        std::fs::read_dir(std::env::temp_dir())
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
            .any(|e| e.path().join("data/postmaster.pid").exists())
    });
    assert!(started, "the demo's cluster did not start within 60 s");
    running
}

#[test]
fn a_ctrl_c_during_the_database_act_leaves_no_server_and_no_folder() {
    if !postgres::installed() {
        return;
    }
    let running = demo_with_its_cluster_up();
    let pid = running.child.id();
    running.signal(libc::SIGINT);
    let done = running.wait();
    done.assert_no_panic();
    let left = left_behind(pid);
    assert!(left.is_empty(), "left behind after Ctrl-C: {left:?}\n{}", done.output());
}

#[test]
fn summary_json_names_the_shop_act_so_only_database_refuses_it() {
    let done = loadcell_testkit::run_raw(&["demo", "--only", "database", "--summary-json", "x.json"]);
    done.assert_exit(2);
    assert!(
        done.output().contains("--summary-json writes the shop act's summary"),
        "{}",
        done.output()
    );
}

#[test]
fn the_cluster_of_a_killed_demo_is_removed_by_the_next_one() {
    if !postgres::installed() {
        return;
    }
    // SIGKILL leaves no chance to clean up: the server and its folder stay behind...
    let running = demo_with_its_cluster_up();
    let killed = running.child.id();
    running.signal(libc::SIGKILL);
    let _ = running.wait();
    assert!(!left_behind(killed).is_empty(), "nothing was left to clean up");
    // ...until the next demo's database act, which stops and removes them first.
    let next = Loadcell::new(&["demo", "--only", "database", "--quiet"]).spawn();
    let next_pid = next.child.id();
    let next = next.wait();
    next.assert_exit(0);
    assert!(next.output().contains("removed "), "{}", next.output());
    let left = left_behind(killed);
    assert!(left.is_empty(), "left behind by the killed demo: {left:?}");
    assert!(left_behind(next_pid).is_empty());
}
