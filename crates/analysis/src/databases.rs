//! `postgres[]` of a sweep: each database's step windows added up. Every step's window is
//! its own measured window (after its warm-up), so the sum is what the database did while
//! loadcell measured — the time between steps and their warm-ups left out, as they are
//! from the requests it is divided by. Counters add; maxima take the largest; activity
//! samples pool. `top_queries` and `seq_scans` are merged from what each step kept (its
//! ten statements with the most time): a statement outside a step's ten is missing from
//! that step's share of the sum, which `notes` says when it can happen.

use loadcell_schema::{ActivitySummary, DatabaseStats, PostgresSummary, QueryStats, TableScans, WaitEventCount};

/// The statements kept per window (`loadcell-postgres` keeps ten).
const KEPT: usize = 10;

/// The steps' windows of each database (in order of first appearance) added up; `requests`
/// is the HTTP requests measured in all of them.
pub fn added<'a>(windows: impl IntoIterator<Item = &'a PostgresSummary>, requests: u64) -> Vec<PostgresSummary> {
    let mut out: Vec<PostgresSummary> = Vec::new();
    for w in windows {
        match out.iter_mut().find(|d| d.database == w.database) {
            Some(total) => add(total, w),
            None => out.push(w.clone()),
        }
    }
    for db in &mut out {
        db.db_time_per_request_ms = db.db_time_ms.filter(|_| requests > 0).map(|ms| ms / requests as f64);
        finish_shares(db);
    }
    out
}

fn add(total: &mut PostgresSummary, w: &PostgresSummary) {
    let clipped = w.top_queries.len() >= KEPT || total.top_queries.len() >= KEPT;
    total.window_s += w.window_s;
    total.statements_available &= w.statements_available;
    total.db_time_ms = sum(total.db_time_ms, w.db_time_ms);
    total.calls = sum(total.calls, w.calls);
    for q in &w.top_queries {
        match total.top_queries.iter_mut().find(|t| t.query == q.query) {
            Some(t) => add_query(t, q),
            None => total.top_queries.push(q.clone()),
        }
    }
    for scan in &w.seq_scans {
        match total.seq_scans.iter_mut().find(|t| t.table == scan.table) {
            Some(t) => add_scans(t, scan),
            None => total.seq_scans.push(scan.clone()),
        }
    }
    total.database_stats = match (total.database_stats.take(), &w.database_stats) {
        (Some(a), Some(b)) => Some(add_stats(&a, b)),
        (a, b) => a.or_else(|| b.clone()),
    };
    total.activity = add_activity(&total.activity, &w.activity);
    for note in &w.notes {
        if !total.notes.contains(note) {
            total.notes.push(note.clone());
        }
    }
    let note = "the top statements add up each step's ten with the most time; one outside a step's ten misses that step's part".to_string();
    if clipped && !total.notes.contains(&note) {
        total.notes.push(note);
    }
}

fn sum<T: std::ops::Add<Output = T>>(a: Option<T>, b: Option<T>) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

fn add_query(t: &mut QueryStats, q: &QueryStats) {
    t.calls += q.calls;
    t.total_ms += q.total_ms;
    t.mean_ms = if t.calls > 0 { t.total_ms / t.calls as f64 } else { 0.0 };
    t.max_in_window = t.max_in_window && q.max_in_window;
    t.max_ms = t.max_ms.max(q.max_ms);
    t.rows += q.rows;
    t.shared_blks_hit += q.shared_blks_hit;
    t.shared_blks_read += q.shared_blks_read;
}

fn add_scans(t: &mut TableScans, s: &TableScans) {
    t.seq_scans += s.seq_scans;
    t.seq_rows_read += s.seq_rows_read;
    t.index_scans += s.index_scans;
    t.live_rows = s.live_rows;
}

fn add_stats(a: &DatabaseStats, b: &DatabaseStats) -> DatabaseStats {
    let blks_read = a.blks_read + b.blks_read;
    let blks_hit = a.blks_hit + b.blks_hit;
    let accessed = blks_read + blks_hit;
    DatabaseStats {
        commits: a.commits + b.commits,
        rollbacks: a.rollbacks + b.rollbacks,
        blks_read,
        blks_hit,
        cache_hit_percent: (accessed > 0).then(|| 100.0 * blks_hit as f64 / accessed as f64),
        deadlocks: a.deadlocks + b.deadlocks,
        temp_bytes: a.temp_bytes + b.temp_bytes,
    }
}

fn add_activity(a: &ActivitySummary, b: &ActivitySummary) -> ActivitySummary {
    let samples = a.samples + b.samples;
    let waits = a.mean_lock_waits * a.samples as f64 + b.mean_lock_waits * b.samples as f64;
    let mut events: Vec<WaitEventCount> = a.wait_events.clone();
    for e in &b.wait_events {
        match events.iter_mut().find(|x| x.event == e.event) {
            Some(x) => x.count += e.count,
            None => events.push(e.clone()),
        }
    }
    events.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.event.cmp(&y.event)));
    ActivitySummary {
        samples,
        max_connections: a.max_connections.or(b.max_connections),
        max_connections_used: a.max_connections_used.max(b.max_connections_used),
        max_active: a.max_active.max(b.max_active),
        mean_lock_waits: if samples > 0 { waits / samples as f64 } else { 0.0 },
        max_lock_waits: a.max_lock_waits.max(b.max_lock_waits),
        wait_events: events,
    }
}

/// Most time first, at most ten, shares of the summed time; scans by rows read.
fn finish_shares(db: &mut PostgresSummary) {
    db.top_queries.sort_by(|a, b| b.total_ms.total_cmp(&a.total_ms));
    db.top_queries.truncate(KEPT);
    let total = db.db_time_ms.unwrap_or(0.0);
    for q in &mut db.top_queries {
        q.share_percent = if total > 0.0 { 100.0 * q.total_ms / total } else { 0.0 };
    }
    db.seq_scans.sort_by_key(|s| std::cmp::Reverse(s.seq_rows_read));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(db: &str, ms: f64, calls: u64, queries: &[(&str, u64, f64)]) -> PostgresSummary {
        PostgresSummary {
            database: db.to_string(),
            window_s: 5.0,
            statements_available: true,
            db_time_ms: Some(ms),
            calls: Some(calls),
            top_queries: queries
                .iter()
                .map(|&(q, calls, total_ms)| QueryStats {
                    query: q.to_string(),
                    calls,
                    total_ms,
                    mean_ms: total_ms / calls as f64,
                    ..QueryStats::default()
                })
                .collect(),
            activity: ActivitySummary {
                samples: 5,
                max_active: 2,
                mean_lock_waits: 1.0,
                ..ActivitySummary::default()
            },
            ..PostgresSummary::default()
        }
    }

    #[test]
    fn steps_add_up_per_database_with_time_per_request_over_all_requests() {
        let a1 = window("h:5432/a", 100.0, 10, &[("SELECT 1", 10, 100.0)]);
        let mut a2 = window(
            "h:5432/a",
            300.0,
            30,
            &[("SELECT 1", 20, 200.0), ("SELECT 2", 10, 100.0)],
        );
        a2.activity.mean_lock_waits = 3.0;
        a2.activity.max_active = 7;
        let b = window("h:5432/b", 50.0, 5, &[]);
        let all = added([&a1, &b, &a2], 200);
        assert_eq!(all.len(), 2);
        let a = &all[0];
        assert_eq!((a.database.as_str(), a.window_s), ("h:5432/a", 10.0));
        assert_eq!((a.db_time_ms, a.calls), (Some(400.0), Some(40)));
        assert_eq!(a.db_time_per_request_ms, Some(2.0));
        assert_eq!(a.top_queries[0].query, "SELECT 1");
        assert_eq!((a.top_queries[0].calls, a.top_queries[0].mean_ms), (30, 10.0));
        assert_eq!(a.top_queries[0].share_percent, 75.0);
        assert_eq!((a.activity.samples, a.activity.max_active), (10, 7));
        assert_eq!(a.activity.mean_lock_waits, 2.0);
        assert!(a.notes.is_empty(), "{:?}", a.notes);
        assert_eq!(all[1].db_time_per_request_ms, Some(0.25));
    }
}
