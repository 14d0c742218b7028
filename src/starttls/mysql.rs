use super::{Dialogue, MAX_DIALOGUE_BYTES, UpgradeError, shown};
use tokio::io::{AsyncRead, AsyncWrite};

const CLIENT_PROTOCOL_41: u32 = 0x0000_0200;
const CLIENT_SSL: u32 = 0x0000_0800;
const CLIENT_SECURE_CONNECTION: u32 = 0x0000_8000;
const MAX_PACKET: u32 = 16 * 1024 * 1024;
/// utf8_general_ci: understood by every server version.
const CHARSET: u8 = 33;

/// What the server's initial handshake says about it.
struct Hello {
    version: String,
    capabilities: u32,
}

/// Protocol::HandshakeV10: version string, connection id (4), auth-plugin-data part 1 (8),
/// filler (1), capability flags lower half (2), then optionally charset (1), status (2) and the
/// upper half (2).
fn parse_hello(payload: &[u8]) -> Option<Hello> {
    let rest = payload.get(1..)?;
    let end = memchr::memchr(0, rest)?;
    let version = shown(&rest[..end]);
    let rest = rest.get(end + 1..)?;
    let lower = rest.get(13..15)?;
    let mut capabilities = u32::from(u16::from_le_bytes([lower[0], lower[1]]));
    if let Some(upper) = rest.get(18..20) {
        capabilities |= u32::from(u16::from_le_bytes([upper[0], upper[1]])) << 16;
    }
    Some(Hello {
        version,
        capabilities,
    })
}

/// An ERR_Packet: 0xff, error code (2), an optional "#" and SQLSTATE (5), the message.
fn error_text(payload: &[u8]) -> String {
    let code = payload
        .get(1..3)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .unwrap_or_default();
    let message = payload.get(3..).unwrap_or_default();
    let message = match message.first() {
        Some(b'#') => message.get(6..).unwrap_or_default(),
        _ => message,
    };
    format!("ERROR {code}: {}", shown(message))
}

impl<S: AsyncRead + AsyncWrite + Unpin> Dialogue<'_, S> {
    /// One packet: a 3-byte little-endian length, a sequence id, the payload.
    async fn mysql_packet(&mut self) -> Result<(u8, Vec<u8>), UpgradeError> {
        let header = self.bytes(4).await?;
        let length =
            usize::from(header[0]) | usize::from(header[1]) << 8 | usize::from(header[2]) << 16;
        if length > MAX_DIALOGUE_BYTES {
            let mut arrived = header;
            arrived.extend_from_slice(&self.pending);
            let detail = format!(
                "a first packet declaring {length} bytes, not a MySQL handshake: {}",
                shown(&arrived)
            );
            return Err(self.unexpected(detail));
        }
        let payload = self.bytes(length).await?;
        Ok((header[3], payload))
    }
}

/// MySQL: read the handshake, check CLIENT_SSL, send SSLRequest.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    let (sequence, payload) = d.mysql_packet().await?;
    match payload.first() {
        Some(10) => {}
        Some(0xff) => {
            let text = error_text(&payload);
            d.record.push(format!("S: ERR_Packet {text}"));
            return Err(d.refused(text));
        }
        _ => {
            let detail = format!(
                "a MySQL handshake that is not version 10: {}",
                shown(&payload)
            );
            return Err(d.unexpected(detail));
        }
    }
    let Some(hello) = parse_hello(&payload) else {
        let detail = format!("a truncated MySQL handshake: {}", shown(&payload));
        return Err(d.unexpected(detail));
    };
    let (version, capabilities) = (&hello.version, hello.capabilities);
    d.record.push(format!(
        "S: HandshakeV10, server {version}, capabilities {capabilities:#010x}"
    ));
    if capabilities & CLIENT_SSL == 0 {
        return Err(d.not_offered(format!("MySQL {version}")));
    }
    let flags = CLIENT_SSL | CLIENT_PROTOCOL_41 | CLIENT_SECURE_CONNECTION;
    let mut request = vec![32, 0, 0, sequence.wrapping_add(1)];
    request.extend_from_slice(&flags.to_le_bytes());
    request.extend_from_slice(&MAX_PACKET.to_le_bytes());
    request.push(CHARSET);
    request.extend_from_slice(&[0; 23]);
    d.send(&request, &format!("SSLRequest, capabilities {flags:#010x}"))
        .await
}
