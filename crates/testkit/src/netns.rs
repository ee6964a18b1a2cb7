//! Network namespaces for tests whose processes must each have an IP of their own (the
//! parts of a distributed test): a hub namespace holding a bridge, and K part namespaces,
//! each joined to the bridge by a veth pair, on a private /24 with nothing routed beyond
//! it — traffic can only reach the hub and the other parts. Created with iproute2's `ip`
//! under unique names, removed on drop (deleting a namespace deletes its links), and
//! leftovers of a killed earlier run are removed first.
//!
//! Processes run in a part with [`crate::Loadcell::netns`]; the kit's in-process servers
//! run in the hub with [`Netns::in_hub`], which calls a closure on a thread that has
//! `setns`'d into the hub: what it binds (and the threads it spawns) live there, and the
//! test still reads their counts in memory — a socket keeps the namespace it was made in.

use std::fs::File;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// Every namespace this kit creates starts so; the rest of the name is `PID-N-ROLE`.
const PREFIX: &str = "lcns-";

/// Fixtures created by this process, for unique names and subnets.
static CREATED: AtomicU32 = AtomicU32::new(0);

/// A hub and K parts on `10.77.X.0/24`: the hub is `.1` (on its bridge), part I is `.10+I`.
pub struct Netns {
    hub: String,
    parts: Vec<String>,
    subnet: u8,
}

impl Netns {
    /// A hub and `parts` part namespaces, ready (links up, addresses set). A machine where
    /// namespaces cannot be created fails the test here with one line saying why.
    pub fn new(parts: usize) -> Netns {
        assert!((1..=200).contains(&parts), "Netns::new({parts}): 1 to 200 parts");
        match Netns::create(parts) {
            Ok(netns) => netns,
            Err(why) => panic!(
                "network namespaces cannot be created here (needs root and iproute2's `ip`; scripts/install-test-deps.sh installs it): {why}"
            ),
        }
    }

    fn create(parts: usize) -> Result<Netns, String> {
        remove_stale();
        let pid = std::process::id();
        let n = CREATED.fetch_add(1, Ordering::SeqCst);
        // The namespaces are isolated from each other, so equal subnets in two fixtures
        // could not clash; a subnet per fixture keeps addresses in logs telling apart.
        let subnet = u8::try_from((pid.wrapping_mul(7).wrapping_add(n)) % 250 + 1).unwrap_or(1);
        let base = format!("{PREFIX}{pid}-{n}-");
        let netns = Netns {
            hub: format!("{base}hub"),
            parts: (1..=parts).map(|i| format!("{base}p{i}")).collect(),
            subnet,
        };
        // A namespace of this very name can only be left by an earlier process with our
        // pid (pids are reused): delete it before adding ours.
        for name in netns.names() {
            let _ = quiet_ip(&["netns", "del", name]);
        }
        // From here on, Drop removes whatever was made, also on an error.
        netns.build()?;
        Ok(netns)
    }

    fn build(&self) -> Result<(), String> {
        for name in self.names() {
            ip(&["netns", "add", name])?;
            ip(&["-n", name, "link", "set", "lo", "up"])?;
        }
        let hub = self.hub.as_str();
        ip(&["-n", hub, "link", "add", "br0", "type", "bridge"])?;
        ip(&["-n", hub, "addr", "add", &format!("{}/24", self.hub_ip()), "dev", "br0"])?;
        ip(&["-n", hub, "link", "set", "br0", "up"])?;
        for (i, part) in self.parts.iter().enumerate() {
            // Created in the hub with its peer moved straight into the part: the names
            // are local to each namespace, so nothing appears in the host's namespace.
            let end = format!("vp{}", i + 1);
            ip(&[
                "-n", hub, "link", "add", &end, "type", "veth", "peer", "name", "eth0", "netns", part,
            ])?;
            ip(&["-n", hub, "link", "set", &end, "master", "br0"])?;
            ip(&["-n", hub, "link", "set", &end, "up"])?;
            let addr = format!("{}/24", self.part_ip(i + 1));
            ip(&["-n", part, "addr", "add", &addr, "dev", "eth0"])?;
            ip(&["-n", part, "link", "set", "eth0", "up"])?;
        }
        Ok(())
    }

    fn names(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.hub.as_str()).chain(self.parts.iter().map(String::as_str))
    }

    /// The hub namespace's name.
    pub fn hub(&self) -> &str {
        &self.hub
    }

    /// The hub's address on the bridge, where its servers listen.
    pub fn hub_ip(&self) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, self.subnet, 1)
    }

    /// Part `i`'s namespace (numbered from 1, as segments are).
    pub fn part(&self, i: usize) -> &str {
        &self.parts[i - 1]
    }

    /// Part `i`'s own address (numbered from 1).
    pub fn part_ip(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::new(10, 77, self.subnet, u8::try_from(10 + i).unwrap_or(u8::MAX))
    }

    /// How many parts.
    pub fn parts(&self) -> usize {
        self.parts.len()
    }

    /// `f` on a thread inside the hub namespace: sockets it binds and threads it spawns
    /// are there (a server started in it listens in the hub). Its result comes back.
    pub fn in_hub<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
        in_namespace(&self.hub, f)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Parts first, then the hub: every veth and the bridge go with their namespace.
        for name in self.parts.iter().chain(std::iter::once(&self.hub)) {
            let _ = quiet_ip(&["netns", "del", name]);
        }
    }
}

/// `/var/run/netns/NAME`, the handle `ip netns add` keeps for a namespace.
pub fn path_of(name: &str) -> PathBuf {
    PathBuf::from("/var/run/netns").join(name)
}

/// `f` on a fresh thread that has joined namespace `name` (only that thread does: setns
/// changes the calling thread; threads it spawns inherit it). A panic in `f` is resumed.
pub fn in_namespace<T: Send>(name: &str, f: impl FnOnce() -> T + Send) -> T {
    let file = File::open(path_of(name)).unwrap_or_else(|e| panic!("network namespace {name}: {e}"));
    std::thread::scope(|scope| {
        let joined = scope.spawn(move || {
            // SAFETY: setns(2) on a namespace descriptor we own; it affects this thread only.
            let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(rc, 0, "setns into {name}: {}", std::io::Error::last_os_error());
            f()
        });
        joined.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// Removes namespaces this kit left behind in processes that are gone (killed before
/// their fixture dropped): `lcns-PID-…` whose PID no longer runs.
fn remove_stale() {
    let Ok(entries) = std::fs::read_dir("/var/run/netns") else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(PREFIX)
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = quiet_ip(&["netns", "del", &name]);
        }
    }
}

/// `ip ARGS`; an error says the command and what `ip` printed.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .output()
        .map_err(|e| format!("`ip {}` could not run: {e}", args.join(" ")))?;
    if out.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&out.stderr);
    Err(format!(
        "`ip {}` failed: {}",
        args.join(" "),
        said.trim().replace('\n', "; ")
    ))
}

/// `ip ARGS` whose failure does not matter (cleaning up what may not exist).
fn quiet_ip(args: &[&str]) -> bool {
    ip(args).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The inode of a thread's network namespace.
    fn namespace_of(path: &str) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path)
            .map(|m| m.ino())
            .unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn a_server_started_in_the_hub_binds_there_and_a_part_reaches_it_by_the_hub_ip() {
        let net = Netns::new(2);
        let hub_ns = namespace_of(&path_of(net.hub()).display().to_string());
        let host_ns = namespace_of("/proc/thread-self/ns/net");
        assert_ne!(hub_ns, host_ns);
        // A thread spawned from inside the hub is in the hub too (the runtimes' threads).
        let (here, spawned) = net.in_hub(|| {
            let here = namespace_of("/proc/thread-self/ns/net");
            let spawned = std::thread::spawn(|| namespace_of("/proc/thread-self/ns/net"))
                .join()
                .expect("thread");
            (here, spawned)
        });
        assert_eq!((here, spawned), (hub_ns, hub_ns));
        assert_eq!(
            namespace_of("/proc/thread-self/ns/net"),
            host_ns,
            "the caller stays home"
        );
        // Binding the hub's IP succeeds only in the hub (the host has no such address).
        let hub_ip = net.hub_ip();
        let listener = net.in_hub(|| std::net::TcpListener::bind((hub_ip, 0)).expect("bind in the hub"));
        assert!(std::net::TcpListener::bind((hub_ip, 0)).is_err());
        let port = listener.local_addr().expect("addr").port();
        let local = in_namespace(net.part(2), || {
            let stream = std::net::TcpStream::connect((hub_ip, port)).expect("part 2 reaches the hub");
            stream.local_addr().expect("addr")
        });
        let (_, peer) = listener.accept().expect("accept");
        assert_eq!(peer.ip(), net.part_ip(2));
        assert_eq!(local.ip(), net.part_ip(2));
        let names: Vec<String> = net.names().map(str::to_string).collect();
        drop(net);
        for name in names {
            assert!(!path_of(&name).exists(), "{name} left behind");
        }
    }
}
