//! The whole machine from `/proc`: CPU time by mode (`stat`), load average (`loadavg`),
//! memory available (`meminfo`), bytes and packets per network interface (`net/dev`), TCP
//! retransmits (`net/snmp`) and listen-queue overflows and drops (`net/netstat`), and bytes
//! read and written by whole disks (`diskstats`).

use std::collections::BTreeMap;

/// CPU mode names of `/proc/stat`'s `cpu` line, in its order.
pub const CPU_MODES: [&str; 8] = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"];

/// Ticks spent in each of [`CPU_MODES`] by all CPUs together.
pub fn parse_cpu(stat: &str) -> Option<[u64; 8]> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let mut out = [0u64; 8];
    let mut fields = line.split_ascii_whitespace().skip(1);
    for slot in &mut out {
        // Old kernels have fewer columns: the missing modes stay 0.
        *slot = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
    }
    Some(out)
}

/// The 1, 5 and 15 minute load averages.
pub fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut f = text.split_ascii_whitespace().map(|v| v.parse::<f64>().ok());
    Some([f.next()??, f.next()??, f.next()??])
}

/// `MemAvailable` in bytes.
pub fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_ascii_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Counters of one network interface.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetCounters {
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
}

/// Every interface of `/proc/net/dev`.
pub fn parse_net_dev(text: &str) -> BTreeMap<String, NetCounters> {
    let mut out = BTreeMap::new();
    for line in text.lines().skip(2) {
        let Some((name, rest)) = line.split_once(':') else {
            continue;
        };
        let v: Vec<u64> = rest.split_ascii_whitespace().map(|f| f.parse().unwrap_or(0)).collect();
        if v.len() >= 10 {
            out.insert(
                name.trim().to_string(),
                NetCounters {
                    rx_bytes: v[0],
                    rx_packets: v[1],
                    tx_bytes: v[8],
                    tx_packets: v[9],
                },
            );
        }
    }
    out
}

/// A counter of a `/proc/net/snmp` or `/proc/net/netstat` table: lines come in pairs, a
/// header (`Tcp: RtoAlgorithm … RetransSegs …`) and the values in the same order.
pub fn parse_snmp_field(text: &str, table: &str, field: &str) -> Option<u64> {
    let prefix = format!("{table}:");
    let mut lines = text.lines().filter(|l| l.starts_with(&prefix));
    while let (Some(header), Some(values)) = (lines.next(), lines.next()) {
        let at = header.split_ascii_whitespace().position(|h| h == field);
        if let Some(at) = at {
            return values.split_ascii_whitespace().nth(at)?.parse().ok();
        }
    }
    None
}

/// Bytes read and written by each device of `/proc/diskstats` for which `keep(name)` holds
/// (sectors are 512 bytes whatever the device's block size).
pub fn parse_diskstats(text: &str, keep: impl Fn(&str) -> bool) -> (u64, u64) {
    let (mut read, mut written) = (0, 0);
    for line in text.lines() {
        let f: Vec<&str> = line.split_ascii_whitespace().collect();
        if f.len() < 10 || !keep(f[2]) {
            continue;
        }
        read += f[5].parse::<u64>().unwrap_or(0) * 512;
        written += f[9].parse::<u64>().unwrap_or(0) * 512;
    }
    (read, written)
}

/// Whether a block device is a whole disk worth counting: listed in `/sys/block` (so not a
/// partition, whose bytes its disk already counts), and not a loop or RAM device.
pub fn is_whole_disk(name: &str) -> bool {
    !name.starts_with("loop")
        && !name.starts_with("ram")
        && !name.starts_with("zram")
        && std::path::Path::new("/sys/block").join(name).exists()
}

/// An interface's link speed in bytes per second, from `/sys/class/net/IF/speed` (megabits
/// per second); `None` for `-1`, `0` or an unreadable file — loopback and most virtual
/// interfaces have no link speed.
/// A counter of `/proc/vmstat` (`pswpin`, `pswpout`: pages swapped in and out since boot).
pub fn parse_vmstat_field(text: &str, field: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let (key, value) = line.split_once(' ')?;
        (key == field).then(|| value.trim().parse().ok())?
    })
}

pub fn parse_link_speed(text: &str) -> Option<f64> {
    let mbits: i64 = text.trim().parse().ok()?;
    (mbits > 0).then(|| mbits as f64 * 1e6 / 8.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_and_load() {
        let stat = "cpu  198891 123 30343 87411 942 0 1098 1019 0 0\ncpu0 93038 59 14061 51480 261 0 493 517 0 0\n";
        assert_eq!(parse_cpu(stat), Some([198891, 123, 30343, 87411, 942, 0, 1098, 1019]));
        assert_eq!(parse_cpu("cpu0 1 2 3\n"), None);
        assert_eq!(parse_loadavg("7.79 8.03 5.05 10/157 13564\n"), Some([7.79, 8.03, 5.05]));
        assert_eq!(
            parse_mem_available("MemTotal: 100 kB\nMemAvailable:   2048 kB\n"),
            Some(2 * 1024 * 1024)
        );
    }

    #[test]
    fn swap_counters_from_vmstat() {
        let vmstat = "nr_free_pages 2406193\npswpin 17\npswpout 4242\npswpin_extra 9\n";
        assert_eq!(parse_vmstat_field(vmstat, "pswpin"), Some(17));
        assert_eq!(parse_vmstat_field(vmstat, "pswpout"), Some(4242));
        assert_eq!(parse_vmstat_field(vmstat, "pgfault"), None);
        assert_eq!(parse_vmstat_field("pswpin x\n", "pswpin"), None);
    }

    #[test]
    fn network_tables() {
        let dev = "Inter-|   Receive |  Transmit\n face |bytes packets …\n\
                   \x20   lo: 108153870  665195    0    0    0     0          0         0 108153870  665195    0    0    0     0       0          0\n\
                   \x20 eth0: 10 2 0 0 0 0 0 0 30 4 0 0 0 0 0 0\n";
        let net = parse_net_dev(dev);
        assert_eq!(net.len(), 2);
        assert_eq!(
            net["eth0"],
            NetCounters {
                rx_bytes: 10,
                rx_packets: 2,
                tx_bytes: 30,
                tx_packets: 4
            }
        );
        let snmp = "Ip: Forwarding DefaultTTL\nIp: 1 64\n\
                    Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n\
                    Tcp: 1 200 120000 -1 14709 4144 10519 115 4 684833 679331 17 0 10602 0\n";
        assert_eq!(parse_snmp_field(snmp, "Tcp", "RetransSegs"), Some(17));
        assert_eq!(parse_snmp_field(snmp, "Tcp", "Nope"), None);
        let netstat = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 0 5 6\n\
                       IpExt: InNoRoutes\nIpExt: 0\n";
        assert_eq!(parse_snmp_field(netstat, "TcpExt", "ListenOverflows"), Some(5));
        assert_eq!(parse_snmp_field(netstat, "TcpExt", "ListenDrops"), Some(6));
    }

    #[test]
    fn disks_count_sectors_of_the_kept_devices() {
        let text = "   7       0 loop0 9 0 800 0 0 0 0 0 0 0 0\n \
                    254       0 vda 100 0 2048 30 50 0 4096 10 0 40 40\n \
                    254       1 vda1 90 0 2000 30 50 0 4000 10 0 40 40\n";
        assert_eq!(parse_diskstats(text, |n| n == "vda"), (2048 * 512, 4096 * 512));
    }

    #[test]
    fn link_speed_is_megabits_in_bytes_and_loopback_has_none() {
        assert_eq!(parse_link_speed("1000\n"), Some(125e6));
        assert_eq!(parse_link_speed("-1\n"), None);
        assert_eq!(parse_link_speed(""), None);
    }
}
