//! Reading the server's answer to a ClientHello: records, then the ServerHello, a TLS 1.2
//! ServerKeyExchange and Certificate, or an alert, up to the first TLS 1.3 ServerHello (or
//! retry request), ServerHelloDone, an alert or a bound, whichever comes first.

use super::build::client_hello;
use super::{Answer, MAX_HANDSHAKE_MESSAGE, Offer};
use rustls::pki_types::CertificateDer;
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The most the probe reads from the server in all.
const MAX_PROBE_BYTES: usize = 256 * 1024;

/// TLS 1.3's HelloRetryRequest is a ServerHello with this random (RFC 8446, 4.1.3).
const RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Sends `offer`'s ClientHello and reads the answer until the point described above.
pub async fn probe<S>(mut stream: S, offer: &Offer) -> io::Result<Answer>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(&client_hello(offer)).await?;
    stream.flush().await?;
    let mut answer = Answer::default();
    let mut handshake: Vec<u8> = Vec::new();
    let mut read_total = 0usize;
    loop {
        let mut header = [0u8; 5];
        if stream.read_exact(&mut header).await.is_err() {
            return Ok(answer);
        }
        let [kind, major, _, high, low] = header;
        let length = usize::from(u16::from_be_bytes([high, low]));
        if major != 3 || length > 16384 + 2048 {
            return Ok(answer);
        }
        read_total += 5 + length;
        if read_total > MAX_PROBE_BYTES {
            return Ok(answer);
        }
        let mut body = vec![0u8; length];
        if stream.read_exact(&mut body).await.is_err() {
            return Ok(answer);
        }
        match kind {
            21 => {
                answer.alert = body.get(1).copied();
                return Ok(answer);
            }
            22 => {
                handshake.extend_from_slice(&body);
                if read_messages(&mut handshake, &mut answer) {
                    return Ok(answer);
                }
            }
            _ => return Ok(answer),
        }
    }
}

/// Consumes the complete handshake messages at the front of `buffer`. True when the probe is
/// done: a TLS 1.3 ServerHello or retry request, ServerHelloDone, or a message too large.
fn read_messages(buffer: &mut Vec<u8>, answer: &mut Answer) -> bool {
    loop {
        let mut header = Reader(buffer);
        let (Some(kind), Some(length)) = (header.u8(), header.u24()) else {
            return false;
        };
        if kind == 11 && length > MAX_HANDSHAKE_MESSAGE {
            answer.oversized_certificate_message = Some(length);
            return true;
        }
        if length > MAX_HANDSHAKE_MESSAGE {
            return true;
        }
        let Some(message) = buffer.get(4..4 + length) else {
            return false;
        };
        match kind {
            2 => {
                server_hello(message, answer);
                if answer.retry || answer.version == Some(0x0304) || answer.version.is_none() {
                    return true;
                }
            }
            11 => answer.chain = certificates(message),
            12 => key_exchange(message, answer),
            14 => return true,
            _ => {}
        }
        buffer.drain(..4 + length);
    }
}

fn server_hello(message: &[u8], answer: &mut Answer) {
    let mut reader = Reader(message);
    answer.version = reader.u16();
    answer.retry = reader.take(32) == Some(&RETRY_RANDOM[..]);
    let session = reader.u8().map(usize::from).unwrap_or(0);
    let _session_id = reader.take(session);
    answer.cipher_suite = reader.u16();
    let _compression = reader.u8();
    let Some(extensions) = reader.u16().and_then(|n| reader.take(usize::from(n))) else {
        return;
    };
    let mut extensions = Reader(extensions);
    while let (Some(kind), Some(body)) = (
        extensions.u16(),
        extensions
            .u16()
            .and_then(|n| extensions.take(usize::from(n))),
    ) {
        let mut body = Reader(body);
        match kind {
            0x002b => answer.version = body.u16().or(answer.version),
            0x0033 => answer.group = body.u16(),
            0x0012 => answer.scts = Some(body.0.to_vec()),
            _ => {}
        }
    }
}

/// The group (or DH prime size) and signature scheme of a TLS 1.2 ServerKeyExchange.
fn key_exchange(message: &[u8], answer: &mut Answer) {
    let dhe = answer
        .cipher_suite_name()
        .is_some_and(|s| s.starts_with("TLS_DHE_"));
    let mut reader = Reader(message);
    if dhe {
        let Some(prime) = reader.u16().and_then(|n| reader.take(usize::from(n))) else {
            return;
        };
        let leading = prime.iter().take_while(|b| **b == 0).count();
        let significant = &prime[leading..];
        answer.dh_bits = significant
            .first()
            .map(|b| (significant.len() - 1) * 8 + (8 - b.leading_zeros() as usize));
        let _generator = reader.u16().and_then(|n| reader.take(usize::from(n)));
        let _public = reader.u16().and_then(|n| reader.take(usize::from(n)));
    } else if reader.u8() == Some(3) {
        answer.group = reader.u16();
        let _point = reader.u8().and_then(|n| reader.take(usize::from(n)));
    } else {
        return;
    }
    if answer.version == Some(0x0303) {
        answer.scheme = reader.u16();
    }
}

fn certificates(message: &[u8]) -> Vec<CertificateDer<'static>> {
    let mut reader = Reader(message);
    let Some(list) = reader.u24().and_then(|n| reader.take(n)) else {
        return Vec::new();
    };
    let mut list = Reader(list);
    let mut chain = Vec::new();
    while let Some(der) = list.u24().and_then(|n| list.take(n)) {
        chain.push(CertificateDer::from(der.to_vec()));
    }
    chain
}

/// Big-endian fields off the front of a byte slice; `None` once it runs out.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, rest) = (self.0.get(..n)?, self.0.get(n..)?);
        self.0 = rest;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }
    fn u24(&mut self) -> Option<usize> {
        self.take(3)
            .map(|b| usize::from(b[0]) << 16 | usize::from(b[1]) << 8 | usize::from(b[2]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::hello::build::{push_extension, push_u16_prefixed, u24};
    use crate::capture::hello::{LegacyHello, rustls_supports, scheme_name};

    /// A ServerHello, Certificate and ServerHelloDone as a TLS 1.0 server sends them.
    fn flight(version: u16, suite: u16, certs: &[&[u8]]) -> Vec<u8> {
        let mut hello = version.to_be_bytes().to_vec();
        hello.extend_from_slice(&[7u8; 32]);
        hello.push(0);
        hello.extend_from_slice(&suite.to_be_bytes());
        hello.push(0);
        let mut list = Vec::new();
        for cert in certs {
            list.extend_from_slice(&u24(cert.len()));
            list.extend_from_slice(cert);
        }
        let mut certificate = u24(list.len()).to_vec();
        certificate.extend_from_slice(&list);
        let mut handshake = Vec::new();
        for (kind, body) in [(2u8, hello), (11, certificate), (14, Vec::new())] {
            handshake.push(kind);
            handshake.extend_from_slice(&u24(body.len()));
            handshake.extend_from_slice(&body);
        }
        let mut record = vec![0x16, 0x03, 0x01];
        push_u16_prefixed(&mut record, &handshake);
        record
    }

    async fn answer(server_bytes: Vec<u8>) -> LegacyHello {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let serve = tokio::spawn(async move {
            let mut hello = [0u8; 512];
            let _ = server.read(&mut hello).await;
            let _ = server.write_all(&server_bytes).await;
        });
        let result = probe(client, &Offer::legacy(Some("ok.test"))).await;
        let _ = serve.await;
        result.unwrap_or_default()
    }

    #[tokio::test]
    async fn the_probe_asks_for_scts_and_keeps_the_server_hellos_list() {
        assert!(
            client_hello(&Offer::legacy(None))
                .windows(4)
                .any(|w| w == [0x00, 0x12, 0x00, 0x00])
        );
        let mut bytes = flight(0x0303, 0xc02f, &[b"leaf"]);
        // Splice extension 18 (a 4-byte list) into the ServerHello: 2 + 4 + 4 bytes longer.
        let list = [0x00, 0x02, 0xaa, 0xbb];
        let mut hello_end = 5 + 4 + 2 + 32 + 1 + 2 + 1;
        let mut extensions = vec![0x00, 0x08, 0x00, 0x12, 0x00, 0x04];
        extensions.extend_from_slice(&list);
        bytes.splice(hello_end..hello_end, extensions.iter().copied());
        hello_end += extensions.len();
        let grow = |at: usize, bytes: &mut Vec<u8>, by: usize, width: usize| {
            let mut n = 0usize;
            for b in &bytes[at..at + width] {
                n = (n << 8) | usize::from(*b);
            }
            let n = (n + by).to_be_bytes();
            bytes[at..at + width].copy_from_slice(&n[n.len() - width..]);
        };
        grow(3, &mut bytes, extensions.len(), 2); // record length
        grow(6, &mut bytes, extensions.len(), 3); // ServerHello length
        assert!(hello_end < bytes.len());
        let got = answer(bytes).await;
        assert_eq!(got.scts.as_deref(), Some(&list[..]));
        assert_eq!(got.chain.len(), 1);
    }

    #[tokio::test]
    async fn a_tls_1_0_server_is_read_to_its_chain() {
        let got = answer(flight(0x0301, 0x002f, &[b"leaf", b"intermediate"])).await;
        assert_eq!(got.version_name().as_deref(), Some("TLS 1.0"));
        assert_eq!(
            got.cipher_suite_name().as_deref(),
            Some("TLS_RSA_WITH_AES_128_CBC_SHA")
        );
        assert_eq!(got.chain.len(), 2);
        assert!(!rustls_supports(0x002f));
        assert!(rustls_supports(0xc02f));
    }

    #[tokio::test]
    async fn an_alert_is_kept_and_garbage_ends_the_probe() {
        let got = answer(vec![0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28]).await;
        assert_eq!(got.alert, Some(40));
        let got = answer(b"HTTP/1.1 400 Bad Request\r\n\r\n".to_vec()).await;
        assert_eq!(got, LegacyHello::default());
    }

    #[tokio::test]
    async fn a_certificate_message_over_the_limit_is_measured_not_read() {
        let mut bytes = vec![0x16, 0x03, 0x03, 0x00, 0x04, 11];
        bytes.extend_from_slice(&u24(10 * 1024 * 1024));
        let got = answer(bytes).await;
        assert_eq!(got.oversized_certificate_message, Some(10 * 1024 * 1024));
    }

    /// A ServerHello record with `extensions` (type, body) and the given random.
    fn server_hello_record(random: [u8; 32], suite: u16, extensions: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut hello = 0x0303u16.to_be_bytes().to_vec();
        hello.extend_from_slice(&random);
        hello.push(0);
        hello.extend_from_slice(&suite.to_be_bytes());
        hello.push(0);
        let mut body = Vec::new();
        for (kind, data) in extensions {
            push_extension(&mut body, *kind, data);
        }
        push_u16_prefixed(&mut hello, &body);
        let mut handshake = vec![2u8];
        handshake.extend_from_slice(&u24(hello.len()));
        handshake.extend_from_slice(&hello);
        let mut record = vec![0x16, 0x03, 0x03];
        push_u16_prefixed(&mut record, &handshake);
        record
    }

    #[tokio::test]
    async fn a_tls_1_3_answer_names_version_suite_and_group_and_a_retry_is_told_apart() {
        let mut share = 0x001du16.to_be_bytes().to_vec();
        push_u16_prefixed(&mut share, &[9u8; 32]);
        let got = answer(server_hello_record(
            [7; 32],
            0x1302,
            &[(0x002b, vec![0x03, 0x04]), (0x0033, share)],
        ))
        .await;
        assert_eq!(got.version, Some(0x0304));
        assert_eq!(
            got.cipher_suite_name().as_deref(),
            Some("TLS_AES_256_GCM_SHA384")
        );
        assert_eq!(got.group_name().as_deref(), Some("x25519"));
        assert!(!got.retry);
        let retry = answer(server_hello_record(
            RETRY_RANDOM,
            0x1301,
            &[(0x002b, vec![0x03, 0x04]), (0x0033, vec![0x01, 0x00])],
        ))
        .await;
        assert!(retry.retry);
        assert_eq!(retry.group_name().as_deref(), Some("ffdhe2048"));
    }

    #[test]
    fn a_tls_1_2_key_exchange_names_the_curve_or_the_dh_prime_size_and_the_scheme() {
        let mut ecdhe = Answer {
            version: Some(0x0303),
            cipher_suite: Some(0xc02f),
            ..Answer::default()
        };
        key_exchange(
            &[3, 0x00, 0x1e, 2, 0xaa, 0xbb, 0x08, 0x04, 0, 0],
            &mut ecdhe,
        );
        assert_eq!(ecdhe.group_name().as_deref(), Some("x448"));
        assert_eq!(
            ecdhe.scheme.map(scheme_name).as_deref(),
            Some("rsa_pss_rsae_sha256")
        );
        let mut dhe = Answer {
            version: Some(0x0303),
            cipher_suite: Some(0x009e),
            ..Answer::default()
        };
        let mut message = Vec::new();
        let mut prime = vec![0x80u8];
        prime.extend_from_slice(&[0xff; 255]);
        push_u16_prefixed(&mut message, &prime);
        push_u16_prefixed(&mut message, &[2]);
        push_u16_prefixed(&mut message, &[5; 256]);
        message.extend_from_slice(&[0x04, 0x01, 0, 0]);
        key_exchange(&message, &mut dhe);
        assert_eq!(dhe.dh_bits, Some(2048));
        assert_eq!(
            dhe.scheme.map(scheme_name).as_deref(),
            Some("rsa_pkcs1_sha256")
        );
    }
}
