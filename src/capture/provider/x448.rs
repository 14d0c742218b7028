//! X448 for TLS 1.3 (RFC 7748, section 5): a server set to `-groups X448` has nothing else, and
//! OpenSSL, GnuTLS and Java clients still connect to it. Neither ring nor a released RustCrypto
//! crate has it, so this is RFC 7748's Montgomery ladder over num-bigint, checked against the
//! RFC's test vectors. Like the FFDHE exchange beside it, the arithmetic is not constant-time:
//! each key is made for one capture and then dropped, and what it protects is a chain the server
//! shows to anyone.

use num_bigint::BigUint;
use ring::rand::{SecureRandom, SystemRandom};
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};

/// Bytes in a scalar, a u-coordinate and a shared secret.
const LEN: usize = 56;

/// The X448 group, offered after ring's.
pub static GROUP: &dyn SupportedKxGroup = &X448;

#[derive(Debug)]
struct X448;

impl SupportedKxGroup for X448 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let mut secret = [0u8; LEN];
        SystemRandom::new()
            .fill(&mut secret)
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        let mut base = [0u8; LEN];
        base[0] = 5;
        let public = ladder(&secret, &base).to_vec();
        Ok(Box::new(Exchange { secret, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X448
    }

    /// TLS 1.3 only: the TLS 1.2 hello stays as it was.
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

struct Exchange {
    secret: [u8; LEN],
    public: Vec<u8>,
}

impl ActiveKeyExchange for Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let invalid = Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        let peer: &[u8; LEN] = peer.try_into().map_err(|_| invalid.clone())?;
        let shared = ladder(&self.secret, peer);
        // RFC 8446 7.4.2: an all-zero secret (a small-order point) must end the handshake.
        if shared.iter().all(|b| *b == 0) {
            return Err(invalid);
        }
        Ok(SharedSecret::from(&shared[..]))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X448
    }
}

/// RFC 7748's X448(k, u): the scalar clamped, the ladder over all 448 bits, the result as 56
/// little-endian bytes.
fn ladder(scalar: &[u8; LEN], u: &[u8; LEN]) -> [u8; LEN] {
    let p: BigUint = (BigUint::from(1u8) << 448u32) - (BigUint::from(1u8) << 224u32) - 1u8;
    let a24 = BigUint::from(39081u32);
    let mut k = *scalar;
    k[0] &= 252;
    k[LEN - 1] |= 128;
    let k = BigUint::from_bytes_le(&k);
    let x1: BigUint = BigUint::from_bytes_le(u) % &p;
    let (mut x2, mut z2) = (BigUint::from(1u8), BigUint::from(0u8));
    let (mut x3, mut z3) = (x1.clone(), BigUint::from(1u8));
    let mut swap = false;
    // Subtraction mod p without going below zero.
    let sub = |a: &BigUint, b: &BigUint| (a + &p - b) % &p;
    for t in (0..448).rev() {
        let bit = k.bit(t);
        if swap != bit {
            std::mem::swap(&mut x2, &mut x3);
            std::mem::swap(&mut z2, &mut z3);
        }
        swap = bit;
        let a = (&x2 + &z2) % &p;
        let aa = (&a * &a) % &p;
        let b = sub(&x2, &z2);
        let bb = (&b * &b) % &p;
        let e = sub(&aa, &bb);
        let c = (&x3 + &z3) % &p;
        let d = sub(&x3, &z3);
        let da = (&d * &a) % &p;
        let cb = (&c * &b) % &p;
        let sum = (&da + &cb) % &p;
        x3 = (&sum * &sum) % &p;
        let difference = sub(&da, &cb);
        z3 = (&x1 * ((&difference * &difference) % &p)) % &p;
        x2 = (&aa * &bb) % &p;
        z2 = (&e * ((&aa + (&a24 * &e)) % &p)) % &p;
    }
    if swap {
        std::mem::swap(&mut x2, &mut x3);
        std::mem::swap(&mut z2, &mut z3);
    }
    let inverse = z2.modpow(&(&p - 2u8), &p);
    let result = (x2 * inverse) % &p;
    let mut out = [0u8; LEN];
    let bytes = result.to_bytes_le();
    out[..bytes.len()].copy_from_slice(&bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> [u8; LEN] {
        let decoded = data_encoding::HEXLOWER.decode(hex.as_bytes()).expect("hex");
        decoded.try_into().expect("56 bytes")
    }

    /// RFC 7748, section 5.2: the two X448 test vectors.
    #[test]
    fn the_ladder_gives_the_rfc_7748_results() {
        let cases = [
            (
                "3d262fddf9ec8e88495266fea19a34d28882acef045104d0d1aae121700a779c984c24f8cdd78fbff44943eba368f54b29259a4f1c600ad3",
                "06fce640fa3487bfda5f6cf2d5263f8aad88334cbd07437f020f08f9814dc031ddbdc38c19c6da2583fa5429db94ada18aa7a7fb4ef8a086",
                "ce3e4ff95a60dc6697da1db1d85e6afbdf79b50a2412d7546d5f239fe14fbaadeb445fc66a01b0779d98223961111e21766282f73dd96b6f",
            ),
            (
                "203d494428b8399352665ddca42f9de8fef600908e0d461cb021f8c538345dd77c3e4806e25f46d3315c44e0a5b4371282dd2c8d5be3095f",
                "0fbcc2f993cd56d3305b0b7d9e55d4c1a8fb5dbb52f8e9a1e9b6201b165d015894e56c4d3570bee52fe205e28a78b91cdfbde71ce8d157db",
                "884a02576239ff7a2f2f63b2db6a9ff37047ac13568e1e30fe63c4a7ad1b3ee3a5700df34321d62077e63633c575c1c954514e99da7c179d",
            ),
        ];
        for (scalar, u, expected) in cases {
            assert_eq!(ladder(&bytes(scalar), &bytes(u)), bytes(expected));
        }
    }

    #[test]
    fn two_sides_agree_and_a_zero_share_is_refused() {
        let mut base = [0u8; LEN];
        base[0] = 5;
        let (a, b) = ([7u8; LEN], [42u8; LEN]);
        let (public_a, public_b) = (ladder(&a, &base), ladder(&b, &base));
        assert_eq!(ladder(&a, &public_b), ladder(&b, &public_a));
        let exchange = X448.start().expect("start");
        assert_eq!(exchange.pub_key().len(), LEN);
        assert!(exchange.complete(&[0u8; LEN]).is_err());
        let short = X448.start().expect("start");
        assert!(short.complete(&[5u8; 32]).is_err());
    }
}
