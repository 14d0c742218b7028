//! The client side of mutual TLS during capture: what the server asked for, what was sent, and
//! what the server said afterwards. Facts only; `checks::client` names the causes.

use super::{SharedState, lock};
use rustls::SignatureScheme;
use rustls::client::ResolvesClientCert;
use rustls::sign::CertifiedKey;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// The most of the server's answer kept after the handshake.
const ANSWER_BYTES: usize = 16 * 1024;

/// What was learnt about client authentication on one connection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClientAuth {
    /// The server sent a CertificateRequest.
    pub requested: bool,
    /// The CA names the server said it accepts (DER Names), possibly none.
    pub acceptable_cas: Vec<Vec<u8>>,
    /// The signature schemes the server accepts for the client's proof.
    pub signature_schemes: Vec<SignatureScheme>,
    /// A certificate was sent (a `--cert` was given when asked).
    pub sent_certificate: bool,
    /// What the server did once the client had answered.
    pub response: Option<Response>,
}

/// The server's reaction after the client's part of the handshake.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Response {
    /// A TLS alert (during the handshake for TLS 1.2, just after it for TLS 1.3).
    Alert(rustls::AlertDescription),
    /// An HTTP answer to the request sent to find out: status and the start of the body.
    Http { status: u16, text: String },
    /// Application data that is not HTTP: the server went on with its protocol.
    Data,
    /// The connection was closed without an alert.
    Closed,
    /// Nothing within the time waited: the server accepted, or waits for the client.
    Silent,
}

/// Answers a CertificateRequest with the `--cert` identity (or nothing) and records it.
#[derive(Debug)]
pub(super) struct Recorder {
    pub(super) identity: Option<Arc<CertifiedKey>>,
    pub(super) shared: SharedState,
}

impl ResolvesClientCert for Recorder {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        let mut state = lock(&self.shared);
        state.client_auth.requested = true;
        state.client_auth.acceptable_cas = root_hint_subjects.iter().map(|s| s.to_vec()).collect();
        state.client_auth.signature_schemes = sigschemes.to_vec();
        state.client_auth.sent_certificate = self.identity.is_some();
        self.identity.clone()
    }

    fn has_certs(&self) -> bool {
        // Always be asked, so the request is recorded even without a certificate to send.
        true
    }
}

/// After a handshake in which a client certificate was requested, finds out whether the server
/// accepted: TLS 1.3 servers judge the client's certificate after the handshake has completed on
/// the client's side, and web servers often answer at the HTTP level instead (nginx's 400
/// pages). `http_host` is set when an HTTP request may be sent to provoke the answer.
pub(super) async fn server_response<S>(
    stream: &mut S,
    http_host: Option<&str>,
    wait: Duration,
) -> Response
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    if let Some(host) = http_host {
        let request = format!(
            "GET / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlsdoctor\r\nAccept: */*\r\nConnection: close\r\n\r\n"
        );
        if let Err(e) = stream.write_all(request.as_bytes()).await {
            return alert_of(&e).map_or(Response::Closed, Response::Alert);
        }
    }
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    let read = tokio::time::timeout(wait, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) => return Ok(()),
                Ok(n) => {
                    answer.extend_from_slice(&buffer[..n]);
                    if answer.len() >= ANSWER_BYTES || http_host.is_none() {
                        return Ok(());
                    }
                }
                Err(e) => return Err(e),
            }
        }
    })
    .await;
    if !answer.is_empty() {
        return http_answer(&answer).unwrap_or(Response::Data);
    }
    match read {
        Ok(Err(e)) => alert_of(&e).map_or(Response::Closed, Response::Alert),
        Ok(Ok(())) => Response::Closed,
        Err(_) => Response::Silent,
    }
}

fn alert_of(error: &std::io::Error) -> Option<rustls::AlertDescription> {
    match error.get_ref()?.downcast_ref::<rustls::Error>()? {
        rustls::Error::AlertReceived(alert) => Some(*alert),
        _ => None,
    }
}

/// `HTTP/1.1 400 Bad Request ... <title>400 No required SSL certificate was sent</title>` →
/// status and readable text.
fn http_answer(bytes: &[u8]) -> Option<Response> {
    let text = String::from_utf8_lossy(bytes);
    let status_line = text.lines().next()?;
    let mut parts = status_line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    let readable: String = strip_tags(body)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let mut summary = status_line.trim().to_string();
    if !readable.is_empty() {
        summary.push_str(": ");
        summary.extend(readable.chars().take(160));
    }
    Some(Response::Http {
        status,
        text: summary,
    })
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_client_certificate_pages_are_read() {
        let page = b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n<html><head><title>400 No required SSL certificate was sent</title></head><body><center><h1>400 Bad Request</h1></center><center>No required SSL certificate was sent</center><hr><center>nginx</center></body></html>";
        let Some(Response::Http { status, text }) = http_answer(page) else {
            panic!("not read as HTTP");
        };
        assert_eq!(status, 400);
        assert!(
            text.contains("No required SSL certificate was sent"),
            "{text}"
        );
        assert_eq!(http_answer(b"* OK IMAP ready\r\n"), None);
    }
}
