//! The finite-field Diffie-Hellman groups of RFC 7919 for TLS 1.3, which rustls's ring provider
//! leaves out although OpenSSL, GnuTLS and Java offer them: a server may be set to nothing else.
//!
//! The arithmetic is num-bigint's, which is not constant-time. That is acceptable here: each
//! exponent is used once, for a connection that only records what the server presents.

use num_bigint::BigUint;
use ring::rand::{SecureRandom, SystemRandom};
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::{self, FfdheGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};

/// Bytes of the private exponent: 512 bits, more than twice the security level of the largest
/// group, as RFC 7919 §5.2 asks of a short exponent.
const EXPONENT_BYTES: usize = 64;

/// Every RFC 7919 group, smallest first.
pub static GROUPS: [&dyn SupportedKxGroup; 5] = [
    &Ffdhe(NamedGroup::FFDHE2048, ffdhe_groups::FFDHE2048),
    &Ffdhe(NamedGroup::FFDHE3072, ffdhe_groups::FFDHE3072),
    &Ffdhe(NamedGroup::FFDHE4096, ffdhe_groups::FFDHE4096),
    &Ffdhe(NamedGroup::FFDHE6144, ffdhe_groups::FFDHE6144),
    &Ffdhe(NamedGroup::FFDHE8192, ffdhe_groups::FFDHE8192),
];

/// One named group and its parameters.
#[derive(Debug, Clone, Copy)]
struct Ffdhe(NamedGroup, FfdheGroup<'static>);

impl SupportedKxGroup for Ffdhe {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let mut exponent = [0u8; EXPONENT_BYTES];
        SystemRandom::new()
            .fill(&mut exponent)
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        let modulus = BigUint::from_bytes_be(self.1.p);
        let exponent = BigUint::from_bytes_be(&exponent);
        let public = BigUint::from_bytes_be(self.1.g).modpow(&exponent, &modulus);
        Ok(Box::new(Exchange {
            group: *self,
            public: padded(&public, self.1.p.len()),
            modulus,
            exponent,
        }))
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        Some(self.1)
    }

    fn name(&self) -> NamedGroup {
        self.0
    }

    /// TLS 1.3 only: the TLS 1.2 hello stays as it was (ring has no DHE suite to use them).
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

/// One started exchange: our exponent and public value.
struct Exchange {
    group: Ffdhe,
    modulus: BigUint,
    exponent: BigUint,
    public: Vec<u8>,
}

impl ActiveKeyExchange for Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        // RFC 8446 §4.2.8.1: the share is Y, left-padded to the size of p. The length check
        // also bounds the work below.
        if peer.len() != self.group.1.p.len() {
            return Err(invalid);
        }
        // RFC 7919 §5.1: 1 < Y < p-1, or the secret is 1 or ±1 and known to anyone.
        let peer = BigUint::from_bytes_be(peer);
        let one = BigUint::from(1u8);
        if peer <= one || peer >= &self.modulus - &one {
            return Err(invalid);
        }
        let secret = peer.modpow(&self.exponent, &self.modulus);
        Ok(SharedSecret::from(
            &padded(&secret, self.group.1.p.len())[..],
        ))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        Some(self.group.1)
    }

    fn group(&self) -> NamedGroup {
        self.group.0
    }
}

/// `value` big-endian in exactly `len` bytes (it is below p, so it fits).
fn padded(value: &BigUint, len: usize) -> Vec<u8> {
    let bytes = value.to_bytes_be();
    let mut out = vec![0u8; len.saturating_sub(bytes.len())];
    out.extend_from_slice(&bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p_minus(group: FfdheGroup<'static>, k: u8) -> Vec<u8> {
        let p = BigUint::from_bytes_be(group.p);
        padded(&(p - BigUint::from(k)), group.p.len())
    }

    #[test]
    fn both_sides_derive_the_same_secret_in_every_group() {
        for group in GROUPS {
            let ours = group.start().expect("start");
            let theirs = group.start().expect("start");
            assert_eq!(
                ours.pub_key().len(),
                group.ffdhe_group().expect("ffdhe").p.len()
            );
            let theirs_public = theirs.pub_key().to_vec();
            let a = ours.pub_key().to_vec();
            let secret = ours.complete(&theirs_public).expect("complete");
            let other = theirs.complete(&a).expect("complete");
            assert_eq!(
                secret.secret_bytes(),
                other.secret_bytes(),
                "{:?}",
                group.name()
            );
        }
    }

    #[test]
    fn rejects_the_shares_that_force_a_known_secret() {
        let group = GROUPS[0];
        let params = group.ffdhe_group().expect("ffdhe");
        let mut one = vec![0u8; params.p.len()];
        if let Some(last) = one.last_mut() {
            *last = 1;
        }
        let zero = vec![0u8; params.p.len()];
        for share in [zero, one, p_minus(params, 1), p_minus(params, 0)] {
            let exchange = group.start().expect("start");
            assert!(exchange.complete(&share).is_err());
        }
        // p-2 is the largest value allowed.
        let exchange = group.start().expect("start");
        assert!(exchange.complete(&p_minus(params, 2)).is_ok());
    }

    #[test]
    fn rejects_a_share_of_the_wrong_size() {
        let exchange = GROUPS[0].start().expect("start");
        assert!(exchange.complete(&[2u8; 255]).is_err());
        let exchange = GROUPS[0].start().expect("start");
        assert!(exchange.complete(&[2u8; 257]).is_err());
    }
}
