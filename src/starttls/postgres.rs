use super::{Dialogue, UpgradeError, shown};
use tokio::io::{AsyncRead, AsyncWrite};

/// "SSL Session Encryption": Int32 length 8, Int32 80877103 (1234 << 16 | 5679).
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// How much of an error message after 'E' is read.
const PG_ERROR_BYTES: usize = 4096;

/// The text of an ErrorResponse after its 'E': protocol 3 fields (Int32 length, then typed
/// strings; 'S' severity, 'M' message, 'C' SQLSTATE) or a protocol 2 string; `None` until it
/// has all arrived.
fn error_text(bytes: &[u8]) -> Option<String> {
    let declared = bytes
        .get(..4)
        .map(|l| u32::from_be_bytes([l[0], l[1], l[2], l[3]]));
    let Some(length) = declared
        .and_then(|l| usize::try_from(l).ok())
        .filter(|l| (5..=PG_ERROR_BYTES).contains(l))
    else {
        let end = memchr::memchr(0, bytes)?;
        return Some(shown(&bytes[..end]));
    };
    let mut fields = bytes.get(4..length)?;
    let (mut severity, mut message, mut code) = (String::new(), String::new(), String::new());
    while let Some((&kind, rest)) = fields.split_first() {
        let Some(end) = memchr::memchr(0, rest) else {
            break;
        };
        let value = shown(&rest[..end]);
        match kind {
            b'S' => severity = value,
            b'M' => message = value,
            b'C' => code = value,
            _ => {}
        }
        fields = &rest[end + 1..];
    }
    Some(format!("{severity}: {message} (SQLSTATE {code})"))
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
    /// The error message that follows an 'E', as much as arrives before the server closes.
    async fn postgres_error(&mut self) -> String {
        loop {
            if let Some(text) = error_text(&self.pending) {
                return text;
            }
            if self.pending.len() >= PG_ERROR_BYTES || self.fill().await.is_err() {
                let end = self.pending.len().min(PG_ERROR_BYTES);
                return shown(&self.pending[..end]);
            }
        }
    }
}

/// PostgreSQL's SSLRequest: 'S' proceeds, 'N' means the server has ssl off.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    d.send(&SSL_REQUEST, "SSLRequest").await?;
    let answer = d.bytes(1).await?;
    match answer.as_slice() {
        b"S" => {
            d.record.push("S: 'S' (proceed)".to_string());
            Ok(())
        }
        b"N" => {
            d.record.push("S: 'N' (no TLS)".to_string());
            Err(d.not_offered("PostgreSQL server answering 'N' to SSLRequest"))
        }
        b"E" => {
            let text = d.postgres_error().await;
            d.record.push(format!("S: 'E' ErrorResponse: {text}"));
            Err(d.unexpected(format!("an ErrorResponse to SSLRequest: {text}")))
        }
        _ => {
            let mut arrived = answer;
            arrived.extend_from_slice(&d.pending);
            let detail = format!(
                "an answer to SSLRequest that is neither 'S' nor 'N': {}",
                shown(&arrived)
            );
            Err(d.unexpected(detail))
        }
    }
}
