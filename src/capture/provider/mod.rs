//! What the capture handshake speaks: ring's defaults, then what rustls leaves out but real
//! clients (OpenSSL, Java, ...) still speak, so a server that speaks only that shows its chain
//! too. Only the capture uses it: verifying a chain, fetching and signing stay on
//! [`super::provider`].
//!
//! The additions come after the defaults, so a server that can use a default negotiates exactly
//! what it did before; rustls sends its key share for the first group, and a server that wants
//! an added group asks for it with a HelloRetryRequest.

mod ccm;
mod ffdhe;
pub mod pss;

use rustls::crypto::CryptoProvider;
use std::sync::{Arc, OnceLock};

/// The capture's crypto provider, built once.
pub fn capture_provider() -> Arc<CryptoProvider> {
    static PROVIDER: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    PROVIDER
        .get_or_init(|| {
            let mut provider = rustls::crypto::ring::default_provider();
            provider.kx_groups.extend(ffdhe::GROUPS);
            provider.cipher_suites.extend([
                ccm::TLS13_AES_128_CCM_SHA256,
                ccm::TLS13_AES_128_CCM_8_SHA256,
            ]);
            Arc::new(provider)
        })
        .clone()
}
