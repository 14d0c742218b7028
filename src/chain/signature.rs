//! Which key signed which certificate: signature verification done leniently, as a fact.
//!
//! The chain model must tell "this issuer's key made this signature" apart from "it did not",
//! even for weak algorithms (SHA-1, 1024-bit RSA) that the checks later flag: a weak link is
//! still a link. Verification uses ring, which rustls already links in.

use ring::signature::{self as ring_sig, VerificationAlgorithm};
use serde::Serialize;
use x509_parser::prelude::*;
use x509_parser::public_key::PublicKey;
use x509_parser::signature_algorithm::SignatureAlgorithm;

/// The hash inside a certificate signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Hash {
    Md2,
    Md5,
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    /// True for hashes with practical collision attacks.
    pub fn is_broken(self) -> bool {
        matches!(self, Hash::Md2 | Hash::Md5 | Hash::Sha1)
    }

    fn from_oid(oid: &str) -> Option<Hash> {
        Some(match oid {
            "1.3.14.3.2.26" => Hash::Sha1,
            "2.16.840.1.101.3.4.2.4" => Hash::Sha224,
            "2.16.840.1.101.3.4.2.1" => Hash::Sha256,
            "2.16.840.1.101.3.4.2.2" => Hash::Sha384,
            "2.16.840.1.101.3.4.2.3" => Hash::Sha512,
            "1.2.840.113549.2.5" => Hash::Md5,
            "1.2.840.113549.2.2" => Hash::Md2,
            _ => return None,
        })
    }
}

/// The algorithm a certificate was signed with, reduced to what verification needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureKind {
    RsaPkcs1(Hash),
    RsaPss(Hash),
    Ecdsa(Hash),
    Ed25519,
    /// Anything else (DSA, GOST, Ed448, unknown OIDs): named by its OID.
    Other(String),
}

impl SignatureKind {
    /// Reads the signature algorithm of a parsed certificate.
    pub fn of(alg: &AlgorithmIdentifier<'_>) -> SignatureKind {
        let oid = alg.algorithm.to_id_string();
        let hash = match oid.as_str() {
            "1.2.840.113549.1.1.2" => Some(("rsa", Hash::Md2)),
            "1.2.840.113549.1.1.4" => Some(("rsa", Hash::Md5)),
            "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => Some(("rsa", Hash::Sha1)),
            "1.2.840.113549.1.1.14" => Some(("rsa", Hash::Sha224)),
            "1.2.840.113549.1.1.11" => Some(("rsa", Hash::Sha256)),
            "1.2.840.113549.1.1.12" => Some(("rsa", Hash::Sha384)),
            "1.2.840.113549.1.1.13" => Some(("rsa", Hash::Sha512)),
            "1.2.840.10045.4.1" => Some(("ecdsa", Hash::Sha1)),
            "1.2.840.10045.4.3.1" => Some(("ecdsa", Hash::Sha224)),
            "1.2.840.10045.4.3.2" => Some(("ecdsa", Hash::Sha256)),
            "1.2.840.10045.4.3.3" => Some(("ecdsa", Hash::Sha384)),
            "1.2.840.10045.4.3.4" => Some(("ecdsa", Hash::Sha512)),
            _ => None,
        };
        match (hash, oid.as_str()) {
            (Some(("rsa", h)), _) => SignatureKind::RsaPkcs1(h),
            (Some((_, h)), _) => SignatureKind::Ecdsa(h),
            (None, "1.3.101.112") => SignatureKind::Ed25519,
            (None, "1.2.840.113549.1.1.10") => match SignatureAlgorithm::try_from(alg) {
                Ok(SignatureAlgorithm::RSASSA_PSS(params)) => {
                    match Hash::from_oid(&params.hash_algorithm_oid().to_id_string()) {
                        Some(h) => SignatureKind::RsaPss(h),
                        None => SignatureKind::Other(oid),
                    }
                }
                _ => SignatureKind::Other(oid),
            },
            _ => SignatureKind::Other(oid),
        }
    }

    /// The hash used, when known.
    pub fn hash(&self) -> Option<Hash> {
        match self {
            SignatureKind::RsaPkcs1(h) | SignatureKind::RsaPss(h) | SignatureKind::Ecdsa(h) => {
                Some(*h)
            }
            SignatureKind::Ed25519 | SignatureKind::Other(_) => None,
        }
    }

    /// A conventional human name, e.g. `sha256WithRSAEncryption`.
    pub fn name(&self) -> String {
        let h = |h: Hash| match h {
            Hash::Md2 => "md2",
            Hash::Md5 => "md5",
            Hash::Sha1 => "sha1",
            Hash::Sha224 => "sha224",
            Hash::Sha256 => "sha256",
            Hash::Sha384 => "sha384",
            Hash::Sha512 => "sha512",
        };
        match self {
            SignatureKind::RsaPkcs1(x) => format!("{}WithRSAEncryption", h(*x)),
            SignatureKind::RsaPss(x) => format!("rsassaPss-{}", h(*x)),
            SignatureKind::Ecdsa(x) => format!("ecdsa-with-{}", h(*x).to_uppercase()),
            SignatureKind::Ed25519 => "ed25519".to_string(),
            SignatureKind::Other(oid) => format!("unknown ({oid})"),
        }
    }
}

/// What checking one signature against one key showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignatureStatus {
    /// The key made this signature.
    Valid,
    /// The key did not make this signature (or cannot have: wrong key type).
    Invalid,
    /// The algorithm cannot be checked here, so the link is unknown.
    Unsupported,
}

/// Everything needed to check a certificate's signature later, owned.
#[derive(Clone, Debug)]
pub struct SignedData {
    pub tbs: Vec<u8>,
    pub signature: Vec<u8>,
    pub kind: SignatureKind,
}

/// Checks whether the key in `issuer_spki` (a DER SubjectPublicKeyInfo) made `signed`.
pub fn verify(signed: &SignedData, issuer_spki: &[u8]) -> SignatureStatus {
    let Ok((_, spki)) = SubjectPublicKeyInfo::from_der(issuer_spki) else {
        return SignatureStatus::Unsupported;
    };
    let key_facts = KeyFacts::of(&spki);
    let alg: &dyn VerificationAlgorithm = match (&signed.kind, &key_facts.algorithm) {
        (SignatureKind::RsaPkcs1(h), KeyAlgorithm::Rsa) => match (h, key_facts.bits) {
            (Hash::Sha1, _) => &ring_sig::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY,
            (Hash::Sha256, _) => &ring_sig::RSA_PKCS1_1024_8192_SHA256_FOR_LEGACY_USE_ONLY,
            (Hash::Sha512, _) => &ring_sig::RSA_PKCS1_1024_8192_SHA512_FOR_LEGACY_USE_ONLY,
            (Hash::Sha384, Some(bits)) if bits >= 2048 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
            _ => return SignatureStatus::Unsupported,
        },
        (SignatureKind::RsaPss(h), KeyAlgorithm::Rsa) if key_facts.bits >= Some(2048) => match h {
            Hash::Sha256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
            Hash::Sha384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
            Hash::Sha512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
            _ => return SignatureStatus::Unsupported,
        },
        (SignatureKind::Ecdsa(h), KeyAlgorithm::Ec) => match (key_facts.curve.as_deref(), h) {
            (Some("P-256"), Hash::Sha256) => &ring_sig::ECDSA_P256_SHA256_ASN1,
            (Some("P-256"), Hash::Sha384) => &ring_sig::ECDSA_P256_SHA384_ASN1,
            (Some("P-384"), Hash::Sha256) => &ring_sig::ECDSA_P384_SHA256_ASN1,
            (Some("P-384"), Hash::Sha384) => &ring_sig::ECDSA_P384_SHA384_ASN1,
            _ => return SignatureStatus::Unsupported,
        },
        (SignatureKind::Ed25519, KeyAlgorithm::Ed25519) => &ring_sig::ED25519,
        (SignatureKind::Other(_), _) => return SignatureStatus::Unsupported,
        (_, KeyAlgorithm::Other(_)) => return SignatureStatus::Unsupported,
        // A signature kind that this key type cannot have produced.
        _ => return SignatureStatus::Invalid,
    };
    let key = ring_sig::UnparsedPublicKey::new(alg, spki.subject_public_key.data.as_ref());
    match key.verify(&signed.tbs, &signed.signature) {
        Ok(()) => SignatureStatus::Valid,
        Err(_) => SignatureStatus::Invalid,
    }
}

/// The family of a public key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyAlgorithm {
    Rsa,
    Ec,
    Ed25519,
    Ed448,
    Dsa,
    Other(String),
}

impl KeyAlgorithm {
    /// The conventional name, as shown in reports.
    pub fn name(&self) -> String {
        match self {
            KeyAlgorithm::Rsa => "RSA".into(),
            KeyAlgorithm::Ec => "EC".into(),
            KeyAlgorithm::Ed25519 => "Ed25519".into(),
            KeyAlgorithm::Ed448 => "Ed448".into(),
            KeyAlgorithm::Dsa => "DSA".into(),
            // RSASSA-PSS: an RSA key bound to PSS signatures (RFC 4055), which webpki lacks.
            KeyAlgorithm::Other(oid) if oid == "1.2.840.113549.1.1.10" => "RSA-PSS".into(),
            KeyAlgorithm::Other(oid) => format!("unknown ({oid})"),
        }
    }
}

/// A public key described: family, size and curve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFacts {
    pub algorithm: KeyAlgorithm,
    /// Modulus size for RSA/DSA, field size for EC, when known.
    pub bits: Option<u32>,
    /// NIST-style curve name for EC keys (`P-256`), else the curve OID.
    pub curve: Option<String>,
}

impl KeyFacts {
    /// Describes a parsed SubjectPublicKeyInfo.
    pub fn of(spki: &SubjectPublicKeyInfo<'_>) -> KeyFacts {
        let oid = spki.algorithm.algorithm.to_id_string();
        let parsed = spki.parsed().ok();
        let bits = parsed
            .as_ref()
            .map(|k| k.key_size())
            .filter(|&b| b > 0)
            .and_then(|b| u32::try_from(b).ok());
        match oid.as_str() {
            "1.2.840.113549.1.1.1" => KeyFacts {
                algorithm: KeyAlgorithm::Rsa,
                bits: match parsed {
                    Some(PublicKey::RSA(rsa)) => rsa_modulus_bits(rsa.modulus),
                    _ => None,
                },
                curve: None,
            },
            "1.2.840.10045.2.1" => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.as_oid().ok())
                    .map(|c| match c.to_id_string().as_str() {
                        "1.2.840.10045.3.1.7" => "P-256".to_string(),
                        "1.3.132.0.34" => "P-384".to_string(),
                        "1.3.132.0.35" => "P-521".to_string(),
                        other => other.to_string(),
                    });
                let bits = match curve.as_deref() {
                    Some("P-256") => Some(256),
                    Some("P-384") => Some(384),
                    Some("P-521") => Some(521),
                    _ => bits,
                };
                KeyFacts {
                    algorithm: KeyAlgorithm::Ec,
                    bits,
                    curve,
                }
            }
            "1.3.101.112" => KeyFacts {
                algorithm: KeyAlgorithm::Ed25519,
                bits: Some(256),
                curve: None,
            },
            "1.3.101.113" => KeyFacts {
                algorithm: KeyAlgorithm::Ed448,
                bits: Some(456),
                curve: None,
            },
            "1.2.840.10040.4.1" => KeyFacts {
                algorithm: KeyAlgorithm::Dsa,
                bits,
                curve: None,
            },
            _ => KeyFacts {
                algorithm: KeyAlgorithm::Other(oid),
                bits: None,
                curve: None,
            },
        }
    }
}

/// The exact bit length of an RSA modulus (big-endian, possibly with leading zero bytes).
///
/// x509-parser's `key_size` counts whole bytes, so an RSA-2052 key reads as 2048 bits; the
/// Baseline Requirements' multiple-of-8 rule (6.1.5) needs the real length.
fn rsa_modulus_bits(modulus: &[u8]) -> Option<u32> {
    let start = modulus.iter().position(|&b| b != 0)?;
    let significant = u32::try_from(modulus.len() - start).ok()?;
    let top_bits = 8 - modulus[start].leading_zeros();
    Some((significant - 1) * 8 + top_bits)
}

/// Lowercase hex of SHA-256 over `bytes`: the fingerprint format used everywhere.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// Lowercase hex without separators.
pub fn hex(bytes: &[u8]) -> String {
    // By table rather than `write!("{:02x}")`: every certificate of every target gets a
    // fingerprint, and the formatting machinery was most of their cost.
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for &byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_lowercase_two_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0xab, 0x0f, 0xf0]), "00ab0ff0");
        assert_eq!(super::hex(&[]), "");
    }

    #[test]
    fn rsa_modulus_bits_are_exact() {
        let mut rsa_2048 = vec![0x00, 0x80];
        rsa_2048.extend([0u8; 255]);
        assert_eq!(super::rsa_modulus_bits(&rsa_2048), Some(2048));
        let mut rsa_2052 = vec![0x00, 0x0f];
        rsa_2052.extend([0xffu8; 256]);
        assert_eq!(super::rsa_modulus_bits(&rsa_2052), Some(2052));
        assert_eq!(super::rsa_modulus_bits(&[0, 0]), None);
    }
}
