//! The AES-CCM suites of TLS 1.3 (RFC 8446 §B.4), which rustls leaves out but OpenSSL speaks:
//! servers for constrained devices may offer nothing else. The AEAD is RustCrypto's `ccm` over
//! `aes`; the hash and key schedule are ring's SHA-256, borrowed from TLS_AES_128_GCM_SHA256.

use aes::Aes128;
use ccm::Ccm;
use ccm::aead::{AeadInOut, KeyInit, Tag};
use ccm::consts::{U8, U12, U16};
use rustls::crypto::CipherSuiteCommon;
use rustls::crypto::cipher::{
    AeadKey, InboundOpaqueMessage, InboundPlainMessage, Iv, MessageDecrypter, MessageEncrypter,
    Nonce, OutboundOpaqueMessage, OutboundPlainMessage, PrefixedPayload, Tls13AeadAlgorithm,
    UnsupportedOperationError, make_tls13_aad,
};
use rustls::{
    CipherSuite, ConnectionTrafficSecrets, ContentType, Error, ProtocolVersion,
    SupportedCipherSuite, Tls13CipherSuite,
};
use std::marker::PhantomData;

/// AES-128-CCM with its full 16-byte tag.
type Aes128Ccm = Ccm<Aes128, U16, U12>;
/// AES-128-CCM with an 8-byte tag (RFC 6655), for devices that count every byte.
type Aes128Ccm8 = Ccm<Aes128, U8, U12>;

/// The suite whose hash and HKDF the CCM suites share.
const SHA256_SUITE: &Tls13CipherSuite =
    match rustls::crypto::ring::cipher_suite::TLS13_AES_128_GCM_SHA256 {
        SupportedCipherSuite::Tls13(suite) => suite,
        SupportedCipherSuite::Tls12(_) => panic!("TLS13_AES_128_GCM_SHA256 is a TLS 1.3 suite"),
    };

/// TLS_AES_128_CCM_SHA256.
pub static TLS13_AES_128_CCM_SHA256: SupportedCipherSuite =
    SupportedCipherSuite::Tls13(&Tls13CipherSuite {
        common: CipherSuiteCommon {
            suite: CipherSuite::TLS13_AES_128_CCM_SHA256,
            hash_provider: SHA256_SUITE.common.hash_provider,
            // The AES-CCM limit of RFC 9001 §6.6; a capture sends a handful of records.
            confidentiality_limit: 1 << 23,
        },
        hkdf_provider: SHA256_SUITE.hkdf_provider,
        aead_alg: &CcmAead::<Aes128Ccm>(PhantomData),
        quic: None,
    });

/// TLS_AES_128_CCM_8_SHA256.
pub static TLS13_AES_128_CCM_8_SHA256: SupportedCipherSuite =
    SupportedCipherSuite::Tls13(&Tls13CipherSuite {
        common: CipherSuiteCommon {
            suite: CipherSuite::TLS13_AES_128_CCM_8_SHA256,
            hash_provider: SHA256_SUITE.common.hash_provider,
            confidentiality_limit: 1 << 23,
        },
        hkdf_provider: SHA256_SUITE.hkdf_provider,
        aead_alg: &CcmAead::<Aes128Ccm8>(PhantomData),
        quic: None,
    });

/// Makes the record protection of one CCM variant from the traffic keys.
struct CcmAead<A>(PhantomData<fn() -> A>);

/// One direction's cipher (`None` if the key did not fit, which fails every record) and IV.
struct Records<A> {
    cipher: Option<A>,
    iv: Iv,
}

impl<A> Records<A>
where
    A: AeadInOut<NonceSize = U12> + KeyInit + Send + Sync + 'static,
{
    fn new(key: AeadKey, iv: Iv) -> Self {
        Records {
            cipher: A::new_from_slice(key.as_ref()).ok(),
            iv,
        }
    }

    fn tag_len() -> usize {
        Tag::<A>::default().len()
    }

    /// RFC 8446 §5.3: the IV XORed with the record's sequence number.
    fn nonce(&self, seq: u64) -> ccm::aead::Nonce<A> {
        Nonce::new(&self.iv, seq).0.into()
    }
}

impl<A> Tls13AeadAlgorithm for CcmAead<A>
where
    A: AeadInOut<NonceSize = U12> + KeyInit + Send + Sync + 'static,
{
    fn encrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageEncrypter> {
        Box::new(Records::<A>::new(key, iv))
    }

    fn decrypter(&self, key: AeadKey, iv: Iv) -> Box<dyn MessageDecrypter> {
        Box::new(Records::<A>::new(key, iv))
    }

    fn key_len(&self) -> usize {
        16
    }

    /// There is no kTLS variant for CCM; nothing here exports keys anyway.
    fn extract_keys(
        &self,
        _key: AeadKey,
        _iv: Iv,
    ) -> Result<ConnectionTrafficSecrets, UnsupportedOperationError> {
        Err(UnsupportedOperationError)
    }
}

impl<A> MessageEncrypter for Records<A>
where
    A: AeadInOut<NonceSize = U12> + KeyInit + Send + Sync + 'static,
{
    fn encrypt(
        &mut self,
        msg: OutboundPlainMessage<'_>,
        seq: u64,
    ) -> Result<OutboundOpaqueMessage, Error> {
        let cipher = self.cipher.as_ref().ok_or(Error::EncryptError)?;
        let total_len = self.encrypted_payload_len(msg.payload.len());
        let mut payload = PrefixedPayload::with_capacity(total_len);
        // TLSInnerPlaintext: the content, then its real type (RFC 8446 §5.2).
        payload.extend_from_chunks(&msg.payload);
        payload.extend_from_slice(&msg.typ.to_array());
        let tag = cipher
            .encrypt_inout_detached(
                &self.nonce(seq),
                &make_tls13_aad(total_len),
                payload.as_mut().into(),
            )
            .map_err(|_| Error::EncryptError)?;
        payload.extend_from_slice(&tag);
        Ok(OutboundOpaqueMessage::new(
            ContentType::ApplicationData,
            ProtocolVersion::TLSv1_2,
            payload,
        ))
    }

    fn encrypted_payload_len(&self, payload_len: usize) -> usize {
        payload_len + 1 + Self::tag_len()
    }
}

impl<A> MessageDecrypter for Records<A>
where
    A: AeadInOut<NonceSize = U12> + KeyInit + Send + Sync + 'static,
{
    fn decrypt<'a>(
        &mut self,
        mut msg: InboundOpaqueMessage<'a>,
        seq: u64,
    ) -> Result<InboundPlainMessage<'a>, Error> {
        let cipher = self.cipher.as_ref().ok_or(Error::DecryptError)?;
        let nonce = self.nonce(seq);
        let payload = &mut msg.payload;
        let aad = make_tls13_aad(payload.len());
        let body_len = payload
            .len()
            .checked_sub(Self::tag_len())
            .ok_or(Error::DecryptError)?;
        let (body, tag) = payload.split_at_mut(body_len);
        let tag = Tag::<A>::try_from(&*tag).map_err(|_| Error::DecryptError)?;
        cipher
            .decrypt_inout_detached(&nonce, &aad, body.into(), &tag)
            .map_err(|_| Error::DecryptError)?;
        payload.truncate(body_len);
        msg.into_tls13_unpadded_message()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::crypto::cipher::OutboundChunks;

    /// Key 00..0f, IV 20..2b, record 1 carrying "hello" as application data: the records below
    /// were made by an independent implementation (Python `cryptography`'s AESCCM).
    const KEY: [u8; 16] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    const IV: [u8; 12] = [
        0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b,
    ];
    const CCM_RECORD: &str = "b250edfa8b4b5f7c5e55662e9f001a7b467ad26a6b83";
    const CCM_8_RECORD: &str = "b250edfa8b4bc785dc216f2f4ffd";

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
            .collect()
    }

    /// One direction's records with the test key (rustls makes an AeadKey of the suite's
    /// `key_len` only inside its key schedule).
    fn records<A>() -> Records<A>
    where
        A: AeadInOut<NonceSize = U12> + KeyInit + Send + Sync + 'static,
    {
        Records {
            cipher: A::new_from_slice(&KEY).ok(),
            iv: Iv::new(IV),
        }
    }

    fn seal(mut encrypter: impl MessageEncrypter) -> Vec<u8> {
        let message = OutboundPlainMessage {
            typ: ContentType::ApplicationData,
            version: ProtocolVersion::TLSv1_2,
            payload: OutboundChunks::Single(b"hello"),
        };
        let sealed = encrypter.encrypt(message, 1).expect("encrypt");
        sealed.payload.as_ref().to_vec()
    }

    fn open(decrypter: &mut dyn MessageDecrypter, record: &[u8], seq: u64) -> Option<Vec<u8>> {
        let mut bytes = record.to_vec();
        let message = InboundOpaqueMessage::new(
            ContentType::ApplicationData,
            ProtocolVersion::TLSv1_2,
            &mut bytes,
        );
        let plain = decrypter.decrypt(message, seq).ok()?;
        assert_eq!(plain.typ, ContentType::ApplicationData);
        Some(plain.payload.to_vec())
    }

    #[test]
    fn records_match_an_independent_implementation() {
        assert_eq!(hex(&seal(records::<Aes128Ccm>())), CCM_RECORD);
        assert_eq!(hex(&seal(records::<Aes128Ccm8>())), CCM_8_RECORD);
    }

    #[test]
    fn a_record_opens_and_a_changed_or_short_one_does_not() {
        let mut ccm = records::<Aes128Ccm>();
        let mut ccm_8 = records::<Aes128Ccm8>();
        let cases: [(&mut dyn MessageDecrypter, &str); 2] =
            [(&mut ccm, CCM_RECORD), (&mut ccm_8, CCM_8_RECORD)];
        for (decrypter, record) in cases {
            let record = unhex(record);
            assert_eq!(open(decrypter, &record, 1).as_deref(), Some(&b"hello"[..]));
            assert_eq!(open(decrypter, &record, 2), None, "another sequence number");
            let mut tampered = record.clone();
            tampered[0] ^= 1;
            assert_eq!(open(decrypter, &tampered, 1), None);
            assert_eq!(open(decrypter, &record[..3], 1), None);
        }
    }

    #[test]
    fn the_suites_take_aes_128_keys() {
        for suite in [&TLS13_AES_128_CCM_SHA256, &TLS13_AES_128_CCM_8_SHA256] {
            let SupportedCipherSuite::Tls13(suite) = suite else {
                panic!("a TLS 1.3 suite");
            };
            assert_eq!(suite.aead_alg.key_len(), 16);
        }
    }
}
