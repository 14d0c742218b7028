//! Peers that misbehave on purpose: hand-written TLS bytes for what rustls will not serve (old
//! versions, legacy suites, oversized messages), and certificates too big for any client.

use super::Server;
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, SanType};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What a client offered in its ClientHello.
#[derive(Debug, Default)]
pub struct Hello {
    pub suites: Vec<u16>,
    pub extensions: Vec<u16>,
}

impl Hello {
    /// A TLS 1.3-capable client (rustls) sends supported_versions; the legacy probe does not.
    pub fn offers_tls13(&self) -> bool {
        self.extensions.contains(&0x002b)
    }
}

/// Reads one ClientHello record and pulls out the suites and extension types.
pub async fn read_hello(stream: &mut TcpStream) -> Option<Hello> {
    let mut header = [0u8; 5];
    stream.read_exact(&mut header).await.ok()?;
    let length = usize::from(u16::from_be_bytes([header[3], header[4]]));
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await.ok()?;
    let mut at = 4 + 2 + 32; // handshake header, version, random
    let session = usize::from(*body.get(at)?);
    at += 1 + session;
    let suites_len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
    let suites = body
        .get(at + 2..at + 2 + suites_len)?
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    at += 2 + suites_len;
    let compression = usize::from(*body.get(at)?);
    at += 1 + compression;
    let mut extensions = Vec::new();
    if let (Some(a), Some(b)) = (body.get(at), body.get(at + 1)) {
        let end = at + 2 + usize::from(u16::from_be_bytes([*a, *b]));
        at += 2;
        while at + 4 <= end.min(body.len()) {
            extensions.push(u16::from_be_bytes([body[at], body[at + 1]]));
            at += 4 + usize::from(u16::from_be_bytes([body[at + 2], body[at + 3]]));
        }
    }
    Some(Hello { suites, extensions })
}

fn u24(n: usize) -> [u8; 3] {
    let [_, a, b, c] = (n as u32).to_be_bytes();
    [a, b, c]
}

fn handshake(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut message = vec![kind];
    message.extend_from_slice(&u24(body.len()));
    message.extend_from_slice(body);
    message
}

/// Handshake messages wrapped in TLS records of at most 16 KiB.
fn records(kind: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in payload.chunks(16384) {
        out.push(kind);
        out.extend_from_slice(&version.to_be_bytes());
        out.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        out.extend_from_slice(chunk);
    }
    out
}

fn server_hello(version: u16, suite: u16) -> Vec<u8> {
    server_hello_with(version, suite, None)
}

/// A ServerHello, with the signed_certificate_timestamp extension (18) holding `scts` if given.
fn server_hello_with(version: u16, suite: u16, scts: Option<&[u8]>) -> Vec<u8> {
    let mut hello = version.to_be_bytes().to_vec();
    hello.extend_from_slice(&[0x42; 32]);
    hello.push(0);
    hello.extend_from_slice(&suite.to_be_bytes());
    hello.push(0);
    if let Some(list) = scts {
        let mut extension = 0x0012u16.to_be_bytes().to_vec();
        extension.extend_from_slice(&(list.len() as u16).to_be_bytes());
        extension.extend_from_slice(list);
        hello.extend_from_slice(&(extension.len() as u16).to_be_bytes());
        hello.extend_from_slice(&extension);
    }
    handshake(2, &hello)
}

/// ServerHello, Certificate and ServerHelloDone, as a TLS 1.0-1.2 server sends them in the clear.
pub fn flight(version: u16, suite: u16, chain: &[CertificateDer<'_>]) -> Vec<u8> {
    flight_with_scts(version, suite, chain, None)
}

/// Like [`flight`], with an SCT list in the ServerHello's extension 18.
pub fn flight_with_scts(
    version: u16,
    suite: u16,
    chain: &[CertificateDer<'_>],
    scts: Option<&[u8]>,
) -> Vec<u8> {
    let mut list = Vec::new();
    for cert in chain {
        list.extend_from_slice(&u24(cert.len()));
        list.extend_from_slice(cert);
    }
    let mut certificate = u24(list.len()).to_vec();
    certificate.extend_from_slice(&list);
    let mut payload = server_hello_with(version, suite, scts);
    payload.extend_from_slice(&handshake(11, &certificate));
    payload.extend_from_slice(&handshake(14, &[]));
    records(22, version, &payload)
}

/// A TLS alert record.
pub fn alert(description: u8) -> Vec<u8> {
    records(21, 0x0303, &[2, description])
}

/// A server stuck in the past: it answers any ClientHello that does not insist on TLS 1.3/1.2
/// with `version` and `suite`, and a modern one with the alert `refusal`.
pub fn old_server(
    version: u16,
    suite: u16,
    chain: Vec<CertificateDer<'static>>,
    refusal: u8,
) -> Server {
    Server::raw(move |mut stream| {
        let chain = chain.clone();
        async move {
            let Some(hello) = read_hello(&mut stream).await else {
                return;
            };
            let answer = if hello.offers_tls13() || !hello.suites.contains(&suite) {
                alert(refusal)
            } else {
                flight(version, suite, &chain)
            };
            let _ = stream.write_all(&answer).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

/// A TLS 1.2-only server of hand-written bytes that sends `scts` in the ServerHello's
/// signed_certificate_timestamp extension to a ClientHello that asks for them (as tlsdoctor's
/// own probe does), and refuses a TLS 1.3 hello (rustls') with handshake_failure.
pub fn tls12_server_with_scts(chain: Vec<CertificateDer<'static>>, scts: Vec<u8>) -> Server {
    Server::raw(move |mut stream| {
        let chain = chain.clone();
        let scts = scts.clone();
        async move {
            let Some(hello) = read_hello(&mut stream).await else {
                return;
            };
            let asked = hello.extensions.contains(&0x0012);
            let answer = if hello.offers_tls13() || !hello.suites.contains(&0xc02f) {
                alert(40)
            } else {
                flight_with_scts(0x0303, 0xc02f, &chain, asked.then_some(scts.as_slice()))
            };
            let _ = stream.write_all(&answer).await;
            let _ = stream.flush().await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    })
}

/// Answers a TLS 1.2 ClientHello with a ServerHello and then a Certificate message that declares
/// `declared` bytes and streams filler until the client goes away.
pub fn oversized_certificate_message(declared: usize) -> Server {
    Server::raw(move |mut stream| async move {
        if read_hello(&mut stream).await.is_none() {
            return;
        }
        let mut payload = server_hello(0x0303, 0xc02f);
        payload.push(11);
        payload.extend_from_slice(&u24(declared));
        let mut head = Vec::new();
        // The first record carries the headers; the rest is filler in full-size records.
        head.extend_from_slice(&records(22, 0x0303, &payload));
        if stream.write_all(&head).await.is_err() {
            return;
        }
        let filler = records(22, 0x0303, &vec![0x30; 16384]);
        let mut sent = 0;
        while sent < declared {
            if stream.write_all(&filler).await.is_err() {
                return;
            }
            sent += 16384;
        }
    })
}

/// A self-signed certificate for `ok.test` with `extra` more DNS names, and its key.
pub fn many_names(extra: usize) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let key = KeyPair::generate().expect("key");
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "ok.test");
    params.distinguished_name = dn;
    params.subject_alt_names = std::iter::once("ok.test".to_string())
        .chain((0..extra).map(|i| format!("n{i}.example")))
        .map(|n| SanType::DnsName(n.try_into().expect("DNS name")))
        .collect();
    let cert = params.self_signed(&key).expect("certificate");
    (
        cert.der().clone(),
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
}

/// `count` distinct small self-signed certificates, to pad a chain with.
pub fn filler_certificates(count: usize) -> Vec<CertificateDer<'static>> {
    let key = KeyPair::generate().expect("key");
    (0..count)
        .map(|i| {
            let mut params = CertificateParams::default();
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CommonName, format!("filler {i}"));
            params.distinguished_name = dn;
            params.self_signed(&key).expect("filler").der().clone()
        })
        .collect()
}
