//! Opening the stream a handshake runs on: resolving the name, TCP to the first address that
//! answers or a tunnel through a proxy, then any STARTTLS exchange. Apart from the handshake so
//! that the probes of other ClientHellos open their connections the same way.

use super::{Failure, Phase, Route, SharedState, Upgrade, lock};
use crate::target::Target;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use tokio::net::TcpStream;

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

/// Opens the stream the TLS handshake runs on: TCP to the first address that answers, or a
/// tunnel through the proxy; then the STARTTLS exchange, if the route has one. `name` is the
/// server's name, for protocols that say whom they talk to (XMPP).
pub(super) async fn open(
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
