//! `ed448` handshake signatures (RFC 8446 §4.2.3, RFC 8032 pure Ed448 with an empty context),
//! which ring (so rustls) lacks. A server with an Ed448 key signs with nothing else, so without
//! it a TLS 1.3 server's handshake fails before its chain can be read, although OpenSSL, GnuTLS
//! and Java 15+ connect. RustCrypto's `ed448-goldilocks` does the curve.

use ed448_goldilocks::{Signature, VerifyingKey};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use x509_parser::oid_registry::OID_SIG_ED448;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The scheme verified here, offered after the schemes rustls verifies.
pub const SCHEME: SignatureScheme = SignatureScheme::ED448;

/// Checks an `ed448` signature by `cert`'s key; `None` for any other scheme.
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
    scheme: SignatureScheme,
    signature: &[u8],
) -> Option<Result<HandshakeSignatureValid, Error>> {
    (scheme == SCHEME).then(|| verify_with(message, cert, signature))
}

fn verify_with(
    message: &[u8],
    cert: &CertificateDer<'_>,
    signature: &[u8],
) -> Result<HandshakeSignatureValid, Error> {
    let (_, parsed) = X509Certificate::from_der(cert.as_ref())
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let bad = Error::InvalidCertificate(CertificateError::BadSignature);
    let key = parsed.public_key();
    // id-Ed448 names both the key and the signature algorithm (RFC 8410 §3).
    if key.algorithm.algorithm != OID_SIG_ED448 {
        return Err(bad);
    }
    let key =
        <&[u8; 57]>::try_from(key.subject_public_key.data.as_ref()).map_err(|_| bad.clone())?;
    let key = VerifyingKey::from_bytes(key).map_err(|_| bad.clone())?;
    let signature = Signature::from_slice(signature).map_err(|_| bad.clone())?;
    key.verify_raw(&signature, message).map_err(|_| bad)?;
    Ok(HandshakeSignatureValid::assertion())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        data_encoding::HEXLOWER
            .decode(text.as_bytes())
            .expect("hex")
    }

    /// RFC 8032 §7.4, "Blank": the empty message verifies; another message does not.
    #[test]
    fn the_rfc_8032_vector_verifies_and_a_changed_message_does_not() {
        let key = hex(
            "5fd7449b59b461fd2ce787ec616ad46a1da1342485a70e1f8a0ea75d80e96778edf124769b46c7061bd6783df1e50f6cd1fa1abeafe8256180",
        );
        let signature = hex(
            "533a37f6bbe457251f023c0d88f976ae2dfb504a843e34d2074fd823d41a591f2b233f034f628281f2fd7a22ddd47d7828c59bd0a21bfd3980ff0d2028d4b18a9df63e006c5d1c2d345b925d8dc00b4104852db99ac5c7cdda8530a113a0f4dbb61149f05a7363268c71d95808ff2e652600",
        );
        let key =
            VerifyingKey::from_bytes(key.as_slice().try_into().expect("57 bytes")).expect("key");
        let signature = Signature::from_slice(&signature).expect("signature");
        assert!(key.verify_raw(&signature, b"").is_ok());
        assert!(key.verify_raw(&signature, b"x").is_err());
    }

    #[test]
    fn other_schemes_are_left_to_the_rest() {
        let cert = CertificateDer::from(vec![]);
        assert!(verify_scheme(b"message", &cert, SignatureScheme::ED25519, &[0; 64]).is_none());
    }

    #[test]
    fn a_certificate_that_does_not_parse_fails_the_signature() {
        let cert = CertificateDer::from(vec![0x30, 0x03]);
        let outcome = verify_scheme(b"message", &cert, SCHEME, &[0; 114]);
        assert!(matches!(outcome, Some(Err(Error::InvalidCertificate(_)))));
    }
}
