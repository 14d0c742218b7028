//! Cryptographic strength: broken hashes, small keys, algorithms clients do not implement.

use super::{Context, Finding};
use crate::causes::Cause;
use crate::chain::signature::{KeyAlgorithm, SignatureKind};

/// The smallest RSA modulus mainstream clients accept.
const MIN_RSA_BITS: u32 = 2048;

pub fn check(ctx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for &index in &ctx.path.certs {
        let Some(facts) = ctx.chain.certs[index].facts() else {
            continue;
        };
        // A root's signature on itself is never checked by clients.
        if !facts.self_signed {
            let kind = &facts.signed.kind;
            if let Some(hash) = kind.hash().filter(|h| h.is_broken()) {
                findings.push(Finding::at(
                    Cause::WeakSignature,
                    index,
                    format!("signed with {} ({hash:?})", kind.name()),
                ));
            } else if let SignatureKind::Other(_) = kind {
                findings.push(Finding::at(
                    Cause::UnsupportedAlgorithm,
                    index,
                    format!("signed with {}", kind.name()),
                ));
            }
        }
        let key = &facts.key;
        let bits = key
            .bits
            .map_or("unknown size".to_string(), |b| format!("{b} bits"));
        match &key.algorithm {
            KeyAlgorithm::Rsa if key.bits.is_some_and(|b| b < MIN_RSA_BITS) => {
                findings.push(Finding::at(
                    Cause::WeakKey,
                    index,
                    format!("RSA key of {bits}; at least {MIN_RSA_BITS} bits are required"),
                ));
            }
            KeyAlgorithm::Dsa => findings.push(Finding::at(
                Cause::WeakKey,
                index,
                format!("DSA key ({bits}); DSA is no longer accepted for TLS"),
            )),
            KeyAlgorithm::Ec if !matches!(key.curve.as_deref(), Some("P-256" | "P-384")) => {
                findings.push(Finding::at(
                    Cause::UnsupportedAlgorithm,
                    index,
                    format!(
                        "EC key on curve {}; clients support P-256 and P-384",
                        key.curve.as_deref().unwrap_or("unknown")
                    ),
                ));
            }
            KeyAlgorithm::Ed448 | KeyAlgorithm::Other(_) => findings.push(Finding::at(
                Cause::UnsupportedAlgorithm,
                index,
                format!(
                    "{} key, which rustls-webpki (and so rustls) cannot verify",
                    key.algorithm.name()
                ),
            )),
            _ => {}
        }
    }
    findings
}
