//! `prometheus:URL`: each interval one scrape, the selected series (see `crate::series`)
//! summed as asked, gauges kept as they are and counters as per-second rates between two
//! scrapes (a counter that went back, a restart, gives no rate for that interval).

use std::collections::BTreeMap;
use std::time::Instant;

use super::scrape::{Scraped, Scraper};
use super::{Outcome, Reading, Sampler};
use crate::series::SeriesSelector;

/// At most this many series are kept per source (the first in selector order); a
/// selector that matches more is a mistake better seen than paid for every second.
pub const MAX_SERIES: usize = 64;

pub(crate) struct PrometheusSampler {
    scraper: Scraper,
    selectors: Vec<SeriesSelector>,
    /// Counter values of the last scrape, by series name.
    last: Option<(Instant, BTreeMap<String, f64>)>,
}

impl PrometheusSampler {
    pub(crate) fn new(url: &str, selectors: Vec<SeriesSelector>) -> PrometheusSampler {
        PrometheusSampler {
            scraper: Scraper::new(url),
            selectors,
            last: None,
        }
    }
}

/// The selected series of one scrape: name → (value, is a counter), at most
/// [`MAX_SERIES`], and how many more were left out.
pub(crate) fn select(samples: &[Scraped], selectors: &[SeriesSelector]) -> (BTreeMap<String, (f64, bool)>, usize) {
    let mut out: BTreeMap<String, (f64, bool)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for sel in selectors {
        for s in samples.iter().filter(|s| sel.matches(&s.name, &s.labels)) {
            let name = sel.series_name(&s.labels);
            match out.get_mut(&name) {
                Some((v, _)) if sel.sum_by.is_some() => *v += s.value,
                Some(_) => {} // the same series named twice: keep the first
                None => {
                    order.push(name.clone());
                    out.insert(name, (s.value, s.counter));
                }
            }
        }
    }
    let dropped = order.len().saturating_sub(MAX_SERIES);
    for name in order.iter().skip(MAX_SERIES) {
        out.remove(name);
    }
    (out, dropped)
}

impl Sampler for PrometheusSampler {
    fn read(&mut self, at: Instant) -> Outcome {
        let selectors = &self.selectors;
        let samples = match self
            .scraper
            .scrape_only(|name| selectors.iter().any(|s| s.name == name))
        {
            Ok(s) => s,
            Err(e) => return Outcome::Failed(e),
        };
        let (series, _) = select(&samples, &self.selectors);
        let mut r = Reading::default();
        let mut counters = BTreeMap::new();
        for (name, (value, counter)) in series {
            if !counter {
                r.put(&name, value);
                continue;
            }
            if let Some((before, last)) = &self.last {
                let secs = at.saturating_duration_since(*before).as_secs_f64();
                if let Some(&b) = last.get(&name)
                    && value >= b
                    && secs > 0.0
                {
                    r.put(&format!("rate({name})"), (value - b) / secs);
                }
            }
            counters.insert(name, value);
        }
        self.last = Some((at, counters));
        Outcome::Read(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str, labels: &[(&str, &str)], value: f64, counter: bool) -> Scraped {
        Scraped {
            name: name.into(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            value,
            counter,
        }
    }

    #[test]
    fn sums_by_labels_and_caps_the_series() {
        let samples = vec![
            sample("cpu", &[("cpu", "0"), ("mode", "idle")], 10.0, true),
            sample("cpu", &[("cpu", "1"), ("mode", "idle")], 5.0, true),
            sample("cpu", &[("cpu", "0"), ("mode", "user")], 2.0, true),
            sample("rss", &[], 100.0, false),
        ];
        let sel = SeriesSelector::parse_list("sum by (mode) (cpu), rss").unwrap_or_else(|e| panic!("{e}"));
        let (got, dropped) = select(&samples, &sel);
        assert_eq!(dropped, 0);
        assert_eq!(got["cpu{mode=\"idle\"}"], (15.0, true));
        assert_eq!(got["cpu{mode=\"user\"}"], (2.0, true));
        assert_eq!(got["rss"], (100.0, false));
        let many: Vec<Scraped> = (0..70)
            .map(|i| sample("g", &[("i", &format!("{i:02}"))], 1.0, false))
            .collect();
        let (got, dropped) = select(
            &many,
            &SeriesSelector::parse_list("g").unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!((got.len(), dropped), (MAX_SERIES, 6));
    }
}
