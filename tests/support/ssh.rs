//! A real OpenSSH server for the tunnel tests: Debian's `/usr/sbin/sshd` on a free loopback port,
//! with a host key, a client key and a known_hosts file made by `ssh-keygen` in a temp dir, killed
//! on Drop. sshd needs root (privilege separation), as the test machines run.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use ferry::endpoint::SshTunnel;

use super::free_port;

pub struct Sshd {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl Sshd {
    pub fn start() -> Sshd {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["host_key", "client_key", "other_host_key"] {
            keygen(dir.path(), name, "");
        }
        // A client key encrypted with a passphrase (which has an @ and a space in it).
        keygen(dir.path(), "locked_key", LOCKED_KEY_PASSPHRASE);
        let authorized: String = ["client_key.pub", "locked_key.pub"]
            .iter()
            .map(|k| std::fs::read_to_string(dir.path().join(k)).expect("a public client key"))
            .collect();
        std::fs::write(dir.path().join("authorized_keys"), authorized).expect("authorized_keys");
        std::fs::create_dir_all("/run/sshd").expect("sshd's privilege separation directory (the tests run as root)");
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {dir}/host_key\nAuthorizedKeysFile {dir}/authorized_keys\n\
             PasswordAuthentication no\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin yes\nStrictModes no\nUsePAM no\nAllowTcpForwarding yes\nPidFile {dir}/sshd.pid\n\
             LogLevel VERBOSE\n",
            dir = dir.path().display()
        );
        std::fs::write(dir.path().join("sshd_config"), config).expect("sshd_config");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("sshd log");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(dir.path().join("sshd_config"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start /usr/sbin/sshd (scripts/setup.sh installs openssh-server)");
        let mut sshd = Sshd { child, port, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(sshd.child.try_wait().ok().flatten().is_none(), "sshd exited: {}", sshd.log());
            assert!(Instant::now() < deadline, "sshd did not listen: {}", sshd.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        // known_hosts: this server's real key, and one for the wrong-key test.
        for (file, key) in [("known_hosts", "host_key.pub"), ("wrong_known_hosts", "other_host_key.pub")] {
            let public = std::fs::read_to_string(sshd.dir.path().join(key)).expect("public host key");
            let line =
                format!("[127.0.0.1]:{port} {}", public.split_whitespace().take(2).collect::<Vec<_>>().join(" "));
            std::fs::write(sshd.dir.path().join(file), line + "\n").expect("known_hosts");
        }
        sshd
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// A tunnel through this server as root with the client key, checked against `known_hosts`.
    pub fn tunnel(&self, known_hosts: &str) -> SshTunnel {
        SshTunnel {
            host: "127.0.0.1".into(),
            port: self.port,
            user: "root".into(),
            key_file: Some(self.path("client_key")),
            secret: None,
            has_secret: false,
            known_hosts: Some(self.path(known_hosts)),
            host_key: None,
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The passphrase of the harness's `locked_key`.
pub const LOCKED_KEY_PASSPHRASE: &str = "p@ss phrase";

fn keygen(dir: &Path, name: &str, passphrase: &str) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", passphrase, "-C", name, "-f"])
        .arg(dir.join(name))
        .status()
        .expect("run ssh-keygen");
    assert!(status.success(), "ssh-keygen {name}");
}
