//! Process exit codes, the part of loadcell's interface that CI pipelines depend on most.

/// The run completed and every threshold held.
pub const OK: i32 = 0;
/// The run completed (or was aborted) and at least one threshold failed.
pub const THRESHOLD_FAILED: i32 = 1;
/// `loadcell compare` (and `run --baseline`, `baseline check`): something regressed.
/// The same code as a failed threshold, so CI treats both alike.
pub const REGRESSED: i32 = 1;
/// The test is incomplete: stopped by Ctrl-C (or SIGTERM), a results folder whose run
/// never finished, or a scenario's `teardown:` that failed. Whatever was measured is
/// reported, but it is not a pass.
pub const INCOMPLETE: i32 = 1;
/// Bad usage or input: unknown flag, malformed URL, bad duration, rate or threshold.
/// Nothing was sent — or only a scenario's `setup:`, which failed (k6 exits 107 or 100).
pub const USAGE: i32 = 2;
/// Load was sent and measured, but a result could not be written (`--summary-json`, the
/// results folder): the verdict is still printed, and the failure named on stderr.
pub const OUTPUT_FAILED: i32 = 1;
