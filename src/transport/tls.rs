//! TLS on the client side, with rustls: no OpenSSL at run time, on every OS.
//!
//! Trust comes from the platform's roots (which honour `SSL_CERT_FILE` and `SSL_CERT_DIR`, as other
//! tools do) unless a CA file is given; a client certificate makes it mutual TLS. The one way to skip
//! verification is named [`TlsOptions::insecure`] and the pre-check warns whenever it is used.
//! Handshake failures become one sentence each that says what to do (an expired certificate, an
//! unknown issuer, a name mismatch, a server that wants a client certificate, a port without TLS).

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::endpoint::{ListenTls, TlsOptions};
use crate::text::catalog::errors as msg;
use crate::text::Text;

/// Why a TLS session could not be set up: one sentence each, naming the file or the fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlsError {
    #[error("{}", self.text())]
    File { path: String, reason: Text },
    #[error("{}", self.text())]
    HalfClientCert,
    #[error("{}", self.text())]
    BadName { name: String },
    #[error("{}", self.text())]
    NoRoots,
    #[error("{}", self.text())]
    Expired,
    #[error("{}", self.text())]
    NotYetValid,
    #[error("{}", self.text())]
    UnknownIssuer,
    #[error("{}", self.text())]
    WrongName { name: String },
    #[error("{}", self.text())]
    ClientCertRequired,
    #[error("{}", self.text())]
    ClientCertRefused { alert: String },
    #[error("{}", self.text())]
    NotTls,
    #[error("{}", self.text())]
    NoAnswer { secs: u64 },
    #[error("{}", self.text())]
    Other(Text),
}

impl TlsError {
    /// The sentence as a catalog code, for the console to show in the user's language; `Display`
    /// is its English.
    pub fn text(&self) -> Text {
        match self {
            TlsError::File { path, reason } => {
                Text::new(&msg::TLS_FILE).arg("path", path).arg("reason", reason.clone())
            }
            TlsError::HalfClientCert => Text::new(&msg::TLS_HALF_CLIENT_CERT),
            TlsError::BadName { name } => Text::new(&msg::TLS_BAD_NAME).arg("name", format!("{name:?}")),
            TlsError::NoRoots => Text::new(&msg::TLS_NO_ROOTS),
            TlsError::Expired => Text::new(&msg::TLS_EXPIRED),
            TlsError::NotYetValid => Text::new(&msg::TLS_NOT_YET_VALID),
            TlsError::UnknownIssuer => Text::new(&msg::TLS_UNKNOWN_ISSUER),
            TlsError::WrongName { name } => Text::new(&msg::TLS_WRONG_NAME).arg("name", format!("{name:?}")),
            TlsError::ClientCertRequired => Text::new(&msg::TLS_CLIENT_CERT_REQUIRED),
            TlsError::ClientCertRefused { alert } => Text::new(&msg::TLS_CLIENT_CERT_REFUSED).arg("alert", alert),
            TlsError::NotTls => Text::new(&msg::TLS_NOT_TLS),
            TlsError::NoAnswer { secs } => Text::new(&msg::TLS_NO_ANSWER).arg("secs", *secs),
            TlsError::Other(why) => Text::new(&msg::TLS_OTHER).arg("why", why.clone()),
        }
    }
}

/// The rustls configuration `options` call for.
// rustls marks its ring provider deprecated for lacking post-quantum key exchange. It stays the
// choice here because it builds with a C compiler alone on every OS the installers target, where
// aws-lc-rs needs cmake (and NASM on Windows); Redis servers offer no post-quantum groups today.
#[allow(deprecated)]
fn client_config(options: &TlsOptions) -> Result<ClientConfig, TlsError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Other(Text::raw(e.to_string())))?;
    let builder = if options.insecure {
        let algorithms = provider.signature_verification_algorithms;
        builder.dangerous().with_custom_certificate_verifier(Arc::new(AcceptAnything { algorithms }))
    } else {
        builder.with_root_certificates(roots(options)?)
    };
    match (&options.cert_file, &options.key_file) {
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(cert), Some(key)) => {
            let chain = certificates(cert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| file_error(key, e))?;
            builder.with_client_auth_cert(chain, key).map_err(|e| TlsError::File {
                path: cert.display().to_string(),
                reason: Text::new(&msg::TLS_KEY_MISMATCH).arg("error", e.to_string()),
            })
        }
        _ => Err(TlsError::HalfClientCert),
    }
}

/// The server side of TLS, for a listener of Ferry's own: its certificate, and the CAs whose
/// client certificates it requires, if any.
#[derive(Clone)]
pub struct Acceptor(TlsAcceptor);

impl Acceptor {
    // The ring provider, as for clients (see `client_config`).
    #[allow(deprecated)]
    pub fn new(listen: &ListenTls) -> Result<Acceptor, TlsError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Other(Text::raw(e.to_string())))?;
        let builder = match &listen.client_ca_file {
            None => builder.with_no_client_auth(),
            Some(ca) => {
                let mut roots = RootCertStore::empty();
                for cert in certificates(ca)? {
                    roots.add(cert).map_err(|e| TlsError::File {
                        path: ca.display().to_string(),
                        reason: Text::new(&msg::TLS_NOT_A_CA).arg("error", e.to_string()),
                    })?;
                }
                let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| {
                        TlsError::Other(Text::new(&msg::TLS_CLIENT_CA_UNUSABLE).arg("error", e.to_string()))
                    })?;
                builder.with_client_cert_verifier(verifier)
            }
        };
        let chain = certificates(&listen.cert_file)?;
        let key = PrivateKeyDer::from_pem_file(&listen.key_file).map_err(|e| file_error(&listen.key_file, e))?;
        let config = builder.with_single_cert(chain, key).map_err(|e| TlsError::File {
            path: listen.cert_file.display().to_string(),
            reason: Text::new(&msg::TLS_KEY_MISMATCH).arg("error", e.to_string()),
        })?;
        Ok(Acceptor(TlsAcceptor::from(Arc::new(config))))
    }

    pub(super) async fn accept(
        &self,
        stream: TcpStream,
    ) -> Result<tokio_rustls::server::TlsStream<TcpStream>, TlsError> {
        self.0.accept(stream).await.map_err(|e| explain(e, ""))
    }
}

/// The CAs `options` trust.
fn roots(options: &TlsOptions) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    if let Some(ca) = &options.ca_file {
        for cert in certificates(ca)? {
            roots.add(cert).map_err(|e| TlsError::File {
                path: ca.display().to_string(),
                reason: Text::new(&msg::TLS_NOT_A_CA).arg("error", e.to_string()),
            })?;
        }
        return Ok(roots);
    }
    // Reads SSL_CERT_FILE / SSL_CERT_DIR when set, the OS store otherwise.
    let found = rustls_native_certs::load_native_certs();
    roots.add_parsable_certificates(found.certs);
    if roots.is_empty() {
        return Err(TlsError::NoRoots);
    }
    Ok(roots)
}

/// Sets up TLS over a connected TCP stream to `host`.
pub(super) async fn handshake(
    stream: TcpStream,
    host: &str,
    options: &TlsOptions,
) -> Result<TlsStream<TcpStream>, TlsError> {
    let config = client_config(options)?;
    let name = options.server_name.as_deref().unwrap_or(host);
    let server_name =
        ServerName::try_from(name.to_string()).map_err(|_| TlsError::BadName { name: name.to_string() })?;
    TlsConnector::from(Arc::new(config)).connect(server_name, stream).await.map_err(|e| explain(e, name))
}

/// The handshake's I/O error as what the user should do about it.
fn explain(e: std::io::Error, name: &str) -> TlsError {
    let Some(tls) = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()) else {
        return match e.kind() {
            std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset => {
                TlsError::Other(Text::new(&msg::TLS_CLOSED_IN_HANDSHAKE).arg("error", e.to_string()))
            }
            _ => TlsError::Other(Text::raw(e.to_string())),
        };
    };
    from_rustls(tls, name)
}

/// A TLS refusal that arrives after the handshake, on the first read: with TLS 1.3 a server that
/// requires a client certificate says so only then.
pub fn refusal(e: &std::io::Error) -> Option<TlsError> {
    e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()).map(|tls| from_rustls(tls, ""))
}

fn from_rustls(tls: &rustls::Error, name: &str) -> TlsError {
    match tls {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => TlsError::Expired,
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => TlsError::NotYetValid,
            CertificateError::UnknownIssuer | CertificateError::BadSignature => TlsError::UnknownIssuer,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsError::WrongName { name: name.to_string() }
            }
            other => TlsError::Other(Text::new(&msg::TLS_CERT_REFUSED).arg("error", format!("{other:?}"))),
        },
        rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => TlsError::NotTls,
        rustls::Error::AlertReceived(alert) => {
            let alert = format!("{alert:?}");
            match alert.as_str() {
                "CertificateRequired" | "HandshakeFailure" => TlsError::ClientCertRequired,
                "BadCertificate" | "UnknownCA" | "CertificateUnknown" | "AccessDenied" => {
                    TlsError::ClientCertRefused { alert }
                }
                _ => TlsError::Other(Text::new(&msg::TLS_ALERT).arg("alert", alert)),
            }
        }
        other => TlsError::Other(Text::raw(other.to_string())),
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, e))?;
    if certs.is_empty() {
        let reason = Text::new(&msg::TLS_NO_PEM_CERT);
        return Err(TlsError::File { path: path.display().to_string(), reason });
    }
    Ok(certs)
}

fn file_error(path: &Path, e: rustls::pki_types::pem::Error) -> TlsError {
    let reason = match e {
        rustls::pki_types::pem::Error::Io(io) => Text::raw(io.to_string()),
        rustls::pki_types::pem::Error::NoItemsFound => Text::new(&msg::TLS_NO_PEM_KEY),
        other => Text::new(&msg::TLS_BAD_PEM).arg("error", format!("{other:?}")),
    };
    TlsError::File { path: path.display().to_string(), reason }
}

/// The verifier behind [`TlsOptions::insecure`]: checks the handshake's signatures (so the session
/// is still encrypted to whoever holds the key) but not who that is.
#[derive(Debug)]
struct AcceptAnything {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// What the pre-check shows of a server's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    /// Unix seconds.
    pub not_after: i64,
}

/// Reads the subject, issuer and expiry of a DER certificate.
pub(super) fn describe_certificate(der: &[u8]) -> Option<CertificateInfo> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).ok()?;
    Some(CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_after: cert.validity().not_after.timestamp(),
    })
}
