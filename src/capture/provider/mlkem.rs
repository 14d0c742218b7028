//! X25519MLKEM768 for TLS 1.3 (draft-ietf-tls-ecdhe-mlkem): the post-quantum hybrid that
//! Chrome, Firefox and OpenSSL 3.5+ offer first. A server set to accept only it (OpenSSL's
//! `-groups X25519MLKEM768`) is reachable by those clients, and ring has no ML-KEM, so the
//! capture would see no chain. RustCrypto's `ml-kem` (FIPS 203) does the KEM; the X25519 half
//! is ring's, through rustls.
//!
//! The client's share is the ML-KEM-768 encapsulation key then its X25519 public key; the
//! server answers with the ML-KEM ciphertext then its X25519 public key; the secret is the
//! ML-KEM shared key then the X25519 one (the draft's section 3, ML-KEM first for X25519).

use ml_kem::ml_kem_768::{Ciphertext, DecapsulationKey};
use ml_kem::{Decapsulate, KeyExport, Seed};
use ring::rand::{SecureRandom, SystemRandom};
use rustls::crypto::{ActiveKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};

/// Bytes of an ML-KEM-768 ciphertext and of an X25519 public key.
const CIPHERTEXT: usize = 1088;
const X25519: usize = 32;

/// The X25519MLKEM768 group, offered after ring's.
pub static GROUP: &dyn SupportedKxGroup = &X25519MlKem768;

#[derive(Debug)]
struct X25519MlKem768;

impl SupportedKxGroup for X25519MlKem768 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let mut seed = [0u8; 64];
        SystemRandom::new()
            .fill(&mut seed)
            .map_err(|_| Error::FailedToGetRandomBytes)?;
        let kem = DecapsulationKey::from_seed(Seed::from(seed));
        let classical = rustls::crypto::ring::kx_group::X25519.start()?;
        let mut public = kem.encapsulation_key().to_bytes().to_vec();
        public.extend_from_slice(classical.pub_key());
        Ok(Box::new(Exchange {
            kem,
            classical,
            public,
        }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }

    /// TLS 1.3 only: a hybrid share has no TLS 1.2 form.
    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

struct Exchange {
    kem: DecapsulationKey,
    classical: Box<dyn ActiveKeyExchange>,
    public: Vec<u8>,
}

impl ActiveKeyExchange for Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, Error> {
        let invalid = || Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare);
        if peer.len() != CIPHERTEXT + X25519 {
            return Err(invalid());
        }
        let (ciphertext, theirs) = peer.split_at(CIPHERTEXT);
        let ciphertext = Ciphertext::try_from(ciphertext).map_err(|_| invalid())?;
        let mut secret = self.kem.decapsulate(&ciphertext).to_vec();
        let classical = self.classical.complete(theirs)?;
        secret.extend_from_slice(classical.secret_bytes());
        Ok(SharedSecret::from(secret))
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ml_kem::{B32, EncapsulationKey, MlKem768};

    /// Bytes of an ML-KEM-768 encapsulation key.
    const ENCAPSULATION_KEY: usize = 1184;

    /// The server side by hand: encapsulate to the client's key, answer with the ciphertext and
    /// an X25519 share; both sides must hold the same 64-byte secret, ML-KEM's half first.
    #[test]
    fn the_client_derives_the_secret_the_server_encapsulated() {
        let client = GROUP.start().expect("start");
        assert_eq!(client.pub_key().len(), ENCAPSULATION_KEY + X25519);
        let (key, client_x25519) = client.pub_key().split_at(ENCAPSULATION_KEY);
        let key = ml_kem::Key::<EncapsulationKey<MlKem768>>::try_from(key).expect("key bytes");
        let key = EncapsulationKey::<MlKem768>::new(&key).expect("encapsulation key");
        let (ciphertext, kem_secret) = key.encapsulate_deterministic(&B32::from([9u8; 32]));
        let server_x25519 = rustls::crypto::ring::kx_group::X25519
            .start()
            .expect("x25519");
        let mut answer = ciphertext.to_vec();
        answer.extend_from_slice(server_x25519.pub_key());
        let server_classical = server_x25519
            .complete(client_x25519)
            .expect("server x25519");

        let secret = client.complete(&answer).expect("complete");
        let mut expected = kem_secret.to_vec();
        expected.extend_from_slice(server_classical.secret_bytes());
        assert_eq!(secret.secret_bytes(), &expected[..]);
    }

    #[test]
    fn a_share_of_the_wrong_length_is_refused() {
        for bad in [
            vec![],
            vec![0; CIPHERTEXT],
            vec![0; CIPHERTEXT + X25519 + 1],
        ] {
            let exchange = GROUP.start().expect("start");
            assert!(exchange.complete(&bad).is_err());
        }
    }
}
