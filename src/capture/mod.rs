//! Connecting and recording what the server presents. No judgement here.
//!
//! The handshake runs with a verifier that accepts any chain, so the chain is recorded even when
//! it is broken; judging it is the checks' job. Handshake signatures are still verified, so a
//! completed handshake proves the server holds the leaf's key.
//!
//! In the order a capture runs them: `connect` opens the stream, `handshake` runs rustls over
//! it through the `sniffing` stream with the recording `verifier`, and `ask` sends other
//! ClientHellos (built and read by `hello`) on connections of their own.

mod ask;
pub mod client_auth;
mod connect;
mod handshake;
pub mod hello;
mod http_server;
/// The old-style probe, by the name the checks know it by.
pub use hello as legacy;
pub mod provider;
mod sniffing;
mod verifier;

pub use ask::{PROBES_AT_ONCE, ask};
pub use connect::{Resolve, SystemResolver};

use crate::proxy::Proxy;
use crate::starttls::{Protocol, Transcript, UpgradeError};
use crate::target::Target;
use client_auth::ClientAuth;
use connect::open;
use handshake::handshake;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::sign::CertifiedKey;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};

/// The step a connection attempt was in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Resolving,
    Connecting,
    /// Opening the tunnel through a proxy.
    Proxy,
    /// The plain-text exchange before a STARTTLS upgrade.
    Starttls,
    Handshake,
}

/// What the server negotiated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Negotiated {
    pub version: String,
    pub cipher_suite: String,
    pub key_exchange: Option<String>,
    pub alpn: Option<String>,
}

/// Why a capture stopped short. Facts; `checks::connection` names the cause.
#[derive(Debug)]
pub enum Failure {
    /// The resolver failed.
    Resolve(io::Error),
    /// The resolver answered with no address.
    NoAddresses,
    /// Every address refused or failed; the last error is kept.
    Connect(SocketAddr, io::Error),
    /// The time limit passed during `phase`.
    Timeout { phase: Phase, limit: Duration },
    /// rustls rejected what the server sent, or the server sent an alert.
    Tls(rustls::Error),
    /// The connection broke during the handshake.
    Io(io::Error),
    /// The proxy did not open a tunnel.
    Proxy(crate::proxy::ProxyError),
    /// The plain-text protocol did not get to starting TLS.
    Starttls(Protocol, UpgradeError),
}

/// A STARTTLS exchange that led to the handshake.
#[derive(Clone, Debug)]
pub struct Upgrade {
    pub protocol: Protocol,
    pub transcript: Transcript,
}

/// Everything recorded about one connection attempt.
#[derive(Debug, Default)]
pub struct Capture {
    /// The address connected to, once a TCP connection was made.
    pub address: Option<SocketAddr>,
    /// The chain exactly as presented (empty if none was seen).
    pub chain: Vec<CertificateDer<'static>>,
    /// A stapled OCSP response, if the server sent one.
    pub ocsp: Option<Vec<u8>>,
    /// Set when the handshake completed.
    pub negotiated: Option<Negotiated>,
    /// Set when something went wrong (possibly after the chain was seen).
    pub failure: Option<Failure>,
    /// The first bytes the server sent, and how many it sent in all.
    pub first_bytes: Vec<u8>,
    pub bytes_received: usize,
    /// Whether the server asked for a client certificate, and what came of it.
    pub client_auth: ClientAuth,
    /// When rustls could not complete the handshake: what the server answered to a ClientHello
    /// offering old versions and suites.
    pub legacy: Option<legacy::LegacyHello>,
    /// What the server answered each client profile's own ClientHello, when profiles were asked.
    pub asked: Option<hello::Asked>,
    /// The proxy the connection went through, as reports show it.
    pub proxy: Option<String>,
    /// The protocol upgraded with STARTTLS, if the route had one.
    pub starttls: Option<Protocol>,
    /// The STARTTLS exchange, when it completed.
    pub upgrade: Option<Upgrade>,
    /// How long the TLS handshake took, from the ClientHello to the server's Finished, when it
    /// completed: the part of a connection the server's TLS setup decides.
    pub handshake: Option<Duration>,
    /// The `Server` header of the answer to one `HEAD /` over HTTP/1.1: sent after the handshake
    /// to a server that speaks HTTP/1.1 over it (ALPN, or no ALPN on an HTTPS port), and on a
    /// second connection offering only `http/1.1` to one that chose HTTP/2.
    pub http_server: Option<String>,
}

/// State shared between the attempt and the timeout that may cut it short.
#[derive(Default)]
struct Shared {
    phase: Phase,
    address: Option<SocketAddr>,
    chain: Vec<CertificateDer<'static>>,
    ocsp: Option<Vec<u8>>,
    first_bytes: Vec<u8>,
    bytes_received: usize,
    client_auth: ClientAuth,
    upgrade: Option<Upgrade>,
    handshake: Option<Duration>,
    http_server: Option<String>,
}

type SharedState = Arc<Mutex<Shared>>;

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("phase", &self.phase)
            .finish()
    }
}

fn lock(shared: &SharedState) -> std::sync::MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What a connection attempt presents as the client.
#[derive(Clone, Copy)]
pub struct ClientSide<'a> {
    /// The certificate and key to present when asked (`--cert`/`--key`).
    pub identity: Option<&'a Arc<CertifiedKey>>,
}

/// How a connection reaches the server besides plain TCP.
#[derive(Clone, Debug, Default)]
pub struct Route {
    /// An HTTP proxy to tunnel through with CONNECT.
    pub proxy: Option<Proxy>,
    /// The protocol to upgrade with STARTTLS before the handshake.
    pub starttls: Option<Protocol>,
}

/// Connects to `target` (through `route`), runs a TLS handshake as `name`, and records what was
/// presented, all within `limit`.
pub async fn capture(
    target: &Target,
    name: ServerName<'static>,
    route: &Route,
    resolver: &dyn Resolve,
    limit: Duration,
    client: ClientSide<'_>,
) -> Capture {
    let shared = SharedState::default();
    let deadline = tokio::time::Instant::now() + limit;
    let name_text = match &name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        _ => target.host.clone(),
    };
    let attempt = async {
        let stream = open(target, route, resolver, &shared, &name_text).await?;
        let (host, port) = target.endpoint();
        handshake(
            stream,
            (&host, port),
            name.clone(),
            shared.clone(),
            client,
            deadline,
            ALPN_OFFER,
        )
        .await
    };
    let mut capture = finish(shared.clone(), limit, attempt).await;
    if asks_again_over_http1(&capture) {
        capture.http_server = server_over_http1(target, route, resolver, &name, deadline).await;
    }
    capture.proxy = route.proxy.as_ref().map(Proxy::described);
    capture.starttls = route.starttls;
    if capture.address.is_some() && wants_legacy_probe(&capture) {
        let sni = match &name {
            ServerName::DnsName(dns) => Some(dns.as_ref().to_string()),
            _ => None,
        };
        let probe = async {
            let stream = open(target, route, resolver, &SharedState::default(), &name_text)
                .await
                .ok()?;
            hello::probe(stream, &hello::Offer::legacy(sni.as_deref()))
                .await
                .ok()
        };
        capture.legacy = tokio::time::timeout_at(deadline, probe)
            .await
            .ok()
            .flatten();
    }
    capture
}

/// The protocols offered by ALPN, as a browser offers them.
const ALPN_OFFER: &[&[u8]] = &[b"h2", b"http/1.1"];

/// A server that chose HTTP/2 over a direct connection (not STARTTLS, no client certificate
/// asked for) is asked for its `Server` header on a second connection.
fn asks_again_over_http1(capture: &Capture) -> bool {
    capture.upgrade.is_none()
        && capture.starttls.is_none()
        && !capture.client_auth.requested
        && capture
            .negotiated
            .as_ref()
            .is_some_and(|n| n.alpn.as_deref() == Some("h2"))
}

/// The `Server` header of a server that chose HTTP/2, asked with one `HEAD /` over HTTP/1.1
/// on a connection of its own whose ALPN offers only `http/1.1`, within the same bounds
/// ([`http_server::WAIT`], [`http_server::ANSWER_BYTES`]) and never past `deadline`.
///
/// A second TLS handshake rather than HTTP/2 on the first connection: hyper's HTTP/2 client
/// drives its connection from a spawned task, which would take the stream out of the capture
/// and its time limit, and the bounded HTTP/1.1 exchange is already here. `None` when the
/// server refuses HTTP/1.1 (an HTTP/2-only server) or says nothing.
async fn server_over_http1(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    name: &ServerName<'static>,
    deadline: tokio::time::Instant,
) -> Option<String> {
    let shared = SharedState::default();
    let name_text = match name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        _ => target.host.clone(),
    };
    let attempt = async {
        let stream = open(target, route, resolver, &shared, &name_text).await?;
        let (host, port) = target.endpoint();
        let client = ClientSide { identity: None };
        handshake(
            stream,
            (&host, port),
            name.clone(),
            shared.clone(),
            client,
            deadline,
            &[b"http/1.1"],
        )
        .await
    };
    let _ = tokio::time::timeout_at(deadline, attempt).await;
    lock(&shared).http_server.take()
}

/// A TLS server that ended the handshake before showing a chain may only speak what rustls
/// refuses; asking again in the old way tells.
fn wants_legacy_probe(capture: &Capture) -> bool {
    capture.chain.is_empty()
        && matches!(capture.failure, Some(Failure::Tls(_) | Failure::Io(_)))
        && capture
            .first_bytes
            .first()
            .is_none_or(|kind| (0x14..=0x18).contains(kind))
}

/// Runs the handshake over a stream that is already open (a tunnel, a protocol upgraded with
/// STARTTLS, or bytes from a test), with the same recording and time limit as [`capture`].
/// `host` and `port` say where the stream leads.
pub async fn capture_stream<S>(
    stream: S,
    host: &str,
    port: u16,
    name: ServerName<'static>,
    limit: Duration,
    client: ClientSide<'_>,
) -> Capture
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let shared = SharedState::default();
    lock(&shared).phase = Phase::Handshake;
    let deadline = tokio::time::Instant::now() + limit;
    let attempt = handshake(
        stream,
        (host, port),
        name,
        shared.clone(),
        client,
        deadline,
        ALPN_OFFER,
    );
    finish(shared, limit, attempt).await
}

/// Bounds an attempt by `limit` and gathers what it recorded, however it ended.
async fn finish(
    shared: SharedState,
    limit: Duration,
    attempt: impl Future<Output = Result<Negotiated, Failure>>,
) -> Capture {
    let outcome = tokio::time::timeout(limit, attempt).await;
    let (negotiated, failure) = match outcome {
        Ok(Ok(negotiated)) => (Some(negotiated), None),
        Ok(Err(failure)) => (None, Some(failure)),
        Err(_) => {
            let phase = lock(&shared).phase;
            (None, Some(Failure::Timeout { phase, limit }))
        }
    };
    let mut state = lock(&shared);
    Capture {
        address: state.address,
        chain: std::mem::take(&mut state.chain),
        ocsp: state.ocsp.take(),
        negotiated,
        failure,
        first_bytes: std::mem::take(&mut state.first_bytes),
        bytes_received: state.bytes_received,
        client_auth: std::mem::take(&mut state.client_auth),
        legacy: None,
        asked: None,
        proxy: None,
        starttls: None,
        upgrade: state.upgrade.take(),
        handshake: state.handshake,
        http_server: state.http_server.take(),
    }
}

/// The ring crypto provider, built once and shared by every connection and verification.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: std::sync::OnceLock<Arc<CryptoProvider>> = std::sync::OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}
