//! A second look at servers rustls cannot talk to.
//!
//! rustls speaks TLS 1.2 and 1.3 with modern cipher suites only, so a server that offers
//! only TLS 1.0/1.1, or only CBC, RSA key exchange, 3DES or RC4 suites, ends the handshake
//! before any certificate is seen. This probe sends one ClientHello that offers all of those
//! and reads the server's answer in the clear (up to TLS 1.2 the Certificate message is not
//! encrypted): the version and suite it picks name the problem, and the chain it sends can
//! still be diagnosed. Nothing is negotiated: the probe stops at ServerHelloDone.

use rustls::pki_types::CertificateDer;
use std::io;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The largest Certificate message the probe reads: the same bound rustls and Go put on any
/// handshake message. A server that declares more is reported, not read.
pub const MAX_HANDSHAKE_MESSAGE: usize = 0xffff;

/// The most the probe reads from the server in all.
const MAX_PROBE_BYTES: usize = 256 * 1024;

/// What the server answered to the probe.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LegacyHello {
    /// The version the server chose (0x0301 = TLS 1.0 ... 0x0303 = TLS 1.2).
    pub version: Option<u16>,
    /// The cipher suite it chose.
    pub cipher_suite: Option<u16>,
    /// The certificates it sent, in order.
    pub chain: Vec<CertificateDer<'static>>,
    /// Set when the Certificate message declared more than [`MAX_HANDSHAKE_MESSAGE`] bytes.
    pub oversized_certificate_message: Option<usize>,
    /// An alert the server sent instead.
    pub alert: Option<u8>,
}

impl LegacyHello {
    /// "TLS 1.0" for the version chosen.
    pub fn version_name(&self) -> Option<String> {
        self.version.map(version_name)
    }

    /// The chosen suite's IANA name.
    pub fn cipher_suite_name(&self) -> Option<String> {
        self.cipher_suite.map(suite_name)
    }
}

/// "TLS 1.0" for 0x0301.
pub fn version_name(version: u16) -> String {
    match version {
        0x0300 => "SSL 3.0".to_string(),
        0x0301 => "TLS 1.0".to_string(),
        0x0302 => "TLS 1.1".to_string(),
        0x0303 => "TLS 1.2".to_string(),
        0x0304 => "TLS 1.3".to_string(),
        other => format!("version 0x{other:04x}"),
    }
}

/// The IANA name of a cipher suite, as rustls spells it.
pub fn suite_name(suite: u16) -> String {
    let suite = rustls::CipherSuite::from(suite);
    suite
        .as_str()
        .map_or_else(|| format!("{suite:?}"), str::to_string)
}

/// True for the TLS 1.2 suites rustls (and so this tool's own handshake) supports.
pub fn rustls_supports(suite: u16) -> bool {
    crate::capture::provider()
        .cipher_suites
        .iter()
        .any(|s| u16::from(s.suite()) == suite)
}

/// What the probe offers, modern suites first so that a server able to do better says so.
const OFFERED_SUITES: [u16; 34] = [
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, // ECDHE with AEAD: what rustls supports
    0xc023, 0xc027, 0xc024, 0xc028, 0xc009, 0xc013, 0xc00a, 0xc014, // ECDHE with CBC
    0x009e, 0x009f, 0x0067, 0x006b, 0x0033, 0x0039, // DHE
    0x009c, 0x009d, 0x003c, 0x003d, 0x002f, 0x0035, // RSA key exchange
    0xc012, 0x000a, 0x0016, // 3DES
    0x0005, 0x0004, 0xc011, // RC4
    0x0041, // Camellia
    0x00ff, // renegotiation info SCSV
];

/// Sends the probe's ClientHello and reads the answer until ServerHelloDone, an alert, the end of
/// the stream, or a bound.
pub async fn probe<S>(mut stream: S, sni: Option<&str>) -> io::Result<LegacyHello>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    stream.write_all(&client_hello(sni)).await?;
    stream.flush().await?;
    let mut answer = LegacyHello::default();
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
/// done: ServerHelloDone seen, or a message too large to read.
fn read_messages(buffer: &mut Vec<u8>, answer: &mut LegacyHello) -> bool {
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
            2 => server_hello(message, answer),
            11 => answer.chain = certificates(message),
            14 => return true,
            _ => {}
        }
        buffer.drain(..4 + length);
    }
}

fn server_hello(message: &[u8], answer: &mut LegacyHello) {
    let mut reader = Reader(message);
    answer.version = reader.u16();
    let _random = reader.take(32);
    let session = reader.u8().map(usize::from).unwrap_or(0);
    let _session_id = reader.take(session);
    answer.cipher_suite = reader.u16();
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

/// A ClientHello offering TLS 1.0 to 1.2 (no supported_versions extension, so the server picks
/// the highest it has up to 1.2) and every common suite.
fn client_hello(sni: Option<&str>) -> Vec<u8> {
    let mut extensions = Vec::new();
    if let Some(name) = sni {
        let name = name.as_bytes();
        let mut list = vec![0u8];
        push_u16_prefixed(&mut list, name);
        let mut body = Vec::new();
        push_u16_prefixed(&mut body, &list);
        push_extension(&mut extensions, 0x0000, &body);
    }
    // supported_groups: x25519, P-256, P-384, P-521.
    let mut groups = Vec::new();
    push_u16_prefixed(
        &mut groups,
        &[0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19],
    );
    push_extension(&mut extensions, 0x000a, &groups);
    // ec_point_formats: uncompressed.
    push_extension(&mut extensions, 0x000b, &[1, 0]);
    // signature_algorithms, SHA-1 included: old servers may have nothing better.
    let schemes: [u16; 12] = [
        0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0603, 0x0806, 0x0601, 0x0807, 0x0203,
        0x0201,
    ];
    let mut algorithms = Vec::new();
    let scheme_bytes: Vec<u8> = schemes.iter().flat_map(|s| s.to_be_bytes()).collect();
    push_u16_prefixed(&mut algorithms, &scheme_bytes);
    push_extension(&mut extensions, 0x000d, &algorithms);
    // extended_master_secret and renegotiation_info, which some servers insist on.
    push_extension(&mut extensions, 0x0017, &[]);
    push_extension(&mut extensions, 0xff01, &[0]);

    let mut hello = vec![0x03, 0x03];
    hello.extend_from_slice(&random());
    hello.push(0); // no session id
    let suites: Vec<u8> = OFFERED_SUITES
        .iter()
        .flat_map(|s| s.to_be_bytes())
        .collect();
    push_u16_prefixed(&mut hello, &suites);
    hello.extend_from_slice(&[1, 0]); // compression: null
    push_u16_prefixed(&mut hello, &extensions);

    let mut message = vec![1u8];
    message.extend_from_slice(&u24(hello.len()));
    message.extend_from_slice(&hello);
    let mut record = vec![0x16, 0x03, 0x01];
    push_u16_prefixed(&mut record, &message);
    record
}

fn random() -> [u8; 32] {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 32];
    // The random only has to differ between hellos; a failure leaves zeros, which still works.
    let _ = ring::rand::SystemRandom::new().fill(&mut bytes);
    bytes
}

fn u24(n: usize) -> [u8; 3] {
    let [_, a, b, c] = u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes();
    [a, b, c]
}

fn push_u16_prefixed(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    out.extend_from_slice(body);
}

fn push_extension(out: &mut Vec<u8>, kind: u16, body: &[u8]) {
    out.extend_from_slice(&kind.to_be_bytes());
    push_u16_prefixed(out, body);
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let result = probe(client, Some("ok.test")).await;
        let _ = serve.await;
        result.unwrap_or_default()
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

    #[test]
    fn the_hello_is_a_well_formed_record() {
        let hello = client_hello(Some("ok.test"));
        assert_eq!(&hello[..3], &[0x16, 0x03, 0x01]);
        assert_eq!(
            usize::from(u16::from_be_bytes([hello[3], hello[4]])),
            hello.len() - 5
        );
        assert_eq!(hello[5], 1);
    }
}
