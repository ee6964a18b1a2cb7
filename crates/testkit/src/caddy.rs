//! Debian's Caddy on a free loopback port, a real third-party web server for what httpbin
//! cannot show: responses in zstd (`encode zstd`), TLS for a name that does not resolve
//! (served by SNI), and mutual TLS (`client_auth`). Also a throw-away PKI written as PEM
//! files ([`Pki`]) for its certificates and loadcell's `--cacert`, `--cert` and `--key`.
//!
//! The test gives the site block; the kit writes the Caddyfile (admin API off, automatic
//! HTTPS off, storage and logs inside its temporary folder), starts `caddy run` in its own
//! process group and stops it on drop. `scripts/install-test-deps.sh` installs Caddy; a
//! missing install fails the test that needs it, naming the fix.

use crate::temp::TempDir;
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// How long Caddy may take to accept connections.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A running Caddy; stopped on drop.
pub struct Caddy {
    child: Child,
    pub port: u16,
    _dir: TempDir,
}

impl Caddy {
    /// Starts Caddy with `site` (a Caddyfile site block in which `{port}` stands for the
    /// port picked for it) on 127.0.0.1. `dir` holds any files `site` names and is kept
    /// until the server stops.
    pub fn start(site: &str, dir: TempDir) -> Caddy {
        let caddy = which("caddy").expect("Caddy is not installed: run scripts/install-test-deps.sh");
        let mut last = String::new();
        // The port is picked by binding port 0 and releasing it: another process may take
        // it in between, so a start that fails is retried on a fresh port.
        for _ in 0..3 {
            let port = free_port();
            let config = dir.write(
                "Caddyfile",
                &format!(
                    "{{\n  admin off\n  auto_https off\n  storage file_system {}\n}}\n{}\n",
                    dir.path().join("storage").display(),
                    site.replace("{port}", &port.to_string())
                ),
            );
            let mut child = Command::new(&caddy)
                .args(["run", "--adapter", "caddyfile", "--config"])
                .arg(&config)
                .env("HOME", dir.path())
                .env("XDG_DATA_HOME", dir.path().join("data"))
                .env("XDG_CONFIG_HOME", dir.path().join("config"))
                .current_dir(dir.path())
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.path().join("caddy.log")).expect("create caddy.log"))
                .process_group(0)
                .spawn()
                .unwrap_or_else(|e| panic!("start {}: {e}", caddy.display()));
            let up = crate::wait_until(START_LIMIT, || {
                matches!(child.try_wait(), Ok(Some(_))) || TcpStream::connect(("127.0.0.1", port)).is_ok()
            });
            if up && matches!(child.try_wait(), Ok(None)) {
                return Caddy { child, port, _dir: dir };
            }
            crate::httpbin::stop(&mut child);
            last = std::fs::read_to_string(dir.path().join("caddy.log")).unwrap_or_default();
        }
        panic!("Caddy did not start:\n{last}")
    }
}

impl Drop for Caddy {
    fn drop(&mut self) {
        crate::httpbin::stop(&mut self.child);
    }
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("local address").port()
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?
        .to_str()?
        .split(':')
        .map(|d| PathBuf::from(d).join(name))
        .find(|p| p.is_file())
}

/// PEM files of a throw-away PKI: a CA, a server certificate for the given names and a
/// client certificate, both issued by the CA.
pub struct Pki {
    pub ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl Pki {
    /// Writes `ca.pem`, `server.pem`, `server-key.pem`, `client.pem` and `client-key.pem`
    /// into `dir`.
    pub fn write(dir: &TempDir, server_names: &[&str]) -> Pki {
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "loadcell test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, rcgen::KeyPair::generate().expect("CA key"))
            .expect("self-signed CA");
        let issue = |names: Vec<String>, file: &str| {
            let params = rcgen::CertificateParams::new(names).expect("certificate params");
            let key = rcgen::KeyPair::generate().expect("key");
            let cert = params.signed_by(&key, &ca).expect("signed certificate");
            (
                dir.write(&format!("{file}.pem"), &cert.pem()),
                dir.write(&format!("{file}-key.pem"), &key.serialize_pem()),
            )
        };
        let (server_cert, server_key) = issue(server_names.iter().map(|n| n.to_string()).collect(), "server");
        let (client_cert, client_key) = issue(vec!["loadcell-client".to_string()], "client");
        Pki {
            ca: dir.write("ca.pem", &ca.pem()),
            server_cert,
            server_key,
            client_cert,
            client_key,
        }
    }
}
