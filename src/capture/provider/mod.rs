//! What the capture handshake speaks: ring's defaults, then what rustls leaves out but real
//! clients (OpenSSL, Java, ...) still speak, so a server that speaks only that shows its chain
//! too. Only the capture uses it: verifying a chain, fetching and signing stay on
//! [`super::provider`].
//!
//! The additions come after the defaults, so a server that can use a default negotiates exactly
//! what it did before; rustls sends its key share for the first group, and a server that wants
//! an added group asks for it with a HelloRetryRequest.

mod ccm;
mod ed448;
mod ffdhe;
mod mlkem;
mod p521;
mod pss;
mod rsa_sizes;
mod x448;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::{DigitallySignedStruct, Error, SignatureScheme};
use std::sync::{Arc, OnceLock};

/// The handshake signature schemes [`verify_signature`] checks, offered after rustls's own.
pub const SIGNATURE_SCHEMES: [SignatureScheme; 5] = [
    pss::SCHEMES[0],
    pss::SCHEMES[1],
    pss::SCHEMES[2],
    p521::SCHEME,
    ed448::SCHEME,
];

/// Checks a handshake signature in one of [`SIGNATURE_SCHEMES`]; `None` for any other scheme,
/// which is rustls's to verify.
pub fn verify_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Option<Result<HandshakeSignatureValid, Error>> {
    pss::verify(message, cert, dss)
        .or_else(|| rsa_sizes::verify(message, cert, dss))
        .or_else(|| p521::verify(message, cert, dss))
        .or_else(|| ed448::verify(message, cert, dss))
}

/// The capture's crypto provider, built once.
pub fn capture_provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let mut provider = rustls::crypto::ring::default_provider();
            provider.kx_groups.push(p521::GROUP);
            provider.kx_groups.push(x448::GROUP);
            provider.kx_groups.push(mlkem::GROUP);
            provider.kx_groups.extend(ffdhe::GROUPS);
            provider.cipher_suites.extend([
                ccm::TLS13_AES_128_CCM_SHA256,
                ccm::TLS13_AES_128_CCM_8_SHA256,
            ]);
            Arc::new(provider)
        })
        .clone()
}
