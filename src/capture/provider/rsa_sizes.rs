//! RSA handshake signatures by keys outside ring's 2048–8192-bit range: ring refuses to verify
//! them at all, so a TLS 1.3 server with an RSA-1024 key (which Node, Java and GnuTLS accept)
//! failed the capture with a "bad signature" it never made. Checked here by RFC 8017 over
//! num-bigint: EMSA-PSS-VERIFY for `rsa_pss_rsae_*`, EMSA-PKCS1-v1_5 for `rsa_pkcs1_*`. The
//! key's size is judged elsewhere (`weak-key`); this only keeps the capture honest about it.

use num_bigint::BigUint;
use ring::digest::{self, Algorithm, SHA256, SHA384, SHA512};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// ring verifies RSA keys of these sizes itself.
const RING_BITS: std::ops::RangeInclusive<u64> = 2048..=8192;
/// The largest key checked here: OpenSSL's own limit (OPENSSL_RSA_MAX_MODULUS_BITS).
const MAX_BITS: u64 = 16384;
/// The smallest: below it a key is no key (and the arithmetic below needs room for a hash).
const MIN_BITS: u64 = 512;

/// Checks an RSA signature when `cert`'s key is one ring will not take; `None` otherwise (any
/// other scheme, any other key), which is for the verifiers after this one.
pub fn verify(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Option<Result<HandshakeSignatureValid, Error>> {
    verify_scheme(message, cert, dss.scheme, dss.signature())
}

fn verify_scheme(
    message: &[u8],
    cert: &CertificateDer<'_>,
    scheme_used: SignatureScheme,
    signature: &[u8],
) -> Option<Result<HandshakeSignatureValid, Error>> {
    let (hash, pss) = scheme(scheme_used)?;
    let (_, parsed) = X509Certificate::from_der(cert.as_ref()).ok()?;
    let Ok(PublicKey::RSA(key)) = parsed.public_key().parsed() else {
        return None;
    };
    let n = BigUint::from_bytes_be(key.modulus);
    let bits = n.bits();
    if RING_BITS.contains(&bits) {
        return None;
    }
    let bad = Error::InvalidCertificate(CertificateError::BadSignature);
    if !(MIN_BITS..=MAX_BITS).contains(&bits) {
        return Some(Err(bad));
    }
    let e = BigUint::from_bytes_be(key.exponent);
    let s = BigUint::from_bytes_be(signature);
    if s >= n {
        return Some(Err(bad));
    }
    let em_len = (bits as usize - 1).div_ceil(8);
    let m = s.modpow(&e, &n).to_bytes_be();
    let valid = if pss {
        let mut em = vec![0; em_len.saturating_sub(m.len())];
        em.extend_from_slice(&m);
        em.len() == em_len && pss_verify(hash, message, &em, bits as usize - 1)
    } else {
        let k = (bits as usize).div_ceil(8);
        let mut em = vec![0; k.saturating_sub(m.len())];
        em.extend_from_slice(&m);
        em == pkcs1_encoding(hash, message, k)
    };
    Some(if valid {
        Ok(HandshakeSignatureValid::assertion())
    } else {
        Err(bad)
    })
}

/// The hash of an RSA scheme, and whether it is PSS.
fn scheme(scheme: SignatureScheme) -> Option<(&'static Algorithm, bool)> {
    Some(match scheme {
        SignatureScheme::RSA_PSS_SHA256 => (&SHA256, true),
        SignatureScheme::RSA_PSS_SHA384 => (&SHA384, true),
        SignatureScheme::RSA_PSS_SHA512 => (&SHA512, true),
        SignatureScheme::RSA_PKCS1_SHA256 => (&SHA256, false),
        SignatureScheme::RSA_PKCS1_SHA384 => (&SHA384, false),
        SignatureScheme::RSA_PKCS1_SHA512 => (&SHA512, false),
        _ => return None,
    })
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with MGF1 over the same hash; TLS fixes the salt length
/// to the hash length (RFC 8446 §4.2.3).
fn pss_verify(hash: &'static Algorithm, message: &[u8], em: &[u8], em_bits: usize) -> bool {
    let h_len = hash.output_len();
    let s_len = h_len;
    let em_len = em.len();
    if em_len < h_len + s_len + 2 || em.last() != Some(&0xbc) {
        return false;
    }
    let (masked_db, rest) = em.split_at(em_len - h_len - 1);
    let h = &rest[..h_len];
    let unused = 8 * em_len - em_bits;
    if unused > 0 && masked_db[0] >> (8 - unused) != 0 {
        return false;
    }
    let mut db: Vec<u8> = masked_db
        .iter()
        .zip(mgf1(hash, h, masked_db.len()))
        .map(|(a, b)| a ^ b)
        .collect();
    if unused > 0 {
        db[0] &= 0xff >> unused;
    }
    let padding = em_len - h_len - s_len - 2;
    if db[..padding].iter().any(|&b| b != 0) || db[padding] != 0x01 {
        return false;
    }
    let salt = &db[padding + 1..];
    let m_hash = digest::digest(hash, message);
    let mut m_prime = vec![0u8; 8];
    m_prime.extend_from_slice(m_hash.as_ref());
    m_prime.extend_from_slice(salt);
    digest::digest(hash, &m_prime).as_ref() == h
}

/// MGF1 (RFC 8017 §B.2.1).
fn mgf1(hash: &'static Algorithm, seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + hash.output_len());
    let mut counter: u32 = 0;
    while out.len() < len {
        let mut input = seed.to_vec();
        input.extend_from_slice(&counter.to_be_bytes());
        out.extend_from_slice(digest::digest(hash, &input).as_ref());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// EMSA-PKCS1-v1_5 (RFC 8017 §9.2): 00 01 FF..FF 00 DigestInfo.
fn pkcs1_encoding(hash: &'static Algorithm, message: &[u8], k: usize) -> Vec<u8> {
    // The DER prefix of DigestInfo for each hash (RFC 8017 §9.2, note 1).
    let prefix: &[u8] = match hash.output_len() {
        32 => &[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ],
        48 => &[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ],
        _ => &[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ],
    };
    let t_len = prefix.len() + hash.output_len();
    if k < t_len + 11 {
        return Vec::new();
    }
    let mut em = vec![0x00, 0x01];
    em.resize(k - t_len - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(prefix);
    em.extend_from_slice(digest::digest(hash, message).as_ref());
    em
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A self-signed RSA-1024 certificate, and signatures over MESSAGE made with its key by
    /// `openssl dgst -sign` (PSS with SHA-256 and a 32-byte salt; PKCS#1 v1.5 with SHA-384).
    const CERT: &[u8] = include_bytes!("testdata/rsa1024.der");
    const PSS_SHA256: &[u8] = include_bytes!("testdata/rsa1024-pss-sha256.sig");
    const PKCS1_SHA384: &[u8] = include_bytes!("testdata/rsa1024-pkcs1-sha384.sig");
    const MESSAGE: &[u8] = b"tlsdoctor handshake";

    fn check(message: &[u8], scheme: SignatureScheme, signature: &[u8]) -> Option<bool> {
        verify_scheme(message, &CertificateDer::from(CERT), scheme, signature).map(|r| r.is_ok())
    }

    #[test]
    fn openssls_signatures_by_a_1024_bit_key_verify() {
        assert_eq!(
            check(MESSAGE, SignatureScheme::RSA_PSS_SHA256, PSS_SHA256),
            Some(true)
        );
        assert_eq!(
            check(MESSAGE, SignatureScheme::RSA_PKCS1_SHA384, PKCS1_SHA384),
            Some(true)
        );
    }

    #[test]
    fn another_message_or_scheme_does_not() {
        assert_eq!(
            check(b"another", SignatureScheme::RSA_PSS_SHA256, PSS_SHA256),
            Some(false)
        );
        assert_eq!(
            check(MESSAGE, SignatureScheme::RSA_PSS_SHA384, PSS_SHA256),
            Some(false)
        );
        assert_eq!(
            check(MESSAGE, SignatureScheme::RSA_PKCS1_SHA256, PKCS1_SHA384),
            Some(false)
        );
        let mut flipped = PSS_SHA256.to_vec();
        flipped[40] ^= 1;
        assert_eq!(
            check(MESSAGE, SignatureScheme::RSA_PSS_SHA256, &flipped),
            Some(false)
        );
    }

    #[test]
    fn other_schemes_are_left_to_the_others() {
        assert_eq!(
            check(MESSAGE, SignatureScheme::ECDSA_NISTP256_SHA256, PSS_SHA256),
            None
        );
    }
}
