//! Private keys given on the command line: the client's own certificate and key for mutual TLS
//! (`--cert`, `--key`), and a server's key checked against its chain file (`--file`, `--key`).
//!
//! A client key is used to sign the handshake and for nothing else; of a server key only the
//! public half is kept. Neither is ever printed, logged or written into a report.

use crate::bundle;
use crate::error::Error;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::sign::SigningKey;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A client certificate chain (leaf first) with its private key, ready to present.
#[derive(Debug)]
pub struct ClientIdentity {
    pub cert_path: PathBuf,
    pub key_path: PathBuf,
    pub chain: Vec<CertificateDer<'static>>,
    pub certified: Arc<CertifiedKey>,
    /// Whether the key belongs to the leaf; `None` when that cannot be told.
    pub key_matches: Option<bool>,
    /// Every user on this machine can read the key file.
    pub key_world_readable: bool,
}

impl ClientIdentity {
    /// Reads a PEM/DER certificate file (the leaf, then any intermediates) and a PEM or DER
    /// private key (PKCS#1 RSA, SEC1 EC or PKCS#8 RSA/EC/Ed25519).
    pub fn load(cert_path: &Path, key_path: &Path) -> Result<ClientIdentity, Error> {
        let chain = bundle::read_certificates(cert_path)?;
        let signing = load_signing_key(key_path)?;
        let certified = CertifiedKey::new(chain.clone(), signing);
        let key_matches = match certified.keys_match() {
            Ok(()) => Some(true),
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                Some(false)
            }
            Err(_) => None,
        };
        Ok(ClientIdentity {
            cert_path: cert_path.to_path_buf(),
            key_path: key_path.to_path_buf(),
            chain,
            certified: Arc::new(certified),
            key_matches,
            key_world_readable: world_readable(key_path),
        })
    }
}

/// A server's private key, named with `check --file chain.pem --key key.pem`, reduced to its
/// public half so the leaf's can be compared with it: whether the pair an operator is about to
/// deploy belongs together.
#[derive(Debug)]
pub struct ServerKey {
    pub path: PathBuf,
    /// The key's SubjectPublicKeyInfo (DER), as a certificate for it would carry; `None` when it
    /// cannot be derived from this kind of key.
    pub public_key: Option<Vec<u8>>,
}

impl ServerKey {
    /// Reads a PEM or DER private key (PKCS#1 RSA, SEC1 EC or PKCS#8 RSA/EC/Ed25519) and keeps
    /// its public key. An encrypted key is an error that says so: there is no passphrase to ask.
    pub fn load(path: &Path) -> Result<ServerKey, Error> {
        let signing = load_signing_key(path)?;
        Ok(ServerKey {
            path: path.to_path_buf(),
            public_key: signing.public_key().map(|spki| spki.as_ref().to_vec()),
        })
    }
}

/// The key in `path`, in the form rustls signs with (and derives public keys from).
fn load_signing_key(path: &Path) -> Result<Arc<dyn SigningKey>, Error> {
    let key = read_key(path)?;
    crate::capture::provider()
        .key_provider
        .load_private_key(key)
        .map_err(|e| Error::Bundle {
            path: path.to_path_buf(),
            reason: format!("holds a key tlsdoctor cannot use ({e})"),
        })
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, Error> {
    let bytes = crate::input::read(path)?;
    let bad = |reason: &str| Error::Bundle {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    };
    let text = String::from_utf8_lossy(&bytes);
    if text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(bad(
            "holds an encrypted private key, which tlsdoctor cannot use or compare without its \
             passphrase; decrypt a copy first: openssl pkey -in KEY -out plain.key",
        ));
    }
    if text.contains("-----BEGIN") {
        return PrivateKeyDer::from_pem_slice(&bytes)
            .map_err(|_| bad("holds no private key (PKCS#1, SEC1 or PKCS#8 PEM)"));
    }
    PrivateKeyDer::try_from(bytes).map_err(|_| bad("is neither a PEM nor a DER private key"))
}

#[cfg(unix)]
fn world_readable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o004 != 0)
}

#[cfg(not(unix))]
fn world_readable(_path: &Path) -> bool {
    false
}
