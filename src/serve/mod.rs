//! `tlsdoctor serve`: a Prometheus exporter in the blackbox_exporter pattern. Prometheus scrapes
//! `/probe?target=HOST:PORT`; each scrape runs one [`check_target`](crate::check_target) and
//! answers with its metrics, so relabeling and `hashmod` sharding spread any number of targets
//! over exporter instances.
//!
//! Bounded against load and abuse: at most `max_probes` checks at once (the rest wait
//! `queue_wait`, then get 503), each within its module's timeout and the scrape's own; at most
//! `max_connections` connections, each with a small request head, few headers, and a limited
//! time to send them and to live. The allow-list ([`allow`]) limits where probes go.

pub mod allow;
pub mod config;
mod handler;
pub mod health;
pub mod query;

use allow::AllowList;
use config::Modules;
use health::Health;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

pub use handler::{SCRAPE_MARGIN, SCRAPE_TIMEOUT_HEADER, budget};

/// The default `--listen`: loopback, so nothing outside this machine can use it by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9219";
/// The default `--max-probes`.
pub const DEFAULT_MAX_PROBES: usize = 64;
/// The default `--max-connections`.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;
/// The default `--queue-wait`.
pub const DEFAULT_QUEUE_WAIT: Duration = Duration::from_secs(1);

/// Largest request head (request line and headers) read: a scrape's is a few hundred bytes.
const MAX_REQUEST_HEAD: usize = 16 * 1024;
/// Most headers a request may carry.
const MAX_HEADERS: usize = 32;
/// A client must send its request head within this time.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A kept-alive connection is closed after this long (after its request in progress), so idle
/// or abandoned connections give their place back.
const MAX_CONNECTION_AGE: Duration = Duration::from_secs(300);
/// How long a connection past its age may finish the request it is answering.
const LAST_REQUEST_GRACE: Duration = Duration::from_secs(60);

/// Why the exporter could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {address}: {source}")]
    Listen {
        address: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Allow(#[from] allow::PatternError),
}

/// What the exporter serves and within which limits.
pub struct Settings {
    pub modules: Modules,
    pub allow: AllowList,
    /// Probes at once; at least 1.
    pub max_probes: usize,
    /// How long a probe waits for a slot before its 503.
    pub queue_wait: Duration,
    /// Connections open at once; more wait in the kernel's queue.
    pub max_connections: usize,
}

/// What every connection shares.
pub struct State {
    settings: Settings,
    probes: Arc<Semaphore>,
    health: Health,
}

/// The warning printed at start-up for an exporter anyone may use to probe anything, if it is.
pub fn open_relay_warning(address: SocketAddr, allow: &AllowList) -> Option<String> {
    (!address.ip().is_loopback() && allow.is_open()).then(|| {
        format!(
            "warning: listening on {address} without --allow: whoever reaches this port can make \
             this machine connect to any host and port it can reach (an open probe relay); \
             give --allow for the targets you monitor"
        )
    })
}

/// Binds `address`; call inside a tokio runtime.
pub async fn bind(address: SocketAddr) -> Result<TcpListener, ServeError> {
    TcpListener::bind(address)
        .await
        .map_err(|source| ServeError::Listen { address, source })
}

/// Serves until the process ends.
pub async fn run(listener: TcpListener, settings: Settings) {
    let connections = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    let state = Arc::new(State {
        probes: Arc::new(Semaphore::new(settings.max_probes.max(1))),
        settings,
        health: Health::default(),
    });
    loop {
        // Waiting for a free place before accepting leaves further connections in the kernel's
        // backlog, so a flood costs no memory here.
        let Ok(place) = connections.clone().acquire_owned().await else {
            return;
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors, or a connection reset before it was accepted: go on
            // after a pause rather than spin.
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let state = state.clone();
        tokio::spawn(async move {
            state.health.connections.fetch_add(1, Ordering::Relaxed);
            serve_connection(stream, &state).await;
            state.health.connections.fetch_sub(1, Ordering::Relaxed);
            drop(place);
        });
    }
}

async fn serve_connection(stream: tokio::net::TcpStream, state: &Arc<State>) {
    let service = service_fn(|request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(handler::respond(request, &state).await) }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_REQUEST_HEAD)
        .max_headers(MAX_HEADERS)
        .serve_connection(TokioIo::new(stream), service);
    let mut connection = std::pin::pin!(connection);
    if tokio::time::timeout(MAX_CONNECTION_AGE, connection.as_mut())
        .await
        .is_err()
    {
        connection.as_mut().graceful_shutdown();
        let _ = tokio::time::timeout(LAST_REQUEST_GRACE, connection).await;
    }
}
