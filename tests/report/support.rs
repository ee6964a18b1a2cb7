//! Processes under wall-clock limits for the report tests: a fresh temporary directory per
//! test, the `loadcell` binary run to a parsed `Summary`, and headless Chromium dumping the
//! DOM of a local file after its scripts ran (with a throwaway profile, no network use).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use loadcell_report::Summary;

/// No loadcell run may take longer than this.
pub const LOADCELL_LIMIT: Duration = Duration::from_secs(60);
/// No Chromium run may take longer than this.
pub const CHROMIUM_LIMIT: Duration = Duration::from_secs(60);

/// The browser the tests drive; `LOADCELL_TEST_CHROMIUM` overrides the path.
pub fn chromium_path() -> PathBuf {
    std::env::var_os("LOADCELL_TEST_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from)
}

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "loadcell-report-{tag}-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Waits for `child` at most `limit`; kills it and panics when it overruns.
fn wait_bounded(mut child: Child, limit: Duration, what: &str) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("poll child") {
            return status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Runs `loadcell` with `args` plus `--summary-json` into `dir`, and returns the summary.
/// Exit codes 0 (passed) and 1 (a threshold failed) are both fine here.
pub fn run_loadcell(dir: &TempDir, args: &[&str]) -> Summary {
    let summary_path = dir.path().join("summary.json");
    let stdout = std::fs::File::create(dir.path().join("loadcell.out")).expect("stdout file");
    let stderr = std::fs::File::create(dir.path().join("loadcell.err")).expect("stderr file");
    let child = Command::new(env!("CARGO_BIN_EXE_loadcell"))
        .args(args)
        .arg("--summary-json")
        .arg(&summary_path)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr)
        .spawn()
        .expect("start loadcell");
    let status = wait_bounded(child, LOADCELL_LIMIT, "loadcell");
    let err = std::fs::read_to_string(dir.path().join("loadcell.err")).unwrap_or_default();
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "loadcell {args:?} exited {status}:\n{err}"
    );
    let text = std::fs::read_to_string(&summary_path).unwrap_or_else(|e| panic!("no summary ({e}):\n{err}"));
    serde_json::from_str(&text).expect("summary.json parses as loadcell_schema::Summary")
}

/// Opens `html` in headless Chromium and returns the DOM after the page's scripts ran.
pub fn chromium_dom(dir: &TempDir, html: &Path) -> String {
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
    let child = Command::new(&chromium)
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
            "--window-size=1400,2000",
            "--virtual-time-budget=5000",
        ])
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
    let status = wait_bounded(child, CHROMIUM_LIMIT, "chromium");
    let dom = std::fs::read_to_string(&dom_path).unwrap_or_default();
    let err = std::fs::read_to_string(dir.path().join("chromium.err")).unwrap_or_default();
    assert!(
        status.success() && !dom.is_empty(),
        "chromium exited {status} with no DOM:\n{err}"
    );
    dom
}
