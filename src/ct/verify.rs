//! Checking an SCT's signature (RFC 6962 §3.2) with the log's key. An embedded SCT signs the
//! precertificate: the leaf's TBSCertificate without the SCT extension, and the SHA-256 of the
//! issuer's SubjectPublicKeyInfo; one delivered in TLS or OCSP signs the leaf itself.

use super::{Sct, SctSource, der};
use crate::ct::logs::Log;
use ring::signature::{self, UnparsedPublicKey};
use serde::Serialize;
use x509_parser::prelude::FromDer;
use x509_parser::x509::SubjectPublicKeyInfo;

/// What became of one SCT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SctStatus {
    /// The log's key made this signature over this certificate.
    Valid,
    /// It did not: the SCT is about another certificate, was altered, or is not a signature.
    Invalid,
    /// No log of the list has this id, so there is no key to check it with.
    UnknownLog,
    /// The signed data cannot be rebuilt here: the issuer is absent, or the log's key or
    /// algorithm is one tlsdoctor cannot use.
    Unverifiable,
}

impl SctStatus {
    /// The word used in reports and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            SctStatus::Valid => "valid",
            SctStatus::Invalid => "invalid",
            SctStatus::UnknownLog => "unknown-log",
            SctStatus::Unverifiable => "unverifiable",
        }
    }
}

/// TLS HashAlgorithm sha256 and SignatureAlgorithm rsa / ecdsa (RFC 5246 §7.4.1.4.1).
const SHA256: u8 = 4;
const RSA: u8 = 1;
const ECDSA: u8 = 3;

const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// Checks `sct` about `leaf` (DER) with `log`'s key; `issuer_spki` is the DER
/// SubjectPublicKeyInfo of the leaf's issuer, needed for an embedded SCT.
pub fn verify(sct: &Sct, log: &Log, leaf: &[u8], issuer_spki: Option<&[u8]>) -> SctStatus {
    let Some(message) = signed_data(sct, leaf, issuer_spki) else {
        return SctStatus::Unverifiable;
    };
    let Ok((_, key)) = SubjectPublicKeyInfo::from_der(&log.key) else {
        return SctStatus::Unverifiable;
    };
    let algorithm: &dyn signature::VerificationAlgorithm =
        match key.algorithm.algorithm.to_id_string().as_str() {
            EC_PUBLIC_KEY => &signature::ECDSA_P256_SHA256_ASN1,
            RSA_ENCRYPTION => &signature::RSA_PKCS1_2048_8192_SHA256,
            _ => return SctStatus::Unverifiable,
        };
    let expected = match key.algorithm.algorithm.to_id_string().as_str() {
        EC_PUBLIC_KEY => ECDSA,
        _ => RSA,
    };
    // A signature in another algorithm than the log's cannot be the log's.
    if sct.hash_algorithm != SHA256 || sct.signature_algorithm != expected {
        return SctStatus::Invalid;
    }
    let public = UnparsedPublicKey::new(algorithm, &key.subject_public_key.data);
    match public.verify(&message, &sct.signature) {
        Ok(()) => SctStatus::Valid,
        Err(_) => SctStatus::Invalid,
    }
}

/// The `digitally-signed` struct of RFC 6962 §3.2 for this SCT; `None` when an embedded SCT's
/// issuer is unknown or the leaf does not rebuild.
pub fn signed_data(sct: &Sct, leaf: &[u8], issuer_spki: Option<&[u8]>) -> Option<Vec<u8>> {
    let mut out = vec![0u8, 0u8]; // sct_version v1, signature_type certificate_timestamp
    out.extend_from_slice(&sct.timestamp_ms.to_be_bytes());
    match sct.source {
        SctSource::Certificate => {
            let issuer = issuer_spki?;
            let tbs = der::tbs_without_extension(leaf, der::SCT_LIST_OID)?;
            out.extend_from_slice(&1u16.to_be_bytes()); // precert_entry
            out.extend_from_slice(ring::digest::digest(&ring::digest::SHA256, issuer).as_ref());
            push_u24_prefixed(&mut out, &tbs)?;
        }
        SctSource::Tls | SctSource::Ocsp => {
            out.extend_from_slice(&0u16.to_be_bytes()); // x509_entry
            push_u24_prefixed(&mut out, leaf)?;
        }
    }
    let extensions = u16::try_from(sct.extensions.len()).ok()?;
    out.extend_from_slice(&extensions.to_be_bytes());
    out.extend_from_slice(&sct.extensions);
    Some(out)
}

fn push_u24_prefixed(out: &mut Vec<u8>, body: &[u8]) -> Option<()> {
    let n = u32::try_from(body.len()).ok().filter(|&n| n < 1 << 24)?;
    out.extend_from_slice(&n.to_be_bytes()[1..]);
    out.extend_from_slice(body);
    Some(())
}
