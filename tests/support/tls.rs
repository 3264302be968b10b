//! TLS for the tests: a CA, server and client certificates made with rcgen in a temp dir (nothing
//! checked in), and redis-servers that take TLS on a second port beside their plain one (the plain
//! port is for the test's own setup and load; Ferry is given the TLS port).

use std::path::{Path, PathBuf};

use ferry::endpoint::{Endpoint, TlsOptions};
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
};

use super::{free_port, RedisServer};

/// A CA with certificates it signed, as PEM files.
pub struct Pki {
    dir: tempfile::TempDir,
}

/// Which server certificate a TLS server presents.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ServerCert {
    /// Valid for `localhost` and `127.0.0.1`, signed by the CA.
    Valid,
    /// Expired in 2021, signed by the CA.
    Expired,
}

impl Pki {
    /// Makes the CA, a server certificate (valid and expired ones), a client certificate, and a
    /// second CA that signed nothing here (a wrong CA to trust).
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = ca("Ferry Test CA");
        write(dir.path(), "ca.pem", &ca.pem());
        write(dir.path(), "other-ca.pem", &self::ca("Another CA").pem());
        for (name, expired) in [("server", false), ("expired", true)] {
            let mut params =
                CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).expect("server params");
            params.distinguished_name.push(DnType::CommonName, format!("ferry test {name}"));
            params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
            if expired {
                params.not_before = date_time_ymd(2020, 1, 1);
                params.not_after = date_time_ymd(2021, 1, 1);
            }
            let key = KeyPair::generate().expect("key");
            let cert = params.signed_by(&key, &*ca).expect("sign the server certificate");
            write(dir.path(), &format!("{name}.pem"), &cert.pem());
            write(dir.path(), &format!("{name}.key"), &key.serialize_pem());
        }
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("client params");
        params.distinguished_name.push(DnType::CommonName, "ferry test client");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &*ca).expect("sign the client certificate");
        write(dir.path(), "client.pem", &cert.pem());
        write(dir.path(), "client.key", &key.serialize_pem());
        Pki { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// TLS options that trust this CA (and present the client certificate when `client`).
    pub fn options(&self, client: bool) -> TlsOptions {
        TlsOptions {
            ca_file: Some(self.path("ca.pem")),
            cert_file: client.then(|| self.path("client.pem")),
            key_file: client.then(|| self.path("client.key")),
            ..TlsOptions::default()
        }
    }
}

/// A redis-server with a plain port and a TLS port.
pub struct TlsServer {
    pub server: RedisServer,
    pub tls_port: u16,
}

impl TlsServer {
    /// Presents `cert`; requires a client certificate signed by the CA when `mutual`.
    pub fn start(pki: &Pki, cert: ServerCert, mutual: bool) -> TlsServer {
        let tls_port = free_port();
        let name = if cert == ServerCert::Valid { "server" } else { "expired" };
        let (cert, key, ca) = (pki.path(&format!("{name}.pem")), pki.path(&format!("{name}.key")), pki.path("ca.pem"));
        let args = [
            "--tls-port".to_string(),
            tls_port.to_string(),
            "--tls-cert-file".to_string(),
            cert.display().to_string(),
            "--tls-key-file".to_string(),
            key.display().to_string(),
            "--tls-ca-cert-file".to_string(),
            ca.display().to_string(),
            "--tls-auth-clients".to_string(),
            if mutual { "yes" } else { "no" }.to_string(),
        ];
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        TlsServer { server: RedisServer::start_args(&args), tls_port }
    }

    /// The TLS port at `host`, with `options`.
    pub fn endpoint(&self, host: &str, options: TlsOptions) -> Endpoint {
        Endpoint { tls: Some(options), ..Endpoint::new(host, self.tls_port) }
    }
}

fn ca(name: &str) -> CertifiedIssuer<'static, KeyPair> {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    params.distinguished_name.push(DnType::CommonName, name);
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key")).expect("self-sign the CA")
}

fn write(dir: &Path, name: &str, pem: &str) {
    std::fs::write(dir.join(name), pem).expect("write a PEM file");
}
