//! The path from the leaf towards a trust anchor, built from signatures rather than names.
//!
//! This is what the chain *is*, independent of time and of any verifier's verdict: which
//! presented certificates lead from the leaf to a root, and where that path stops and why.

use super::Chain;
use super::signature::SignatureStatus;
use crate::trust::TrustStore;

/// Something that claims to be a certificate's issuer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IssuerRef {
    /// A presented certificate, by index.
    Presented(usize),
    /// A trust anchor, by index in the store.
    Anchor(usize),
}

/// Where the path from the leaf stops.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathEnd {
    /// The last certificate on the path was issued by this trust anchor.
    Anchor(usize),
    /// The last certificate signed itself and is not a trust anchor.
    SelfSigned,
    /// Issuers with the right name exist, but none of their keys made the signature.
    WrongIssuerKey(Vec<IssuerRef>),
    /// Issuers with the right name exist, but their signature algorithm cannot be checked.
    Unverifiable(Vec<IssuerRef>),
    /// No certificate with the issuer's name was sent or is trusted.
    IssuerNotFound,
    /// The last certificate on the path cannot be parsed.
    Unparseable,
}

/// A path through the presented chain: presented indices from the leaf up, and how it ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    pub certs: Vec<usize>,
    pub end: PathEnd,
}

impl Path {
    /// Builds the path the way verifiers do: at each step prefer a trust anchor, then a
    /// presented certificate whose key verifiably made the signature.
    pub fn build(chain: &Chain, store: &TrustStore) -> Option<Path> {
        chain.leaf()?;
        let mut certs = vec![0];
        loop {
            let current = *certs.last()?;
            let Some(facts) = chain.certs[current].facts() else {
                return Some(Path {
                    certs,
                    end: PathEnd::Unparseable,
                });
            };
            let mut wrong_key = Vec::new();
            let mut unverifiable = Vec::new();
            for anchor in store.by_subject(&facts.issuer_der) {
                match super::signature::verify(&facts.signed, &store.spki_der(anchor)) {
                    SignatureStatus::Valid => {
                        return Some(Path {
                            certs,
                            end: PathEnd::Anchor(anchor),
                        });
                    }
                    SignatureStatus::Invalid => wrong_key.push(IssuerRef::Anchor(anchor)),
                    SignatureStatus::Unsupported => unverifiable.push(IssuerRef::Anchor(anchor)),
                }
            }
            if facts.self_signed {
                return Some(Path {
                    certs,
                    end: PathEnd::SelfSigned,
                });
            }
            let mut next = None;
            for link in chain.issuers_of(current) {
                match link.status {
                    SignatureStatus::Valid if !certs.contains(&link.issuer) => {
                        next = Some(link.issuer);
                        break;
                    }
                    SignatureStatus::Valid => {}
                    SignatureStatus::Invalid => wrong_key.push(IssuerRef::Presented(link.issuer)),
                    SignatureStatus::Unsupported => {
                        unverifiable.push(IssuerRef::Presented(link.issuer))
                    }
                }
            }
            let end = match next {
                Some(issuer) => {
                    certs.push(issuer);
                    continue;
                }
                None if !unverifiable.is_empty() => PathEnd::Unverifiable(unverifiable),
                None if !wrong_key.is_empty() => PathEnd::WrongIssuerKey(wrong_key),
                // A loop of valid signatures (cross-signed pair) also stops here.
                None => PathEnd::IssuerNotFound,
            };
            return Some(Path { certs, end });
        }
    }

    /// The presented index of the last certificate on the path.
    pub fn top(&self) -> usize {
        self.certs.last().copied().unwrap_or(0)
    }

    /// True when the path reaches a trust anchor.
    pub fn is_anchored(&self) -> bool {
        matches!(self.end, PathEnd::Anchor(_))
    }
}
