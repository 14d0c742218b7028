//! The TLS handshake itself, with rustls: the recording verifier and stream plugged in, then
//! what was negotiated and, when the server speaks HTTP, one bounded question over it. Kept
//! apart from the capture's bookkeeping of attempts, time limits and follow-up connections.

use super::sniffing::Sniffing;
use super::verifier::Recorder;
use super::{
    ClientSide, Failure, Negotiated, SharedState, client_auth, http_server, lock, provider,
};
use rustls::pki_types::ServerName;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

/// How long to wait, after a handshake in which a client certificate was asked for, for the
/// server to say whether it accepted it (at most; never past the check's deadline).
const CLIENT_AUTH_WAIT: Duration = Duration::from_millis(1500);

/// Ports where an HTTP request may be sent (to learn the server's verdict on a client
/// certificate, or its `Server` header) when no ALPN was negotiated.
const HTTP_PORTS: [u16; 5] = [443, 4443, 8443, 9443, 10443];

/// The TLS handshake (and, when a client certificate was asked for, the server's verdict on it).
pub(super) async fn handshake<S>(
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
/// [`server_over_http1`](super::server_over_http1).)
fn speaks_http(negotiated: &Negotiated, port: u16) -> bool {
    negotiated.alpn.as_deref() == Some("http/1.1")
        || (negotiated.alpn.is_none() && HTTP_PORTS.contains(&port))
}

/// `TLSv1_3` → `TLS 1.3`.
fn version_name(raw: &str) -> String {
    raw.strip_prefix("TLSv")
        .map(|v| format!("TLS {}", v.replace('_', ".")))
        .unwrap_or_else(|| raw.to_string())
}
