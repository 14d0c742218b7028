//! The server's own key (`check --file chain.pem --key key.pem`): does it belong to the leaf?
//!
//! A certificate carries the public half of its key (the SubjectPublicKeyInfo); the key belongs
//! to the certificate exactly when its public half is the same. Only public keys are compared
//! and only their hashes are shown.

use super::Finding;
use crate::causes::Cause;
use crate::chain::Chain;
use crate::chain::signature::sha256_hex;
use crate::identity::ServerKey;
use rustls::pki_types::CertificateDer;

/// A `key-mismatch` finding when `key` is not the key of the chain's leaf. Nothing when they
/// match, when the leaf cannot be parsed (that has its own finding) or when the key's public
/// half cannot be derived.
pub fn check(chain: &[CertificateDer<'static>], key: &ServerKey) -> Vec<Finding> {
    let Some(leaf) = chain.first() else {
        return Vec::new();
    };
    let leaf = Chain::from_der(vec![leaf.clone()]);
    let Some(facts) = leaf.leaf().and_then(|c| c.facts()) else {
        return Vec::new();
    };
    let Some(public_key) = &key.public_key else {
        return Vec::new();
    };
    if *public_key == facts.spki_der {
        return Vec::new();
    }
    vec![Finding::at(
        Cause::KeyMismatch,
        0,
        format!(
            "the key in {} is not the key of the leaf {}: the key's public key has SPKI SHA-256 \
             {}, the leaf's {}",
            key.path.display(),
            facts.subject,
            sha256_hex(public_key),
            sha256_hex(&facts.spki_der)
        ),
    )]
}
