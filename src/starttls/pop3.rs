use super::{Dialogue, UpgradeError, shown};
use tokio::io::{AsyncRead, AsyncWrite};

/// POP3 status indicators (RFC 1939 §3), read case-insensitively as servers vary.
fn status(line: &str) -> Option<bool> {
    let word = line.split_ascii_whitespace().next().unwrap_or_default();
    if word.eq_ignore_ascii_case("+OK") {
        Some(true)
    } else if word.eq_ignore_ascii_case("-ERR") {
        Some(false)
    } else {
        None
    }
}

/// RFC 2595 §4 and RFC 2449: CAPA, look for STLS, STLS, expect +OK.
pub(super) async fn start_tls<S: AsyncRead + AsyncWrite + Unpin>(
    d: &mut Dialogue<'_, S>,
) -> Result<(), UpgradeError> {
    let greeting = d.line().await?;
    let banner = shown(greeting.as_bytes());
    match status(&greeting) {
        Some(true) => {}
        Some(false) => return Err(d.refused(banner)),
        None => return Err(d.unexpected(format!("a POP3 greeting that is not +OK: {banner}"))),
    }
    d.send_line("CAPA").await?;
    let answer = d.line().await?;
    match status(&answer) {
        Some(true) => {}
        // No CAPA means no way to advertise STLS, which RFC 2595 requires be advertised.
        Some(false) => return Err(d.not_offered(banner)),
        None => {
            let detail = format!(
                "a CAPA reply that is not +OK or -ERR: {}",
                shown(answer.as_bytes())
            );
            return Err(d.unexpected(detail));
        }
    }
    let mut offered = false;
    loop {
        let line = d.line().await?;
        if line == "." {
            break;
        }
        let keyword = line.split_ascii_whitespace().next().unwrap_or_default();
        offered |= keyword.eq_ignore_ascii_case("STLS");
    }
    if !offered {
        return Err(d.not_offered(banner));
    }
    d.send_line("STLS").await?;
    let answer = d.line().await?;
    match status(&answer) {
        Some(true) => Ok(()),
        Some(false) => Err(d.refused(shown(answer.as_bytes()))),
        None => Err(d.unexpected(format!(
            "an STLS reply that is not +OK or -ERR: {}",
            shown(answer.as_bytes())
        ))),
    }
}
