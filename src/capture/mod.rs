//! Connecting and recording what the server presents. No judgement here.
//!
//! The handshake runs with a verifier that accepts any chain, so the chain is recorded even when
//! it is broken; judging it is the checks' job. Handshake signatures are still verified, so a
//! completed handshake proves the server holds the leaf's key.

pub mod client_auth;
pub mod hello;
mod http_server;
/// The old-style probe, by the name the checks know it by.
pub use hello as legacy;
pub mod provider;

use crate::proxy::Proxy;
use crate::starttls::{Protocol, Transcript, UpgradeError};
use crate::target::Target;
use client_auth::ClientAuth;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;

/// How many of the server's first bytes are kept, to name a protocol that is not TLS.
const SNIFF_BYTES: usize = 256;

/// How long to wait, after a handshake in which a client certificate was asked for, for the
/// server to say whether it accepted it (at most; never past the check's deadline).
const CLIENT_AUTH_WAIT: Duration = Duration::from_millis(1500);

/// Ports where an HTTP request may be sent (to learn the server's verdict on a client
/// certificate, or its `Server` header) when no ALPN was negotiated.
const HTTP_PORTS: [u16; 5] = [443, 4443, 8443, 9443, 10443];

/// Resolves host names to addresses. The system resolver is the default; tests substitute one.
pub trait Resolve: Send + Sync {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>>;
}

/// The operating system's resolver, through tokio.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> Pin<Box<dyn Future<Output = io::Result<Vec<SocketAddr>>> + Send + 'a>> {
        Box::pin(async move { Ok(tokio::net::lookup_host((host, port)).await?.collect()) })
    }
}

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

/// How many ClientHello probes run at once against one target.
pub const PROBES_AT_ONCE: usize = 8;

/// Sends each offer's ClientHello on a connection of its own (through `route`), at most
/// [`PROBES_AT_ONCE`] at a time, and returns the answers in the offers' order; `None` where no
/// answer came before `deadline`.
pub async fn ask(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    offers: &[hello::Offer],
    deadline: tokio::time::Instant,
) -> Vec<Option<hello::Answer>> {
    use futures_util::StreamExt;
    // Made first, so that the stream holds futures and no closure (which keeps it Send).
    let probes: Vec<_> = offers
        .iter()
        .map(|offer| ask_one(target, route, resolver, offer, deadline))
        .collect();
    futures_util::stream::iter(probes)
        .buffered(PROBES_AT_ONCE)
        .collect()
        .await
}

async fn ask_one(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    offer: &hello::Offer,
    deadline: tokio::time::Instant,
) -> Option<hello::Answer> {
    let name = offer.sni.clone().unwrap_or_else(|| target.host.clone());
    let attempt = async {
        let stream = open(target, route, resolver, &SharedState::default(), &name)
            .await
            .ok()?;
        hello::probe(stream, offer).await.ok()
    };
    tokio::time::timeout_at(deadline, attempt)
        .await
        .ok()
        .flatten()
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

/// Opens the stream the TLS handshake runs on: TCP to the first address that answers, or a
/// tunnel through the proxy; then the STARTTLS exchange, if the route has one. `name` is the
/// server's name, for protocols that say whom they talk to (XMPP).
async fn open(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    shared: &SharedState,
    name: &str,
) -> Result<TcpStream, Failure> {
    let mut stream = connect(target, route, resolver, shared).await?;
    if let Some(protocol) = route.starttls {
        lock(shared).phase = Phase::Starttls;
        let transcript = crate::starttls::upgrade(protocol, &mut stream, name)
            .await
            .map_err(|e| Failure::Starttls(protocol, e))?;
        let mut state = lock(shared);
        state.upgrade = Some(Upgrade {
            protocol,
            transcript,
        });
        state.phase = Phase::Handshake;
    }
    Ok(stream)
}

/// TCP to the first address that answers, or a tunnel through the proxy.
async fn connect(
    target: &Target,
    route: &Route,
    resolver: &dyn Resolve,
    shared: &SharedState,
) -> Result<TcpStream, Failure> {
    let (host, port) = target.endpoint();
    if let Some(proxy) = &route.proxy {
        lock(shared).phase = Phase::Proxy;
        let stream = crate::proxy::connect(proxy, &host, port, resolver)
            .await
            .map_err(Failure::Proxy)?;
        lock(shared).address = stream.peer_addr().ok();
        let _ = stream.set_nodelay(true);
        lock(shared).phase = Phase::Handshake;
        return Ok(stream);
    }
    let addresses = if !target.addresses.is_empty() {
        target
            .addresses
            .iter()
            .map(|ip| SocketAddr::new(*ip, port))
            .collect()
    } else {
        match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => resolver
                .resolve(&host, port)
                .await
                .map_err(Failure::Resolve)?,
        }
    };
    lock(shared).phase = Phase::Connecting;
    let mut last_error = None;
    let mut stream = None;
    for address in &addresses {
        match TcpStream::connect(address).await {
            Ok(s) => {
                stream = Some(s);
                lock(shared).address = Some(*address);
                break;
            }
            Err(e) => last_error = Some((*address, e)),
        }
    }
    let stream = match (stream, last_error) {
        (Some(s), _) => s,
        (None, Some((address, e))) => return Err(Failure::Connect(address, e)),
        (None, None) => return Err(Failure::NoAddresses),
    };
    let _ = stream.set_nodelay(true);
    lock(shared).phase = Phase::Handshake;
    Ok(stream)
}

/// The TLS handshake (and, when a client certificate was asked for, the server's verdict on it).
async fn handshake<S>(
    stream: S,
    (host, port): (&str, u16),
    name: ServerName<'static>,
    shared: SharedState,
    client: ClientSide<'_>,
    deadline: tokio::time::Instant,
    alpn: &[&[u8]],
) -> Result<Negotiated, Failure>
where
    S: AsyncRead + AsyncWrite + Unpin + Send,
{
    let provider = provider::capture_provider();
    let verifier = Arc::new(Recorder {
        provider: provider.clone(),
        shared: shared.clone(),
    });
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Failure::Tls)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(Arc::new(client_auth::Recorder {
            identity: client.identity.cloned(),
            shared: shared.clone(),
        }));
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let sniffing = Sniffing {
        inner: stream,
        shared: shared.clone(),
    };
    let started = tokio::time::Instant::now();
    let authority = match &name {
        ServerName::DnsName(dns) => dns.as_ref().to_string(),
        _ if host.contains(':') => format!("[{host}]"),
        _ => host.to_string(),
    };
    let mut tls = connector.connect(name, sniffing).await.map_err(|e| {
        match e
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            Some(tls_error) => Failure::Tls(tls_error.clone()),
            None => Failure::Io(e),
        }
    })?;
    lock(&shared).handshake = Some(started.elapsed());
    let (_, connection) = tls.get_ref();
    let negotiated = Negotiated {
        version: connection
            .protocol_version()
            .map(|v| version_name(v.as_str().unwrap_or("unknown")))
            .unwrap_or_default(),
        cipher_suite: connection
            .negotiated_cipher_suite()
            .and_then(|s| s.suite().as_str())
            .unwrap_or("unknown")
            .to_string(),
        key_exchange: connection
            .negotiated_key_exchange_group()
            .and_then(|g| g.name().as_str())
            .map(str::to_string),
        alpn: connection
            .alpn_protocol()
            .map(|p| String::from_utf8_lossy(p).into_owned()),
    };
    if lock(&shared).client_auth.requested {
        let http = speaks_http(&negotiated, port);
        let wait = deadline
            .saturating_duration_since(tokio::time::Instant::now())
            .min(CLIENT_AUTH_WAIT);
        let response = client_auth::server_response(&mut tls, http.then_some(host), wait).await;
        lock(&shared).client_auth.response = Some(response);
    } else if speaks_http(&negotiated, port) && lock(&shared).upgrade.is_none() {
        let authority = match port {
            443 => authority,
            _ => format!("{authority}:{port}"),
        };
        let wait = deadline
            .saturating_duration_since(tokio::time::Instant::now())
            .min(http_server::WAIT);
        let header = http_server::server_header(&mut tls, &authority, wait).await;
        lock(&shared).http_server = header;
    }
    // A polite close; the server's answer does not matter.
    let _ = tokio::time::timeout(Duration::from_millis(200), tls.shutdown()).await;
    Ok(negotiated)
}

/// The server speaks HTTP/1.1 over this connection: it chose it by ALPN, or chose nothing on a
/// port where HTTPS is the convention. (An `h2` server is asked on a connection of its own:
/// [`server_over_http1`].)
fn speaks_http(negotiated: &Negotiated, port: u16) -> bool {
    negotiated.alpn.as_deref() == Some("http/1.1")
        || (negotiated.alpn.is_none() && HTTP_PORTS.contains(&port))
}

/// The ring crypto provider, built once and shared by every connection and verification.
pub fn provider() -> Arc<CryptoProvider> {
    static PROVIDER: std::sync::OnceLock<Arc<CryptoProvider>> = std::sync::OnceLock::new();
    PROVIDER
        .get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// `TLSv1_3` → `TLS 1.3`.
fn version_name(raw: &str) -> String {
    raw.strip_prefix("TLSv")
        .map(|v| format!("TLS {}", v.replace('_', ".")))
        .unwrap_or_else(|| raw.to_string())
}

/// Records the presented chain and accepts it; verifies handshake signatures for real, with the
/// capture provider's algorithms and the schemes rustls lacks ([`provider::SIGNATURE_SCHEMES`]).
#[derive(Debug)]
struct Recorder {
    provider: Arc<CryptoProvider>,
    shared: SharedState,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("phase", &self.phase)
            .finish()
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let mut state = lock(&self.shared);
        state.chain = std::iter::once(end_entity)
            .chain(intermediates)
            .map(|c| c.clone().into_owned())
            .collect();
        state.ocsp = (!ocsp_response.is_empty()).then(|| ocsp_response.to_vec());
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Some(verified) = provider::verify_signature(message, cert, dss) {
            return verified;
        }
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        if let Some(verified) = provider::verify_signature(message, cert, dss) {
            return verified;
        }
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        let mut schemes = self
            .provider
            .signature_verification_algorithms
            .supported_schemes();
        schemes.extend(provider::SIGNATURE_SCHEMES);
        schemes
    }
}

/// A stream that remembers the first bytes the server sent, to recognise non-TLS protocols.
struct Sniffing<S> {
    inner: S,
    shared: SharedState,
}

impl<S: AsyncRead + Unpin> AsyncRead for Sniffing<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result {
            let fresh = &buf.filled()[before..];
            let mut state = lock(&self.shared);
            state.bytes_received += fresh.len();
            let room = SNIFF_BYTES.saturating_sub(state.first_bytes.len());
            state
                .first_bytes
                .extend_from_slice(&fresh[..room.min(fresh.len())]);
        }
        result
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Sniffing<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    // Passed through so that rustls writes a flight of records in one system call, not one
    // per record.
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
