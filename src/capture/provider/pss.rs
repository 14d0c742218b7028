//! Handshake signatures by a key whose certificate says id-RSASSA-PSS: the `rsa_pss_pss_*`
//! schemes (RFC 8446 §4.2.3), which rustls does not know. A server with such a key signs with
//! nothing else, so without them its handshake fails. The key's subjectPublicKey is the same
//! RSAPublicKey as rsaEncryption's (RFC 4055 §1.2), so ring verifies the PSS signature over it.

use ring::signature::{self, RsaParameters, UnparsedPublicKey};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, DigitallySignedStruct, Error, SignatureScheme};
use x509_parser::oid_registry::OID_PKCS1_RSASSAPSS;
use x509_parser::prelude::{FromDer, X509Certificate};

/// `rsa_pss_pss_sha256`, `_sha384` and `_sha512`, offered after the schemes rustls verifies.
pub const SCHEMES: [SignatureScheme; 3] = [
    SignatureScheme::Unknown(0x0809),
    SignatureScheme::Unknown(0x080a),
    SignatureScheme::Unknown(0x080b),
];

/// Checks a `rsa_pss_pss_*` signature by `cert`'s key; `None` for any other scheme, which is
/// rustls's to verify.
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
    let params: &'static RsaParameters = match scheme {
        scheme if scheme == SCHEMES[0] => &signature::RSA_PSS_2048_8192_SHA256,
        scheme if scheme == SCHEMES[1] => &signature::RSA_PSS_2048_8192_SHA384,
        scheme if scheme == SCHEMES[2] => &signature::RSA_PSS_2048_8192_SHA512,
        _ => return None,
    };
    Some(verify_with(params, message, cert, signature))
}

fn verify_with(
    params: &'static RsaParameters,
    message: &[u8],
    cert: &CertificateDer<'_>,
    signature: &[u8],
) -> Result<HandshakeSignatureValid, Error> {
    let (_, parsed) = X509Certificate::from_der(cert.as_ref())
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let key = parsed.public_key();
    let bad = Error::InvalidCertificate(CertificateError::BadSignature);
    // The scheme names the key type: an rsaEncryption key must sign with rsa_pss_rsae_* instead.
    if key.algorithm.algorithm != OID_PKCS1_RSASSAPSS {
        return Err(bad);
    }
    UnparsedPublicKey::new(params, &key.subject_public_key.data)
        .verify(message, signature)
        .map_err(|_| bad)?;
    Ok(HandshakeSignatureValid::assertion())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_schemes_are_left_to_rustls() {
        let cert = CertificateDer::from(vec![]);
        let scheme = SignatureScheme::RSA_PSS_SHA256;
        assert!(verify_scheme(b"message", &cert, scheme, &[0; 256]).is_none());
    }

    #[test]
    fn a_certificate_that_does_not_parse_fails_the_signature() {
        let cert = CertificateDer::from(vec![0x30, 0x03]);
        let outcome = verify_scheme(b"message", &cert, SCHEMES[0], &[0; 256]);
        assert!(matches!(outcome, Some(Err(Error::InvalidCertificate(_)))));
    }
}
