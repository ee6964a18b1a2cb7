//! The report tests' helpers, besides the shared test kit (`loadcell-testkit`): the
//! `loadcell` binary run to a parsed `Summary`, and headless Chromium dumping the DOM of a
//! local file after its scripts ran (with a throwaway profile, no network use), under a
//! wall-clock limit.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use loadcell_report::Summary;
pub use loadcell_testkit::TempDir;
use loadcell_testkit::process::{Loadcell, wait_bounded};

/// No Chromium run may take longer than this.
pub const CHROMIUM_LIMIT: Duration = Duration::from_secs(60);

/// The browser the tests drive; `LOADCELL_TEST_CHROMIUM` overrides the path.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("LOADCELL_TEST_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// Runs `loadcell` with `args` plus `--summary-json` into `dir`, and returns the summary.
/// Exit codes 0 (passed) and 1 (a threshold failed) are both fine here.
pub fn run_loadcell(dir: &TempDir, args: &[&str]) -> Summary {
    let summary_path = dir.path().join("summary.json");
    let path = summary_path.to_string_lossy().into_owned();
    let mut full: Vec<&str> = args.to_vec();
    full.extend(["--summary-json", &path]);
    let run = Loadcell::new(&full).run();
    assert!(matches!(run.code, Some(0 | 1)), "loadcell {args:?}:\n{}", run.output());
    loadcell_testkit::read_typed(&summary_path)
}

/// Opens `html` in headless Chromium and returns the DOM after the page's scripts ran.
pub fn chromium_dom(dir: &TempDir, html: &Path) -> String {
    chromium_dom_at(dir, html, 1400)
}

/// [`chromium_dom`] in a window `width` CSS pixels wide.
pub fn chromium_dom_at(dir: &TempDir, html: &Path, width: u32) -> String {
    let chromium = chromium_path();
    assert!(
        chromium.is_file(),
        "headless Chromium is required at {} (set LOADCELL_TEST_CHROMIUM to use another): \
         run scripts/install-test-deps.sh",
        chromium.display()
    );
    let profile = dir.path().join("chromium-profile");
    let dom_path = dir.path().join("dom.html");
    let stdout = std::fs::File::create(&dom_path).expect("dom file");
    let stderr = std::fs::File::create(dir.path().join("chromium.err")).expect("stderr file");
    let mut child = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--window-size={width},2000"))
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot start {}: {e}; run scripts/install-test-deps.sh",
                chromium.display()
            )
        });
    let status = wait_bounded(&mut child, CHROMIUM_LIMIT)
        .unwrap_or_else(|| panic!("chromium did not finish within {CHROMIUM_LIMIT:?}"));
    let dom = std::fs::read_to_string(&dom_path).unwrap_or_default();
    let err = std::fs::read_to_string(dir.path().join("chromium.err")).unwrap_or_default();
    assert!(
        status.success() && !dom.is_empty(),
        "chromium exited {status} with no DOM:\n{err}"
    );
    dom
}
