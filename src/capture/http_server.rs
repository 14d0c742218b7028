//! One `HEAD /` over an established HTTPS connection, to record the `Server` header: which
//! server software answers, so the report can show that server's fix steps first. Nothing
//! else of the answer is kept.

use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// At most this much of the answer is read: a status line and headers fit in it.
pub(super) const ANSWER_BYTES: usize = 8 * 1024;

/// The longest the request may take (never past the check's own deadline).
pub(super) const WAIT: Duration = Duration::from_millis(1500);

/// The longest header value kept.
const VALUE_CHARS: usize = 200;

/// Sends `HEAD /` for `host` and returns the `Server` header of the answer, if the server
/// answers HTTP with one within `wait` and [`ANSWER_BYTES`].
pub(super) async fn server_header<S>(stream: &mut S, host: &str, wait: Duration) -> Option<String>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let request = format!(
        "HEAD / HTTP/1.1\r\nHost: {host}\r\nUser-Agent: tlsdoctor\r\nAccept: */*\r\nConnection: close\r\n\r\n"
    );
    let exchange = async {
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut answer = Vec::new();
        let mut buffer = [0u8; 2048];
        while !answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.len() < ANSWER_BYTES {
            let room = (ANSWER_BYTES - answer.len()).min(buffer.len());
            match stream.read(&mut buffer[..room]).await {
                Ok(0) | Err(_) => break,
                Ok(n) => answer.extend_from_slice(&buffer[..n]),
            }
        }
        Some(answer)
    };
    let answer = tokio::time::timeout(wait, exchange).await.ok()??;
    header_value(&answer, "server")
}

/// The value of header `name` in an HTTP/1.x answer's head, printable and shortened.
fn header_value(answer: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(answer);
    let mut lines = text.split("\r\n");
    if !lines.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let value = lines
        .take_while(|line| !line.is_empty())
        .find_map(|line| {
            let (field, value) = line.split_once(':')?;
            field.trim().eq_ignore_ascii_case(name).then_some(value)
        })?
        .trim();
    let shown: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(VALUE_CHARS)
        .collect();
    (!shown.is_empty()).then_some(shown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_server_header_is_read_from_the_head_only() {
        let answer = b"HTTP/1.1 200 OK\r\nDate: x\r\nserver: nginx/1.22.1\r\n\r\n";
        assert_eq!(
            header_value(answer, "server").as_deref(),
            Some("nginx/1.22.1")
        );
        let in_body = b"HTTP/1.1 200 OK\r\nDate: x\r\n\r\nServer: fake";
        assert_eq!(header_value(in_body, "server"), None);
        assert_eq!(header_value(b"* OK IMAP ready\r\n", "server"), None);
        let control = b"HTTP/1.1 200 OK\r\nServer: a\x1b[31mb\r\n\r\n";
        assert_eq!(header_value(control, "server").as_deref(), Some("a[31mb"));
    }
}
