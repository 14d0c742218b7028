//! P-521 for TLS 1.3: the secp521r1 key exchange and `ecdsa_secp521r1_sha512` handshake
//! signatures, which ring (so rustls's ring provider) lacks. A server set to `-groups P-521`, or
//! with a P-521 key, has nothing else to offer in TLS 1.3. RustCrypto's `p521` does the curve.

use p521::ecdsa::signature::Verifier;
use p521::ecdsa::{Signature, VerifyingKey};
use p521::elliptic_curve::sec1::ToSec1Point;
use p521::{PublicKey, SecretKey};
use ring::rand::{SecureRandom, SystemRandom};
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::pki_types::CertificateDer;
use rustls::{
    CertificateError, DigitallySignedStruct, Error, NamedGroup, PeerMisbehaved, ProtocolVersion,
    SignatureScheme,
};
use x509_parser::oid_registry::OID_KEY_TYPE_EC_PUBLIC_KEY;
use x509_parser::prelude::{FromDer, X509Certificate};

/// The scheme verified here, offered after the schemes rustls verifies.
pub const SCHEME: SignatureScheme = SignatureScheme::ECDSA_NISTP521_SHA512;

/// The secp521r1 group, offered after ring's.
pub static GROUP: &dyn SupportedKxGroup = &Secp521r1;

#[derive(Debug)]
struct Secp521r1;

impl SupportedKxGroup for Secp521r1 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let secret = random_secret()?;
        let public = secret.public_key().to_sec1_point(false).as_bytes().to_vec();
        Ok(Box::new(Exchange { secret, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }

    /// TLS 1.3 only: the TLS 1.2 hello stays as it was.
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

/// A scalar from the system's randomness: 521 random bits, drawn again in the (2^-260-likely)
/// case that they are zero or not below the group order.
fn random_secret() -> Result<SecretKey, Error> {
    let rng = SystemRandom::new();
    for _ in 0..8 {
        let mut bytes = [0u8; 66];
        rng.fill(&mut bytes)
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        bytes[0] &= 0x01;
        if let Ok(secret) = SecretKey::from_slice(&bytes) {
            return Ok(secret);
        }
    }
    Err(Error::FailedToGetRandomBytes)
}

struct Exchange {
    secret: SecretKey,
    public: Vec<u8>,
}

impl ActiveKeyExchange for Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        // RFC 8446 §4.2.8.2: an uncompressed point, which must lie on the curve.
        if peer.first() != Some(&0x04) {
            return Err(invalid);
        }
        let peer = PublicKey::from_sec1_bytes(peer).map_err(|_| invalid)?;
        let shared = p521::ecdh::diffie_hellman(self.secret.to_nonzero_scalar(), peer.as_affine());
        Ok(SharedSecret::from(&shared.raw_secret_bytes()[..]))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::secp521r1
    }
}

/// Checks an `ecdsa_secp521r1_sha512` signature by `cert`'s key; `None` for any other scheme.
pub fn verify(
    message: &[u8],
    cert: &CertificateDer<'_>,
    dss: &DigitallySignedStruct,
) -> Option<Result<HandshakeSignatureValid, Error>> {
    (dss.scheme == SCHEME).then(|| verify_signature(message, cert, dss.signature()))
}

fn verify_signature(
    message: &[u8],
    cert: &CertificateDer<'_>,
    signature: &[u8],
) -> Result<HandshakeSignatureValid, Error> {
    let bad = || Error::InvalidCertificate(CertificateError::BadSignature);
    let (_, parsed) = X509Certificate::from_der(cert.as_ref())
        .map_err(|_| Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let key = parsed.public_key();
    // The curve is the point's: a P-256 or P-384 point does not parse as a P-521 one.
    if key.algorithm.algorithm != OID_KEY_TYPE_EC_PUBLIC_KEY {
        return Err(bad());
    }
    let key = VerifyingKey::from_sec1_bytes(&key.subject_public_key.data).map_err(|_| bad())?;
    let signature = Signature::from_der(signature).map_err(|_| bad())?;
    key.verify(message, &signature).map_err(|_| bad())?;
    Ok(HandshakeSignatureValid::assertion())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sides_derive_the_same_secret() {
        let ours = GROUP.start().expect("start");
        let theirs = GROUP.start().expect("start");
        assert_eq!(ours.pub_key().len(), 133, "uncompressed point");
        let (a, b) = (ours.pub_key().to_vec(), theirs.pub_key().to_vec());
        let secret = ours.complete(&b).expect("complete");
        let other = theirs.complete(&a).expect("complete");
        assert_eq!(secret.secret_bytes(), other.secret_bytes());
        assert_eq!(secret.secret_bytes().len(), 66);
    }

    #[test]
    fn rejects_a_share_that_is_not_an_uncompressed_point_on_the_curve() {
        let share = GROUP.start().expect("start").pub_key().to_vec();
        let mut off_curve = share.clone();
        if let Some(last) = off_curve.last_mut() {
            *last ^= 1;
        }
        let mut compressed = share[..67].to_vec();
        compressed[0] = 0x02;
        for bad in [off_curve, compressed, vec![0x04], vec![]] {
            let exchange = GROUP.start().expect("start");
            assert!(exchange.complete(&bad).is_err());
        }
    }
}
