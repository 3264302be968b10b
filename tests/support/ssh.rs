//! A real OpenSSH server for the tunnel tests: Debian's `/usr/sbin/sshd` on a free loopback port,
//! with a host key, a client key and a known_hosts file made by `ssh-keygen` in a temp dir, killed
//! on Drop. sshd needs root (privilege separation), as the test machines run. Password logins use a
//! system user the test creates (and removes), and agent logins an `ssh-agent` the test starts.

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
             PasswordAuthentication yes\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
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

/// A system user with a random password, for password logins (sshd checks `/etc/shadow`; nothing
/// else gives it a password to check). No home, no shell: it can open tunnels and nothing more.
/// Removed on Drop; a run killed before that leaves it behind, and the next run reuses it with a new
/// password.
pub struct PasswordUser {
    pub name: String,
    pub password: String,
}

impl PasswordUser {
    pub fn create() -> PasswordUser {
        let name = "ferry-tunnel-test".to_string();
        let exists = Command::new("id").arg(&name).stdout(Stdio::null()).stderr(Stdio::null()).status();
        if !exists.is_ok_and(|s| s.success()) {
            let status = Command::new("useradd")
                .args(["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", &name])
                .status()
                .expect("run useradd (the tests run as root)");
            assert!(status.success(), "useradd {name}");
        }
        // A password with an @ and a space, given to chpasswd on stdin (never on a command line).
        let mut random = [0u8; 8];
        std::io::Read::read_exact(&mut std::fs::File::open("/dev/urandom").expect("/dev/urandom"), &mut random)
            .expect("random bytes");
        let password = format!("p@ss {:016x}", u64::from_le_bytes(random));
        let mut chpasswd = Command::new("chpasswd").stdin(Stdio::piped()).spawn().expect("run chpasswd");
        std::io::Write::write_all(chpasswd.stdin.as_mut().expect("stdin"), format!("{name}:{password}\n").as_bytes())
            .expect("write to chpasswd");
        assert!(chpasswd.wait().expect("chpasswd").success(), "chpasswd for {name}");
        PasswordUser { name, password }
    }
}

impl Drop for PasswordUser {
    fn drop(&mut self) {
        // --force: sshd's process for a session that just closed may not have exited yet.
        let _ = Command::new("userdel").args(["--force", &self.name]).stderr(Stdio::null()).status();
    }
}

/// An `ssh-agent` on a socket in a temp dir, killed on Drop.
pub struct Agent {
    child: Child,
    pub socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Agent {
    /// Starts an agent holding `keys` (unencrypted private key files).
    pub fn start(keys: &[PathBuf]) -> Agent {
        let dir = tempfile::tempdir().expect("temp dir");
        let socket = dir.path().join("agent.sock");
        let child = Command::new("ssh-agent")
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start ssh-agent (openssh-client)");
        let agent = Agent { child, socket, _dir: dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while !agent.socket.exists() {
            assert!(Instant::now() < deadline, "ssh-agent made no socket");
            std::thread::sleep(Duration::from_millis(20));
        }
        for key in keys {
            let status = Command::new("ssh-add")
                .arg("-q")
                .arg(key)
                .env("SSH_AUTH_SOCK", &agent.socket)
                .stderr(Stdio::null())
                .status()
                .expect("run ssh-add");
            assert!(status.success(), "ssh-add {}", key.display());
        }
        agent
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
