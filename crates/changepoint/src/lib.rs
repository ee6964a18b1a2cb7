//! Change points in a history of runs: where did the p95 (or the throughput, or a
//! benchmark's mean) shift, and is the shift real?
//!
//! The method is the one Apache Otava (formerly DataStax's hunter) uses by default, from
//! Fleming et al., "Hunter: Using Change Point Detection to Hunt for Performance
//! Regressions" (ICPE 2023, <https://doi.org/10.1145/3578244.3583719>), read from
//! `otava/analysis.py` and `otava/change_point_divisive/` of apache/otava:
//!
//! 1. **Candidates** by E-divisive means (Matteson and James, 2014,
//!    <https://doi.org/10.48550/arXiv.1306.4933>): within an interval, the split `τ` (and
//!    right end `κ`) maximising the energy statistic `Q̂` between `x[start..τ]` and
//!    `x[τ..κ]` ([`qhat`]), with `|x − y|` distances (Otava's `power = 1`).
//! 2. **Significance** by Student's two-sample t-test between the two sides (Otava's
//!    `TTestSignificanceTester`), instead of the original permutation test — it works with a
//!    handful of points, which is what a history of CI runs has.
//! 3. **Split**: sliding windows of `window_len` points (half a window apart); in each,
//!    candidates are accepted while significant at a relaxed first-pass level (10× the final
//!    one), giving "weak" change points.
//! 4. **Merge**: the weakest point (highest p-value, or, once all are significant, the
//!    smallest relative change) is dropped while it fails `max_pvalue` or `min_magnitude`,
//!    and its neighbours are re-tested against their new neighbours.
//!
//! One deliberate difference: the t-test uses sample standard deviations (n − 1); Otava
//! passes population ones (`np.std`) to scipy's `ttest_ind_from_stats`, which makes it
//! slightly more eager with very few points.

mod detect;
mod energy;
mod ttest;

pub use detect::{ChangePoint, Options, change_points};
pub use energy::qhat;
