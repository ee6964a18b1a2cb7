//! One scrape of a Prometheus endpoint: an HTTP GET with a short timeout on the monitor's
//! own thread, its body parsed by the `prometheus-parse` crate (the text exposition
//! format; OpenMetrics text is close enough for the samples this reads).

use std::collections::BTreeMap;
use std::time::Duration;

/// A scrape that takes longer than this fails, so a stuck endpoint cannot hold up the
/// next interval's readings of the other sources.
pub const SCRAPE_TIMEOUT: Duration = Duration::from_millis(500);

/// Bodies larger than this are refused (node_exporter's are around 100 kB).
const MAX_BODY: u64 = 16 * 1024 * 1024;

/// One sample of a scrape.
#[derive(Debug, Clone, PartialEq)]
pub struct Scraped {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
    /// A counter: kept as its per-second rate.
    pub counter: bool,
}

/// The blocking client of one source, reused for every scrape (keep-alive).
pub struct Scraper {
    agent: ureq::Agent,
    url: String,
}

impl Scraper {
    pub fn new(url: &str) -> Scraper {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(SCRAPE_TIMEOUT))
            .http_status_as_error(true)
            .max_redirects(0)
            .user_agent(concat!("loadcell/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Scraper {
            agent,
            url: url.to_string(),
        }
    }

    /// GETs the endpoint and parses every counter, gauge and untyped sample (histogram
    /// and summary buckets are skipped; their `_sum` and `_count` are kept as counters).
    pub fn scrape(&self) -> Result<Vec<Scraped>, String> {
        self.scrape_only(|_| true)
    }

    /// [`scrape`](Self::scrape), handing the parser only the samples whose name `keep`
    /// accepts (and the `# TYPE` lines of their families): parsing is most of a scrape's
    /// cost, and a node_exporter page has a thousand series of which a few are kept.
    pub fn scrape_only(&self, keep: impl Fn(&str) -> bool) -> Result<Vec<Scraped>, String> {
        let mut response = self
            .agent
            .get(&self.url)
            .header("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
            .call()
            .map_err(|e| e.to_string())?;
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .lossy_utf8(true)
            .read_to_string()
            .map_err(|e| e.to_string())?;
        parse(&body, keep)
    }
}

/// Whether a line of the exposition is needed for the samples `keep` accepts: their own
/// lines, and `# TYPE` lines of a family whose name starts theirs (`x` for `x_count`).
fn needed(line: &str, keep: &impl Fn(&str) -> bool) -> bool {
    if let Some(rest) = line.strip_prefix("# TYPE ") {
        let family = rest.split_ascii_whitespace().next().unwrap_or("");
        return keep(family)
            || ["_count", "_sum", "_total"]
                .iter()
                .any(|s| keep(&format!("{family}{s}")));
    }
    if line.starts_with('#') {
        return false;
    }
    let name_end = line.find(['{', ' ', '\t']).unwrap_or(line.len());
    keep(&line[..name_end])
}

/// Parses the samples `keep` accepts of a text exposition.
pub fn parse(body: &str, keep: impl Fn(&str) -> bool) -> Result<Vec<Scraped>, String> {
    let lines = body.lines().filter(|l| needed(l, &keep)).map(|l| Ok(l.to_string()));
    let scrape = prometheus_parse::Scrape::parse(lines).map_err(|e| format!("not Prometheus text: {e}"))?;
    let mut out = Vec::with_capacity(scrape.samples.len());
    for s in scrape.samples {
        let (value, typed_counter) = match s.value {
            prometheus_parse::Value::Counter(v) => (v, true),
            prometheus_parse::Value::Gauge(v) | prometheus_parse::Value::Untyped(v) => (v, false),
            prometheus_parse::Value::Histogram(_) | prometheus_parse::Value::Summary(_) => continue,
        };
        let m = &s.metric;
        let counter = typed_counter || m.ends_with("_total") || m.ends_with("_count") || m.ends_with("_sum");
        out.push(Scraped {
            labels: s.labels.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            name: s.metric,
            value,
            counter,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counters_gauges_and_labels() {
        let body = "# HELP node_cpu_seconds_total Seconds.\n# TYPE node_cpu_seconds_total counter\n\
                    node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"} 100.5\n\
                    node_cpu_seconds_total{cpu=\"1\",mode=\"idle\"} 99.5\n\
                    # TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes 1.2e+07\n\
                    # TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 3\nh_sum 4.5\nh_count 3\n\
                    untyped_total 7\n";
        let s = parse(body, |_| true).unwrap_or_else(|e| panic!("{e}"));
        let find = |name: &str| s.iter().filter(|x| x.name == name).collect::<Vec<_>>();
        let cpu = find("node_cpu_seconds_total");
        assert_eq!(cpu.len(), 2);
        assert!(cpu.iter().all(|c| c.counter && c.labels["mode"] == "idle"));
        let rss = find("process_resident_memory_bytes");
        assert_eq!((rss[0].value, rss[0].counter), (1.2e7, false));
        assert!(find("h").is_empty(), "buckets are skipped");
        assert!(find("h_count")[0].counter && find("h_sum")[0].counter);
        assert!(find("untyped_total")[0].counter);
        let only = parse(body, |n| n == "node_cpu_seconds_total" || n == "h_count").unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<&str> = only.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["node_cpu_seconds_total", "node_cpu_seconds_total", "h_count"]);
        assert!(only.iter().all(|s| s.counter));
    }
}
