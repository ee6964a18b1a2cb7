//! One side of one load row (the whole run or an endpoint, in the base or the new run): the
//! exact statistics shown, and the per-second units the block bootstrap resamples.
//!
//! A resample merges the chosen seconds' histogram counts and reads the percentiles off the
//! merged counts — percentiles are never averaged. Only a bare `summary.json`, which has no
//! histograms, falls back to request-weighted means of per-second percentiles, and only to
//! size the interval (see [`Side::scaled`]).

use loadcell_schema::MetricKind;

/// The statistics of a load row.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Point {
    /// Latency percentiles, ms.
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    /// Requests per second.
    pub throughput: f64,
    /// Failed / requests, 0 to 1.
    pub error_rate: f64,
}

impl Point {
    pub fn get(&self, metric: MetricKind) -> f64 {
        match metric {
            MetricKind::P50 => self.p50,
            MetricKind::P95 => self.p95,
            MetricKind::P99 => self.p99,
            MetricKind::Throughput => self.throughput,
            MetricKind::ErrorRate => self.error_rate,
            MetricKind::Median | MetricKind::Mean => f64::NAN,
        }
    }
}

/// One unit of a histogram series: a second (or, in long runs, a few merged seconds).
#[derive(Debug, Clone, Default)]
pub struct HistUnit {
    pub len_s: f64,
    pub requests: u64,
    pub failed: u64,
    /// (index into [`HistSeries::values`], count), ascending.
    pub counts: Vec<(u32, u64)>,
    /// Mean latency of the unit in µs (the series the block length is chosen on).
    pub mean_us: f64,
}

/// Per-unit latency histograms over one shared, sorted set of distinct values.
#[derive(Debug, Clone, Default)]
pub struct HistSeries {
    /// Distinct recorded values in µs (HDR's highest equivalent value of each bucket).
    pub values: Vec<u64>,
    pub units: Vec<HistUnit>,
}

/// One second of a `summary.json` time series.
#[derive(Debug, Clone, Copy, Default)]
pub struct PctUnit {
    pub len_s: f64,
    pub requests: u64,
    pub failed: u64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
    pub mean: f64,
}

/// What a side can resample.
#[derive(Debug, Clone)]
pub enum Units {
    /// Per-second HDR histograms (a results folder).
    Histograms(HistSeries),
    /// Per-second percentiles (a bare `summary.json`).
    Percentiles(Vec<PctUnit>),
    /// Totals only (an endpoint of a bare `summary.json`).
    None,
}

/// One side of a row.
#[derive(Debug, Clone)]
pub struct Side {
    /// The statistics shown, as `summary.json` reports them.
    pub exact: Point,
    pub requests: u64,
    pub units: Units,
}

impl Side {
    /// How many units can be resampled (0 without per-second data).
    pub fn len(&self) -> usize {
        match &self.units {
            Units::Histograms(h) => h.units.len(),
            Units::Percentiles(p) => p.len(),
            Units::None => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The series the block length is chosen on: each unit's mean latency (units without
    /// requests take the overall mean, adding no dependence).
    pub fn block_series(&self) -> Vec<f64> {
        let raw: Vec<(u64, f64)> = match &self.units {
            Units::Histograms(h) => h.units.iter().map(|u| (u.requests, u.mean_us)).collect(),
            Units::Percentiles(p) => p.iter().map(|u| (u.requests, u.mean)).collect(),
            Units::None => Vec::new(),
        };
        let busy: Vec<f64> = raw.iter().filter(|(r, _)| *r > 0).map(|(_, m)| *m).collect();
        let fill = busy.iter().sum::<f64>() / busy.len().max(1) as f64;
        raw.iter().map(|&(r, m)| if r > 0 { m } else { fill }).collect()
    }

    /// The statistics of the units at `idx` (with repeats), computed the way the centre is.
    pub fn replicate(&self, idx: &[usize], scratch: &mut Vec<u64>) -> Point {
        match &self.units {
            Units::Histograms(h) => h.replicate(idx, scratch),
            Units::Percentiles(p) => percentile_replicate(p, idx),
            Units::None => self.exact,
        }
    }

    /// The statistics of every unit once: what a replicate is compared with. For histogram
    /// latencies this equals `exact`; throughput uses the intervals' own lengths, and a
    /// `summary.json` side uses weighted per-second percentiles.
    pub fn centre(&self) -> Point {
        let all: Vec<usize> = (0..self.len()).collect();
        self.replicate(&all, &mut Vec::new())
    }

    /// A replicate's value of `metric` moved onto the exact scale: the exact value times the
    /// replicate's ratio to the centre (a difference, for the error rate). With histograms
    /// the latency ratio is the replicate itself; with per-second percentiles it carries
    /// only their relative spread.
    pub fn scaled(&self, metric: MetricKind, centre: &Point, replicate: &Point) -> f64 {
        let (exact, c, r) = (self.exact.get(metric), centre.get(metric), replicate.get(metric));
        if metric.absolute_change() {
            exact + (r - c)
        } else if c > 0.0 {
            exact * r / c
        } else {
            f64::NAN
        }
    }
}

impl HistSeries {
    /// The `q` quantile (ms) of unit `i` alone.
    pub fn unit_quantile(&self, i: usize, q: f64) -> f64 {
        let u = &self.units[i];
        let values: Vec<u64> = u.counts.iter().map(|&(v, _)| self.values[v as usize]).collect();
        let counts: Vec<u64> = u.counts.iter().map(|&(_, c)| c).collect();
        let [x] = quantiles(&values, &counts, counts.iter().sum(), [q]);
        x
    }

    fn replicate(&self, idx: &[usize], dense: &mut Vec<u64>) -> Point {
        dense.clear();
        dense.resize(self.values.len(), 0);
        let (mut len_s, mut requests, mut failed, mut total) = (0.0, 0u64, 0u64, 0u64);
        for &i in idx {
            let u = &self.units[i];
            len_s += u.len_s;
            requests += u.requests;
            failed += u.failed;
            for &(v, c) in &u.counts {
                dense[v as usize] += c;
                total += c;
            }
        }
        let [p50, p95, p99] = quantiles(&self.values, dense, total, [0.50, 0.95, 0.99]);
        Point {
            p50,
            p95,
            p99,
            throughput: ratio(requests as f64, len_s),
            error_rate: ratio(failed as f64, requests as f64),
        }
    }
}

/// Percentiles in ms of dense counts over `values` (µs), as HdrHistogram's
/// `value_at_quantile` reads them: the first value whose cumulative count reaches
/// `max(1, ⌈q · total⌉)`.
pub fn quantiles<const N: usize>(values: &[u64], counts: &[u64], total: u64, qs: [f64; N]) -> [f64; N] {
    let mut out = [0.0; N];
    if total == 0 {
        return out;
    }
    let targets = qs.map(|q| ((q * total as f64).ceil() as u64).max(1));
    let (mut cumulative, mut next) = (0u64, 0usize);
    for (value, &count) in values.iter().zip(counts) {
        cumulative += count;
        while next < N && cumulative >= targets[next] {
            out[next] = *value as f64 / 1000.0;
            next += 1;
        }
        if next == N {
            break;
        }
    }
    out
}

fn percentile_replicate(units: &[PctUnit], idx: &[usize]) -> Point {
    let (mut len_s, mut requests, mut failed) = (0.0, 0u64, 0u64);
    let (mut p50, mut p95, mut p99) = (0.0, 0.0, 0.0);
    for &i in idx {
        let u = &units[i];
        len_s += u.len_s;
        requests += u.requests;
        failed += u.failed;
        let w = u.requests as f64;
        p50 += w * u.p50;
        p95 += w * u.p95;
        p99 += w * u.p99;
    }
    let w = requests as f64;
    Point {
        p50: ratio(p50, w),
        p95: ratio(p95, w),
        p99: ratio(p99, w),
        throughput: ratio(requests as f64, len_s),
        error_rate: ratio(failed as f64, w),
    }
}

/// `a / b`, 0 when `b` is 0.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use loadcell_metrics::{new_histogram, record_us};

    #[test]
    fn quantiles_match_hdrhistogram() {
        let mut h = new_histogram();
        for v in [120u64, 150, 150, 900, 1_000, 25_000, 25_013, 80_000, 1_200_000] {
            record_us(&mut h, v);
        }
        let (values, counts): (Vec<u64>, Vec<u64>) = h
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .unzip();
        for q in [0.0, 0.1, 0.5, 0.77, 0.95, 0.99, 1.0] {
            let [mine] = quantiles(&values, &counts, h.len(), [q]);
            assert_eq!(mine, h.value_at_quantile(q) as f64 / 1000.0, "q = {q}");
        }
    }

    #[test]
    fn percentile_series_weights_by_requests() {
        let units = [
            PctUnit {
                len_s: 1.0,
                requests: 3,
                failed: 1,
                p50: 10.0,
                p95: 20.0,
                p99: 30.0,
                mean: 11.0,
            },
            PctUnit {
                len_s: 0.5,
                requests: 1,
                failed: 0,
                p50: 30.0,
                p95: 40.0,
                p99: 50.0,
                mean: 31.0,
            },
        ];
        let p = percentile_replicate(&units, &[0, 1]);
        assert_eq!(
            (p.p50, p.p95, p.throughput, p.error_rate),
            (15.0, 25.0, 4.0 / 1.5, 0.25)
        );
    }
}
