//! The knee of a latency curve (Kneedle, Satopää et al. 2011): with rate and latency
//! both scaled to 0..=1, the knee of a convex rising curve is the point that lies
//! furthest below the straight line from the first point to the last.

/// The knee of `points` (offered rate, p95 ms), in any order; `None` with fewer than
/// three distinct rates or a curve that does not rise.
pub fn knee(points: &[(f64, f64)]) -> Option<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts.dedup_by(|a, b| a.0 == b.0);
    if pts.len() < 3 {
        return None;
    }
    let (x0, x1) = (pts.first()?.0, pts.last()?.0);
    let y0 = pts.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
    let y1 = pts.iter().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    let mut best: Option<((f64, f64), f64)> = None;
    for &(x, y) in &pts[1..pts.len() - 1] {
        let gap = (x - x0) / (x1 - x0) - (y - y0) / (y1 - y0);
        if gap > 0.0 && best.is_none_or(|(_, g)| gap > g) {
            best = Some(((x, y), gap));
        }
    }
    best.map(|(p, _)| p)
}
