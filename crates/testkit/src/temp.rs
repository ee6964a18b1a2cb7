//! Temporary folders for a test's files, removed when the test ends.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "loadcell-it-{}-{}-{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `name` in this directory and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }

    /// Writes the seeded users of the shop target as `users.csv` (`name,password`, 1000 rows).
    pub fn users_csv(&self) -> PathBuf {
        self.write("users.csv", &loadcell_target::users_csv())
    }

    /// The first `n` seeded users as `name` (`name,password`).
    pub fn first_users_csv(&self, name: &str, n: usize) -> PathBuf {
        let full = loadcell_target::users_csv();
        let text: Vec<&str> = full.lines().take(n + 1).collect();
        self.write(name, &(text.join("\n") + "\n"))
    }
}

impl Default for TempDir {
    fn default() -> TempDir {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
