//! The sandbox's TLS server: a CA and a server certificate made on the spot, so that a TLS link can
//! be tried (the form's TLS section, the pre-check's certificate item) without a certificate of
//! one's own.
//!
//! The CA is made for this sandbox only and its key is dropped once the server certificate is
//! signed, so nothing else can ever be signed by it. The files live in the sandbox's directory,
//! which [`super::Console::stop_sandbox`] removes.

use std::path::{Path, PathBuf};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};

use crate::endpoint::TlsOptions;
use crate::text::catalog::run_errors as errors;
use crate::text::{Entry, Text};

/// The PEM files the sandbox's TLS server is started with.
pub(super) struct TlsFiles {
    pub ca: PathBuf,
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TlsFiles {
    /// The `redis-server` arguments of a server taking TLS on `port` (clients need no certificate).
    pub fn server_args(&self, port: u16) -> Vec<String> {
        let path = |p: &Path| p.display().to_string();
        vec![
            "--tls-port".into(),
            port.to_string(),
            "--tls-cert-file".into(),
            path(&self.cert),
            "--tls-key-file".into(),
            path(&self.key),
            "--tls-ca-cert-file".into(),
            path(&self.ca),
            "--tls-auth-clients".into(),
            "no".into(),
        ]
    }

    /// How a client trusts the server: the sandbox's CA, nothing else.
    pub fn client_options(&self) -> TlsOptions {
        TlsOptions { ca_file: Some(self.ca.clone()), ..TlsOptions::default() }
    }
}

/// Makes a CA and a certificate for `localhost` and `127.0.0.1` signed by it, in `dir`.
pub(super) fn make(dir: &Path) -> Result<TlsFiles, Text> {
    std::fs::create_dir_all(dir).map_err(|e| cannot(&errors::SANDBOX_CANNOT_CREATE, dir, &e))?;
    let sign = || -> Result<(String, String, String), rcgen::Error> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, "Ferry sandbox CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        let mut params = CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()])?;
        params.distinguished_name.push(DnType::CommonName, "Ferry sandbox TLS server");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &*ca)?;
        Ok((ca.pem(), cert.pem(), key.serialize_pem()))
    };
    let (ca, cert, key) =
        sign().map_err(|e| Text::new(&errors::SANDBOX_TLS_CERTIFICATE).arg("error", e.to_string()))?;
    let files = TlsFiles { ca: dir.join("ca.pem"), cert: dir.join("server.pem"), key: dir.join("server.key") };
    for (path, pem) in [(&files.ca, ca), (&files.cert, cert), (&files.key, key)] {
        write_private(path, &pem).map_err(|e| cannot(&errors::SANDBOX_CANNOT_WRITE, path, &e))?;
    }
    Ok(files)
}

/// `sentence` (cannot create, cannot write) about `path`, with the system's error.
pub(super) fn cannot(sentence: &'static Entry, path: &Path, error: &std::io::Error) -> Text {
    Text::new(sentence).arg("path", path.display().to_string()).arg("error", error.to_string())
}

/// Writes a file only its owner can read (the server's key among them).
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
