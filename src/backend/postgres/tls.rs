//! TLS for PostgreSQL connections: rustls with the ring provider (no
//! OpenSSL), and the certificate checks each `sslmode` asks for.
//!
//! rustls verifies everything by default, while libpq's `prefer` and
//! `require` check nothing; the verifier here gives those modes their
//! libpq meaning explicitly (docs/RELIABILITY.md §5.2). Even then the server must
//! prove it holds the key of the certificate it shows: the handshake
//! signatures are always checked.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::verify_server_cert_signed_by_trust_anchor;
use rustls::crypto::{WebPkiSupportedAlgorithms, verify_tls12_signature, verify_tls13_signature};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::Socket;
use tokio_postgres::tls::{MakeTlsConnect, TlsConnect};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How much of the server's certificate is checked.
#[derive(Debug)]
pub(crate) enum Verification {
    /// Nothing (libpq's `prefer` and `require`): encryption against passive
    /// listeners only.
    Nothing,
    /// The chain up to a trusted root, not the host name (`verify-ca`).
    Chain(RootCertStore),
    /// The chain and the host name (`verify-full`).
    Full(RootCertStore),
}

/// The trusted roots: the certificates of the PEM file `sslrootcert`, or
/// the Mozilla roots of webpki-roots.
pub(crate) fn roots(sslrootcert: Option<&Path>) -> Result<RootCertStore, String> {
    let Some(path) = sslrootcert else {
        return Ok(RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        });
    };
    let pem = std::fs::read(path)
        .map_err(|error| format!("cannot read sslrootcert {}: {error}", path.display()))?;
    let mut store = RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(&pem) {
        let certificate = certificate.map_err(|error| {
            format!(
                "sslrootcert {} is not a valid PEM file: {error}",
                path.display()
            )
        })?;
        store.add(certificate).map_err(|error| {
            format!(
                "sslrootcert {} holds a certificate rustls cannot use: {error}",
                path.display()
            )
        })?;
    }
    if store.is_empty() {
        return Err(format!(
            "sslrootcert {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
            path.display()
        ));
    }
    Ok(store)
}

/// The rustls configuration for `verification`, on the ring provider.
pub(crate) fn client_config(verification: Verification) -> Result<ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let algorithms = provider.signature_verification_algorithms;
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("cannot set up TLS: {error}"))?;
    let roots = match verification {
        Verification::Full(roots) => {
            return Ok(builder.with_root_certificates(roots).with_no_client_auth());
        }
        Verification::Chain(roots) => Some(Arc::new(roots)),
        Verification::Nothing => None,
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(LibpqVerifier { roots, algorithms }))
        .with_no_client_auth())
}

/// The checks libpq's modes make and rustls' own verifier does not offer:
/// with `roots`, the chain must lead to a trusted root and be in date, but
/// the name in the certificate is not compared with the host (`verify-ca`);
/// without, any certificate is accepted (`prefer`, `require`). Either way the
/// server must sign the handshake with the key of the certificate it sent.
#[derive(Debug)]
struct LibpqVerifier {
    roots: Option<Arc<RootCertStore>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Some(roots) = &self.roots {
            let certificate = ParsedCertificate::try_from(end_entity)?;
            verify_server_cert_signed_by_trust_anchor(
                &certificate,
                roots,
                intermediates,
                now,
                self.algorithms.all,
            )?;
        }
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

/// The rustls connector, remembering whether a TLS handshake completed: with
/// `sslmode=prefer` tokio-postgres falls back to plaintext silently, and
/// this is how sqlmig knows to say so.
#[derive(Clone)]
pub(crate) struct TrackedTls {
    inner: MakeRustlsConnect,
    encrypted: Arc<AtomicBool>,
}

impl TrackedTls {
    /// A connector using `config`.
    pub(crate) fn new(config: ClientConfig) -> Self {
        TrackedTls {
            inner: MakeRustlsConnect::new(config),
            encrypted: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Whether a handshake through this connector (or a clone) completed.
    pub(crate) fn encrypted(&self) -> bool {
        self.encrypted.load(Ordering::SeqCst)
    }
}

type InnerConnect = <MakeRustlsConnect as MakeTlsConnect<Socket>>::TlsConnect;
type InnerStream = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;

impl MakeTlsConnect<Socket> for TrackedTls {
    type Stream = InnerStream;
    type TlsConnect = TrackedConnect;
    type Error = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Error;

    fn make_tls_connect(&mut self, domain: &str) -> Result<TrackedConnect, Self::Error> {
        Ok(TrackedConnect {
            inner: MakeTlsConnect::<Socket>::make_tls_connect(&mut self.inner, domain)?,
            encrypted: Arc::clone(&self.encrypted),
        })
    }
}

/// One handshake of [`TrackedTls`].
pub(crate) struct TrackedConnect {
    inner: InnerConnect,
    encrypted: Arc<AtomicBool>,
}

type HandshakeResult = Result<InnerStream, <InnerConnect as TlsConnect<Socket>>::Error>;

impl TlsConnect<Socket> for TrackedConnect {
    type Stream = InnerStream;
    type Error = <InnerConnect as TlsConnect<Socket>>::Error;
    type Future = Pin<Box<dyn Future<Output = HandshakeResult> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        let encrypted = self.encrypted;
        let handshake = self.inner.connect(stream);
        Box::pin(async move {
            let stream = handshake.await?;
            encrypted.store(true, Ordering::SeqCst);
            Ok(stream)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_files_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        assert!(
            roots(Some(&empty))
                .unwrap_err()
                .contains("holds no PEM certificate")
        );
        let missing = dir.path().join("missing.pem");
        assert!(
            roots(Some(&missing))
                .unwrap_err()
                .contains("cannot read sslrootcert")
        );
        assert!(!roots(None).unwrap().is_empty(), "webpki-roots");
    }

    #[test]
    fn every_verification_builds_a_config() {
        for verification in [
            Verification::Nothing,
            Verification::Chain(roots(None).unwrap()),
            Verification::Full(roots(None).unwrap()),
        ] {
            assert!(client_config(verification).is_ok());
        }
    }
}
