//! Passwords for the command line without putting them on it.
//!
//! A password inside a URL flag is visible to every user of the machine (`ps`, `/proc/*/cmdline`)
//! and lands in shell history, so each URL flag has three alternatives: a file holding the password
//! (`--source-password-file`), an environment variable (`FERRY_SOURCE_PASSWORD`), or a prompt on the
//! terminal (`--source-password-prompt`). A password still given in a URL works, with a warning.
//!
//! Precedence: the URL's own password, a file or a prompt are explicit and may not be combined (a
//! usage error says so); the environment variable applies only when none of them is given.
//!
//! Each URL flag also has its TLS options beside it (`--source-tls-ca-file` and so on), for a
//! `rediss://` URL: the CA to trust, a client certificate and key, the name to check, and the loudly
//! named way to skip verification.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use ferry::endpoint::{Endpoint, Secret, TlsOptions};
use ferry::model::SentinelSpec;
use ferry::sentinel;

/// Declares the password and TLS flags of one URL flag, so that every command names them alike.
macro_rules! password_flags {
    ($name:ident, $file:ident, $prompt:ident, $url_flag:literal, $env:literal,
     tls: $ca:ident, $cert:ident, $key:ident, $server_name:ident, $insecure:ident
     $(, ssh: $ssh:ident, $ssh_key:ident, $ssh_known_hosts:ident, $ssh_host_key:ident, $ssh_env:literal)?) => {
        #[derive(Args, Default)]
        pub struct $name {
            #[arg(long, help = concat!("A file whose first line is the password for --", $url_flag, " (or set ", $env, ")"))]
            $file: Option<PathBuf>,
            #[arg(long, help = concat!("Ask for the password for --", $url_flag, " on the terminal"))]
            $prompt: bool,
            #[arg(long, value_name = "PEM", help = concat!("The CA certificates to trust for a rediss:// --", $url_flag, " (default: the system's, or SSL_CERT_FILE / SSL_CERT_DIR)"))]
            $ca: Option<PathBuf>,
            #[arg(long, value_name = "PEM", requires = stringify!($key), help = concat!("A client certificate for --", $url_flag, ", when the server requires one (mutual TLS)"))]
            $cert: Option<PathBuf>,
            #[arg(long, value_name = "PEM", requires = stringify!($cert), help = concat!("The client certificate's private key for --", $url_flag))]
            $key: Option<PathBuf>,
            #[arg(long, value_name = "NAME", help = concat!("The name to check --", $url_flag, "'s certificate against, when it is not the URL's host"))]
            $server_name: Option<String>,
            #[arg(long, help = concat!("DANGEROUS: accept any certificate from --", $url_flag, " (encrypted, but to whoever answers)"))]
            $insecure: bool,
            $(
            #[arg(long, value_name = "USER@HOST[:PORT]", help = concat!("Reach --", $url_flag, " through this SSH jump host (Ferry opens the tunnel itself)"))]
            $ssh: Option<String>,
            #[arg(long, value_name = "FILE", requires = stringify!($ssh), help = concat!("The private key for the SSH jump host of --", $url_flag, " (its passphrase: ", $ssh_env, "); without one, ", $ssh_env, " is the SSH password, or else the SSH agent is used"))]
            $ssh_key: Option<PathBuf>,
            #[arg(long, value_name = "FILE", requires = stringify!($ssh), help = "The known_hosts file to check the jump host's key against (default ~/.ssh/known_hosts)")]
            $ssh_known_hosts: Option<PathBuf>,
            #[arg(long, value_name = "SHA256:…", requires = stringify!($ssh), help = "Accept the jump host's key with this fingerprint (shown when it is unknown) instead of known_hosts")]
            $ssh_host_key: Option<String>,
            )?
        }

        impl $name {
            /// Parses the URL flag, fills in its password from the file, the prompt or the
            /// environment, and its TLS options.
            pub fn endpoint(&self, url: &str) -> Result<Endpoint, ExitCode> {
                let endpoint = crate::endpoint($url_flag, url)?;
                let endpoint = self.flags().fill(endpoint, self.$file.as_deref(), self.$prompt)?;
                self.with_tls(endpoint)
            }

            /// The endpoint with the SSH flags applied.
            #[allow(unused_mut)]
            fn with_ssh(&self, mut endpoint: Endpoint) -> Result<Endpoint, ExitCode> {
                $(
                if let Some(jump) = &self.$ssh {
                    let flag = concat!("--", stringify!($ssh)).replace('_', "-");
                    let mut tunnel = parse_jump_host(&flag, jump)?;
                    tunnel.key_file = self.$ssh_key.clone();
                    tunnel.known_hosts = self.$ssh_known_hosts.clone();
                    tunnel.host_key = self.$ssh_host_key.clone();
                    tunnel.secret = std::env::var($ssh_env).ok().filter(|s| !s.is_empty()).map(Secret::new);
                    endpoint.ssh = Some(tunnel);
                }
                )?
                Ok(endpoint)
            }

            /// The endpoint with the TLS flags applied; they need a `rediss://` URL.
            fn with_tls(&self, mut endpoint: Endpoint) -> Result<Endpoint, ExitCode> {
                let given = TlsOptions {
                    ca_file: self.$ca.clone(),
                    cert_file: self.$cert.clone(),
                    key_file: self.$key.clone(),
                    server_name: self.$server_name.clone(),
                    insecure: self.$insecure,
                };
                match &mut endpoint.tls {
                    Some(tls) => *tls = given,
                    None if given != TlsOptions::default() => {
                        return Err(usage(&format!(
                            "the TLS options of --{} need a rediss:// URL; write rediss:// for a server that takes TLS",
                            $url_flag
                        )))
                    }
                    None => {}
                }
                let endpoint = self.with_ssh(endpoint)?;
                if self.$insecure {
                    eprintln!(
                        "warning: --{} is used: the certificate of --{} is not checked, so anyone on the way can pose as the server",
                        stringify!($insecure).replace('_', "-"),
                        $url_flag
                    );
                }
                Ok(endpoint)
            }

            fn flags(&self) -> Flags {
                Flags {
                    url_flag: $url_flag,
                    file_flag: concat!("--", stringify!($file)),
                    prompt_flag: concat!("--", stringify!($prompt)),
                    env: $env,
                }
            }
        }
    };
}

password_flags!(SourcePassword, source_password_file, source_password_prompt, "source", "FERRY_SOURCE_PASSWORD",
    tls: source_tls_ca_file, source_tls_cert_file, source_tls_key_file, source_tls_server_name, source_tls_insecure,
    ssh: source_ssh, source_ssh_key_file, source_ssh_known_hosts, source_ssh_host_key, "FERRY_SOURCE_SSH_SECRET");
password_flags!(TargetPassword, target_password_file, target_password_prompt, "target", "FERRY_TARGET_PASSWORD",
    tls: target_tls_ca_file, target_tls_cert_file, target_tls_key_file, target_tls_server_name, target_tls_insecure,
    ssh: target_ssh, target_ssh_key_file, target_ssh_known_hosts, target_ssh_host_key, "FERRY_TARGET_SSH_SECRET");
password_flags!(InstancePassword, password_file, password_prompt, "url", "FERRY_INSTANCE_PASSWORD",
    tls: tls_ca_file, tls_cert_file, tls_key_file, tls_server_name, tls_insecure,
    ssh: ssh, ssh_key_file, ssh_known_hosts, ssh_host_key, "FERRY_INSTANCE_SSH_SECRET");
password_flags!(MasterPassword, master_password_file, master_password_prompt, "master", "FERRY_PROXY_MASTER_PASSWORD",
    tls: master_tls_ca_file, master_tls_cert_file, master_tls_key_file, master_tls_server_name, master_tls_insecure);
password_flags!(ReplicaPassword, replica_password_file, replica_password_prompt, "replica", "FERRY_PROXY_REPLICA_PASSWORD",
    tls: replica_tls_ca_file, replica_tls_cert_file, replica_tls_key_file, replica_tls_server_name, replica_tls_insecure);

/// The names of one URL flag's password alternatives, for messages.
struct Flags {
    url_flag: &'static str,
    file_flag: &'static str,
    prompt_flag: &'static str,
    env: &'static str,
}

impl SourcePassword {
    /// `--source`, which may also be `redis+sentinel://[user@]host:port[,host:port]/master-name`:
    /// the endpoint with its password, and the Sentinels when there are.
    pub fn source(&self, url: &str) -> Result<(Endpoint, Option<SentinelSpec>), ExitCode> {
        match sentinel::parse_url(url) {
            None => Ok((self.endpoint(url)?, None)),
            Some(Err(e)) => Err(usage(&format!("--source: {e}"))),
            Some(Ok((endpoint, spec))) => {
                let endpoint =
                    self.flags().fill(endpoint, self.source_password_file.as_deref(), self.source_password_prompt)?;
                Ok((self.with_tls(endpoint)?, Some(spec)))
            }
        }
    }
}

impl MasterPassword {
    /// `--sentinel redis+sentinel://[user@]host:port[,host:port]/master-name` (or `rediss+sentinel://`):
    /// the Sentinels, and the master's login (its password from `--master-password-file` and the
    /// like) and TLS settings.
    pub fn sentinel(&self, url: &str) -> Result<(Endpoint, SentinelSpec), ExitCode> {
        match sentinel::parse_url(url) {
            None => Err(usage("--sentinel takes redis+sentinel://host:26379[,host:port...]/<master name>")),
            Some(Err(e)) => Err(usage(&format!("--sentinel: {e}"))),
            Some(Ok((endpoint, spec))) => {
                let endpoint =
                    self.flags().fill(endpoint, self.master_password_file.as_deref(), self.master_password_prompt)?;
                Ok((self.with_tls(endpoint)?, spec))
            }
        }
    }
}

/// `USER@HOST[:PORT]` of an SSH jump host (the user defaults to `$USER`, the port to 22).
fn parse_jump_host(flag: &str, text: &str) -> Result<ferry::endpoint::SshTunnel, ExitCode> {
    let (user, hostport) = match text.rsplit_once('@') {
        Some((user, rest)) => (user.to_string(), rest),
        None => (std::env::var("USER").unwrap_or_default(), text),
    };
    let bad = |why: &str| usage(&format!("{flag} {text:?}: {why}; write USER@HOST[:PORT]"));
    let (host, port) = match hostport.strip_prefix('[') {
        Some(v6) => {
            let end = v6.find(']').ok_or_else(|| bad("an IPv6 address is not closed with ]"))?;
            (&v6[..end], v6[end + 1..].strip_prefix(':'))
        }
        None => match hostport.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') => (host, Some(port)),
            _ => (hostport, None),
        },
    };
    let port = match port {
        None => 22,
        Some(port) => port
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| bad("the port must be a number from 1 to 65535"))?,
    };
    if user.is_empty() || host.is_empty() {
        return Err(bad("the user or the host is missing"));
    }
    Ok(ferry::endpoint::SshTunnel {
        host: host.to_string(),
        port,
        user,
        key_file: None,
        secret: None,
        has_secret: false,
        known_hosts: None,
        host_key: None,
    })
}

impl Flags {
    fn fill(&self, mut endpoint: Endpoint, file: Option<&Path>, prompt: bool) -> Result<Endpoint, ExitCode> {
        let file_flag = self.file_flag.replace('_', "-");
        let prompt_flag = self.prompt_flag.replace('_', "-");
        let explicit = usize::from(endpoint.password.is_some()) + usize::from(file.is_some()) + usize::from(prompt);
        if explicit > 1 {
            return Err(usage(&format!(
                "the password for --{} is given more than once (in the URL, {file_flag}, {prompt_flag}); give it one way",
                self.url_flag
            )));
        }
        if endpoint.password.is_some() {
            eprintln!(
                "warning: the password in --{} can be read by other users of this machine in the process list and stays in your shell history; use {file_flag}, {} or {prompt_flag} instead",
                self.url_flag, self.env
            );
            return Ok(endpoint);
        }
        let password = if let Some(path) = file {
            Some(read_file(&file_flag, path)?)
        } else if prompt {
            Some(ask(self.url_flag, &endpoint)?)
        } else {
            std::env::var(self.env).ok().filter(|p| !p.is_empty())
        };
        endpoint.password = password.map(Secret::new);
        Ok(endpoint)
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The file's first line, without its line ending. A file others can read gets a warning: the
/// point of the file is that they cannot.
fn read_file(flag: &str, path: &Path) -> Result<String, ExitCode> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| usage(&format!("{flag} {}: {e}; give a file whose first line is the password", path.display())))?;
    let password = text.lines().next().unwrap_or_default().to_string();
    if password.is_empty() {
        return Err(usage(&format!("{flag} {}: the first line is empty; it must hold the password", path.display())));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            if meta.permissions().mode() & 0o077 != 0 {
                eprintln!("warning: {flag} {} can be read by other users; `chmod 600` it", path.display());
            }
        }
    }
    Ok(password)
}

/// Asks on the terminal without echoing. Without a terminal (a service, a pipe) it says what to use
/// instead rather than waiting forever.
fn ask(flag: &str, endpoint: &Endpoint) -> Result<String, ExitCode> {
    let who = match &endpoint.user {
        Some(user) => format!("{user}@{}", endpoint.addr()),
        None => endpoint.addr(),
    };
    rpassword::prompt_password(format!("password for --{flag} ({who}): ")).map_err(|e| {
        usage(&format!(
            "cannot ask for the password for --{flag} ({e}): there is no terminal; use a password file or an environment variable"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(url: &str) -> Endpoint {
        Endpoint::parse(url).unwrap()
    }

    fn flags() -> Flags {
        Flags {
            url_flag: "source",
            file_flag: "--source_password_file",
            prompt_flag: "--source_password_prompt",
            env: "FERRY_TEST_UNSET_PASSWORD",
        }
    }

    #[test]
    fn a_file_gives_the_password_and_the_url_keeps_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "p@ss word:/x\nignored\n").unwrap();
        let e = flags().fill(parse("redis://app@127.0.0.1:7000"), Some(&path), false).unwrap();
        assert_eq!(e.user.as_deref(), Some("app"));
        assert_eq!(e.password.unwrap().expose(), "p@ss word:/x");
    }

    #[test]
    fn two_ways_at_once_and_empty_or_missing_files_are_usage_errors() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "pw\n").unwrap();
        assert_eq!(flags().fill(parse("redis://:x@h:1"), Some(&path), false).unwrap_err(), ExitCode::from(2));
        assert_eq!(flags().fill(parse("redis://h:1"), Some(&path), true).unwrap_err(), ExitCode::from(2));
        std::fs::write(&path, "\n").unwrap();
        assert_eq!(flags().fill(parse("redis://h:1"), Some(&path), false).unwrap_err(), ExitCode::from(2));
        let missing = dir.path().join("none");
        assert_eq!(flags().fill(parse("redis://h:1"), Some(&missing), false).unwrap_err(), ExitCode::from(2));
        assert!(flags().fill(parse("redis://h:1"), None, false).unwrap().password.is_none());
    }
}
