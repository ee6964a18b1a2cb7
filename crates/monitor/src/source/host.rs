//! `host`: the whole machine. CPU % by mode and busy (100 = every CPU of the machine),
//! load averages, memory available, bytes and packets per second of each network interface
//! that carried traffic (and its link speed in bytes per second, `net_link_bytes_per_s`, when
//! `/sys/class/net/IF/speed` gives one: loopback and most virtual interfaces do not), TCP
//! segments retransmitted, listen-queue overflows and drops per
//! second, and bytes per second read from and written to whole disks.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use super::{Outcome, Reading, Sampler, rate};
use crate::procfs::host::{self, CPU_MODES, NetCounters};

pub(crate) struct HostSampler {
    proc_root: PathBuf,
    /// `/sys` beside the `/proc` read (a fixture's tree keeps both).
    sys_root: PathBuf,
    last: Option<(Instant, Counters)>,
}

#[derive(Debug, Clone, Default)]
struct Counters {
    cpu: Option<[u64; 8]>,
    net: BTreeMap<String, NetCounters>,
    retransmits: Option<u64>,
    listen_overflows: Option<u64>,
    listen_drops: Option<u64>,
    disk: (u64, u64),
    /// Pages swapped in and out since boot (`pswpin`, `pswpout`).
    swap_in: Option<u64>,
    swap_out: Option<u64>,
}

impl HostSampler {
    pub(crate) fn new(proc_root: PathBuf) -> HostSampler {
        let sys_root = proc_root
            .parent()
            .map_or_else(|| PathBuf::from("/sys"), |p| p.join("sys"));
        HostSampler {
            proc_root,
            sys_root,
            last: None,
        }
    }

    fn file(&self, name: &str) -> String {
        std::fs::read_to_string(self.proc_root.join(name)).unwrap_or_default()
    }

    fn counters(&self) -> Counters {
        let netstat = self.file("net/netstat");
        let vmstat = self.file("vmstat");
        Counters {
            cpu: host::parse_cpu(&self.file("stat")),
            net: host::parse_net_dev(&self.file("net/dev")),
            retransmits: host::parse_snmp_field(&self.file("net/snmp"), "Tcp", "RetransSegs"),
            listen_overflows: host::parse_snmp_field(&netstat, "TcpExt", "ListenOverflows"),
            listen_drops: host::parse_snmp_field(&netstat, "TcpExt", "ListenDrops"),
            disk: host::parse_diskstats(&self.file("diskstats"), host::is_whole_disk),
            swap_in: host::parse_vmstat_field(&vmstat, "pswpin"),
            swap_out: host::parse_vmstat_field(&vmstat, "pswpout"),
        }
    }
}

/// CPU % of the machine per mode over the interval, and busy (all but idle and iowait).
fn cpu_modes(r: &mut Reading, now: &[u64; 8], before: &[u64; 8]) {
    let delta: Vec<u64> = now.iter().zip(before).map(|(n, b)| n.saturating_sub(*b)).collect();
    let total: u64 = delta.iter().sum();
    if total == 0 {
        return;
    }
    let pct = |ticks: u64| 100.0 * ticks as f64 / total as f64;
    for (mode, &d) in CPU_MODES.iter().zip(&delta) {
        r.put(&format!("cpu_{mode}_percent"), pct(d));
    }
    r.put("cpu_busy_percent", pct(total - delta[3] - delta[4]));
}

fn network(
    r: &mut Reading,
    now: &BTreeMap<String, NetCounters>,
    before: &BTreeMap<String, NetCounters>,
    secs: f64,
    sys_root: &std::path::Path,
) {
    for (iface, n) in now {
        let Some(b) = before.get(iface) else {
            continue;
        };
        if *n == NetCounters::default() {
            continue; // never used: not worth a chart
        }
        for (what, v, bv) in [
            ("rx_bytes", n.rx_bytes, b.rx_bytes),
            ("rx_packets", n.rx_packets, b.rx_packets),
            ("tx_bytes", n.tx_bytes, b.tx_bytes),
            ("tx_packets", n.tx_packets, b.tx_packets),
        ] {
            if let Some(per_s) = rate(v, Some(bv), secs) {
                r.put(&format!("net_{what}_per_s{{iface=\"{iface}\"}}"), per_s);
            }
        }
        let speed = std::fs::read_to_string(sys_root.join("class/net").join(iface).join("speed"));
        if let Some(link) = speed.ok().as_deref().and_then(host::parse_link_speed) {
            r.put(&format!("net_link_bytes_per_s{{iface=\"{iface}\"}}"), link);
        }
    }
}

impl Sampler for HostSampler {
    fn read(&mut self, at: Instant) -> Outcome {
        let now = self.counters();
        let mut r = Reading::default();
        if let Some((before, last)) = &self.last {
            let secs = at.saturating_duration_since(*before).as_secs_f64();
            if let (Some(n), Some(b)) = (&now.cpu, &last.cpu) {
                cpu_modes(&mut r, n, b);
            }
            network(&mut r, &now.net, &last.net, secs, &self.sys_root);
            for (name, n, b) in [
                ("tcp_retransmits_per_s", now.retransmits, last.retransmits),
                (
                    "tcp_listen_overflows_per_s",
                    now.listen_overflows,
                    last.listen_overflows,
                ),
                ("tcp_listen_drops_per_s", now.listen_drops, last.listen_drops),
                ("swap_in_pages_per_s", now.swap_in, last.swap_in),
                ("swap_out_pages_per_s", now.swap_out, last.swap_out),
                ("disk_read_bytes_per_s", Some(now.disk.0), Some(last.disk.0)),
                ("disk_write_bytes_per_s", Some(now.disk.1), Some(last.disk.1)),
            ] {
                if let Some(v) = n.and_then(|n| rate(n, b, secs)) {
                    r.put(name, v);
                }
            }
        }
        if let Some([l1, l5, l15]) = host::parse_loadavg(&self.file("loadavg")) {
            r.put("load1", l1);
            r.put("load5", l5);
            r.put("load15", l15);
        }
        if let Some(v) = host::parse_mem_available(&self.file("meminfo")) {
            r.put("mem_available_bytes", v as f64);
        }
        self.last = Some((at, now));
        Outcome::Read(r)
    }
}
