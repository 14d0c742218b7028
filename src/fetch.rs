//! The one bounded HTTP client for what tlsdoctor downloads (AIA issuer certificates) and asks
//! (OCSP responders).
//!
//! Every fetch is bounded in size, time (the check's own deadline) and redirects, follows only
//! http:// and https:// locations, and verifies HTTPS against Mozilla's roots.

use crate::capture::Resolve;
use http::Uri;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use std::fmt;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Largest body accepted: a certificate or a PKCS#7 bundle of a few is far smaller.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 3;

/// Why a download failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    BadUrl(String),
    Scheme(String),
    Resolve(String),
    Connect(String),
    Timeout,
    Status(u16),
    TooLarge,
    /// Larger than the caller's own, smaller limit (bytes), e.g. an OCSP answer's.
    LargerThan(usize),
    TooManyRedirects,
    Protocol(String),
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::BadUrl(u) => write!(f, "{u:?} is not a usable URL"),
            FetchError::Scheme(s) => {
                write!(f, "the {s}: scheme is not fetched (only http and https)")
            }
            FetchError::Resolve(e) => write!(f, "the host does not resolve: {e}"),
            FetchError::Connect(e) => write!(f, "could not connect: {e}"),
            FetchError::Timeout => write!(f, "no answer before the check's time limit"),
            FetchError::Status(code) => write!(f, "the server answered HTTP {code}"),
            FetchError::TooLarge => {
                write!(f, "the answer is larger than {} KiB", MAX_BODY_BYTES / 1024)
            }
            FetchError::LargerThan(limit) => {
                write!(f, "the answer is larger than {} KiB", limit / 1024)
            }
            FetchError::TooManyRedirects => write!(f, "more than {MAX_REDIRECTS} redirects"),
            FetchError::Protocol(e) => write!(f, "HTTP error: {e}"),
        }
    }
}

/// A successful download.
#[derive(Debug, Clone)]
pub struct Download {
    /// The URL the body finally came from, after redirects.
    pub url: String,
    pub body: Vec<u8>,
    /// The Content-Type header, when the server sent one.
    pub content_type: Option<String>,
}

/// A download in flight.
pub type Pending<'a> = Pin<Box<dyn Future<Output = Result<Download, FetchError>> + Send + 'a>>;

/// Where the pipeline's downloads come from: the network ([`Fetcher`]) in every run, canned
/// answers in the fuzz targets, so that hostile bodies go through the code that ships.
pub trait Fetch: Send + Sync {
    /// GETs `url` (an issuer certificate).
    fn get<'a>(&'a self, url: &'a str) -> Pending<'a>;

    /// POSTs `body` to `url` (an OCSP request), accepting at most `max_bytes` back.
    fn post<'a>(
        &'a self,
        url: &'a str,
        content_type: &'a str,
        body: Vec<u8>,
        max_bytes: usize,
    ) -> Pending<'a>;
}

impl Fetch for Fetcher<'_> {
    fn get<'a>(&'a self, url: &'a str) -> Pending<'a> {
        Box::pin(Fetcher::get(self, url))
    }

    fn post<'a>(
        &'a self,
        url: &'a str,
        content_type: &'a str,
        body: Vec<u8>,
        max_bytes: usize,
    ) -> Pending<'a> {
        Box::pin(Fetcher::post(self, url, content_type, body, max_bytes))
    }
}

/// Downloads within a deadline.
pub struct Fetcher<'a> {
    pub resolver: &'a dyn Resolve,
    pub deadline: Instant,
}

impl Fetcher<'_> {
    /// GETs `url`, following up to [`MAX_REDIRECTS`] http(s) redirects.
    pub async fn get(&self, url: &str) -> Result<Download, FetchError> {
        let outgoing = Outgoing {
            method: http::Method::GET,
            body: None,
            max_bytes: MAX_BODY_BYTES,
        };
        self.send(url, &outgoing).await
    }

    /// POSTs `body` to `url` (an OCSP request), accepting at most `max_bytes` (never more than
    /// [`MAX_BODY_BYTES`]) back. A redirect repeats the POST: a responder that moved still
    /// needs the request, which a GET would drop.
    pub async fn post(
        &self,
        url: &str,
        content_type: &str,
        body: Vec<u8>,
        max_bytes: usize,
    ) -> Result<Download, FetchError> {
        let outgoing = Outgoing {
            method: http::Method::POST,
            body: Some((content_type.to_string(), Bytes::from(body))),
            max_bytes: max_bytes.min(MAX_BODY_BYTES),
        };
        self.send(url, &outgoing).await
    }

    async fn send(&self, url: &str, outgoing: &Outgoing) -> Result<Download, FetchError> {
        match tokio::time::timeout_at(self.deadline, self.follow(url, outgoing)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout),
        }
    }

    async fn follow(&self, url: &str, outgoing: &Outgoing) -> Result<Download, FetchError> {
        let mut current = url.to_string();
        for _ in 0..=MAX_REDIRECTS {
            match self.once(&current, outgoing).await? {
                Step::Body { body, content_type } => {
                    return Ok(Download {
                        url: current,
                        body,
                        content_type,
                    });
                }
                Step::Redirect(location) => current = location,
            }
        }
        Err(FetchError::TooManyRedirects)
    }

    async fn once(&self, url: &str, outgoing: &Outgoing) -> Result<Step, FetchError> {
        let scheme = url
            .split_once(':')
            .map(|(s, _)| s.to_ascii_lowercase())
            .unwrap_or_default();
        let tls = match scheme.as_str() {
            "http" => false,
            "https" => true,
            other => return Err(FetchError::Scheme(other.to_string())),
        };
        let uri: Uri = url
            .parse()
            .map_err(|_| FetchError::BadUrl(url.to_string()))?;
        let host = uri
            .host()
            .ok_or_else(|| FetchError::BadUrl(url.to_string()))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        let addresses = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => self
                .resolver
                .resolve(&host, port)
                .await
                .map_err(|e| FetchError::Resolve(e.to_string()))?,
        };
        let stream = connect(&addresses).await?;
        let path = uri.path_and_query().map_or("/", |p| p.as_str()).to_string();
        let authority = uri.authority().map_or(host.clone(), |a| a.to_string());
        let mut request = http::Request::builder()
            .method(outgoing.method.clone())
            .uri(path)
            .header(http::header::HOST, authority)
            .header(
                http::header::USER_AGENT,
                concat!("tlsdoctor/", env!("CARGO_PKG_VERSION")),
            )
            .header(http::header::ACCEPT, "*/*")
            .header(http::header::CONNECTION, "close");
        if let Some((content_type, _)) = &outgoing.body {
            request = request.header(http::header::CONTENT_TYPE, content_type.as_str());
        }
        // An empty Full body sends exactly what the former Empty body did: no body, no length.
        let body = outgoing
            .body
            .as_ref()
            .map(|(_, b)| b.clone())
            .unwrap_or_default();
        let request = request
            .body(Full::new(body))
            .map_err(|e| FetchError::Protocol(e.to_string()))?;
        let max_bytes = outgoing.max_bytes;
        if tls {
            let name = rustls::pki_types::ServerName::try_from(host.clone())
                .map_err(|_| FetchError::BadUrl(url.to_string()))?;
            let connector = tokio_rustls::TlsConnector::from(https_config());
            let stream = connector
                .connect(name, stream)
                .await
                .map_err(|e| FetchError::Connect(e.to_string()))?;
            exchange(stream, request, url, max_bytes).await
        } else {
            exchange(stream, request, url, max_bytes).await
        }
    }
}

/// What one call sends; every redirect sends it again.
struct Outgoing {
    method: http::Method,
    /// Content type and bytes, for a POST.
    body: Option<(String, Bytes)>,
    max_bytes: usize,
}

enum Step {
    Body {
        body: Vec<u8>,
        content_type: Option<String>,
    },
    Redirect(String),
}

/// The size error for `limit`: the familiar one at the default limit.
fn too_large(limit: usize) -> FetchError {
    if limit == MAX_BODY_BYTES {
        FetchError::TooLarge
    } else {
        FetchError::LargerThan(limit)
    }
}

async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, FetchError> {
    let mut last = FetchError::Resolve("no address".into());
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = FetchError::Connect(format!("{address}: {e}")),
        }
    }
    Err(last)
}

async fn exchange<S>(
    stream: S,
    request: http::Request<Full<Bytes>>,
    url: &str,
    max_bytes: usize,
) -> Result<Step, FetchError>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| FetchError::Protocol(e.to_string()))?;
    let driver = tokio::spawn(connection);
    let result = async {
        let response = sender
            .send_request(request)
            .await
            .map_err(|e| FetchError::Protocol(e.to_string()))?;
        let status = response.status();
        if status.is_redirection() {
            let location = response
                .headers()
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or(FetchError::Status(status.as_u16()))?;
            return Ok(Step::Redirect(resolve_location(url, location)));
        }
        if !status.is_success() {
            return Err(FetchError::Status(status.as_u16()));
        }
        let declared = response
            .headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|l| l.to_str().ok())
            .and_then(|l| l.parse::<u64>().ok());
        if declared.is_some_and(|len| len > max_bytes as u64) {
            return Err(too_large(max_bytes));
        }
        let content_type = response
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|t| t.to_str().ok())
            .map(str::to_string);
        let body = Limited::new(response.into_body(), max_bytes)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    too_large(max_bytes)
                } else {
                    FetchError::Protocol(e.to_string())
                }
            })?;
        Ok(Step::Body {
            body: body.to_bytes().to_vec(),
            content_type,
        })
    }
    .await;
    driver.abort();
    result
}

/// A Location header may be relative; make it absolute against the request URL.
fn resolve_location(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_string();
    }
    let origin_end = base
        .find("://")
        .and_then(|i| base[i + 3..].find('/').map(|j| i + 3 + j))
        .unwrap_or(base.len());
    if location.starts_with('/') {
        format!("{}{location}", &base[..origin_end])
    } else {
        let dir_end = base
            .rfind('/')
            .filter(|&i| i >= origin_end)
            .unwrap_or(origin_end);
        format!("{}/{location}", &base[..dir_end])
    }
}

fn https_config() -> Arc<rustls::ClientConfig> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(crate::capture::provider())
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(config) => Arc::new(config),
        // The ring provider always supports the default versions; keep a usable fallback anyway.
        Err(_) => Arc::new(
            rustls::ClientConfig::builder()
                .with_root_certificates(rustls::RootCertStore::empty())
                .with_no_client_auth(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_redirects_are_resolved() {
        let base = "http://ca.example/a/b.cer";
        assert_eq!(resolve_location(base, "/c.cer"), "http://ca.example/c.cer");
        assert_eq!(resolve_location(base, "c.cer"), "http://ca.example/a/c.cer");
        assert_eq!(resolve_location(base, "https://x/y"), "https://x/y");
        assert_eq!(
            resolve_location("http://ca.example", "c.cer"),
            "http://ca.example/c.cer"
        );
    }
}
